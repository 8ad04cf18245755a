import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { knex as createKnex, Knex } from 'knex';
import { HealthStatus } from '@shipyard/plugin-shipyard-common';
import { seededRandom } from '@shipyard/test-utils';
import { HealthStore } from '@shipyard/plugin-shipyard-backend/src/stores/HealthStore';
import {
  ClusterObjective,
  ObjectiveSummary,
  ObjectiveTracker,
} from '@shipyard/plugin-shipyard-backend/src/objectives/ObjectiveTracker';
import { rollUp } from '@shipyard/plugin-shipyard-backend/src/objectives/compute';
import { DEFAULT_OBJECTIVES_CONFIG } from '@shipyard/plugin-shipyard-backend/src/objectives/config';
import { DEFAULT_HEALTH_CONFIG } from '@shipyard/plugin-shipyard-backend/src/health/config';
import { formatNumber, heapUsed } from '../stats';
import { mockServices } from '@backstage/backend-test-utils';

/*
 * What availability objectives cost on a long health history: a synthetic history of every cluster over the retention
 * (incidents, rollouts in maintenance, a few clusters flapping for hours) written to the health store, then the
 * history's housekeeping (retention and downsampling, as the health stage runs it), then every cluster's objective and
 * the team rollups computed from the store as a replica does after a start (the objectives tracker reads the history
 * of the longest window and computes each cluster from it). Objectives are computed on the raw and on the downsampled
 * history, so the error downsampling makes is measured, not assumed. SQLite always (a file), PostgreSQL when
 * SHIPYARD_PG_URL (`source scripts/postgres.sh`) names a server.
 */

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const TEAMS = 250;
const PROFILES = [
  'eks-standard',
  'aks-standard',
  'gke-standard',
  'kubeadm-edge',
  'rke2-onprem',
];

const silentLogger = mockServices.rootLogger({ level: 'none' });

/** Options of {@link runObjectivesBenchmark}. */
export interface ObjectivesBenchmarkOptions {
  /** Clusters (default 10,000). */
  clusters?: number;
  /** Days of history kept (default 90, the default retention; 3 more days are written for the retention to prune). */
  days?: number;
  /** Databases (default SQLite, and PostgreSQL when SHIPYARD_PG_URL is set). */
  databases?: Array<'sqlite' | 'postgres'>;
}

/** One database's figures. */
export interface ObjectivesBenchmarkRow {
  database: string;
  clusters: number;
  days: number;
  rowsWritten: number;
  writeMs: number;
  bytesRaw: number;
  pruned: number;
  merged: number;
  housekeepingMs: number;
  /** A later pass with nothing new to merge (the hourly cost). */
  steadyHousekeepingMs: number;
  rowsStored: number;
  bytesStored: number;
  loadMs: number;
  trackerHeapMB: number;
  computeAllMs: number;
  rollupsMs: number;
  oneTeamMs: number;
  /** Largest difference of a cluster's availability, raw against downsampled history (percentage points). */
  maxAvailabilityDelta: number;
  /** Clusters whose budget state differs between raw and downsampled history. */
  stateChanges: number;
}

interface SyntheticCluster extends ObjectiveSummary {
  key: string;
  owner: string;
}

const REASONS: Record<string, string> = {
  unhealthy:
    '[{"source":"probe","severity":"error","type":"ApiServerUnreachable","message":"connect ECONNREFUSED 10.0.3.17:6443"}]',
  degraded:
    '[{"source":"probe","severity":"warning","type":"ApiServerSlow","message":"The workload API server answered in 2.4 s"}]',
  unknown:
    '[{"source":"source","severity":"warning","type":"SourceStale","message":"The management cluster has not been heard from in 45 s"}]',
  progressing:
    '[{"source":"capi","severity":"info","type":"Progressing","message":"Cluster API is rolling out the control plane"}]',
  healthy: '[]',
};

