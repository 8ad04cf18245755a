import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import { Session } from 'node:inspector/promises';
import v8 from 'node:v8';
import { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import express from 'express';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ListClustersRequest,
  stringifyClusterKey,
  toListClustersQueryString,
} from '@shipyard/plugin-shipyard-common';
import {
  DEFAULT_SYNC_CONFIG,
  ShipyardBackendConfig,
} from '@shipyard/plugin-shipyard-backend/src/config/config';
import { FleetService } from '@shipyard/plugin-shipyard-backend/src/service/FleetService';
import { createRouter } from '@shipyard/plugin-shipyard-backend/src/service/router';
import { shipyardManagementClusters } from '@shipyard/fleet-sim';
import type { FleetSimOptions } from '@shipyard/fleet-sim';
import { seededRandom } from '@shipyard/test-utils';
import type { SimWorkerMessage, SimWorkerRequest } from './simWorker';
import { formatGc, heapUsed, percentile, threadCpuMs, watchGc } from '../stats';
import { measureListFloor } from './listFloor';
import { benchFleet } from '../sim/benchFleet';
import { mockServices } from '@backstage/backend-test-utils';
import { writesSeen } from './clusterChanges';
import type { SimClusterWrite } from '../sim/types';

type SimManagementClusters = Extract<
  SimWorkerMessage,
  { type: 'ready' }
>['managementClusters'];

/** Options of {@link runFleetBenchmark}. */
export interface FleetBenchmarkOptions {
  /** Fleet sizes to measure (default 100, 1,000, 10,000). */
  sizes?: number[];
  /** Concurrent clients of the query measurements (default 50). */
  concurrency?: number;
  /** Queries per measurement (default 5,000). */
  queries?: number;
  /** Aggregate request rate of the paced HTTP clients (default 1,000/s; the saturation run is measured too). */
  httpRatePerSecond?: number;
  /** Rate of the simulator's load driver during the event → visible measurement (default 1,000/s). */
  eventsPerSecond?: number;
  /** Duration of the event → visible measurement in seconds (default 5). */
  eventSeconds?: number;
  /** Where to print the table (default stdout). */
  print?: (line: string) => void;
  /** Worker threads that read the lists (`shipyard.sync.listWorkers`; default: the backend's default). */
  listWorkers?: number;
  /** Kinds of a management cluster listed at once (`shipyard.sync.listConcurrency`; default: the backend's default). */
  listConcurrency?: number;
  /** Measure the cold sync and its floor only (for comparisons of the sync). */
  coldSyncOnly?: boolean;
  /**
   * Write CPU profiles of the backend's thread to `<cpuProfile>-<clusters>-sync.cpuprofile` (the cold sync) and
   * `…-floor.cpuprofile` (the parse floor).
   */
  cpuProfile?: string;
  /** Write a heap snapshot after the cold sync to `<heapSnapshot>-<clusters>.heapsnapshot`. */
  heapSnapshot?: string;
}

/** One row of results. */
export interface FleetBenchmarkRow {
  clusters: number;
  managementClusters: number;
  machines: number;
  coldSyncMs: number;
  /** CPU time of the backend's thread during the cold sync. */
  coldSyncCpuMs: number;
  /** Worker threads that read, parsed and projected the lists (0: the backend's thread did). */
  listWorkers: number;
  /** CPU time of those threads during the cold sync. */
  coldSyncWorkerCpuMs: number;
  /** The same lists read and parsed with nothing done with them (after the cold sync, see `listFloor.ts`). */
  listFloorMs: number;
  listFloorCpuMs: number;
  cacheHeapMB: number;
  inProcessP50Ms: number;
  inProcessP99Ms: number;
  /** Over HTTP, `concurrency` clients paced to `httpRatePerSecond` together. */
  httpRatePerSecond: number;
  httpP50Ms: number;
  httpP99Ms: number;
  /** Over HTTP, `concurrency` clients back to back: requests per second and latency at saturation. */
  httpSaturatedRps: number;
  httpSaturatedP50Ms: number;
  httpSaturatedP99Ms: number;
  /**
   * CPU time of the backend's thread per request answered in the saturation run (ms): the request path's cost
   * (router, validation, query, serialisation, socket writes), less sensitive to other load on the machine than
   * latency.
   */
  httpCpuPerRequestMs: number;
  /** Median size of a page over HTTP (bytes). */
  httpPageBytes: number;
  /** From the simulator's write of a Cluster object to the change event of the index. */
  eventToVisibleP50Ms: number;
  eventToVisibleP99Ms: number;
  /** From the watch event's arrival at the backend to the change event of the index. */
  backendEventToVisibleP50Ms: number;
  backendEventToVisibleP99Ms: number;
  /** Changes the load driver made during the measurement. */
  loadChanges: number;
  /** Changes the load driver gave up (it fell more than a second behind the requested rate). */
  loadDropped: number;
  /** Cluster changes (spec, status, labels) that became visible, and those that did not before the end. */
  eventsVisible: number;
  eventsNotVisible: number;
}

