/*
 * The Backstage catalog at scale: the real catalog plugin, the real Shipyard backend and the Shipyard catalog module
 * on one backend (with the portal's catalog configuration from app-config.yaml and a real scheduler), the simulated
 * fleet in a child process, a cold start, and what the catalog does with N clusters: how long until the Shipyard API
 * and the catalog hold every cluster, the processing and stitching rate over time, the process's CPU time and
 * resident memory while it fills and over a steady minute, the size of the catalog's database, and how long an owner
 * changed on a management cluster takes to show in the catalog. A catalog that is not complete within the timeout
 * ends the row there: no steady window, no owner changes.
 */
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import {
  createServiceFactory,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
// the portal's database service (SQLite files in write-ahead-log mode), as `make start` runs it
import { portalDatabaseServiceFactory } from 'backend/src/modules/sqliteFiles';
import {
  TestBackend,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import type { JsonObject } from '@backstage/types';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { shipyardManagementClusters } from '@shipyard/fleet-sim';
import catalogModuleShipyard, {
  MUTATIONS_METRIC,
  clusterEntityName,
} from '@shipyard/plugin-catalog-backend-module-shipyard';
// the real Shipyard backend feeds the catalog module in this measurement
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import shipyardPlugin from '@shipyard/plugin-shipyard-backend';
import knexFactory from 'knex';
import { parse as parseYaml } from 'yaml';
import { originOf } from '../backend/profileSummary';
import { CountingMetrics } from '../countingMetrics';
import { percentile } from '../stats';
import { startWorkerSim } from '../sim/workerSim';
import type { SimHandle, SimWorkloadAccess } from '../sim/types';
import { CatalogDbProbe, CatalogDbTarget } from './catalogDbProbe';
import {
  CatalogSample,
  CatalogSampler,
  now,
  startCatalogSampler,
} from './catalogSampler';

export type { CatalogSample } from './catalogSampler';

/** Options of {@link runCatalogBenchmark}. */
export interface CatalogBenchmarkOptions {
  /** Fleet sizes (default 1,000 and 10,000). */
  sizes?: number[];
  /** Management clusters per size (default 5 at 10,000 and more, 3 at 1,000 and more, else 2). */
  managementClusters?: (clusters: number) => number;
  /** PostgreSQL connection string; without it, SQLite files in a temporary folder. */
  postgresUrl?: string;
  /** Length of the steady-state window after the catalog is complete (s, default 60). */
  steadySeconds?: number;
  /** Owner changes measured one after another (default 5). */
  ownerChanges?: number;
  /** Longest wait for a complete catalog (s, default 120 + 0.1 s per cluster). */
  timeoutSeconds?: number;
  /** Merged over the portal's `catalog` configuration (experiments: processingInterval, stitchingStrategy). */
  catalogConfig?: JsonObject;
  /** Health probes of the workload clusters (default off: the figures are the catalog's). */
  health?: boolean;
  /** Seconds between progress lines (default 10). */
  progressSeconds?: number;
  /**
   * Runs V8's sampling heap profiler on the backend's thread from the start and writes what it holds when the
   * catalog is complete, and at the end of the row, to `<heapProfile>-<clusters>-complete.heapprofile` and
   * `…-end.heapprofile` (after a full collection when the process runs with `--expose-gc`: then only live objects).
   */
  heapProfile?: string;
  /** Where to print (default stdout). */
  print?: (line: string) => void;
}

/** One row of results. */
export interface CatalogBenchmarkRow {
  clusters: number;
  managementClusters: number;
  database: 'sqlite' | 'postgres';
  /** Backend start → its HTTP server answers (ms). */
  backendReadyMs: number;
  /** Backend start → the Shipyard API lists every cluster (ms). */
  apiCompleteMs: number;
  /** Backend start → the first cluster entity in the catalog (ms). */
  catalogFirstMs: number;
  /** Backend start → every cluster entity in the catalog (ms; NaN when the timeout passed first). */
  catalogCompleteMs: number;
  /** The longest wait for a complete catalog (ms). */
  timeoutMs: number;
  /** Cluster entities in the catalog at the end of the fill (equals `clusters` when complete). */
  catalogAtEnd: number;
  /** Process CPU time from the start until the catalog was complete (s). */
  fillCpuSeconds: number;
  /** Cluster entities per second over 10 s windows of the fill: median and range. */
  fillRateP50: number;
  fillRateMin: number;
  fillRateMax: number;
  /** Resident memory and V8 heap when the catalog was complete (MB). */
  rssAtCompleteMb: number;
  heapAtCompleteMb: number;
  /** Largest resident memory seen (MB). */
  rssMaxMb: number;
  /** The backend thread's V8 heap when the resident memory was largest: used and committed (MB). */
  heapUsedAtRssMaxMb: number;
  heapTotalAtRssMaxMb: number;
  /** Largest V8 heap of the backend's thread seen (used, MB). */
  heapUsedMaxMb: number;
  /** The sampler thread's own V8 heap (committed, MB) at the largest resident memory: the benchmark's, not the backend's. */
  samplerHeapAtRssMaxMb: number;
  /** The backend thread's V8 heap limit (MB): about 4 GB on this machine unless `--max-old-space-size` sets it. */
  heapLimitMb: number;
  /** CPU cores used over the steady window (CPU time / wall time; this and the other steady figures NaN, and no owner changes, when the catalog was not complete). */
  steadyCores: number;
  /** Entities processed and stitched over the steady window, per minute. */
  steadyProcessedPerMin: number;
  steadyStitchedPerMin: number;
  rssSteadyEndMb: number;
  /** The catalog's database (MB): SQLite file(s), or `pg_database_size`. */
  catalogDbMb: number;
  /** Every plugin's database together (MB; SQLite only, else NaN). */
  allDbMb: number;
  /** Owner change on the management cluster → the new owner in the catalog API (ms). */
  ownerChangeMs: number[];
  /** Processing runs during the whole run, by outcome, and their mean wall time (ms). */
  processed: Record<string, number>;
  processingMeanMs: number;
  stitched: number;
  /** Stitches by outcome: changed, unchanged, abandoned (superseded by a newer request) and error. */
  stitchedBy: Record<string, number>;
  stitchingMeanMs: number;
  /** The cluster provider's mutations during the whole run: full (one per full sync) and delta. */
  clusterMutations: { full: number; delta: number };
  /** Wall time of the benchmark's own sampling (API count and catalog database queries, in its own thread), ms. */
  probeMs: number;
  /** CPU time of the sampler's thread (ms; part of the process's CPU time). */
  samplerCpuMs: number;
  /** The longest time the backend's thread did not run during the row (ms), and when that ended (s). */
  backendThreadStallMaxMs: number;
  backendThreadStallAt: number;
  /** 1-minute load average at the start and at the end of the row, and the machine's cores. */
  loadAvgStart: number;
  loadAvgEnd: number;
  cores: number;
  timeline: CatalogSample[];
}

const repoRoot = resolvePackagePath('@shipyard/bench', '..', '..');

/**
 * The portal's catalog configuration (app-config.yaml's `catalog`), with its file locations resolved as the backend
 * resolves them when it runs in packages/backend.
 */
export function portalCatalogConfig(): JsonObject {
  const appConfig = parseYaml(
    fs.readFileSync(path.join(repoRoot, 'app-config.yaml'), 'utf8'),
  ) as { catalog?: JsonObject };
  const catalog = { ...(appConfig.catalog ?? {}) };
  const locations = (catalog.locations ?? []) as Array<{
    type: string;
    target: string;
  }>;
  catalog.locations = locations.map(l =>
    l.type === 'file'
      ? {
          ...l,
          target: path.resolve(repoRoot, 'packages/backend', l.target),
        }
      : l,
  );
  return catalog;
}

function deepMerge(a: JsonObject, b: JsonObject): JsonObject {
  const out: JsonObject = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] =
      v &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      prev &&
      typeof prev === 'object' &&
      !Array.isArray(prev)
        ? deepMerge(prev as JsonObject, v as JsonObject)
        : v;
  }
  return out;
}

