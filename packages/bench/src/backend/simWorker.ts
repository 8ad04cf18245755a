/*
 * Runs the fleet simulator in a worker thread for the benchmark: the simulator gets its own heap (so that the
 * backend's heap figure is the backend's alone) and its own event loop. Reports, with wall-clock timestamps, every
 * change of a Cluster object that the backend's summary reflects (spec, status, labels, deletion; not annotations),
 * so that the main thread can measure event → visible.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startFleetSim } from '@shipyard/fleet-sim';
import type { FleetSimOptions, LoadDriver } from '@shipyard/fleet-sim';
import { onShownClusterChanges } from './clusterChanges';
import type { SimClusterWrite } from '../sim/types';

/** Messages from the main thread. */
export type SimWorkerRequest =
  | { type: 'load'; eventsPerSecond: number; durationMs: number }
  | { type: 'stopLoad' }
  | { type: 'pauseController' }
  | { type: 'resumeController' }
  | { type: 'stats' }
  | { type: 'stop' };

/** Messages to the main thread. */
export type SimWorkerMessage =
  | {
      type: 'ready';
      managementClusters: Array<{
        name: string;
        url: string;
        caData: string;
        token: string;
      }>;
      machines: number;
      clusters: number;
      startMs: number;
    }
  | { type: 'changes'; changes: SimClusterWrite[] }
  | {
      type: 'stats';
      load?: { changes: number; errors: number; dropped: number };
    }
  | { type: 'stopped' }
  | { type: 'error'; error: string };

async function run() {
  const port = parentPort;
  if (!port) return;
  const started = performance.now();
  const sim = await startFleetSim(workerData.options as FleetSimOptions);
  const startMs = performance.now() - started;
  // the backend meets management clusters that have been running: their objects exist, none is generated on
  // the first read (the start figure above is the simulator's own)
  await sim.warm();
  const batch: SimClusterWrite[] = [];
  onShownClusterChanges(sim, (...write) => batch.push(write));
  const flusher = setInterval(() => {
    if (batch.length === 0) return;
    port.postMessage({
      type: 'changes',
      changes: batch.splice(0),
    } satisfies SimWorkerMessage);
  }, 2);
  let load: LoadDriver | undefined;
  port.on('message', async (m: SimWorkerRequest) => {
    try {
      switch (m.type) {
        case 'load':
          load?.stop();
          load = sim.startLoad({
            eventsPerSecond: m.eventsPerSecond,
            durationMs: m.durationMs,
          });
          break;
        case 'stopLoad':
          load?.stop();
          break;
        case 'pauseController':
          sim.controller.pause();
          break;
        case 'resumeController':
          sim.controller.resume();
          break;
        case 'stats': {
          const s = load?.stats();
          port.postMessage({
            type: 'stats',
            load: s
              ? { changes: s.changes, errors: s.errors, dropped: s.dropped }
              : undefined,
          } satisfies SimWorkerMessage);
          break;
        }
        case 'stop':
          clearInterval(flusher);
          load?.stop();
          await sim.stop();
          port.postMessage({ type: 'stopped' } satisfies SimWorkerMessage);
          break;
        default:
          break;
      }
    } catch (error) {
      port.postMessage({
        type: 'error',
        error: String(error),
      } satisfies SimWorkerMessage);
    }
  });
  const stats = sim.stats();
  port.postMessage({
    type: 'ready',
    managementClusters: sim.managementClusters.map(m => ({
      name: m.name,
      url: m.url,
      caData: m.caData,
      token: m.token,
    })),
    machines: stats.machines,
    clusters: sim.model.clusters.length,
    startMs,
  } satisfies SimWorkerMessage);
}

if (parentPort && workerData?.shipyardSimWorker) {
  run().catch(error =>
    parentPort?.postMessage({
      type: 'error',
      error: String(error?.stack ?? error),
    }),
  );
}