const OWNERS = ['team-a', 'team-b', 'team-c', 'platform'];
const SEARCHES = [
  'pay',
  'search',
  'data',
  'edge',
  'prod',
  'dev-',
  'usw2',
  'euw1',
];

/** A query of the fleet page's kinds (filters, a search, a sort), drawn from `rnd`. */
export function randomQuery(
  rnd: () => number,
  managementClusters: string[],
): ListClustersRequest {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const q: ListClustersRequest = {
    sort: pick([
      'name',
      'health',
      'createdAt',
      'owner',
      'kubernetesVersion',
      'machineCount',
    ] as const),
    order: rnd() < 0.5 ? 'asc' : 'desc',
    limit: 50,
  };
  const r = rnd();
  if (r < 0.3) q.owner = [`group:default/${pick(OWNERS)}`];
  else if (r < 0.5)
    q.health = [pick(['healthy', 'degraded', 'unhealthy'] as const)];
  else if (r < 0.7) {
    q.managementCluster = [pick(managementClusters)];
    q.distribution = [pick(['kubeadm', 'eks', 'aks', 'k3s'])];
  } else if (r < 0.8) q.q = pick(SEARCHES);
  return q;
}

async function runConcurrent(
  total: number,
  concurrency: number,
  one: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        await one(i);
      }
    }),
  );
}

/**
 * HTTP clients, run in a worker thread. `ratePerSecond` > 0 paces the clients: client i sends its k-th request
 * at a fixed schedule (together `ratePerSecond`), and its latency counts from the scheduled time, so a request
 * held up behind a slow one is charged for the wait (no coordinated omission). `ratePerSecond` 0 sends back to
 * back: the server's saturation, where latency is the queue of `concurrency` clients.
 */