const fmt = (v: number, digits = 1) =>
  Number.isFinite(v)
    ? v.toLocaleString('en-US', {
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      })
    : '—';

function mb(bytes: number): number {
  return bytes / 1024 / 1024;
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

function managementClustersFor(clusters: number): number {
  if (clusters >= 10_000) return 5;
  if (clusters >= 1_000) return 3;
  return 2;
}

/** Starts the backend: the catalog, the Shipyard backend and its catalog module; real scheduler, shared events. */
async function startCatalogBackend(options: {
  sim: SimHandle;
  catalog: JsonObject;
  database: JsonObject;
  health: boolean;
  metrics: CountingMetrics;
}): Promise<TestBackend> {
  const events = mockServices.events();
  return startTestBackend({
    features: [
      catalogPlugin,
      shipyardPlugin,
      catalogModuleShipyard,
      schedulerServiceFactory,
      portalDatabaseServiceFactory,
      createServiceFactory({
        service: eventsServiceRef,
        deps: {},
        factory: () => events,
      }),
      options.metrics.factory,
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://localhost:7007' },
          backend: {
            baseUrl: 'http://localhost:7007',
            database: options.database,
          },
          catalog: options.catalog,
          shipyard: {
            platformTeam: 'group:default/platform-team',
            managementClusters: shipyardManagementClusters(
              options.sim.managementClusters,
            ),
            // as scripts/portal.js configures the simulated fleet
            sync: { bookmarkIntervalMs: 15000 },
            health: { enabled: options.health },
          },
        },
      }),
    ],
  });
}

