import { DatabaseService } from '@backstage/backend-plugin-api';
import {
  HealthReason,
  HealthStatus,
  HealthTransition,
} from '@shipyard/plugin-shipyard-common';
import { Knex } from 'knex';
import { migrateStore } from './migrations';
import { ProbeResult } from '../probes/types';

const BATCH = 200;

/** The current health of one cluster, as the history records it. */
export interface CurrentHealth {
  key: string;
  status: HealthStatus;
  reasons: HealthReason[];
}

/** One health status of a cluster to append to its history. */
export interface TransitionInput {
  key: string;
  status: HealthStatus;
  reasons: HealthReason[];
  /** ISO-8601 time the status began. */
  at: string;
  /** Whether the cluster is in maintenance (a rollout step in progress, paused) from then on. */
  maintenance?: boolean;
  /**
   * Earlier statuses, oldest first, recorded before this one when the cluster has no history yet (a new cluster's
   * history begins with the cluster, from Cluster API's creation and condition times).
   */
  seed?: Array<{ at: string; status: HealthStatus; reasons: HealthReason[] }>;
}

/** One recorded step of a cluster's history, as objectives read it. */
export interface StoredStep {
  id: number;
  key: string;
  atMs: number;
  status: HealthStatus;
  maintenance: boolean;
}

/** A page of history. */
export interface HistoryPage {
  items: HealthTransition[];
  /** id of the last row, when there may be more. */
  nextBefore?: number;
}

/**
 * Database access of the health aggregation (SQLite and PostgreSQL): probe results shared between replicas, and
 * health history with bounded retention.
 */
export class HealthStore {
  /** Runs this store's migrations (its own migrations table). */
  static async migrate(knex: Knex): Promise<void> {
    await migrateStore(knex, 'health');
  }

  /** The store on a plugin database, migrated unless the database skips migrations. */
  static async create(database: DatabaseService): Promise<HealthStore> {
    const knex = await database.getClient();
    if (!database.migrations?.skip) await HealthStore.migrate(knex);
    return new HealthStore(knex);
  }

  constructor(private readonly knex: Knex) {}

  /** Writes probe results (upsert by cluster). */
  async saveResults(results: ProbeResult[], now = Date.now()): Promise<void> {
    for (let i = 0; i < results.length; i += BATCH) {
      const rows = results.slice(i, i + BATCH).map(r => ({
        cluster_key: r.key,
        management_cluster: r.key.split('/')[0],
        result: JSON.stringify(r),
        probed_at: r.at,
        updated_at: now,
      }));
      await this.knex('shipyard_probe_results')
        .insert(rows)
        .onConflict('cluster_key')
        .merge();
    }
  }

  /** Reads probe results written after `sinceMs` (all when undefined). Returns them and the newest `updated_at`. */
  async loadResults(
    sinceMs?: number,
  ): Promise<{ results: ProbeResult[]; newest?: number }> {
    const query = this.knex('shipyard_probe_results').select(
      'result',
      'updated_at',
    );
    if (sinceMs !== undefined) query.where('updated_at', '>', sinceMs);
    const rows: Array<{ result: string; updated_at: number | string }> =
      await query;
    const results: ProbeResult[] = [];
    let newest: number | undefined;
    for (const row of rows) {
      const updated = Number(row.updated_at);
      if (newest === undefined || updated > newest) newest = updated;
      try {
        results.push(JSON.parse(row.result));
      } catch {
        // an unreadable row is ignored; the next round rewrites it
      }
    }
    return { results, newest };
  }

  /** Deletes probe results not rewritten since `olderThanMs` (clusters that went away). */
  async pruneResults(olderThanMs: number): Promise<number> {
    return this.knex('shipyard_probe_results')
      .where('updated_at', '<', olderThanMs)
      .delete();
  }

  /**
   * Appends health statuses as they happen, in order: each one that differs from the cluster's recorded status
   * becomes a transition. A status older than the recorded one is skipped (another replica recorded a later change
   * already). Returns the number of transitions written.
   */
  async appendTransitions(
    entries: TransitionInput[],
    options: { maxEntriesPerCluster: number },
  ): Promise<number> {
    if (entries.length === 0) return 0;
    const keys = [...new Set(entries.map(e => e.key))];
    const heads = new Map<
      string,
      { status: string; maintenance: boolean; since: string; entries: number }
    >();
    for (let i = 0; i < keys.length; i += BATCH) {
      const rows: Array<{
        cluster_key: string;
        status: string;
        maintenance: boolean | number;
        since: string;
        entries: number | string;
      }> = await this.knex('shipyard_health_status')
        .whereIn('cluster_key', keys.slice(i, i + BATCH))
        .select('cluster_key', 'status', 'maintenance', 'since', 'entries');
      for (const row of rows) {
        heads.set(row.cluster_key, {
          status: row.status,
          maintenance: Boolean(row.maintenance),
          since: row.since,
          entries: Number(row.entries),
        });
      }
    }
    const keep = options.maxEntriesPerCluster;
    const transitions: Array<Record<string, unknown>> = [];
    const changed = new Set<string>();
    const toTrim = new Set<string>();
    for (const entry of entries) {
      const steps = heads.has(entry.key)
        ? [entry]
        : [...(entry.seed ?? []), entry];
      for (const step of steps) {
        const head = heads.get(entry.key);
        const maintenance = step === entry ? Boolean(entry.maintenance) : false;
        if (head?.status === step.status && head.maintenance === maintenance)
          continue;
        const atMs = Date.parse(step.at);
        if (head && atMs < Date.parse(head.since)) continue;
        let count = (head?.entries ?? 0) + 1;
        if (count > keep + Math.max(1, Math.ceil(keep / 10))) {
          toTrim.add(entry.key);
          count = keep;
        }
        transitions.push({
          cluster_key: entry.key,
          at_ms: Number.isNaN(atMs) ? Date.now() : atMs,
          at: step.at,
          status: step.status,
          previous_status: head?.status ?? null,
          reasons: JSON.stringify(step.reasons),
          maintenance,
        });
        heads.set(entry.key, {
          status: step.status,
          maintenance,
          since: step.at,
          entries: count,
        });
        changed.add(entry.key);
      }
    }
    if (transitions.length === 0) return 0;
    const headRows = [...changed].map(key => {
      const head = heads.get(key)!;
      return {
        cluster_key: key,
        status: head.status,
        maintenance: head.maintenance,
        since: head.since,
        entries: head.entries,
      };
    });
    await this.knex.transaction(async tx => {
      for (let i = 0; i < transitions.length; i += BATCH) {
        await tx('shipyard_health_history').insert(
          transitions.slice(i, i + BATCH),
        );
      }
      for (let i = 0; i < headRows.length; i += BATCH) {
        await tx('shipyard_health_status')
          .insert(headRows.slice(i, i + BATCH))
          .onConflict('cluster_key')
          .merge();
      }
    });
    for (const key of toTrim) await this.trim(key, keep);
    return transitions.length;
  }