const HTTP_CLIENT = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const { port, paths, concurrency, ratePerSecond, authorization, deadlineMs, headers } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const latencies = [];
const sizes = [];
let next = 0;
const started = performance.now();
const cpu0 = process.threadCpuUsage();
const interval = ratePerSecond > 0 ? (concurrency * 1000) / ratePerSecond : 0;
function get(path) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, agent, headers: { ...headers, authorization } }, res => {
      let bytes = 0;
      res.on('data', chunk => { bytes += chunk.length; });
      res.on('end', () => {
        sizes.push(bytes);
        if (res.statusCode !== 200) return reject(new Error('HTTP ' + res.statusCode));
        resolve();
      });
    }).on('error', reject);
  });
}
async function client(i) {
  for (let k = 0; next < paths.length; k++) {
    // an overloaded server: what was not sent by the deadline is left out (and counted by the caller)
    if (deadlineMs > 0 && performance.now() - started > deadlineMs) break;
    const path = paths[next++];
    let t0 = performance.now();
    if (interval > 0) {
      const due = started + (i / concurrency) * interval + k * interval;
      if (due > t0) await new Promise(r => setTimeout(r, due - t0));
      // a late request is charged from its scheduled time; a timer that fired early (whole ms) from its send
      t0 = Math.min(due, performance.now());
    }
    await get(path);
    latencies.push(performance.now() - t0);
  }
}
Promise.all(Array.from({ length: concurrency }, (_, i) => client(i))).then(
  () => {
    agent.destroy();
    const cpu = process.threadCpuUsage(cpu0);
    parentPort.postMessage({ latencies, sizes, seconds: (performance.now() - started) / 1000, cpuMs: (cpu.user + cpu.system) / 1000 });
  },
  error => parentPort.postMessage({ error: String(error) }),
);
`;

/** What {@link httpLoad} measured. */
export interface HttpLoadResult {
  latencies: number[];
  sizes: number[];
  /** Requests answered per second. */
  throughput: number;
  /** CPU time of the clients' thread (ms). */
  cpuMs: number;
}

/**
 * Runs HTTP clients in a worker thread (so that client work does not share the server's event loop). Every
 * request must answer 200.
 */
export function httpLoad(
  port: number,
  paths: string[],
  concurrency: number,
  ratePerSecond: number,
  authorization = 'Bearer bench',
  /** Stop sending after this long (ms; 0: send every path). */
  deadlineMs = 0,
  /** More request headers (e.g. `accept-encoding`). */
  headers: Record<string, string> = {},
): Promise<HttpLoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(HTTP_CLIENT, {
      eval: true,
      workerData: {
        port,
        paths,
        concurrency,
        ratePerSecond,
        authorization,
        deadlineMs,
        headers,
      },
    });
    worker.once(
      'message',
      (m: {
        latencies?: number[];
        sizes?: number[];
        seconds?: number;
        cpuMs?: number;
        error?: string;
      }) => {
        worker.terminate();
        if (m.error) reject(new Error(m.error));
        else {
          const latencies = m.latencies ?? [];
          resolve({
            latencies,
            sizes: m.sizes ?? [],
            throughput: latencies.length / (m.seconds ?? NaN),
            cpuMs: m.cpuMs ?? NaN,
          });
        }
      },
    );
    worker.once('error', reject);
  });
}

const silentLogger = mockServices.rootLogger({ level: 'none' });

/** The fleet simulator running in a worker thread. */
export class SimHost {
  private readonly worker: Worker;
  private readonly listeners = new Set<(m: SimWorkerMessage) => void>();
  ready: Promise<Extract<SimWorkerMessage, { type: 'ready' }>>;

  constructor(options: FleetSimOptions) {
    const transform = require.resolve(
      '@backstage/cli/config/nodeTransform.cjs',
    );
    const script = require.resolve('./simWorker');
    this.worker = new Worker(
      `require(${JSON.stringify(transform)}); require(${JSON.stringify(
        script,
      )});`,
      { eval: true, workerData: { shipyardSimWorker: true, options } },
    );
    this.worker.on('message', (m: SimWorkerMessage) => {
      for (const l of this.listeners) l(m);
    });
    this.ready = this.next('ready');
  }

  on(listener: (m: SimWorkerMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  next<T extends SimWorkerMessage['type']>(
    type: T,
  ): Promise<Extract<SimWorkerMessage, { type: T }>> {
    return new Promise((resolve, reject) => {
      const off = this.on(m => {
        if (m.type === 'error') {
          off();
          reject(new Error(`fleet simulator: ${m.error}`));
        } else if (m.type === type) {
          off();
          resolve(m as Extract<SimWorkerMessage, { type: T }>);
        }
      });
      this.worker.once('error', reject);
    });
  }

  send(m: SimWorkerRequest) {
    this.worker.postMessage(m);
  }

  async stop() {
    const stopped = this.next('stopped');
    this.send({ type: 'stop' });
    await stopped;
    await this.worker.terminate();
  }
}

/** The fleet backend's configuration of a simulated fleet (owners from `ownerKey`), as the benchmarks run it. */
export function benchBackendConfig(
  managementClusters: SimManagementClusters,
  ownerKey: string,
): ShipyardBackendConfig {
  return {
    platformTeam: 'group:default/platform',
    managementClusters: shipyardManagementClusters(managementClusters).map(
      m => ({ ...m, skipTLSVerify: false }),
    ),
    ownership: {
      ownerKeys: [ownerKey],
      systemKeys: ['shipyard.io/system'],
      lifecycleKeys: ['shipyard.io/lifecycle'],
      profileKeys: ['shipyard.io/profile'],
      profileVersionKeys: ['shipyard.io/profile-version'],
      namespaceOwners: {},
      defaultOwner: 'group:default/platform',
    },
    sync: { ...DEFAULT_SYNC_CONFIG },
    audit: { retentionDays: 365 },
    events: {
      maxStreams: 1000,
      maxStreamsPerUser: 10,
      permissionRecheckMs: 30_000,
    },
  };
}

/** A CPU profile of this thread from now until `stop`, written to `<prefix>-<what>.cpuprofile`. */
async function startProfile(prefix: string) {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop(what: string) {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      await writeFile(`${prefix}-${what}.cpuprofile`, JSON.stringify(profile));
    },
  };
}

function wallClock(): number {
  return performance.timeOrigin + performance.now();
}

async function measureSize(
  clusters: number,
  options: Required<
    Omit<
      FleetBenchmarkOptions,
      | 'sizes'
      | 'print'
      | 'listWorkers'
      | 'listConcurrency'
      | 'cpuProfile'
      | 'heapSnapshot'
    >
  > & {
    listWorkers?: number;
    listConcurrency?: number;
    cpuProfile?: string;
    heapSnapshot?: string;
  },
  print: (line: string) => void,
): Promise<FleetBenchmarkRow | undefined> {
  let mcCount = 2;
  if (clusters >= 25_000) mcCount = 10;
  else if (clusters >= 10_000) mcCount = 5;
  else if (clusters >= 1000) mcCount = 3;
  const sim = new SimHost(benchFleet(mcCount, clusters));
  const simInfo = await sim.ready;
  const baseline = heapUsed();

  const config = benchBackendConfig(
    simInfo.managementClusters,
    'shipyard.io/owner',
  );
  if (options.listWorkers !== undefined) {
    config.sync.listWorkers = options.listWorkers;
  }
  if (options.listConcurrency !== undefined) {
    config.sync.listConcurrency = options.listConcurrency;
  }
  let receiveHook: ((key: string) => void) | undefined;
  const fleet = new FleetService({
    config,
    logger: silentLogger,
    onClusterEvent: key => receiveHook?.(key),
  });
  const profile = options.cpuProfile
    ? await startProfile(`${options.cpuProfile}-${clusters}`)
    : undefined;
  const syncGc = watchGc();
  const started = performance.now();
  const cpuStarted = threadCpuMs();
  await fleet.start();
  await fleet.waitForInitialSync();
  await new Promise(r => setImmediate(r));
  const coldSyncMs = performance.now() - started;
  const coldSyncCpuMs = threadCpuMs() - cpuStarted;
  const coldSyncGc = syncGc.stop();
  await profile?.stop('sync');
  // the threads start with the sync: all their CPU is the sync's
  const coldSyncWorkerCpuMs = (await fleet.listWorkers?.cpuMs()) ?? 0;
  if (fleet.index.size !== simInfo.clusters) {
    throw new Error(
      `expected ${simInfo.clusters} clusters in the index, got ${fleet.index.size}`,
    );
  }
  const cacheHeapMB = (heapUsed() - baseline) / 1024 / 1024;
  if (options.heapSnapshot) {
    v8.writeHeapSnapshot(`${options.heapSnapshot}-${clusters}.heapsnapshot`);
  }
  const mcNames = config.managementClusters.map(m => m.name);

  // The simulated management clusters' controllers would run on their own machines: paused while queries are
  // measured, so that their CPU does not compete with the backend and the clients for this machine's cores.
  sim.send({ type: 'pauseController' });

  const floorProfile = options.cpuProfile
    ? await startProfile(`${options.cpuProfile}-${clusters}`)
    : undefined;
  const floorGc = watchGc();
  const floor = await measureListFloor(config);
  const listFloorGc = floorGc.stop();
  await floorProfile?.stop('floor');
  print(
    `  cold sync ${coldSyncMs.toFixed(
      0,
    )} ms, the backend's thread ${coldSyncCpuMs.toFixed(0)} ms of CPU, ${
      config.sync.listWorkers
    } list thread(s) ${coldSyncWorkerCpuMs.toFixed(
      0,
    )} ms; parse floor ${floor.ms.toFixed(0)} ms (${floor.cpuMs.toFixed(
      0,
    )} ms of CPU); cache heap ${cacheHeapMB.toFixed(1)} MB; ${
      config.sync.listConcurrency
    } kinds listed at once per management cluster`,
  );
  print(
    `  the cold sync's ${formatGc(coldSyncGc)}; the floor's ${formatGc(
      listFloorGc,
    )}`,
  );
  if (options.coldSyncOnly) {
    await fleet.stop();
    await sim.stop();
    return undefined;
  }

  // in-process queries, 50 concurrent clients interleaved on the event loop
  const rnd = seededRandom(7);
  const inProcess: number[] = [];
  await runConcurrent(options.queries, options.concurrency, async () => {
    const q = randomQuery(rnd, mcNames);
    const t0 = performance.now();
    fleet.index.query(q);
    inProcess.push(performance.now() - t0);
    await new Promise(r => setImmediate(r));
  });

  // over HTTP through the real router
  const app = express();
  app.use(
    await createRouter({
      fleet,
      logger: silentLogger,
      // every request is a fresh query (the random queries repeat; cached pages would hide the query's cost)
      pageCache: false,
      httpAuth: {
        credentials: async () => ({
          $$type: '@backstage/BackstageCredentials',
          principal: { type: 'user', userEntityRef: 'user:default/bench' },
        }),
      } as any,
      permissions: {
        authorize: async () => [{ result: AuthorizeResult.ALLOW }],
        authorizeConditional: async () => [{ result: AuthorizeResult.ALLOW }],
      } as any,
      ruleset: {
        getRuleByName: () => {
          throw new Error('unused');
        },
      } as any,
    }),
  );
  const server = http.createServer(app);
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const queryPaths = (n: number) =>
    Array.from(
      { length: n },
      () =>
        `/clusters?${toListClustersQueryString({
          ...randomQuery(rnd, mcNames),
          // what the fleet page asks for
          fields: 'list',
        })}`,
    );
  // distinct queries for each run (a repeated query of the same fleet revision is answered from the page cache)
  const paths = queryPaths(options.queries);
  const saturationPaths = queryPaths(3000);
  const overHttp = await httpLoad(
    port,
    paths,
    options.concurrency,
    options.httpRatePerSecond,
  );
  const saturatedCpuStarted = threadCpuMs();
  const saturated = await httpLoad(
    port,
    saturationPaths,
    options.concurrency,
    0,
  );
  const saturatedCpuMs = threadCpuMs() - saturatedCpuStarted;
  await new Promise<void>(r => server.close(() => r()));
  sim.send({ type: 'resumeController' });

  // event → visible: the simulator's load driver changes the fleet at a steady rate. Every change of a Cluster
  // object that the summary reflects is timed from the simulator's write (wall clock, in its worker thread) to the
  // first change event of that cluster from the index after it; the backend's own share is timed from the arrival
  // of the watch event to the same change event.
  const writes: SimClusterWrite[] = [];
  const received = new Map<string, number[]>();
  const visible = new Map<string, number[]>();
  const note = (map: Map<string, number[]>, key: string, at: number) => {
    const list = map.get(key);
    if (list) list.push(at);
    else map.set(key, [at]);
  };
  let measuring = false;
  const offChanges = sim.on(m => {
    if (m.type === 'changes' && measuring) writes.push(...m.changes);
  });
  receiveHook = key => {
    if (measuring) note(received, key, wallClock());
  };
  const unsubscribe = fleet.index.subscribe(event => {
    const now = wallClock();
    for (const c of event.changes) note(visible, stringifyClusterKey(c), now);
  });
  measuring = true;
  const loadStarted = wallClock();
  sim.send({
    type: 'load',
    eventsPerSecond: options.eventsPerSecond,
    durationMs: options.eventSeconds * 1000,
  });
  await new Promise(r => setTimeout(r, options.eventSeconds * 1000));
  const statsReply = sim.next('stats');
  sim.send({ type: 'stats' });
  const loadStats = (await statsReply).load;
  sim.send({ type: 'stopLoad' });
  const loadEnded = wallClock();
  // let in-flight changes arrive; a write without a change event after it by then did not become visible
  await new Promise(r => setTimeout(r, 1500));
  measuring = false;
  offChanges();
  unsubscribe();
  receiveHook = undefined;
  const firstAfter = (list: number[] | undefined, t: number) =>
    list?.find(x => x >= t);
  const latencies: number[] = [];
  const backendLatencies: number[] = [];
  const seen = writesSeen(writes, visible, loadStarted, loadEnded);
  const notVisible = seen.notVisible.length;
  for (const { key, at, shown } of seen.visible) {
    latencies.push(shown - at);
    const arrived = firstAfter(received.get(key), at);
    if (arrived !== undefined && arrived <= shown) {
      backendLatencies.push(shown - arrived);
    }
  }

  await fleet.stop();
  await sim.stop();
  const sortedSizes = [...overHttp.sizes].sort((a, b) => a - b);
  return {
    clusters: simInfo.clusters,
    managementClusters: mcCount,
    machines: simInfo.machines,
    coldSyncMs,
    coldSyncCpuMs,
    listWorkers: config.sync.listWorkers,
    coldSyncWorkerCpuMs,
    listFloorMs: floor.ms,
    listFloorCpuMs: floor.cpuMs,
    cacheHeapMB,
    inProcessP50Ms: percentile(inProcess, 50),
    inProcessP99Ms: percentile(inProcess, 99),
    httpRatePerSecond: options.httpRatePerSecond,
    httpP50Ms: percentile(overHttp.latencies, 50),
    httpP99Ms: percentile(overHttp.latencies, 99),
    httpSaturatedRps: saturated.throughput,
    httpSaturatedP50Ms: percentile(saturated.latencies, 50),
    httpSaturatedP99Ms: percentile(saturated.latencies, 99),
    httpCpuPerRequestMs: saturatedCpuMs / saturated.latencies.length,
    httpPageBytes: sortedSizes[Math.floor(sortedSizes.length / 2)] ?? NaN,
    eventToVisibleP50Ms: percentile(latencies, 50),
    eventToVisibleP99Ms: percentile(latencies, 99),
    backendEventToVisibleP50Ms: percentile(backendLatencies, 50),
    backendEventToVisibleP99Ms: percentile(backendLatencies, 99),
    loadChanges: loadStats?.changes ?? 0,
    loadDropped: loadStats?.dropped ?? 0,
    eventsVisible: latencies.length,
    eventsNotVisible: notVisible,
  };
}

/** Formats rows as a Markdown table. */
export function formatBenchmarkTable(rows: FleetBenchmarkRow[]): string {
  const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '–');
  const lines = [
    '| clusters | mgmt clusters | machines | cold sync (ms) | parse floor (ms) | cold sync / floor (CPU) | list threads: CPU (ms) | cache heap (MB) | in-process p50/p99 (ms) | HTTP p50/p99 (ms) at rate | HTTP saturated: req/s, p50/p99 (ms) | CPU per request (ms) | page (KB) | event→visible p50/p99 (ms) | of which backend p50/p99 (ms) | visible / not (load changes) |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.clusters.toLocaleString('en')} | ${
        r.managementClusters
      } | ${r.machines.toLocaleString('en')} | ${f(r.coldSyncMs, 0)} | ${f(
        r.listFloorMs,
        0,
      )} | ${f(r.coldSyncMs / r.listFloorMs, 2)}× (${f(
        r.coldSyncCpuMs / r.listFloorCpuMs,
        2,
      )}×) | ${
        r.listWorkers ? `${r.listWorkers}: ${f(r.coldSyncWorkerCpuMs, 0)}` : '–'
      } | ${f(r.cacheHeapMB)} | ${f(r.inProcessP50Ms, 3)} / ${f(
        r.inProcessP99Ms,
        3,
      )} | ${f(r.httpP50Ms, 2)} / ${f(
        r.httpP99Ms,
        2,
      )} at ${r.httpRatePerSecond.toLocaleString('en')}/s | ${f(
        r.httpSaturatedRps,
        0,
      )}, ${f(r.httpSaturatedP50Ms, 1)} / ${f(r.httpSaturatedP99Ms, 1)} | ${f(
        r.httpCpuPerRequestMs,
        3,
      )} | ${f(r.httpPageBytes / 1024, 0)} | ${f(r.eventToVisibleP50Ms)} / ${f(
        r.eventToVisibleP99Ms,
      )} | ${f(r.backendEventToVisibleP50Ms)} / ${f(
        r.backendEventToVisibleP99Ms,
      )} | ${r.eventsVisible} / ${r.eventsNotVisible} (${r.loadChanges}${
        r.loadDropped ? `, ${r.loadDropped} dropped` : ''
      }) |`,
    );
  }
  return lines.join('\n');
}