async function measureSize(
  clusters: number,
  options: CatalogBenchmarkOptions,
  print: (line: string) => void,
): Promise<CatalogBenchmarkRow> {
  const managementClusters = (
    options.managementClusters ?? managementClustersFor
  )(clusters);
  const loadAvgStart = os.loadavg()[0];
  const sim = await startWorkerSim({
    managementClusters,
    clusters,
    seed: 'catalog-bench',
  });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-catalog-bench-'));
  const prefix = `shipyard_catalog_bench_${process.pid}_${clusters}_`;
  const database: JsonObject = options.postgresUrl
    ? {
        client: 'pg',
        connection: options.postgresUrl,
        prefix,
        ensureExists: true,
      }
    : { client: 'better-sqlite3', connection: { directory: tmp } };
  const target: CatalogDbTarget = options.postgresUrl
    ? {
        client: 'postgres',
        url: options.postgresUrl,
        database: `${prefix}catalog`,
      }
    : { client: 'sqlite', directory: tmp };
  const probe = new CatalogDbProbe(target);
  const metrics = new CountingMetrics();
  const catalog = deepMerge(portalCatalogConfig(), options.catalogConfig ?? {});
  const timeoutMs = (options.timeoutSeconds ?? 120 + clusters / 10) * 1000;
  const progressEvery = (options.progressSeconds ?? 10) * 1000;

  const cpu0 = cpuSeconds();
  const startedAt = now();
  const since = () => now() - startedAt;
  const timeline: CatalogSample[] = [];
  let rssMax = 0;
  let heapAtRssMax = { used: NaN, total: NaN, sampler: NaN };
  let heapUsedMax = 0;
  let backend: TestBackend | undefined;
  let apiCompleteMs = NaN;
  let catalogFirstMs = NaN;
  let catalogCompleteMs = NaN;
  let rssAtComplete = NaN;
  let heapAtComplete = NaN;
  let fillCpu = NaN;
  let lastProgress = 0;
  let probeMs = 0;
  let stallMax = { ms: 0, at: NaN };

  const apiGet = async <T>(p: string): Promise<T> => {
    const res = await fetch(
      `http://localhost:${backend!.server.port()}/api${p}`,
      { headers: { Authorization: mockCredentials.user.header() } },
    );
    if (!res.ok) throw new Error(`${p}: HTTP ${res.status}`);
    return (await res.json()) as T;
  };

  // samples once a second in a thread of its own while the backend starts and the catalog fills
  const onSample = (s: CatalogSample, sampleMs: number) => {
    timeline.push(s);
    probeMs += sampleMs;
    if (s.rssMb > rssMax) {
      rssMax = s.rssMb;
      heapAtRssMax = {
        used: s.heapUsedMb,
        total: s.heapTotalMb,
        sampler: s.samplerHeapTotalMb,
      };
    }
    heapUsedMax = Math.max(heapUsedMax, s.heapUsedMb);
    if (s.backendThreadStallMs > stallMax.ms) {
      stallMax = { ms: s.backendThreadStallMs, at: s.t };
    }
    if (Number.isNaN(apiCompleteMs) && s.api >= clusters) {
      apiCompleteMs = s.t * 1000;
    }
    if (Number.isNaN(catalogFirstMs) && s.catalog > 0) {
      catalogFirstMs = s.t * 1000;
    }
    if (Number.isNaN(catalogCompleteMs) && s.catalog >= clusters) {
      catalogCompleteMs = s.t * 1000;
      rssAtComplete = s.rssMb;
      heapAtComplete = mb(process.memoryUsage().heapUsed);
      fillCpu = s.cpuSeconds;
    }
    if (s.t * 1000 - lastProgress >= progressEvery) {
      lastProgress = s.t * 1000;
      print(
        `  ${s.t.toFixed(0)} s: api ${s.api}${
          Number.isFinite(s.apiMs) ? ` (${s.apiMs.toFixed(0)} ms)` : ''
        }, catalog ${s.catalog}, processed ${s.processed}/${
          s.refreshState
        }, stitch queue ${s.stitchQueue}, rss ${s.rssMb.toFixed(
          0,
        )} MB (heap ${s.heapUsedMb.toFixed(0)} of ${s.heapTotalMb.toFixed(
          0,
        )} MB), cpu ${s.cpuSeconds.toFixed(1)} s, backend thread stalled ≤ ${(
          s.backendThreadStallMs / 1000
        ).toFixed(1)} s, load ${os.loadavg()[0].toFixed(1)}`,
      );
    }
  };
  const heapProfiler = options.heapProfile
    ? await startHeapProfile()
    : undefined;
  const writeHeapProfile = async (when: string) => {
    if (!heapProfiler || !options.heapProfile) return;
    const file = `${options.heapProfile}-${clusters}-${when}.heapprofile`;
    (globalThis as { gc?: () => void }).gc?.();
    const { profile } = await heapProfiler.post(
      'HeapProfiler.getSamplingProfile',
    );
    fs.writeFileSync(file, JSON.stringify(profile));
    const byOrigin = heapProfileByOrigin(profile.head);
    const total = byOrigin.reduce((sum, o) => sum + o.mb, 0);
    print(
      `  heap profile (${when}, ${fmt(total)} MB sampled): ${byOrigin
        .slice(0, 12)
        .map(o => `${o.origin} ${fmt(o.mb)}`)
        .join(', ')} MB; ${file}`,
    );
  };
  const sampler: CatalogSampler = startCatalogSampler({
    target,
    clusters,
    startedAt,
    cpu0,
    authorization: mockCredentials.user.header(),
    processed: () => metrics.get('catalog.processed.entities.count'),
    onSample,
    onError: error => print(`  sampler: ${error}`),
  });

  try {
    backend = await startCatalogBackend({
      sim,
      catalog,
      database,
      health: options.health ?? false,
      metrics,
    });
    sampler.setPort(backend.server.port());
    const backendReadyMs = since();
    print(`  backend answers after ${(backendReadyMs / 1000).toFixed(1)} s`);
    while (Number.isNaN(catalogCompleteMs) && since() < timeoutMs) {
      await sleep(500);
    }
    const complete = !Number.isNaN(catalogCompleteMs);
    if (complete) await writeHeapProfile('complete');
    const catalogAtEnd = timeline[timeline.length - 1]?.catalog ?? 0;
    const steady = complete
      ? await measureSteadyWindow()
      : {
          steadyCores: NaN,
          steadyProcessedPerMin: NaN,
          steadyStitchedPerMin: NaN,
          rssSteadyEndMb: NaN,
          ownerChangeMs: [],
        };
    if (!complete) {
      print(
        `  incomplete after ${(timeoutMs / 1000).toFixed(
          0,
        )} s (${catalogAtEnd} of ${clusters} cluster entities): no steady window, no owner changes`,
      );
    }

    await writeHeapProfile('end');
    const { cpuMs: samplerCpuMs } = await sampler.stop();
    const sizes = await probe.sizes();

    // cluster entities per second over 10 s windows, from the first entity to completion
    const rates: number[] = [];
    const fill = timeline.filter(
      s =>
        s.t * 1000 >= catalogFirstMs &&
        s.t * 1000 <= (catalogCompleteMs || Infinity),
    );
    for (let i = 0; i + 10 < fill.length; i += 10) {
      const a = fill[i];
      const b = fill[i + 10];
      rates.push((b.catalog - a.catalog) / (b.t - a.t));
    }
    const processed: Record<string, number> = {};
    for (const result of ['changed', 'unchanged', 'errors', 'failed']) {
      processed[result] = metrics.get('catalog.processed.entities.count', {
        result,
      });
    }
    const stitchedBy: Record<string, number> = {};
    for (const result of ['changed', 'unchanged', 'abandoned', 'error']) {
      stitchedBy[result] = metrics.get('catalog.stitched.entities.count', {
        result,
      });
    }
    const histogram = (name: string) => {
      const n = metrics.get(`${name}#count`);
      return n ? (metrics.get(`${name}#sum`) / n) * 1000 : NaN;
    };
    return {
      clusters,
      managementClusters,
      database: options.postgresUrl ? 'postgres' : 'sqlite',
      backendReadyMs,
      apiCompleteMs,
      catalogFirstMs,
      catalogCompleteMs,
      timeoutMs,
      catalogAtEnd,
      fillCpuSeconds: fillCpu,
      fillRateP50: percentile(rates, 50),
      fillRateMin: rates.length ? Math.min(...rates) : NaN,
      fillRateMax: rates.length ? Math.max(...rates) : NaN,
      rssAtCompleteMb: rssAtComplete,
      heapAtCompleteMb: heapAtComplete,
      rssMaxMb: rssMax,
      heapUsedAtRssMaxMb: heapAtRssMax.used,
      heapTotalAtRssMaxMb: heapAtRssMax.total,
      heapUsedMaxMb: heapUsedMax,
      samplerHeapAtRssMaxMb: heapAtRssMax.sampler,
      heapLimitMb: mb(v8.getHeapStatistics().heap_size_limit),
      ...steady,
      catalogDbMb: sizes.catalogMb,
      allDbMb: sizes.allMb,
      processed,
      processingMeanMs: histogram('catalog.processing.duration'),
      stitched: metrics.get('catalog.stitched.entities.count'),
      stitchedBy,
      stitchingMeanMs: histogram('catalog.stitching.duration'),
      clusterMutations: {
        full: metrics.get(MUTATIONS_METRIC, {
          provider: 'ClusterEntityProvider',
          type: 'full',
        }),
        delta: metrics.get(MUTATIONS_METRIC, {
          provider: 'ClusterEntityProvider',
          type: 'delta',
        }),
      },
      probeMs,
      samplerCpuMs,
      backendThreadStallMaxMs: stallMax.ms,
      backendThreadStallAt: stallMax.at,
      loadAvgStart,
      loadAvgEnd: os.loadavg()[0],
      cores: os.cpus().length,
      timeline,
    };
  } finally {
    if (heapProfiler) {
      await heapProfiler
        .post('HeapProfiler.stopSampling')
        .catch(() => undefined);
      heapProfiler.disconnect();
    }
    await sampler.stop().catch(() => undefined);
    await backend?.stop().catch(() => undefined);
    await probe.destroy().catch(() => undefined);
    await sim.stop().catch(() => undefined);
    fs.rmSync(tmp, { recursive: true, force: true });
    if (options.postgresUrl) await dropDatabases(options.postgresUrl, prefix);
  }

  /** Once the catalog is complete: the stitch queue drains, a steady window, then owner changes one at a time. */
  async function measureSteadyWindow() {
    // settle: let the stitch queue drain (at most 60 s)
    const settleUntil = since() + 60_000;
    while (since() < settleUntil) {
      if ((await probe.stitchQueue()) === 0) break;
      await sleep(1000);
    }
    const steadyMs = (options.steadySeconds ?? 60) * 1000;
    const processedCount = () =>
      metrics.get('catalog.processed.entities.count');
    const stitchedCount = () => metrics.get('catalog.stitched.entities.count');
    const steady0 = {
      cpu: cpuSeconds(),
      t: performance.now(),
      processed: processedCount(),
      stitched: stitchedCount(),
    };
    await sleep(steadyMs);
    const steadyWall = (performance.now() - steady0.t) / 1000;
    const steadyCores = (cpuSeconds() - steady0.cpu) / steadyWall;
    const steadyProcessedPerMin =
      ((processedCount() - steady0.processed) * 60) / steadyWall;
    const steadyStitchedPerMin =
      ((stitchedCount() - steady0.stitched) * 60) / steadyWall;
    const rssSteadyEndMb = mb(process.memoryUsage.rss());

    // owner changes, one after another, spread over the fleet
    const ownerChangeMs: number[] = [];
    const count = options.ownerChanges ?? 5;
    for (let i = 0; i < count; i++) {
      const cluster: SimWorkloadAccess =
        sim.workloadClusters[
          Math.floor(((i + 0.5) * sim.workloadClusters.length) / count)
        ];
      const name = clusterEntityName({
        managementCluster: cluster.management,
        namespace: cluster.namespace,
        name: cluster.name,
      });
      const change = await sim.setOwner(cluster);
      const wanted = `group:default/${change.owner}`;
      const deadline = Date.now() + 120_000;
      for (;;) {
        const entity = await apiGet<Entity>(
          `/catalog/entities/by-name/resource/default/${encodeURIComponent(
            name,
          )}`,
        ).catch(() => undefined);
        if (entity?.spec?.owner === wanted) {
          ownerChangeMs.push(Date.now() - change.writtenAt);
          break;
        }
        if (Date.now() > deadline) {
          ownerChangeMs.push(NaN);
          break;
        }
        await sleep(50);
      }
      await sleep(1000);
    }
    return {
      steadyCores,
      steadyProcessedPerMin,
      steadyStitchedPerMin,
      rssSteadyEndMb,
      ownerChangeMs,
    };
  }
}

