import https from 'node:https';
import http from 'node:http';
import { startFleetSim } from '@shipyard/fleet-sim';

export interface SimBenchmarkOptions {
  managementClusters?: number;
  clusters?: number;
  seed?: string;
  /** Page size of the list measurement (default 500). */
  pageSize?: number;
  /** Changes per second the load driver makes during the watch measurement (default 2000). */
  eventsPerSecond?: number;
  /** Duration of the watch measurement (default 10000 ms). */
  watchMs?: number;
  /** Controller step; the seeded provisioning and upgrading clusters settle before the list measurement (default 100 ms). */
  stepMs?: number;
  log?: (line: string) => void;
}

export interface SimBenchmarkReport {
  managementClusters: number;
  workloadClusters: number;
  machines: number;
  objects: number;
  startMs: number;
  /**
   * Process CPU time (all threads, milliseconds) of start, the list and the watch measurement: on a shared machine
   * these compare two builds better than the wall-clock figures do.
   */
  cpuMs: { start: number; list: number; watch: number };
  /** Time for the seeded provisioning and upgrading clusters to settle. */
  settleMs: number;
  rssMb: number;
  heapUsedMb: number;
  list: {
    objects: number;
    pages: number;
    ms: number;
    objectsPerSecond: number;
    bytes: number;
  };
  watch: {
    events: number;
    ms: number;
    eventsPerSecond: number;
    changesPerSecond: number;
    watchers: number;
  };
  rssAfterMb: number;
}

interface Client {
  get(path: string): Promise<{ status: number; body: string }>;
  stream(path: string, onLine: (line: string) => void): { close(): void };
}

function client(baseUrl: string, token: string, ca: string): Client {
  const url = new URL(baseUrl);
  const isHttps = url.protocol === 'https:';
  const agent = isHttps
    ? new https.Agent({ keepAlive: true, ca, maxSockets: 16 })
    : new http.Agent({ keepAlive: true, maxSockets: 16 });
  const request = isHttps ? https.request : http.request;
  const headers = {
    Authorization: `Bearer ${token}`,
    Accept: 'application/json',
  };
  return {
    get(path) {
      return new Promise((resolve, reject) => {
        const req = request(
          {
            host: url.hostname,
            port: url.port,
            path: `${url.pathname}${path}`,
            method: 'GET',
            agent,
            headers,
          },
          res => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                body: Buffer.concat(chunks).toString('utf8'),
              }),
            );
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end();
      });
    },
    stream(path, onLine) {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: `${url.pathname}${path}`,
          method: 'GET',
          agent: isHttps ? new https.Agent({ ca }) : undefined,
          headers,
        },
        res => {
          let buffer = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            buffer += chunk;
            let nl = buffer.indexOf('\n');
            while (nl >= 0) {
              onLine(buffer.slice(0, nl));
              buffer = buffer.slice(nl + 1);
              nl = buffer.indexOf('\n');
            }
          });
          res.on('error', () => undefined);
        },
      );
      req.on('error', () => undefined);
      req.end();
      return { close: () => req.destroy() };
    },
  };
}

/**
 * Starts 10,000 workload clusters over 5 management clusters (by default) in this process and
 * measures start time, memory, paged list throughput over HTTPS and watch throughput under load.
 */