function clusterOf(i: number): SyntheticCluster {
  const team = `team-${i % TEAMS}`;
  const c: SyntheticCluster = {
    managementCluster: `mgmt-${i % 5}`,
    namespace: team,
    name: `cluster-${i}`,
    key: `mgmt-${i % 5}/${team}/cluster-${i}`,
    owner: `group:default/${team}`,
    lifecycle: i % 5 < 2 ? 'production' : 'development',
    profile: PROFILES[i % PROFILES.length],
  };
  // one cluster in ten keeps a 90-day objective
  if (i % 10 === 3) c.availabilityObjective = '99.5/90d';
  return c;
}

/**
 * The history of one cluster over `days` until `now`, as rows: healthy from the start, incidents (about one in four
 * days, 1 to 120 minutes, mostly unhealthy), a rollout in maintenance every two weeks, and for 3 % of the clusters a
 * few episodes of hours of flapping between healthy and degraded or unhealthy (a transition every 1 to 5 minutes).
 */
function historyOf(
  c: SyntheticCluster,
  index: number,
  days: number,
  now: number,
): Array<Record<string, unknown>> {
  const random = seededRandom(index * 7919 + 17);
  const start = now - days * DAY - Math.floor(random() * DAY);
  const events: Array<{
    atMs: number;
    status: HealthStatus;
    maintenance: boolean;
  }> = [];
  const add = (atMs: number, status: HealthStatus, maintenance = false) => {
    if (atMs < now) events.push({ atMs, status, maintenance });
  };
  add(start, 'healthy');
  for (let t = start; ; ) {
    t += -Math.log(1 - random()) * 4 * DAY;
    if (t >= now) break;
    const r = random();
    let status: HealthStatus = 'unknown';
    if (r < 0.7) status = 'unhealthy';
    else if (r < 0.9) status = 'degraded';
    const lasting = (1 + Math.floor(random() * 120)) * MIN;
    add(Math.floor(t), status);
    add(Math.floor(t + lasting), 'healthy');
    t += lasting;
  }
  for (let t = start + random() * 14 * DAY; t < now; t += 14 * DAY) {
    add(Math.floor(t), 'progressing', true);
    add(Math.floor(t + 20 * MIN), 'healthy');
  }
  if (index % 33 === 0) {
    for (let e = 0; e < days / 30; e++) {
      let t = start + random() * days * DAY;
      const end = t + (2 + random() * 6) * HOUR;
      const bad: HealthStatus = random() < 0.5 ? 'degraded' : 'unhealthy';
      let flip = true;
      while (t < end) {
        add(Math.floor(t), flip ? bad : 'healthy');
        flip = !flip;
        t += (1 + Math.floor(random() * 5)) * MIN;
      }
      add(Math.floor(t), 'healthy');
    }
  }
  events.sort((a, b) => a.atMs - b.atMs);
  const rows: Array<Record<string, unknown>> = [];
  let previous: { status: HealthStatus; maintenance: boolean } | undefined;
  for (const e of events) {
    if (
      previous &&
      previous.status === e.status &&
      previous.maintenance === e.maintenance
    ) {
      continue;
    }
    rows.push({
      cluster_key: c.key,
      at_ms: e.atMs,
      at: new Date(e.atMs).toISOString(),
      status: e.status,
      previous_status: previous?.status ?? null,
      reasons: REASONS[e.status] ?? '[]',
      maintenance: e.maintenance,
    });
    previous = e;
  }
  return rows;
}

async function databaseBytes(
  knex: Knex,
  kind: 'sqlite' | 'postgres',
): Promise<number> {
  if (kind === 'postgres') {
    const r = await knex.raw(
      'select pg_database_size(current_database()) as b',
    );
    return Number(r.rows[0].b);
  }
  const [{ page_count: pages }] = await knex.raw('pragma page_count');
  const [{ page_size: size }] = await knex.raw('pragma page_size');
  return Number(pages) * Number(size);
}

async function compact(knex: Knex, kind: 'sqlite' | 'postgres') {
  if (kind === 'postgres') await knex.raw('vacuum full analyze');
  else await knex.raw('vacuum');
}

