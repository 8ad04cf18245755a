import { DatabaseService } from '@backstage/backend-plugin-api';
import {
  HealthReason,
  HealthStatus,
  HealthTransition,
} from '@shipyard/plugin-shipyard-common';
import { Knex } from 'knex';
import { migratedClient, migrateStore } from './migrations';
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
    return new HealthStore(await migratedClient(database, 'health'));
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
   * Downsamples the history before `beforeMs` (see {@link canonicalBucket}): in each bucket of `bucketMs` (aligned to
   * the epoch) that holds more rows than the states it went through, the rows are rewritten as one step per state, in
   * place (the bucket's own ids, in time order), and the rest deleted; a row that repeats the state before it is
   * deleted too (in the clusters that have a bucket of more than two rows). Every state keeps its exact time within each bucket, so availability over whole buckets is unchanged
   * and a range that starts or ends inside a bucket is off by at most that bucket's time in other states. With
   * `sinceMs`, only buckets from there on are looked at (an incremental pass). Idempotent, and safe to run on
   * several replicas at once (they write the same rows). Returns how many rows were rewritten and deleted.
   */
  async downsampleHistory(options: {
    beforeMs: number;
    bucketMs: number;
    sinceMs?: number;
  }): Promise<{ clusters: number; updated: number; deleted: number }> {
    const bucketMs = Math.floor(options.bucketMs);
    if (!(bucketMs >= 1000)) {
      throw new Error('downsampling needs buckets of at least a second');
    }
    const end = Math.floor(options.beforeMs / bucketMs) * bucketMs;
    const start =
      options.sinceMs === undefined
        ? undefined
        : Math.max(0, Math.floor(options.sinceMs / bucketMs) * bucketMs);
    const out = { clusters: 0, updated: 0, deleted: 0 };
    if (start !== undefined && start >= end) return out;
    const inRange = (q: Knex.QueryBuilder) => {
      q.where('at_ms', '<', end);
      if (start !== undefined) q.where('at_ms', '>=', start);
    };
    // clusters with a bucket of more than two rows (two are one step per state already, but for a repeated state,
    // which appending never writes); the bucket number is an integer division on both databases
    const crowded: Array<{ cluster_key: string }> = await this.knex(
      'shipyard_health_history',
    )
      .modify(inRange)
      .groupByRaw(`cluster_key, at_ms / ${bucketMs}`)
      .havingRaw('count(*) > 2')
      .distinct('cluster_key');
    const keys = [...new Set(crowded.map(r => r.cluster_key))].sort();
    for (let i = 0; i < keys.length; i += BATCH) {
      const batch = keys.slice(i, i + BATCH);
      const rows: HistoryRow[] = await this.knex('shipyard_health_history')
        .whereIn('cluster_key', batch)
        .where(q => {
          q.where('at_ms', '<', end);
          if (start !== undefined) {
            q.where(w =>
              w
                .where('at_ms', '>=', start)
                .orWhereIn(
                  'id',
                  this.knex('shipyard_health_history')
                    .whereIn('cluster_key', batch)
                    .where('at_ms', '<', start)
                    .max('id')
                    .groupBy('cluster_key'),
                ),
            );
          }
        })
        .orderBy([
          { column: 'cluster_key' },
          { column: 'at_ms' },
          { column: 'id' },
        ])
        .select(
          'id',
          'cluster_key',
          'at_ms',
          'status',
          'maintenance',
          'reasons',
        );
      const updates: HistoryRow[] = [];
      const deletions: number[] = [];
      let from = 0;
      while (from < rows.length) {
        let to = from;
        while (
          to < rows.length &&
          rows[to].cluster_key === rows[from].cluster_key
        )
          to++;
        const plan = planDownsampling(rows.slice(from, to), bucketMs, start);
        if (plan.updates.length > 0 || plan.deletions.length > 0)
          out.clusters++;
        updates.push(...plan.updates);
        deletions.push(...plan.deletions);
        from = to;
      }
      if (updates.length === 0 && deletions.length === 0) continue;
      await this.knex.transaction(async tx => {
        for (let d = 0; d < deletions.length; d += BATCH) {
          await tx('shipyard_health_history')
            .whereIn('id', deletions.slice(d, d + BATCH))
            .delete();
        }
        for (const row of updates) {
          await tx('shipyard_health_history')
            .where('id', row.id)
            .update({
              at_ms: row.at_ms,
              at: new Date(Number(row.at_ms)).toISOString(),
              status: row.status,
              previous_status: row.previous_status ?? null,
              maintenance: Boolean(row.maintenance),
              reasons: row.reasons,
            });
        }
      });
      out.updated += updates.length;
      out.deleted += deletions.length;
    }
    return out;
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

/** A row of the history as downsampling reads and rewrites it. */
interface HistoryRow {
  id: number;
  cluster_key: string;
  at_ms: number | string;
  status: HealthStatus;
  maintenance: boolean | number;
  reasons: string;
  previous_status?: HealthStatus | null;
}

const stateOf = (r: Pick<HistoryRow, 'status' | 'maintenance'>) =>
  `${r.status}${r.maintenance ? '+m' : ''}`;

/**
 * The rows of one bucket rewritten as one step per state, with each state's exact time in the bucket: first the
 * state the bucket begins in (which continues the one before it, no row), then the others in the order they first
 * appear, last the state it ends in (which continues into the next bucket). `entering` is the state before the bucket (undefined when
 * the cluster's history begins in it: the bucket then begins with its first row). Returns the steps with their times.
 */
export function canonicalBucket(
  rows: ReadonlyArray<Pick<HistoryRow, 'at_ms' | 'status' | 'maintenance'>>,
  bucketStart: number,
  bucketEnd: number,
  entering?: Pick<HistoryRow, 'status' | 'maintenance'>,
): Array<{ atMs: number; status: HealthStatus; maintenance: boolean }> {
  const time = new Map<string, number>();
  const sample = new Map<
    string,
    { status: HealthStatus; maintenance: boolean }
  >();
  const note = (r: Pick<HistoryRow, 'status' | 'maintenance'>, ms: number) => {
    const k = stateOf(r);
    time.set(k, (time.get(k) ?? 0) + ms);
    if (!sample.has(k)) {
      sample.set(k, { status: r.status, maintenance: Boolean(r.maintenance) });
    }
  };
  let t = entering ? bucketStart : Number(rows[0].at_ms);
  const begin = t;
  let current = entering;
  for (const row of rows) {
    const at = Number(row.at_ms);
    if (current && at > t) note(current, at - t);
    t = Math.max(t, at);
    current = row;
  }
  if (current) note(current, bucketEnd - t);
  const exit = stateOf(rows[rows.length - 1]);
  const first = entering ? stateOf(entering) : undefined;
  // the others in the order they first appear in the bucket
  const order = [...time.keys()].filter(
    k => time.get(k)! > 0 && k !== exit && k !== first,
  );
  if (first && first !== exit && (time.get(first) ?? 0) > 0) {
    order.unshift(first);
  }
  order.push(exit);
  const steps: Array<{
    atMs: number;
    status: HealthStatus;
    maintenance: boolean;
  }> = [];
  let at = begin;
  for (const k of order) {
    steps.push({ atMs: at, ...sample.get(k)! });
    at += time.get(k) ?? 0;
  }
  // the first step continues the state before the bucket: no row for it
  if (first !== undefined && order[0] === first) steps.shift();
  return steps;
}

/**
 * What downsampling changes in one cluster's rows (in time order; with `start`, the first may be the one in force
 * at `start`): for each bucket with more rows than its canonical form, the canonical rows written over the bucket's
 * ids in order and the ids left over deleted; a row repeating the state before it, deleted.
 */
function planDownsampling(
  rows: HistoryRow[],
  bucketMs: number,
  start?: number,
): { updates: HistoryRow[]; deletions: number[] } {
  const updates: HistoryRow[] = [];
  const deletions: number[] = [];
  let entering: HistoryRow | undefined;
  let i = 0;
  if (start !== undefined && rows.length > 0 && Number(rows[0].at_ms) < start) {
    entering = rows[0];
    i = 1;
  }
  while (i < rows.length) {
    const bucket = Math.floor(Number(rows[i].at_ms) / bucketMs);
    let j = i;
    while (
      j < rows.length &&
      Math.floor(Number(rows[j].at_ms) / bucketMs) === bucket
    )
      j++;
    const inBucket = rows.slice(i, j);
    const bucketStart = bucket * bucketMs;
    const steps = canonicalBucket(
      inBucket,
      bucketStart,
      bucketStart + bucketMs,
      entering,
    );
    const repeats =
      entering !== undefined && stateOf(inBucket[0]) === stateOf(entering);
    if (steps.length < inBucket.length || repeats) {
      const ids = inBucket.map(r => Number(r.id)).sort((a, b) => a - b);
      let previous = entering?.status ?? null;
      steps.forEach((step, n) => {
        const k = stateOf(step);
        // the reasons of the latest row of that state in the bucket
        const source = [...inBucket].reverse().find(r => stateOf(r) === k);
        updates.push({
          id: ids[n],
          cluster_key: inBucket[0].cluster_key,
          at_ms: step.atMs,
          status: step.status,
          maintenance: step.maintenance,
          reasons: source?.reasons ?? '[]',
          previous_status: previous,
        });
        previous = step.status;
      });
      deletions.push(...ids.slice(steps.length));
    }
    entering = inBucket[inBucket.length - 1];
    i = j;
  }
  return { updates, deletions };
}
