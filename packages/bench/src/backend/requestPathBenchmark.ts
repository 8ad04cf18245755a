import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { mockCredentials } from '@backstage/backend-test-utils';
import { toListClustersQueryString } from '@shipyard/plugin-shipyard-common';
import { seededRandom } from '@shipyard/test-utils';
import { startShipyardBackend } from '../backends';
import { benchFleet } from '../sim/benchFleet';
import { startWorkerSim } from '../sim/workerSim';
import { formatNumber, percentile, threadCpuMs } from '../stats';
import { processCpuMs } from '../sim/fleet';
import { httpLoad, randomQuery } from './fleetBenchmark';
import {
  CpuProfile,
  formatProfileSummary,
  summarizeProfile,
} from './profileSummary';

/** Options of {@link runRequestPathBenchmark}. */
export interface RequestPathOptions {
  /** Workload clusters (default 2,000). */
  clusters?: number;
  /** Requests of each saturated run (default 3,000). */
  requests?: number;
  /** Clients sending back to back (default 50). */
  concurrency?: number;
  /** How many times each run is repeated (default 2). */
  repeat?: number;
  /**
   * The root HTTP router as `createBackend()` sets it up (helmet, CORS, compression, the request log line, rate
   * limit when configured) instead of the test backend's bare one.
   */
  productionRoot?: boolean;
  /** The clients ask for gzip (`Accept-Encoding: gzip`, as browsers do). */
  gzip?: boolean;
  /**
   * Profile the backend's thread in one more run of distinct queries (before the measured ones), print where its
   * time went, and write the profile to this file (`.cpuprofile`).
   */
  cpuProfile?: string;
  print?: (line: string) => void;
}

/** One saturated run. */
export interface RequestPathRun {
  name: string;
  requests: number;
  /** Requests answered per second. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU time of the backend's thread per request (ms). */
  cpuPerRequestMs: number;
  /**
   * CPU time of the backend's process per request (ms): its thread and the others (garbage collection helpers,
   * libuv's pool, where compression runs), without the clients' thread.
   */
  processCpuPerRequestMs: number;
  /** Median answer size on the wire (bytes). */
  bytes: number;
  /** Whether the fleet's revision moved during the run (then cached answers were not reused). */
  revisionMoved: boolean;
}

/**
 * The request path of the Shipyard API's reads, end to end through the real backend plugin on a Backstage backend
 * (the test backend's services: mock auth and permissions), with the fleet simulator in a child process and nothing
 * changing the fleet: clients in a worker thread send back to back (a) fleet-page queries of `GET /clusters` that
 * are all distinct (every request a fresh query, serialisation and answer), (b) the same 50 queries over and over
 * (repeated reads of one revision), (c) `GET /summary`. Measures requests per second and the CPU time of the
 * backend's thread per request; optionally profiles one more run of distinct queries and prints where the thread's time went.
 */