async function openDatabase(
  kind: 'sqlite' | 'postgres',
): Promise<{ knex: Knex; close(): Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(
      path.join(os.tmpdir(), 'shipyard-objectives-bench-'),
    );
    const knex = createKnex({
      client: 'better-sqlite3',
      connection: { filename: path.join(dir, 'health.sqlite') },
      useNullAsDefault: true,
    });
    return {
      knex,
      async close() {
        await knex.destroy();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const url = process.env.SHIPYARD_PG_URL;
  if (!url)
    throw new Error('SHIPYARD_PG_URL is not set (source scripts/postgres.sh)');
  const name = `shipyard_objectives_bench_${process.pid}`;
  const admin = createKnex({ client: 'pg', connection: url });
  await admin.raw(`create database ${name}`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  const knex = createKnex({ client: 'pg', connection: target.toString() });
  return {
    knex,
    async close() {
      await knex.destroy();
      await admin.raw(`drop database if exists ${name}`);
      await admin.destroy();
    },
  };
}

/** Every cluster's objective now, and the time it took. */
function computeAll(tracker: ObjectiveTracker, clusters: SyntheticCluster[]) {
  const started = performance.now();
  const results = new Map<string, ClusterObjective>();
  for (const c of clusters) {
    const r = tracker.compute(c);
    if (r) results.set(c.key, r);
  }
  return { results, ms: performance.now() - started };
}

async function runOne(
  kind: 'sqlite' | 'postgres',
  clusters: number,
  days: number,
): Promise<ObjectivesBenchmarkRow> {
  const now = Date.now();
  const db = await openDatabase(kind);
  try {
    const { knex } = db;
    await HealthStore.migrate(knex);
    const store = new HealthStore(knex);
    const list = Array.from({ length: clusters }, (_, i) => clusterOf(i));

    // the history, 3 days longer than the retention
    let rowsWritten = 0;
    const writeStarted = performance.now();
    for (let i = 0; i < clusters; i += 100) {
      const rows = list
        .slice(i, i + 100)
        .flatMap((c, n) => historyOf(c, i + n, days + 3, now));
      await knex.transaction(async tx => {
        for (let r = 0; r < rows.length; r += 400) {
          await tx('shipyard_health_history').insert(rows.slice(r, r + 400));
        }
      });
      rowsWritten += rows.length;
    }
    const writeMs = performance.now() - writeStarted;
    await compact(knex, kind);
    const bytesRaw = await databaseBytes(knex, kind);

    // objectives on the raw history (the reference for the error of downsampling)
    const raw = new ObjectiveTracker({
      config: DEFAULT_OBJECTIVES_CONFIG,
      store,
      logger: silentLogger,
      now: () => now,
    });
    await raw.refresh();
    const reference = computeAll(raw, list).results;

    // housekeeping as the health stage runs it: retention (`days`), then downsampling of what is older than a week
    const history = DEFAULT_HEALTH_CONFIG.history;
    const bucketMs = history.downsampleMinutes * MIN;
    const beforeMs = now - history.downsampleAfterDays * DAY;
    const hkStarted = performance.now();
    const pruned = await store.pruneHistory(now - days * DAY);
    const { deleted: merged } = await store.downsampleHistory({
      beforeMs,
      bucketMs,
    });
    const housekeepingMs = performance.now() - hkStarted;
    const steadyStarted = performance.now();
    const steadyPruned = await store.pruneHistory(now + HOUR - days * DAY);
    const steady = await store.downsampleHistory({
      beforeMs: beforeMs + HOUR,
      bucketMs,
      sinceMs: beforeMs - bucketMs,
    });
    const steadyHousekeepingMs = performance.now() - steadyStarted;
    await compact(knex, kind);
    const bytesStored = await databaseBytes(knex, kind);
    const [{ n }] = await knex('shipyard_health_history').count({ n: '*' });

    // a replica's start: the history of the longest window read, every cluster computed, the rollups
    const heapBefore = heapUsed();
    const loadStarted = performance.now();
    const tracker = new ObjectiveTracker({
      config: DEFAULT_OBJECTIVES_CONFIG,
      store,
      logger: silentLogger,
      now: () => now,
    });
    await tracker.refresh();
    const loadMs = performance.now() - loadStarted;
    const trackerHeapMB = (heapUsed() - heapBefore) / 1024 / 1024;
    const { results, ms: computeAllMs } = computeAll(tracker, list);
    const rollupsStarted = performance.now();
    const byOwner = new Map<string, ClusterObjective[]>();
    for (const c of list) {
      const r = results.get(c.key);
      if (!r) continue;
      const items = byOwner.get(c.owner) ?? [];
      items.push(r);
      byOwner.set(c.owner, items);
    }
    for (const items of byOwner.values()) rollUp(items);
    rollUp(results.values());
    const rollupsMs = performance.now() - rollupsStarted;
    // one team's card: its clusters computed and rolled up
    const oneTeamStarted = performance.now();
    rollUp(
      list
        .filter(c => c.owner === 'group:default/team-7')
        .map(c => tracker.compute(c)!)
        .filter(Boolean),
    );
    const oneTeamMs = performance.now() - oneTeamStarted;

    let maxAvailabilityDelta = 0;
    let stateChanges = 0;
    for (const [key, r] of results) {
      const ref = reference.get(key)!;
      if (r.availability !== undefined && ref.availability !== undefined) {
        maxAvailabilityDelta = Math.max(
          maxAvailabilityDelta,
          Math.abs(r.availability - ref.availability),
        );
      }
      if (r.state !== ref.state) stateChanges++;
    }
    return {
      database: kind === 'sqlite' ? 'SQLite' : 'PostgreSQL 15',
      clusters,
      days,
      rowsWritten,
      writeMs,
      bytesRaw,
      pruned: pruned + steadyPruned,
      merged: merged + steady.deleted,
      housekeepingMs,
      steadyHousekeepingMs,
      rowsStored: Number(n),
      bytesStored,
      loadMs,
      trackerHeapMB,
      computeAllMs,
      rollupsMs,
      oneTeamMs,
      maxAvailabilityDelta,
      stateChanges,
    };
  } finally {
    await db.close();
  }
}

const mb = (bytes: number) => formatNumber(bytes / 1024 / 1024, 1);
const int = (n: number) => Math.round(n).toLocaleString('en-US');

/** Runs the benchmark and prints its table. */
export async function runObjectivesBenchmark(
  options: ObjectivesBenchmarkOptions = {},
): Promise<ObjectivesBenchmarkRow[]> {
  const clusters = options.clusters ?? 10_000;
  const days = options.days ?? 90;
  const kinds: Array<'sqlite' | 'postgres'> =
    options.databases ??
    (process.env.SHIPYARD_PG_URL ? ['sqlite', 'postgres'] : ['sqlite']);
  const load = () =>
    os
      .loadavg()
      .map(l => l.toFixed(1))
      .join(' ');
  process.stdout.write(`load average before: ${load()}\n`);
  const rows: ObjectivesBenchmarkRow[] = [];
  for (const kind of kinds) {
    const row = await runOne(kind, clusters, days);
    rows.push(row);
    process.stdout.write(`${JSON.stringify(row)}\nload average: ${load()}\n`);
  }
  const lines = [
    '| database | clusters × days | rows written (MB) | pruned / merged | housekeeping: first / steady (ms) | rows stored (MB) | read the history (ms) | tracker heap (MB) | every cluster (ms) | every team rollup (ms) | one team (ms) | max Δ availability (pp) / state changes |',
    '| -------- | --------------: | ----------------: | --------------: | --------------------------------: | ---------------: | --------------------: | ----------------: | -----------------: | ---------------------: | ------------: | --------------------------------------: |',
    ...rows.map(
      r =>
        `| ${r.database} | ${int(r.clusters)} × ${r.days} | ${int(
          r.rowsWritten,
        )} (${mb(r.bytesRaw)}) | ${int(r.pruned)} / ${int(r.merged)} | ${int(
          r.housekeepingMs,
        )} / ${int(r.steadyHousekeepingMs)} | ${int(r.rowsStored)} (${mb(
          r.bytesStored,
        )}) | ${int(r.loadMs)} | ${formatNumber(r.trackerHeapMB, 1)} | ${int(
          r.computeAllMs,
        )} | ${formatNumber(r.rollupsMs, 1)} | ${formatNumber(
          r.oneTeamMs,
          1,
        )} | ${r.maxAvailabilityDelta.toFixed(4)} / ${r.stateChanges} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return rows;
}