export async function runSimBenchmark(
  options: SimBenchmarkOptions = {},
): Promise<SimBenchmarkReport> {
  const log = options.log ?? (() => undefined);
  const pageSize = options.pageSize ?? 500;
  const cpuMs = (since: NodeJS.CpuUsage) => {
    const u = process.cpuUsage(since);
    return Math.round((u.user + u.system) / 1000);
  };
  const startCpu = process.cpuUsage();
  const started = Date.now();
  const sim = await startFleetSim({
    managementClusters: options.managementClusters ?? 5,
    clusters: options.clusters ?? 10_000,
    seed: options.seed ?? 'bench',
    timing: { stepMs: options.stepMs ?? 100 },
    anomalies: true,
  });
  const startMs = Date.now() - started;
  const startCpuMs = cpuMs(startCpu);
  const settleStart = Date.now();
  await Promise.race([
    sim.controller.whenIdle(),
    new Promise(resolve => setTimeout(resolve, 60_000)),
  ]);
  const settleMs = Date.now() - settleStart;
  const memAfterStart = process.memoryUsage();
  const stats = sim.stats();
  log(
    `started ${stats.workloadClusters} workload clusters, ${stats.machines} machines, ${stats.objects} objects in ${startMs} ms; settled in ${settleMs} ms`,
  );
  const ca = Buffer.from(sim.caData, 'base64').toString('utf8');
  try {
    let listed = 0;
    let pages = 0;
    let bytes = 0;
    const listStart = Date.now();
    const listCpu = process.cpuUsage();
    for (const m of sim.managementClusters) {
      const c = client(m.url, m.token, ca);
      for (const resource of [
        'apis/cluster.x-k8s.io/v1beta2/clusters',
        'apis/cluster.x-k8s.io/v1beta2/machines',
      ]) {
        let cont = '';
        do {
          const res = await c.get(
            `/${resource}?limit=${pageSize}${
              cont ? `&continue=${encodeURIComponent(cont)}` : ''
            }`,
          );
          if (res.status !== 200)
            throw new Error(
              `list ${resource} failed: ${res.status} ${res.body.slice(
                0,
                200,
              )}`,
            );
          bytes += res.body.length;
          const parsed = JSON.parse(res.body) as {
            items: unknown[];
            metadata: { continue?: string };
          };
          listed += parsed.items.length;
          pages++;
          cont = parsed.metadata.continue ?? '';
        } while (cont);
      }
    }
    const listMs = Date.now() - listStart;
    const listCpuMs = cpuMs(listCpu);
    log(`listed ${listed} objects in ${pages} pages in ${listMs} ms`);

    const watchMs = options.watchMs ?? 10_000;
    let events = 0;
    const streams = sim.managementClusters.flatMap(m => {
      const c = client(m.url, m.token, ca);
      return ['machines', 'clusters', 'machinedeployments', 'machinesets'].map(
        r =>
          c.stream(
            `/apis/cluster.x-k8s.io/v1beta2/${r}?watch=true&resourceVersion=${
              sim.stats().resourceVersions[m.name]
            }&allowWatchBookmarks=true`,
            line => {
              if (
                line.startsWith('{"type":"ADDED"') ||
                line.startsWith('{"type":"MODIFIED"') ||
                line.startsWith('{"type":"DELETED"')
              )
                events++;
            },
          ),
      );
    });
    await new Promise(resolve => setTimeout(resolve, 500));
    const load = sim.startLoad({
      eventsPerSecond: options.eventsPerSecond ?? 2000,
    });
    const watchStart = Date.now();
    const watchCpu = process.cpuUsage();
    await new Promise(resolve => setTimeout(resolve, watchMs));
    const loadStats = load.stats();
    const watchCpuMs = cpuMs(watchCpu);
    load.stop();
    const watchElapsed = Date.now() - watchStart;
    await new Promise(resolve => setTimeout(resolve, 200));
    streams.forEach(s => s.close());
    log(
      `received ${events} watch events in ${watchElapsed} ms from ${streams.length} watches (${loadStats.changes} changes)`,
    );
    const memEnd = process.memoryUsage();
    return {
      managementClusters: stats.managementClusters,
      workloadClusters: stats.workloadClusters,
      machines: stats.machines,
      objects: stats.objects,
      startMs,
      cpuMs: { start: startCpuMs, list: listCpuMs, watch: watchCpuMs },
      settleMs,
      rssMb: Math.round(memAfterStart.rss / 1048576),
      heapUsedMb: Math.round(memAfterStart.heapUsed / 1048576),
      list: {
        objects: listed,
        pages,
        ms: listMs,
        objectsPerSecond: Math.round((listed * 1000) / listMs),
        bytes,
      },
      watch: {
        events,
        ms: watchElapsed,
        eventsPerSecond: Math.round((events * 1000) / watchElapsed),
        changesPerSecond: Math.round((loadStats.changes * 1000) / watchElapsed),
        watchers: streams.length,
      },
      rssAfterMb: Math.round(memEnd.rss / 1048576),
    };
  } finally {
    await sim.stop();
  }
}