/**
 * Measures the fleet backend against the fleet simulator (in a worker thread): cold sync to API-ready, heap of the cache, query latency (filter + sort + page of 50)
 * with concurrent clients in-process and over HTTP, and event → visible latency at a steady event rate. Prints a
 * table and returns the rows. Run with `--expose-gc` for exact heap figures.
 */
export async function runFleetBenchmark(
  options: FleetBenchmarkOptions = {},
): Promise<FleetBenchmarkRow[]> {
  const print =
    options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const resolved = {
    listWorkers: options.listWorkers,
    listConcurrency: options.listConcurrency,
    coldSyncOnly: options.coldSyncOnly ?? false,
    cpuProfile: options.cpuProfile,
    heapSnapshot: options.heapSnapshot,
    concurrency: options.concurrency ?? 50,
    queries: options.queries ?? 5000,
    httpRatePerSecond: options.httpRatePerSecond ?? 1000,
    eventsPerSecond: options.eventsPerSecond ?? 1000,
    eventSeconds: options.eventSeconds ?? 5,
  };
  const rows: FleetBenchmarkRow[] = [];
  for (const size of options.sizes ?? [100, 1000, 10_000]) {
    print(`shipyard-backend bench: ${size} clusters…`);
    const row = await measureSize(size, resolved, print);
    if (row) rows.push(row);
  }
  print('');
  print(formatBenchmarkTable(rows));
  return rows;
}
