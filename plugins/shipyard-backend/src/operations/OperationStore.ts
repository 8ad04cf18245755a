import { DatabaseService } from '@backstage/backend-plugin-api';
import { ClusterKey, ShipyardOpenApi } from '@shipyard/plugin-shipyard-common';
import { Knex } from 'knex';
import { migratedClient } from '../stores/migrations';

const TABLE = 'shipyard_cluster_operations';

/**
 * Where an operation is: followed (`running`, `stalled` past its deadline), or done. A production decommission's
 * request is `pending` until it is `approved` (by a second person, or when its delay passed), `cancelled` or
 * `lapsed` (not approved in time); the deletion then is an operation of its own. The spec's
 * `TrackedClusterOperation.state`.
 */
export type OperationState = ShipyardOpenApi.TrackedClusterOperation['state'];

/**
 * An operation that the fleet carries out after the write: the spec's `TrackedClusterOperation` (as
 * `GET /clusters/…/operations` lists it) with the cluster it acts on, the cluster's owner and profile when it
 * started, and its message only once there is one.
 */
export interface TrackedOperation
  extends Omit<ShipyardOpenApi.TrackedClusterOperation, 'action' | 'message'> {
  action: Extract<
    ShipyardOpenApi.TrackedClusterOperation['action'],
    'cluster.scale' | 'cluster.delete' | 'cluster.update'
  >;
  key: ClusterKey;
  owner?: string;
  profile?: string;
  /** The progress or the outcome, in words. */
  message?: string;
}

interface Row {
  id: string;
  action: string;
  management_cluster: string;
  namespace: string;
  cluster: string;
  actor: string;
  owner: string | null;
  profile: string | null;
  state: string;
  target: string;
  started_at_ms: number | string;
  deadline_at_ms: number | string;
  updated_at_ms: number | string;
  message: string | null;
}

function fromRow(row: Row): TrackedOperation {
  return {
    id: row.id,
    action: row.action as TrackedOperation['action'],
    key: {
      managementCluster: row.management_cluster,
      namespace: row.namespace,
      name: row.cluster,
    },
    actor: row.actor,
    ...(row.owner ? { owner: row.owner } : {}),
    ...(row.profile ? { profile: row.profile } : {}),
    state: row.state as OperationState,
    target: JSON.parse(row.target),
    startedAt: new Date(Number(row.started_at_ms)).toISOString(),
    deadlineAt: new Date(Number(row.deadline_at_ms)).toISOString(),
    updatedAt: new Date(Number(row.updated_at_ms)).toISOString(),
    ...(row.message ? { message: row.message } : {}),
  };
}

/** The followed operations in the database (SQLite or PostgreSQL). */
export class OperationStore {
  static async create(database: DatabaseService): Promise<OperationStore> {
    // migrations/operations, recorded in shipyard_operations_migrations
    return new OperationStore(await migratedClient(database, 'operations'));
  }

  constructor(private readonly knex: Knex) {}

  async insert(op: TrackedOperation): Promise<void> {
    await this.knex<Row>(TABLE).insert({
      id: op.id,
      action: op.action,
      management_cluster: op.key.managementCluster,
      namespace: op.key.namespace,
      cluster: op.key.name,
      actor: op.actor,
      owner: op.owner ?? null,
      profile: op.profile ?? null,
      state: op.state,
      target: JSON.stringify(op.target),
      started_at_ms: Date.parse(op.startedAt),
      deadline_at_ms: Date.parse(op.deadlineAt),
      updated_at_ms: Date.parse(op.updatedAt),
      message: op.message ?? null,
    });
  }

  /** Moves an operation on, unless another replica moved it first (answers whether this call did). */
  async update(
    op: TrackedOperation,
    from: OperationState,
    to: OperationState,
    message: string,
    now = new Date(),
  ): Promise<boolean> {
    const changed = await this.knex<Row>(TABLE)
      .where({ id: op.id, state: from })
      .update({ state: to, message, updated_at_ms: now.getTime() });
    return changed > 0;
  }

  /** Operations still followed. */
  async active(): Promise<TrackedOperation[]> {
    const rows = await this.knex<Row>(TABLE)
      .whereIn('state', ['running', 'stalled'])
      .orderBy('started_at_ms', 'asc');
    return rows.map(fromRow);
  }

  /** Requests that wait (production decommissions awaiting approval or their delay), oldest first. */
  async pending(): Promise<TrackedOperation[]> {
    const rows = await this.knex<Row>(TABLE)
      .where('state', 'pending')
      .orderBy('started_at_ms', 'asc');
    return rows.map(fromRow);
  }

  /** The request of a cluster that waits, if any. */
  async pendingOf(key: ClusterKey): Promise<TrackedOperation | undefined> {
    const row = await this.knex<Row>(TABLE)
      .where({
        management_cluster: key.managementCluster,
        namespace: key.namespace,
        cluster: key.name,
        state: 'pending',
      })
      .orderBy('started_at_ms', 'desc')
      .first();
    return row ? fromRow(row) : undefined;
  }

  /** The operations of one cluster, newest first. */
  async ofCluster(key: ClusterKey, limit = 20): Promise<TrackedOperation[]> {
    const rows = await this.knex<Row>(TABLE)
      .where({
        management_cluster: key.managementCluster,
        namespace: key.namespace,
        cluster: key.name,
      })
      .orderBy('started_at_ms', 'desc')
      .limit(limit);
    return rows.map(fromRow);
  }
}
