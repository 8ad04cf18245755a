import { DatabaseService } from '@backstage/backend-plugin-api';
import {
  ClusterAuditRecord,
  ClusterAuditRecordInput,
} from '@shipyard/plugin-shipyard-common';
import { Knex } from 'knex';
import { migratedClient, migrateStore } from './migrations';

const TABLE = 'shipyard_audit';

interface Row {
  id: number | string;
  at_ms: number | string;
  at: string;
  actor: string;
  action: string;
  outcome: string;
  management_cluster: string | null;
  namespace: string | null;
  cluster: string | null;
  profile: string | null;
  owner: string | null;
  mode: string | null;
  message: string | null;
  task_id: string | null;
  details: string | null;
}

/** Filters of {@link AuditStore.list}. */
export interface AuditQuery {
  /** Only records whose owner is one of these entity refs (compared in lower case). */
  owners?: string[];
  action?: string;
  /** Stored at or after. */
  since?: Date;
  /** Stored before. */
  until?: Date;
  actor?: string;
  managementCluster?: string;
  namespace?: string;
  cluster?: string;
  outcome?: string;
  limit: number;
  /** Return records older than this id. */
  before?: string;
}

/** Audit records of cluster requests in the database (migrations in `migrations/audit`). */
export class AuditStore {
  /** Runs this store's migrations (its own migrations table). */
  static async migrate(knex: Knex): Promise<void> {
    await migrateStore(knex, 'audit');
  }

  /** The store on a plugin database, migrated unless the database skips migrations. */
  static async create(database: DatabaseService): Promise<AuditStore> {
    return new AuditStore(await migratedClient(database, 'audit'));
  }

  constructor(private readonly knex: Knex) {}

  async add(
    input: ClusterAuditRecordInput,
    now = new Date(),
  ): Promise<ClusterAuditRecord> {
    const at = now.toISOString();
    const [inserted] = await this.knex<Row>(TABLE).insert(
      {
        at_ms: now.getTime(),
        at,
        actor: input.actor,
        action: input.action,
        outcome: input.outcome,
        management_cluster: input.managementCluster ?? null,
        namespace: input.namespace ?? null,
        cluster: input.cluster ?? null,
        profile: input.profile ?? null,
        owner: input.owner ?? null,
        mode: input.mode ?? null,
        message: input.message ?? null,
        task_id: input.taskId ?? null,
        details: input.details ? JSON.stringify(input.details) : null,
      },
      ['id'],
    );
    const id =
      typeof inserted === 'object' && inserted !== null
        ? String((inserted as { id: number | string }).id)
        : String(inserted);
    return { ...input, id, at };
  }

  /** Deletes the records stored before `cutoff`; returns how many. */
  async deleteOlderThan(cutoff: Date): Promise<number> {
    return this.knex<Row>(TABLE).where('at_ms', '<', cutoff.getTime()).delete();
  }

  async list(query: AuditQuery): Promise<ClusterAuditRecord[]> {
    let q = this.knex<Row>(TABLE).orderBy('id', 'desc').limit(query.limit);
    if (query.owners) {
      const owners = query.owners.map(o => o.toLocaleLowerCase('en-US'));
      q = owners.length
        ? q.whereIn(this.knex.raw('lower(owner)') as any, owners)
        : q.whereRaw('1 = 0');
    }
    if (query.action) q = q.where('action', query.action);
    if (query.since) q = q.where('at_ms', '>=', query.since.getTime());
    if (query.until) q = q.where('at_ms', '<', query.until.getTime());
    if (query.actor) q = q.where('actor', query.actor);
    if (query.managementCluster) {
      q = q.where('management_cluster', query.managementCluster);
    }
    if (query.namespace) q = q.where('namespace', query.namespace);
    if (query.cluster) q = q.where('cluster', query.cluster);
    if (query.outcome) q = q.where('outcome', query.outcome);
    if (query.before) q = q.where('id', '<', query.before);
    const rows = await q;
    return rows.map(toRecord);
  }
}

function toRecord(row: Row): ClusterAuditRecord {
  const record: ClusterAuditRecord = {
    id: String(row.id),
    at: row.at,
    actor: row.actor,
    action: row.action as ClusterAuditRecord['action'],
    outcome: row.outcome as ClusterAuditRecord['outcome'],
  };
  if (row.management_cluster) record.managementCluster = row.management_cluster;
  if (row.namespace) record.namespace = row.namespace;
  if (row.cluster) record.cluster = row.cluster;
  if (row.profile) record.profile = row.profile;
  if (row.owner) record.owner = row.owner;
  if (row.mode) record.mode = row.mode as ClusterAuditRecord['mode'];
  if (row.message) record.message = row.message;
  if (row.task_id) record.taskId = row.task_id;
  if (row.details) record.details = JSON.parse(row.details);
  return record;
}