/** A node of a V8 sampling heap profile (`HeapProfiler.getSamplingProfile`). */
interface HeapProfileNode {
  callFrame: { functionName: string; url: string };
  selfSize: number;
  children: HeapProfileNode[];
}

/**
 * What a sampling heap profile holds by where it was allocated (package, Node module, Shipyard folder), largest
 * first, in MB. An allocation in a frame without a script (a built-in such as `JSON.parse`) is charged to the nearest
 * caller with one.
 */
export function heapProfileByOrigin(
  head: HeapProfileNode,
): Array<{ origin: string; mb: number }> {
  const bytes = new Map<string, number>();
  const walk = (node: HeapProfileNode, inherited: string) => {
    const own = originOf(node.callFrame.url, node.callFrame.functionName);
    const origin = own || inherited;
    if (node.selfSize) {
      bytes.set(origin, (bytes.get(origin) ?? 0) + node.selfSize);
    }
    for (const child of node.children) walk(child, origin);
  };
  walk(head, 'other');
  return [...bytes]
    .map(([origin, b]) => ({ origin, mb: mb(b) }))
    .sort((a, b) => b.mb - a.mb);
}

/** Starts V8's sampling heap profiler on this thread (one sample per 64 KiB allocated on average). */
async function startHeapProfile(): Promise<Session> {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 65536,
  });
  return session;
}

