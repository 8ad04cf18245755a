/*
 * The catalog benchmark's sampler, in a worker thread of its own. On the backend's thread (where it used to run)
 * a sample waited for that thread: for the answer of the backend's own HTTP server and for its timers, so while the
 * thread was busy or blocked nothing was recorded (a 10,000-cluster run had no sample between 34 s and 804 s) and
 * the figures of that stretch were missing. The worker reads the catalog's database through its own connection,
 * asks the Shipyard API with a timeout, reads the process's memory and CPU time, and notes how long the backend's
 * thread has not run: the backend's thread writes a heartbeat and the catalog's processing counter into shared
 * memory every 100 ms.
 */
import { getHeapStatistics } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { CatalogDbTarget } from './catalogDbProbe';

/** One sample of the fill timeline. */
export interface CatalogSample {
  /** Seconds since the backend's start began. */
  t: number;
  /** Clusters the Shipyard API lists (the last answer; the API is asked with a 2 s timeout). */
  api: number;
  /** How long the Shipyard API took to answer this sample's request (ms; 2,000 when it did not; NaN when not asked). */
  apiMs: number;
  /** Cluster entities the catalog holds (stitched, findable by `spec.type`). */
  catalog: number;
  /** Rows of the catalog's processing state (every entity a provider or location emitted). */
  refreshState: number;
  /** Processing runs of the catalog so far (every entity, first runs and reprocessing). */
  processed: number;
  /** Entities waiting to be stitched. */
  stitchQueue: number;
  rssMb: number;
  /** The backend thread's V8 heap: used, and committed (what of it counts in `rssMb`), MB. */
  heapUsedMb: number;
  heapTotalMb: number;
  /** Memory outside the V8 heaps held by JavaScript objects of the backend's thread (buffers), MB. */
  externalMb: number;
  /** The sampler thread's own V8 heap (committed, MB): part of `rssMb`, the benchmark's and not the backend's. */
  samplerHeapTotalMb: number;
  /** Process CPU time since the start (user + system, all threads), seconds. */
  cpuSeconds: number;
  /** The longest time the backend's thread did not run since the previous sample (ms; about 100 when it keeps up). */
  backendThreadStallMs: number;
}

/** Slots of the shared memory. */
export const HEARTBEAT = 0;
export const PROCESSED = 1;
export const PORT = 2;
export const HEAP_USED = 3;
export const HEAP_TOTAL = 4;
export const EXTERNAL = 5;
const SLOTS = 6;

/** What the worker is started with. */
export interface CatalogSamplerData {
  target: CatalogDbTarget;
  shared: SharedArrayBuffer;
  /** The start of the timeline (ms since the epoch, with `performance.timeOrigin`). */
  startedAt: number;
  /** Process CPU time at the start (s). */
  cpu0: number;
  clusters: number;
  authorization: string;
  intervalMs: number;
}

/** Messages of the worker. */
export type CatalogSamplerMessage =
  | { type: 'sample'; sample: CatalogSample; sampleMs: number }
  | { type: 'stopped'; cpuMs: number }
  | { type: 'error'; error: string };

/** A running sampler. */
export interface CatalogSampler {
  /** The backend answers on this port: ask its Shipyard API from now on. */
  setPort(port: number): void;
  /** Stops sampling; answers the sampler thread's CPU time (ms). */
  stop(): Promise<{ cpuMs: number }>;
}

export const now = () => performance.timeOrigin + performance.now();

/** Starts the sampler thread; `onSample` receives every sample on this thread, when this thread runs. */
export function startCatalogSampler(options: {
  target: CatalogDbTarget;
  clusters: number;
  startedAt: number;
  cpu0: number;
  authorization: string;
  /** The catalog's processing counter, read on this thread. */
  processed: () => number;
  onSample: (sample: CatalogSample, sampleMs: number) => void;
  onError: (error: string) => void;
  intervalMs?: number;
}): CatalogSampler {
  const shared = new SharedArrayBuffer(SLOTS * Float64Array.BYTES_PER_ELEMENT);
  const view = new Float64Array(shared);
  const beat = () => {
    view[HEARTBEAT] = now();
    view[PROCESSED] = options.processed();
    // the heaps of this thread (a worker's process.memoryUsage() tells its own)
    const heap = getHeapStatistics();
    view[HEAP_USED] = heap.used_heap_size;
    view[HEAP_TOTAL] = heap.total_heap_size;
    view[EXTERNAL] = heap.external_memory;
  };
  beat();
  const heartbeat = setInterval(beat, 100);
  heartbeat.unref();

  const transform = require.resolve('@backstage/cli/config/nodeTransform.cjs');
  const script = require.resolve('./catalogSamplerWorker');
  const data: CatalogSamplerData = {
    target: options.target,
    shared,
    startedAt: options.startedAt,
    cpu0: options.cpu0,
    clusters: options.clusters,
    authorization: options.authorization,
    intervalMs: options.intervalMs ?? 1000,
  };
  const worker = new Worker(
    `require(${JSON.stringify(transform)}); require(${JSON.stringify(
      script,
    )});`,
    { eval: true, workerData: data },
  );
  let stopped: ((cpuMs: number) => void) | undefined;
  worker.on('message', (m: CatalogSamplerMessage) => {
    if (m.type === 'sample') options.onSample(m.sample, m.sampleMs);
    else if (m.type === 'error') options.onError(m.error);
    else stopped?.(m.cpuMs);
  });
  worker.on('error', error => options.onError(String(error)));
  const exited = new Promise<void>(resolve => worker.once('exit', resolve));

  let stopping: Promise<{ cpuMs: number }> | undefined;
  return {
    setPort: port => {
      view[PORT] = port;
    },
    stop: () => {
      stopping ??= (async () => {
        clearInterval(heartbeat);
        const cpuMs = await Promise.race([
          new Promise<number>(resolve => {
            stopped = resolve;
            worker.postMessage('stop');
          }),
          exited.then(() => NaN),
        ]);
        await worker.terminate();
        return { cpuMs };
      })();
      return stopping;
    },
  };
}
