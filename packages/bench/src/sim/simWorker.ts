/*
 * The fleet simulator in a child process: its own heap, event loop, CPU time and file descriptors (a fan-out to
 * 1,000 clusters opens some 13,000 connections at once; both ends in one process would exceed its descriptor limit).
 */
import {
  LoadControl,
  batchClusterWrites,
  describeSim,
  injectFaultMix,
  processCpuMs,
  setOwner,
  startSim,
} from './fleet';
import type { SimWorkerReply, SimWorkerRequest } from './types';

function post(m: SimWorkerReply) {
  process.send?.(m);
}

async function run() {
  const sim = await startSim(
    JSON.parse(process.env.SHIPYARD_COMPARE_SIM ?? '{}'),
  );
  const load = new LoadControl(sim);
  let stopWrites: (() => void) | undefined;
  process.on('message', async (m: SimWorkerRequest) => {
    const reply = (value?: unknown) => post({ type: 'reply', id: m.id, value });
    try {
      switch (m.type) {
        case 'requests':
          reply(sim.stats().requests);
          break;
        case 'startLoad':
          load.start(m.load);
          reply();
          break;
        case 'stopLoad':
          reply(load.stop());
          break;
        case 'setOwner':
          reply(setOwner(sim, m.cluster));
          break;
        case 'warm':
          await sim.warm();
          reply();
          break;
        case 'faults':
          reply(injectFaultMix(sim, m.mix));
          break;
        case 'reportClusterWrites':
          stopWrites?.();
          stopWrites = m.on
            ? batchClusterWrites(sim, writes =>
                post({ type: 'clusterWrites', writes }),
              )
            : undefined;
          reply();
          break;
        case 'cpu':
          reply(processCpuMs());
          break;
        case 'stop':
          stopWrites?.();
          load.stop();
          await sim.stop();
          reply();
          process.disconnect?.();
          break;
        default:
          break;
      }
    } catch (error) {
      post({ type: 'reply', id: m.id, error: String(error) });
    }
  });
  // end with the parent
  process.on('disconnect', () => process.exit(0));
  post({ type: 'ready', ...describeSim(sim) });
}

if (process.send && process.env.SHIPYARD_COMPARE_SIM) {
  run().catch(error =>
    post({ type: 'error', error: String(error?.stack ?? error) }),
  );
}