/** Drops the databases a PostgreSQL run created (every plugin's, named with `prefix`). */
async function dropDatabases(url: string, prefix: string): Promise<void> {
  const admin = knexFactory({
    client: 'pg',
    connection: url,
    pool: { min: 0, max: 1 },
  });
  try {
    const r = await admin.raw(
      'select datname from pg_database where datname like ?',
      [`${prefix}%`],
    );
    for (const { datname } of r.rows as Array<{ datname: string }>) {
      await admin.raw('drop database if exists ?? with (force)', [datname]);
    }
  } finally {
    await admin.destroy();
  }
}

/** The README table of the rows. */
export function formatCatalogBenchmarkTable(
  rows: CatalogBenchmarkRow[],
): string {
  const header = [
    'clusters (mgmt)',
    'database',
    'API complete (s)',
    'catalog first / complete (s)',
    'CPU to complete (s)',
    'entities/s p50 (min–max)',
    'RSS at complete / max (MB)',
    'steady cores',
    'steady processed / stitched per min',
    'catalog DB (MB)',
    'owner change p50 / max (s)',
    'load avg',
  ];
  const lines = rows.map(r => {
    const owner = r.ownerChangeMs;
    return [
      `${r.clusters.toLocaleString('en-US')} (${r.managementClusters})`,
      r.database === 'sqlite' ? 'SQLite' : 'PostgreSQL',
      fmt(r.apiCompleteMs / 1000),
      `${fmt(r.catalogFirstMs / 1000)} / ${
        Number.isFinite(r.catalogCompleteMs)
          ? fmt(r.catalogCompleteMs / 1000)
          : `incomplete after ${fmt(r.timeoutMs / 1000, 0)} s (${
              r.catalogAtEnd
            })`
      }`,
      fmt(r.fillCpuSeconds),
      `${fmt(r.fillRateP50, 0)} (${fmt(r.fillRateMin, 0)}–${fmt(
        r.fillRateMax,
        0,
      )})`,
      `${fmt(r.rssAtCompleteMb, 0)} / ${fmt(r.rssMaxMb, 0)}`,
      fmt(r.steadyCores, 3),
      `${fmt(r.steadyProcessedPerMin, 0)} / ${fmt(r.steadyStitchedPerMin, 0)}`,
      fmt(r.catalogDbMb),
      `${fmt(percentile(owner, 50) / 1000)} / ${fmt(
        Math.max(...owner) / 1000,
      )}`,
      `${fmt(r.loadAvgStart)}–${fmt(r.loadAvgEnd)}`,
    ];
  });
  const table = [header, header.map(() => '---'), ...lines];
  return table.map(cells => `| ${cells.join(' | ')} |`).join('\n');
}