export async function runRequestPathBenchmark(
  options: RequestPathOptions = {},
): Promise<RequestPathRun[]> {
  const print =
    options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const clusters = options.clusters ?? 2000;
  const requests = options.requests ?? 3000;
  const concurrency = options.concurrency ?? 50;
  const repeat = options.repeat ?? 2;
  const authorization = mockCredentials.user.header();
  const sim = await startWorkerSim(
    benchFleet(clusters >= 10_000 ? 5 : 3, clusters, { anomalies: false }),
  );
  let backend: Awaited<ReturnType<typeof startShipyardBackend>> | undefined;
  try {
    await sim.warm();
    backend = await startShipyardBackend(sim, {
      root: options.productionRoot ? 'production' : 'test',
    });
    const port = backend.port;
    const get = async <T>(path: string): Promise<T> => {
      const res = await fetch(`http://127.0.0.1:${port}/api${path}`, {
        headers: { Authorization: authorization },
      });
      if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
      return (await res.json()) as T;
    };
    const started = performance.now();
    for (;;) {
      const r = await get<{ totalCount: number }>(
        '/shipyard/clusters?limit=1&facets=false',
      );
      if (r.totalCount >= sim.clusters) break;
      if (performance.now() - started > 600_000)
        throw new Error(`Shipyard has ${r.totalCount} of ${sim.clusters}`);
      await new Promise(r2 => setTimeout(r2, 200));
    }
    print(
      `request-path bench: ${
        sim.clusters
      } clusters in the API after ${Math.round(
        performance.now() - started,
      )} ms; root router ${
        options.productionRoot ? "createBackend()'s defaults" : 'bare (test)'
      }; clients ${options.gzip ? 'accept gzip' : 'ask for no encoding'}`,
    );
    const revision = async () =>
      (
        await get<{ revision: number }>(
          '/shipyard/clusters?limit=1&facets=false',
        )
      ).revision;

    const mcNames = sim.managementClusters.map(m => m.name);
    const rnd = seededRandom(13);
    const seen = new Set<string>();
    /**
     * Fleet-page queries of 50 clusters, each URL distinct from every one before it in this process: a query drawn
     * again is sent with its parameters in another order (the same answer, a URL of its own).
     */
    const distinct = (n: number) =>
      Array.from({ length: n }, () => {
        for (;;) {
          const params = toListClustersQueryString({
            ...randomQuery(rnd, mcNames),
            fields: 'list',
          }).split('&');
          for (let k = 0; k < 20; k++) {
            const path = `/api/shipyard/clusters?${params.join('&')}`;
            if (!seen.has(path)) {
              seen.add(path);
              return path;
            }
            // another order of the same parameters
            for (let i = params.length - 1; i > 0; i--) {
              const j = Math.floor(rnd() * (i + 1));
              [params[i], params[j]] = [params[j], params[i]];
            }
          }
        }
      });
    const fixed = distinct(50);
    const headers = options.gzip ? { 'accept-encoding': 'gzip' } : undefined;
    const runs: RequestPathRun[] = [];
    let profiler: Session | undefined;
    if (options.cpuProfile) {
      profiler = new Session();
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.setSamplingInterval', { interval: 200 });
    }
    let profiledRequests = 0;
    let profiledCpuMs = 0;
    const profiles: CpuProfile[] = [];
    const measure = async (name: string, paths: string[], profile = false) => {
      const rev0 = await revision();
      if (profile) await profiler?.post('Profiler.start');
      const cpu0 = threadCpuMs();
      const processCpu0 = processCpuMs();
      const load = await httpLoad(
        port,
        paths,
        concurrency,
        0,
        authorization,
        0,
        headers,
      );
      const cpuMs = threadCpuMs() - cpu0;
      const processCpu = processCpuMs() - processCpu0 - load.cpuMs;
      if (profile && profiler) {
        const { profile: p } = await profiler.post('Profiler.stop');
        profiledRequests += load.latencies.length;
        profiledCpuMs += cpuMs;
        profiles.push(p);
      }
      const sizes = [...load.sizes].sort((a, b) => a - b);
      const run: RequestPathRun = {
        name,
        requests: load.latencies.length,
        rps: load.throughput,
        p50Ms: percentile(load.latencies, 50),
        p99Ms: percentile(load.latencies, 99),
        cpuPerRequestMs: cpuMs / load.latencies.length,
        processCpuPerRequestMs: processCpu / load.latencies.length,
        bytes: sizes[Math.floor(sizes.length / 2)] ?? NaN,
        revisionMoved: (await revision()) !== rev0,
      };
      runs.push(run);
      print(
        `  ${name}: ${formatNumber(
          run.rps,
          0,
        )} requests/s, p50/p99 ${formatNumber(run.p50Ms, 1)}/${formatNumber(
          run.p99Ms,
          1,
        )} ms, ${formatNumber(
          run.cpuPerRequestMs,
          3,
        )} ms of the backend's thread per request (${formatNumber(
          run.processCpuPerRequestMs,
          3,
        )} ms of its process), ${run.bytes} bytes${
          run.revisionMoved ? ' (the fleet changed during the run)' : ''
        }`,
      );
    };
    // warm-up: the routes, the validator's compiled schemas and the index's selections
    await httpLoad(port, distinct(500), concurrency, 0, authorization, 0);
    if (profiler) {
      // a run of its own: sampling costs the thread CPU that the measured runs below do not pay
      await measure(
        'profiled: GET /clusters, distinct queries',
        distinct(requests),
        true,
      );
    }
    for (let i = 0; i < repeat; i++) {
      await measure('GET /clusters, distinct queries', distinct(requests));
      await measure(
        'GET /clusters, 50 queries repeated',
        Array.from({ length: requests }, (_, k) => fixed[k % fixed.length]),
      );
      await measure(
        'GET /summary',
        Array.from({ length: requests }, () => '/api/shipyard/summary'),
      );
    }
    if (profiler) {
      await writeFile(options.cpuProfile!, JSON.stringify(profiles[0]));
      profiler.disconnect();
      print('');
      print(
        formatProfileSummary(
          summarizeProfile(profiles, profiledRequests, profiledCpuMs),
          'a run of distinct queries',
        ),
      );
    }
    return runs;
  } finally {
    await backend?.stop();
    await sim.stop();
  }
}
