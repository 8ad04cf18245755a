import { DatabaseService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { Knex } from 'knex';
import { migratedClient, migrateStore } from '../stores/migrations';
import type { Rollout, RolloutState } from './model';

/** The rollouts' own migrations table, so their schema evolves apart from the fleet's. */
export const ROLLOUT_MIGRATIONS_TABLE = 'shipyard_rollouts_migrations';

const TABLE = 'shipyard_rollouts';

interface Row {
  id: string;
  name: string;
  state: string;
  created_by: string;
  created_at: string;
  updated_at: string;
  created_at_ms: number | string;
  revision: number | string;
  spec: string;
  stages: string;
  excluded: string;
  message: string | null;
}

/** The states in which the executor still has something to do. */
export const ACTIVE_ROLLOUT_STATES: readonly RolloutState[] = [
  'running',
  'paused',
];

/** Rollouts in the database (SQLite or PostgreSQL); every write checks the revision it read. */
export class RolloutStore {
  static async create(database: DatabaseService): Promise<RolloutStore> {
    return new RolloutStore(await migratedClient(database, 'rollouts'));
  }

  static async migrate(knex: Knex): Promise<void> {
    await migrateStore(knex, 'rollouts');
  }

  constructor(private readonly knex: Knex) {}

  async insert(rollout: Rollout): Promise<void> {
    await this.knex<Row>(TABLE).insert(toRow(rollout));
  }

  async get(id: string): Promise<Rollout | undefined> {
    const row = await this.knex<Row>(TABLE).where('id', id).first();
    return row ? fromRow(row) : undefined;
  }

  /** Newest first. */
  async list(
    options: { states?: readonly RolloutState[]; limit?: number } = {},
  ): Promise<Rollout[]> {
    let q = this.knex<Row>(TABLE)
      .orderBy('created_at_ms', 'desc')
      .orderBy('id', 'desc');
    if (options.states) q = q.whereIn('state', [...options.states]);
    if (options.limit) q = q.limit(options.limit);
    return (await q).map(fromRow);
  }

  /**
   * Writes a changed rollout if nobody else wrote it since it was read (its revision), and bumps the revision.
   * Throws `ConflictError` otherwise.
   */
  async update(rollout: Rollout): Promise<Rollout> {
    const next = { ...rollout, revision: rollout.revision + 1 };
    const {
      id,
      created_at: _c,
      created_at_ms: _m,
      created_by: _b,
      ...row
    } = toRow(next);
    const count = await this.knex<Row>(TABLE)
      .where({ id })
      .andWhere('revision', rollout.revision)
      .update(row);
    if (count !== 1) {
      throw new ConflictError(
        `Rollout ${id} was changed meanwhile; read it again`,
      );
    }
    return next;
  }
}

function toRow(r: Rollout): Row {
  return {
    id: r.id,
    name: r.spec.name,
    state: r.state,
    created_by: r.createdBy,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
    created_at_ms: Date.parse(r.createdAt),
    revision: r.revision,
    spec: JSON.stringify(r.spec),
    stages: JSON.stringify(r.stages),
    excluded: JSON.stringify(r.excluded),
    message: r.message ?? null,
  };
}

function fromRow(row: Row): Rollout {
  const rollout: Rollout = {
    id: row.id,
    spec: JSON.parse(row.spec),
    state: row.state as RolloutState,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    revision: Number(row.revision),
    stages: JSON.parse(row.stages),
    excluded: JSON.parse(row.excluded),
  };
  if (row.message) rollout.message = row.message;
  return rollout;
}