/** Runs every size in turn and prints a progress line every few seconds and the table at the end. */
export async function runCatalogBenchmark(
  options: CatalogBenchmarkOptions = {},
): Promise<CatalogBenchmarkRow[]> {
  const print =
    options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const rows: CatalogBenchmarkRow[] = [];
  for (const size of options.sizes ?? [1_000, 10_000]) {
    print(
      `shipyard-catalog bench: ${size} clusters on ${
        options.postgresUrl ? 'PostgreSQL' : 'SQLite'
      } (${os.cpus().length} cores, load average ${os
        .loadavg()
        .map(l => l.toFixed(1))
        .join(' ')}, V8 heap limit ${fmt(
        mb(v8.getHeapStatistics().heap_size_limit),
        0,
      )} MB)…`,
    );
    rows.push(await measureSize(size, options, print));
    const r = rows[rows.length - 1];
    print(
      `  processed ${JSON.stringify(r.processed)} (mean ${fmt(
        r.processingMeanMs,
      )} ms), stitched ${r.stitched} ${JSON.stringify(
        r.stitchedBy,
      )} (mean ${fmt(r.stitchingMeanMs)} ms), cluster provider ${
        r.clusterMutations.full
      } full and ${
        r.clusterMutations.delta
      } delta mutations, heap at complete ${fmt(
        r.heapAtCompleteMb,
        0,
      )} MB, at the largest RSS ${fmt(r.heapUsedAtRssMaxMb, 0)} of ${fmt(
        r.heapTotalAtRssMaxMb,
        0,
      )} MB (largest used ${fmt(
        r.heapUsedMaxMb,
        0,
      )} MB; the sampler thread's own heap ${fmt(
        r.samplerHeapAtRssMaxMb,
        0,
      )} MB, heap limit ${fmt(r.heapLimitMb, 0)} MB), all DBs ${fmt(
        r.allDbMb,
      )} MB, sampling ${fmt(r.probeMs / 1000)} s (${fmt(
        r.samplerCpuMs / 1000,
      )} s of CPU, in its own thread), the backend's thread stalled at most ${fmt(
        r.backendThreadStallMaxMs / 1000,
      )} s (until ${fmt(r.backendThreadStallAt, 0)} s), owner changes ${
        r.ownerChangeMs.map(v => fmt(v, 0)).join(', ') || 'none'
      } ms`,
    );
  }
  print('');
  print(formatCatalogBenchmarkTable(rows));
  return rows;
}
