import {
  HealthReason,
  HealthStatus,
  HealthTransition,
} from '@shipyard/plugin-shipyard-common';
import { Knex } from 'knex';
import { ProbeResult } from '../probes/types';

const BATCH = 200;

/** The current health of one cluster, as the history records it. */
export interface CurrentHealth {
  key: string;
  status: HealthStatus;
  reasons: HealthReason[];
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
   * Records health transitions: compares the current health of each cluster with the recorded status and appends
   * a history row where it changed. `present` is the complete set of clusters; recorded statuses of other clusters
   * are dropped. `at` gives the time of each change when known. Returns the number of transitions written.
   */
  async recordTransitions(
    current: CurrentHealth[],
    options: {
      now?: number;
      at?: (key: string) => string | undefined;
      /** Recorded clusters that may be dropped when absent from `current`. */
      mayDrop?: (key: string) => boolean;
      maxEntriesPerCluster: number;
    },
  ): Promise<number> {
    const now = options.now ?? Date.now();
    const recorded = new Map<string, { status: string; entries: number }>();
    const rows: Array<{
      cluster_key: string;
      status: string;
      entries: number | string;
    }> = await this.knex('shipyard_health_status').select(
      'cluster_key',
      'status',
      'entries',
    );
    for (const row of rows) {
      recorded.set(row.cluster_key, {
        status: row.status,
        entries: Number(row.entries),
      });
    }
    const keep = options.maxEntriesPerCluster;
    const toTrim: string[] = [];

    const transitions: Array<Record<string, unknown>> = [];
    const heads: Array<Record<string, unknown>> = [];
    for (const c of current) {
      const head = recorded.get(c.key);
      const previous = head?.status;
      recorded.delete(c.key);
      if (previous === c.status) continue;
      let entries = (head?.entries ?? 0) + 1;
      // trim in batches: only once a cluster is well over its bound
      if (entries > keep + Math.max(1, Math.ceil(keep / 10))) {
        toTrim.push(c.key);
        entries = keep;
      }
      const atIso = options.at?.(c.key) ?? new Date(now).toISOString();
      const atMs = Date.parse(atIso);
      transitions.push({
        cluster_key: c.key,
        at_ms: Number.isNaN(atMs) ? now : atMs,
        at: atIso,
        status: c.status,
        previous_status: previous ?? null,
        reasons: JSON.stringify(c.reasons),
      });
      heads.push({
        cluster_key: c.key,
        status: c.status,
        since: atIso,
        entries,
      });
    }
    await this.knex.transaction(async tx => {
      for (let i = 0; i < transitions.length; i += BATCH) {
        await tx('shipyard_health_history').insert(
          transitions.slice(i, i + BATCH),
        );
      }
      for (let i = 0; i < heads.length; i += BATCH) {
        await tx('shipyard_health_status')
          .insert(heads.slice(i, i + BATCH))
          .onConflict('cluster_key')
          .merge();
      }
      const gone = [...recorded.keys()].filter(
        k => options.mayDrop?.(k) ?? true,
      );
      for (let i = 0; i < gone.length; i += BATCH) {
        await tx('shipyard_health_status')
          .whereIn('cluster_key', gone.slice(i, i + BATCH))
          .delete();
      }
    });
    for (const key of toTrim) await this.trim(key, keep);
    return transitions.length;
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

  /** Deletes transitions older than the retention. */
  async pruneHistory(olderThanMs: number): Promise<number> {
    return this.knex('shipyard_health_history')
      .where('at_ms', '<', olderThanMs)
      .delete();
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