  /** Forgets the recorded status of clusters that were deleted (their history stays until it expires). */
  async dropStatuses(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += BATCH) {
      await this.knex('shipyard_health_status')
        .whereIn('cluster_key', keys.slice(i, i + BATCH))
        .delete();
    }
  }

  private async trim(key: string, keep: number): Promise<void> {
    const cutoff = await this.knex('shipyard_health_history')
      .where('cluster_key', key)
      .orderBy('id', 'desc')
      .offset(keep)
      .first('id');
    if (cutoff) {
      await this.knex('shipyard_health_history')
        .where('cluster_key', key)
        .where('id', '<=', cutoff.id)
        .delete();
    }
  }

  /**
   * Deletes transitions older than the retention, but keeps each cluster's newest one among them: the status the
   * cluster was in when the retained window begins (its current status, when nothing changed since).
   */
  async pruneHistory(olderThanMs: number): Promise<number> {
    return this.knex('shipyard_health_history')
      .where('at_ms', '<', olderThanMs)
      .whereNotIn(
        'id',
        this.knex('shipyard_health_history')
          .where('at_ms', '<', olderThanMs)
          .max('id')
          .groupBy('cluster_key'),
      )
      .delete();
  }

  /**
   * The history of every cluster (or of `keys`) from `sinceMs` on, with the step in force at `sinceMs`, in time order
   * per cluster. With `afterId`, only steps recorded after that row (an incremental read).
   */
  async steps(options: {
    sinceMs?: number;
    afterId?: number;
    keys?: string[];
  }): Promise<StoredStep[]> {
    const out: StoredStep[] = [];
    const read = async (keys?: string[]) => {
      const query = this.knex('shipyard_health_history')
        .select('id', 'cluster_key', 'at_ms', 'status', 'maintenance')
        .orderBy('id', 'asc');
      if (keys) query.whereIn('cluster_key', keys);
      if (options.afterId !== undefined)
        query.where('id', '>', options.afterId);
      if (options.sinceMs !== undefined) {
        const since = options.sinceMs;
        query.where(q =>
          q.where('at_ms', '>=', since).orWhereIn(
            'id',
            this.knex('shipyard_health_history')
              .where('at_ms', '<', since)
              .modify(b => {
                if (keys) b.whereIn('cluster_key', keys);
              })
              .max('id')
              .groupBy('cluster_key'),
          ),
        );
      }
      const rows: Array<{
        id: number | string;
        cluster_key: string;
        at_ms: number | string;
        status: HealthStatus;
        maintenance: boolean | number;
      }> = await query;
      for (const row of rows) {
        out.push({
          id: Number(row.id),
          key: row.cluster_key,
          atMs: Number(row.at_ms),
          status: row.status,
          maintenance: Boolean(row.maintenance),
        });
      }
    };
    if (!options.keys) await read();
    else {
      for (let i = 0; i < options.keys.length; i += BATCH) {
        await read(options.keys.slice(i, i + BATCH));
      }
    }
    return out;
  }

  /** Transitions of one cluster, newest first. */
  async history(
    key: string,
    options: { limit: number; before?: number },
  ): Promise<HistoryPage> {
    const query = this.knex('shipyard_health_history')
      .where('cluster_key', key)
      .orderBy('id', 'desc')
      .limit(options.limit + 1)
      .select('id', 'at', 'status', 'previous_status', 'reasons');
    if (options.before !== undefined) query.where('id', '<', options.before);
    const rows: Array<{
      id: number | string;
      at: string;
      status: HealthStatus;
      previous_status: HealthStatus | null;
      reasons: string;
    }> = await query;
    const more = rows.length > options.limit;
    const page = rows.slice(0, options.limit);
    const items = page.map(row => {
      const item: HealthTransition = {
        at: row.at,
        health: row.status,
        reasons: safeParse(row.reasons),
      };
      if (row.previous_status) item.previous = row.previous_status;
      return item;
    });
    const out: HistoryPage = { items };
    if (more && page.length > 0)
      out.nextBefore = Number(page[page.length - 1].id);
    return out;
  }
}

function safeParse(text: string): HealthReason[] {
  try {
    const v = JSON.parse(text);
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}
