import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import {
  RootLoggerService,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import catalogModuleShipyard from '@shipyard/plugin-catalog-backend-module-shipyard';
import { toListClustersQueryString } from '@shipyard/plugin-shipyard-common';
import { seededRandom } from '@shipyard/test-utils';
import { shipyardConfig, startShipyardBackend } from '../backends';
import { benchFleet } from '../sim/benchFleet';
import { startWorkerSim } from '../sim/workerSim';
import type { SimClusterWrite, SimFaultMix } from '../sim/types';
import { writesSeen } from './clusterChanges';
import { formatNumber, percentile, threadCpuMs } from '../stats';
import { processCpuMs } from '../sim/fleet';
import { HttpLoadResult, httpLoad, randomQuery } from './fleetBenchmark';

/** Options of {@link runMixedLoadBenchmark}. */
export interface MixedLoadOptions {
  /** Workload clusters (default 10,000). */
  clusters?: number;
  /** Management clusters (default 5, 10 from 25,000 clusters on, 3 below 1,000). */
  managementClusters?: number;
  /** Length of the measurement window in seconds (default 60: one probe round at the 60 s interval). */
  seconds?: number;
  /**
   * How long after the window a change may still arrive on the event stream before it counts as not visible
   * (default 1,500 ms).
   */
  settleMs?: number;
  /** HTTP clients (default 50). */
  concurrency?: number;
  /** Their requests per second together (default 1,000). */
  httpRatePerSecond?: number;
  /** Rate of the simulator's load driver (default 1,000 changes/s). */
  eventsPerSecond?: number;
  /** Probe interval: a health round starts at the window's start and every interval after (default 60 s). */
  probeIntervalMs?: number;
  /** Share of unreachable and slow workload clusters (default 5 % each, slow ones 1 s per request). */
  faults?: SimFaultMix;
  /** The catalog plugin and Shipyard's catalog module in the same backend, fed by fleet changes (default true). */
  catalog?: boolean;
  /** Longest wait for the catalog to hold every cluster entity before the window (default 300 s). */
  catalogWaitMs?: number;
  /** Probes in a worker thread (`shipyard.health.probeWorker`, default true) or on the backend's thread. */
  probeWorker?: boolean;
  /** Write a CPU profile of the backend's thread during the window to this file (`.cpuprofile`). */
  cpuProfile?: string;
  /**
   * The fleet's changes alone in the window: no queries and no probe rounds (the cold round runs before it), so that
   * the backend thread's CPU in the window is what the changes cost, from the watch streams to the event stream.
   */
  changesOnly?: boolean;
  print?: (line: string) => void;
}

/** What one run measured. */
export interface MixedLoadRow {
  clusters: number;
  managementClusters: number;
  machines: number;
  faults: { unreachable: number; slow: number; slowMs: number };
  /** Whether probes ran in a worker thread. */
  probeWorker: boolean;
  /** Whether the window held the fleet's changes alone (no queries, no probe rounds). */
  changesOnly: boolean;
  /** Backend start to every cluster in `GET /clusters` (ms). */
  syncMs: number;
  /** The first probe round, with a TLS handshake per cluster (before the window, ms). */
  coldProbeRoundMs: number;
  /** Cluster entities in the catalog at the window's start and end (undefined without the catalog). */
  catalogEntities?: { start: number; end: number; waitedMs: number };
  windowSeconds: number;
  /** Probe rounds in the window (ms each). */
  probeRoundsMs: number[];
  httpRatePerSecond: number;
  httpRequests: number;
  /** Scheduled requests not sent by the end of the window and a half (the server fell behind). */
  httpNotSent: number;
  httpP50Ms: number;
  httpP99Ms: number;
  httpMaxMs: number;
  /** Requests answered per second in the window. */
  httpThroughput: number;
  httpPageBytes: number;
  /** From the simulator's write of a Cluster object to the change event's arrival on the API's event stream. */
  eventToVisibleP50Ms: number;
  eventToVisibleP99Ms: number;
  eventsVisible: number;
  eventsNotVisible: number;
  /** Writes taken back by later writes of their cluster before the backend showed them (nothing new to show). */
  eventsReverted: number;
  loadChanges: number;
  loadDropped: number;
  /** CPU of the backend process in the window (all its threads but the benchmark's clients), in cores. */
  backendCores: number;
  /**
   * CPU of the backend's main thread in the window (what serves the requests), in cores; the rest of `backendCores`
   * is its other threads (probe worker, garbage collection, libuv).
   */
  mainThreadCores: number;
  /** CPU of the benchmark's HTTP clients and event reader (threads of the same process), in cores. */
  clientCores: number;
  /** CPU of the backend's main thread in the window per change of the load driver (ms; everything it did, divided). */
  mainThreadMsPerChange: number;
  /** Busy share of the backend's event loop in the window. */
  eventLoopBusy: number;
  /** CPU of the simulator's process in the window, in cores. */
  simCores: number;
  rssPeakMB: number;
  heapUsedMB: number;
}

/** The backend's log: silent but for its health round lines, which go to `print`. */
function roundLogger(print: (line: string) => void): RootLoggerService {
  const logger: RootLoggerService = {
    error: () => {},
    warn: () => {},
    debug: () => {},
    info: message => {
      if (message.startsWith('Shipyard health round:'))
        print(`mixed-load bench: ${message}`);
    },
    child: () => logger,
  };
  return logger;
}

/**
 * Reads the API's event stream (`GET /api/shipyard/events`) in a worker thread, so that the arrival of a change event
 * is timed off the backend's event loop, and records the wall-clock arrival of every cluster it names.
 */
const EVENT_READER = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const arrivals = [];
let buffer = '';
const cpu0 = process.threadCpuUsage();
const req = http.get({ host: '127.0.0.1', port: workerData.port, path: '/api/shipyard/events',
  headers: { authorization: workerData.authorization, accept: 'text/event-stream' } }, res => {
  if (res.statusCode !== 200) { parentPort.postMessage({ error: 'events: HTTP ' + res.statusCode }); return; }
  res.setEncoding('utf8');
  res.on('data', chunk => {
    const at = performance.timeOrigin + performance.now();
    buffer += chunk;
    let end;
    while ((end = buffer.indexOf('\\n\\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const lines = block.split('\\n');
      if (!lines.includes('event: change')) continue;
      const data = lines.filter(l => l.startsWith('data:')).map(l => l.slice(5).trim()).join('\\n');
      for (const c of JSON.parse(data).changes) arrivals.push([c.managementCluster + '/' + c.namespace + '/' + c.name, at]);
    }
  });
  parentPort.postMessage({ connected: true });
});
req.on('error', error => parentPort.postMessage({ error: String(error) }));
parentPort.on('message', () => {
  req.destroy();
  const cpu = process.threadCpuUsage(cpu0);
  parentPort.postMessage({ arrivals, cpuMs: (cpu.user + cpu.system) / 1000 });
});
`;

interface EventReader {
  stop(): Promise<{
    arrivals: Array<[key: string, at: number]>;
    cpuMs: number;
  }>;
}

async function startEventReader(
  port: number,
  authorization: string,
): Promise<EventReader> {
  const worker = new Worker(EVENT_READER, {
    eval: true,
    workerData: { port, authorization },
  });
  const next = () =>
    new Promise<any>((resolve, reject) => {
      worker.once('message', m =>
        m.error ? reject(new Error(m.error)) : resolve(m),
      );
      worker.once('error', reject);
    });
  await next();
  return {
    stop: async () => {
      const done = next();
      worker.postMessage('stop');
      const result = await done;
      await worker.terminate();
      return result;
    },
  };
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/**
 * Everything a replica does at once, at one fleet size: the real Shipyard backend plugin (with, by default, the
 * catalog plugin and Shipyard's catalog module in the same backend) against the fleet simulator in a child process
 * over HTTPS; health probe rounds at their interval with a share of the workload clusters unreachable and slow; the
 * simulator's load driver changing the fleet (whose changes the catalog module applies as delta mutations); and
 * paced HTTP clients asking `GET /api/shipyard/clusters` fleet-page queries. Measures, in one window, the latency of
 * those queries over HTTP (from each request's scheduled time), event → visible on the API's event stream, and the
 * backend's CPU and memory.
 */
export async function measureMixedLoad(
  options: MixedLoadOptions = {},
): Promise<MixedLoadRow> {
  const print =
    options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const clusters = options.clusters ?? 10_000;
  let mcDefault = 5;
  if (clusters >= 25_000) mcDefault = 10;
  else if (clusters < 1000) mcDefault = 3;
  const managementClusters = options.managementClusters ?? mcDefault;
  const seconds = options.seconds ?? 60;
  const concurrency = options.concurrency ?? 50;
  const changesOnly = options.changesOnly ?? false;
  const rate = changesOnly ? 0 : options.httpRatePerSecond ?? 1000;
  const eventsPerSecond = options.eventsPerSecond ?? 1000;
  const probeIntervalMs = options.probeIntervalMs ?? 60_000;
  const faults = options.faults ?? {
    unreachable: 0.05,
    slow: 0.05,
    slowMs: 1000,
  };
  const withCatalog = options.catalog ?? true;
  const authorization = mockCredentials.user.header();

  // the faults are the mix below alone
  const sim = await startWorkerSim(
    benchFleet(managementClusters, clusters, { anomalies: false }),
  );
  let backend: Awaited<ReturnType<typeof startShipyardBackend>> | undefined;
  try {
    await sim.warm();
    const injected = await sim.injectFaults(faults);
    print(
      `mixed-load bench: ${sim.clusters} clusters, ${sim.machines} machines; ${
        injected.unreachable
      } unreachable, ${injected.slow} slow; probes ${
        options.probeWorker ?? true
          ? 'in a worker thread'
          : "on the backend's thread"
      }${changesOnly ? '; the window holds the changes alone' : ''}`,
    );
    const base = shipyardConfig(sim).shipyard;
    const events = mockServices.events();
    const started = performance.now();
    backend = await startShipyardBackend(sim, {
      features: [
        // silent but for the health rounds' lines (probed, failed, connections opened), printed as they come
        createServiceFactory({
          service: coreServices.rootLogger,
          deps: {},
          factory: () => roundLogger(print),
        }),
        ...(withCatalog
          ? [
              catalogPlugin,
              catalogModuleShipyard,
              createServiceFactory({
                service: eventsServiceRef,
                deps: {},
                factory: () => events,
              }),
            ]
          : []),
      ],
      config: {
        app: { baseUrl: 'http://portal.test' },
        ...(withCatalog
          ? {
              catalog: {
                stitchingStrategy: {
                  mode: 'deferred',
                  pollingInterval: { milliseconds: 500 },
                },
              },
            }
          : {}),
        shipyard: {
          ...base,
          health: {
            intervalMs: probeIntervalMs,
            probeWorker: options.probeWorker ?? true,
          },
        },
      },
    });
    const port = backend.port;
    const get = async <T>(path: string): Promise<T> => {
      const res = await fetch(`http://127.0.0.1:${port}/api${path}`, {
        headers: { Authorization: authorization },
      });
      if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
      return (await res.json()) as T;
    };
    for (;;) {
      const r = await get<{ totalCount: number }>(
        '/shipyard/clusters?limit=1&facets=false',
      );
      if (r.totalCount >= sim.clusters) break;
      if (performance.now() - started > 600_000)
        throw new Error(`Shipyard has ${r.totalCount} of ${sim.clusters}`);
      await sleep(200);
    }
    const syncMs = performance.now() - started;
    print(`mixed-load bench: every cluster in the API after ${syncMs} ms`);

    const catalogCount = async () =>
      (
        await get<{ totalItems: number }>(
          `/catalog/entities/by-query?limit=1&filter=${encodeURIComponent(
            'kind=resource,spec.type=kubernetes-cluster',
          )}`,
        )
      ).totalItems;
    let catalogWaitedMs = 0;
    if (withCatalog) {
      const t0 = performance.now();
      await backend.triggerTask('ClusterEntityProvider:refresh');
      const limit = options.catalogWaitMs ?? 300_000;
      while (
        (await catalogCount()) < sim.clusters &&
        performance.now() - t0 < limit
      ) {
        await sleep(2000);
      }
      catalogWaitedMs = performance.now() - t0;
    }

    const t1 = performance.now();
    await backend.triggerHealthRound();
    const coldProbeRoundMs = performance.now() - t1;
    print(
      `mixed-load bench: cold probe round ${Math.round(
        coldProbeRoundMs,
      )} ms; catalog ${
        withCatalog
          ? `${await catalogCount()} entities after ${Math.round(
              catalogWaitedMs,
            )} ms`
          : 'off'
      }; measuring ${seconds} s`,
    );

    // the window
    const mcNames = sim.managementClusters.map(m => m.name);
    const rnd = seededRandom(11);
    const paths = Array.from(
      { length: Math.round(rate * seconds) },
      () =>
        `/api/shipyard/clusters?${toListClustersQueryString({
          ...randomQuery(rnd, mcNames),
          fields: 'list',
        })}`,
    );
    const catalogStart = withCatalog ? await catalogCount() : 0;
    const writes: SimClusterWrite[] = [];
    await sim.reportClusterWrites(batch => writes.push(...batch));
    const reader = await startEventReader(port, authorization);
    let rssPeak = 0;
    const rssTimer = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
    }, 1000);
    let profiler: Session | undefined;
    if (options.cpuProfile) {
      profiler = new Session();
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
    }
    const cpu0 = processCpuMs();
    const mainCpu0 = threadCpuMs();
    const simCpu0 = await sim.cpuMs();
    const elu0 = performance.eventLoopUtilization();
    const windowStart = performance.now();
    const windowStartWall = performance.timeOrigin + windowStart;
    await sim.startLoad({ eventsPerSecond, durationMs: seconds * 1000 });
    const probeRoundsMs: number[] = [];
    let windowOpen = !changesOnly;
    const probing = (async () => {
      for (let k = 0; windowOpen; k++) {
        const due = windowStart + k * probeIntervalMs;
        while (windowOpen && performance.now() < due)
          await sleep(Math.min(500, due - performance.now()));
        if (!windowOpen) break;
        const t = performance.now();
        await backend!.triggerHealthRound();
        probeRoundsMs.push(performance.now() - t);
      }
    })();
    // a server that falls behind does not stretch the window by more than half of it
    const overHttp: HttpLoadResult = changesOnly
      ? await sleep(seconds * 1000).then(() => ({
          latencies: [],
          sizes: [],
          throughput: 0,
          cpuMs: 0,
        }))
      : await httpLoad(
          port,
          paths,
          concurrency,
          rate,
          authorization,
          seconds * 1500,
        );
    const windowMs = performance.now() - windowStart;
    const cpuMs = processCpuMs() - cpu0;
    const mainCpuMs = threadCpuMs() - mainCpu0;
    const elu = performance.eventLoopUtilization(elu0);
    const simCpuMs = (await sim.cpuMs()) - simCpu0;
    const load = await sim.stopLoad();
    const windowEndWall = performance.timeOrigin + performance.now();
    windowOpen = false;
    if (profiler) {
      const { profile } = await profiler.post('Profiler.stop');
      await writeFile(options.cpuProfile!, JSON.stringify(profile));
      profiler.disconnect();
    }
    // let in-flight changes arrive; a write without a change event after it by then did not become visible
    await sleep(options.settleMs ?? 1500);
    await sim.reportClusterWrites(undefined);
    const events0 = await reader.stop();
    clearInterval(rssTimer);

    const arrivals = new Map<string, number[]>();
    for (const [key, at] of events0.arrivals) {
      const list = arrivals.get(key);
      if (list) list.push(at);
      else arrivals.set(key, [at]);
    }
    const seen = writesSeen(writes, arrivals, windowStartWall, windowEndWall);
    const latencies = seen.visible.map(v => v.shown - v.at);
    const notVisible = seen.notVisible.length;
    // how long before the window's end the changes never shown were written: a few at the very end are slow, spread
    // over the window they are lost
    let newestNotVisible = Infinity;
    let oldestNotVisible = -Infinity;
    for (const w of seen.notVisible) {
      newestNotVisible = Math.min(newestNotVisible, windowEndWall - w.at);
      oldestNotVisible = Math.max(oldestNotVisible, windowEndWall - w.at);
    }
    // the window's figures first: on a starved machine the round in progress can take minutes more
    print(
      `mixed-load bench: window of ${Math.round(
        windowMs,
      )} ms: GET /clusters p50/p99 ${formatNumber(
        percentile(overHttp.latencies, 50),
        2,
      )}/${formatNumber(percentile(overHttp.latencies, 99), 2)} ms (${
        overHttp.latencies.length
      } answered, ${
        paths.length - overHttp.latencies.length
      } not sent); event → visible p50/p99 ${formatNumber(
        percentile(latencies, 50),
      )}/${formatNumber(percentile(latencies, 99))} ms (${
        latencies.length
      } visible, ${notVisible} not${
        notVisible
          ? `, written ${formatNumber(newestNotVisible)}–${formatNumber(
              oldestNotVisible,
            )} ms before the window's end`
          : ''
      }, ${
        seen.reverted
      } taken back before they were shown); backend ${formatNumber(
        (cpuMs - overHttp.cpuMs - events0.cpuMs) / windowMs,
        2,
      )} cores (main thread ${formatNumber(
        mainCpuMs / windowMs,
        2,
      )}, ${formatNumber(
        mainCpuMs / Math.max(1, load?.changes ?? 0),
        3,
      )} ms per change of ${
        load?.changes ?? 0
      }); waiting for the probe round in progress`,
    );
    // the round in progress, if any, finishes before the backend stops
    await probing;
    const catalogEnd = withCatalog ? await catalogCount() : 0;
    const sizes = [...overHttp.sizes].sort((a, b) => a - b);
    const memory = process.memoryUsage();
    return {
      clusters: sim.clusters,
      managementClusters,
      machines: sim.machines,
      faults: { ...injected, slowMs: faults.slowMs },
      probeWorker: options.probeWorker ?? true,
      changesOnly,
      syncMs,
      coldProbeRoundMs,
      catalogEntities: withCatalog
        ? { start: catalogStart, end: catalogEnd, waitedMs: catalogWaitedMs }
        : undefined,
      windowSeconds: windowMs / 1000,
      probeRoundsMs,
      httpRatePerSecond: rate,
      httpRequests: overHttp.latencies.length,
      httpNotSent: paths.length - overHttp.latencies.length,
      httpP50Ms: percentile(overHttp.latencies, 50),
      httpP99Ms: percentile(overHttp.latencies, 99),
      httpMaxMs: Math.max(...overHttp.latencies),
      httpThroughput: overHttp.throughput,
      httpPageBytes: sizes[Math.floor(sizes.length / 2)] ?? NaN,
      eventToVisibleP50Ms: percentile(latencies, 50),
      eventToVisibleP99Ms: percentile(latencies, 99),
      eventsVisible: latencies.length,
      eventsNotVisible: notVisible,
      eventsReverted: seen.reverted,
      loadChanges: load?.changes ?? 0,
      loadDropped: load?.dropped ?? 0,
      backendCores: (cpuMs - overHttp.cpuMs - events0.cpuMs) / windowMs,
      mainThreadCores: mainCpuMs / windowMs,
      mainThreadMsPerChange: mainCpuMs / Math.max(1, load?.changes ?? 0),
      clientCores: (overHttp.cpuMs + events0.cpuMs) / windowMs,
      eventLoopBusy: elu.utilization,
      simCores: simCpuMs / windowMs,
      rssPeakMB: Math.max(rssPeak, memory.rss) / 1024 / 1024,
      heapUsedMB: memory.heapUsed / 1024 / 1024,
    };
  } finally {
    await backend?.stop();
    await sim.stop();
  }
}

/** Formats rows as a Markdown table. */
export function formatMixedLoadTable(rows: MixedLoadRow[]): string {
  const f = formatNumber;
  const lines = [
    '| clusters (mgmt) | machines | unreachable / slow | catalog entities (window start → end) | probe rounds in window (ms) | `GET /clusters` p50 / p99 / max (ms) at rate | requests (answered/s) | event → visible p50 / p99 (ms) | visible / not (load changes) | backend CPU (cores) | of which main thread | event loop busy | RSS peak (MB) | simulator CPU (cores) |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.clusters.toLocaleString('en')} (${
        r.managementClusters
      }) | ${r.machines.toLocaleString('en')} | ${r.faults.unreachable} / ${
        r.faults.slow
      } | ${
        r.catalogEntities
          ? `${r.catalogEntities.start.toLocaleString(
              'en',
            )} → ${r.catalogEntities.end.toLocaleString('en')}`
          : 'off'
      } | ${r.probeRoundsMs.map(m => f(m, 0)).join(', ') || '–'} | ${f(
        r.httpP50Ms,
        2,
      )} / ${f(r.httpP99Ms, 2)} / ${f(
        r.httpMaxMs,
        0,
      )} at ${r.httpRatePerSecond.toLocaleString('en')}/s | ${r.httpRequests}${
        r.httpNotSent ? ` + ${r.httpNotSent} not sent` : ''
      } (${f(r.httpThroughput, 0)}) | ${f(r.eventToVisibleP50Ms)} / ${f(
        r.eventToVisibleP99Ms,
      )} | ${r.eventsVisible} / ${r.eventsNotVisible} (${r.loadChanges}${
        r.loadDropped ? `, ${r.loadDropped} dropped` : ''
      }) | ${f(r.backendCores, 2)} | ${f(r.mainThreadCores, 2)} (${f(
        r.mainThreadMsPerChange,
        3,
      )} ms per change) | ${f(r.eventLoopBusy * 100, 0)} % | ${f(
        r.rssPeakMB,
        0,
      )} | ${f(r.simCores, 2)} |`,
    );
  }
  return lines.join('\n');
}

/** Runs {@link measureMixedLoad} and prints its row as a table (and the whole row as JSON). */
export async function runMixedLoadBenchmark(
  options: MixedLoadOptions = {},
): Promise<MixedLoadRow> {
  const print =
    options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const row = await measureMixedLoad(options);
  print('');
  print(formatMixedLoadTable([row]));
  print('');
  print(JSON.stringify(row));
  return row;
}
