/* The sampler thread of the catalog benchmark (see catalogSampler.ts). */
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { CatalogDbProbe } from './catalogDbProbe';
import {
  CatalogSamplerData,
  CatalogSamplerMessage,
  EXTERNAL,
  HEAP_TOTAL,
  HEAP_USED,
  HEARTBEAT,
  PORT,
  PROCESSED,
  now,
} from './catalogSampler';

const data = workerData as CatalogSamplerData;
const shared = new Float64Array(data.shared);
const probe = new CatalogDbProbe(data.target);
const cpu0 = process.threadCpuUsage();
const post = (m: CatalogSamplerMessage) => parentPort!.postMessage(m);
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

// the longest time without a heartbeat of the backend's thread since the last sample
let stallMs = 0;
const watch = setInterval(() => {
  stallMs = Math.max(stallMs, now() - shared[HEARTBEAT]);
}, 50);

let api = 0;
/** Asks the Shipyard API how many clusters it lists, until it lists them all; answers how long that took. */
async function readApi(): Promise<number> {
  const port = shared[PORT];
  if (!port || api >= data.clusters) return NaN;
  const started = now();
  try {
    const res = await fetch(
      `http://localhost:${port}/api/shipyard/clusters?limit=1&facets=false`,
      {
        headers: { Authorization: data.authorization },
        signal: AbortSignal.timeout(2000),
      },
    );
    if (res.ok) api = ((await res.json()) as { totalCount: number }).totalCount;
  } catch {
    // not ready yet, or the backend's thread did not answer within 2 s: the last answer stands
  }
  return now() - started;
}

let stopping = false;
async function run(): Promise<void> {
  while (!stopping) {
    const started = now();
    try {
      const apiMs = await readApi();
      const t = (now() - data.startedAt) / 1000;
      const backendThreadStallMs = Math.max(stallMs, now() - shared[HEARTBEAT]);
      stallMs = 0;
      const catalog = await probe.clusterEntities();
      const refreshState = await probe.refreshState();
      const stitchQueue = await probe.stitchQueue();
      const cpu = process.cpuUsage();
      post({
        type: 'sample',
        sample: {
          t,
          api,
          apiMs,
          catalog,
          refreshState,
          processed: shared[PROCESSED],
          stitchQueue,
          rssMb: process.memoryUsage.rss() / 1024 / 1024,
          heapUsedMb: shared[HEAP_USED] / 1024 / 1024,
          heapTotalMb: shared[HEAP_TOTAL] / 1024 / 1024,
          externalMb: shared[EXTERNAL] / 1024 / 1024,
          samplerHeapTotalMb: getHeapStatistics().total_heap_size / 1024 / 1024,
          cpuSeconds: (cpu.user + cpu.system) / 1e6 - data.cpu0,
          backendThreadStallMs,
        },
        sampleMs: now() - started,
      });
    } catch (error) {
      post({ type: 'error', error: String(error) });
    }
    await sleep(Math.max(0, data.intervalMs - (now() - started)));
  }
}

const running = run();
parentPort!.on('message', async () => {
  stopping = true;
  await running;
  clearInterval(watch);
  await probe.destroy().catch(() => undefined);
  const cpu = process.threadCpuUsage(cpu0);
  post({ type: 'stopped', cpuMs: (cpu.user + cpu.system) / 1000 });
});
