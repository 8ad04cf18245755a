import { ChildProcess, spawn } from 'node:child_process';
import type {
  SimClusterWrite,
  SimHandle,
  SimStartOptions,
  SimWorkerReply,
  SimWorkerRequest,
} from './types';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown
  ? Omit<T, K>
  : never;

/** Starts the simulator in a child process (run from the TypeScript sources through the CLI's node transform). */
export async function startWorkerSim(
  options: SimStartOptions,
): Promise<SimHandle> {
  const transform = require.resolve('@backstage/cli/config/nodeTransform.cjs');
  const script = require.resolve('./simWorker');
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--max-old-space-size=4096',
      '-e',
      `require(${JSON.stringify(transform)}); require(${JSON.stringify(
        script,
      )});`,
    ],
    {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      env: { ...process.env, SHIPYARD_COMPARE_SIM: JSON.stringify(options) },
    },
  );
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let writesListener: ((writes: SimClusterWrite[]) => void) | undefined;
  const ready = new Promise<Extract<SimWorkerReply, { type: 'ready' }>>(
    (resolve, reject) => {
      child.on('message', (m: SimWorkerReply) => {
        if (m.type === 'ready') resolve(m);
        else if (m.type === 'clusterWrites') writesListener?.(m.writes);
        else if (m.type === 'error')
          reject(new Error(`fleet simulator: ${m.error}`));
        else {
          const p = pending.get(m.id);
          pending.delete(m.id);
          if (m.error) p?.reject(new Error(m.error));
          else p?.resolve(m.value);
        }
      });
      child.once('error', reject);
      child.once('exit', code => {
        const error = new Error(`fleet simulator exited with ${code}`);
        reject(error);
        for (const p of pending.values()) p.reject(error);
        pending.clear();
      });
    },
  );
  const call = <T>(m: DistributiveOmit<SimWorkerRequest, 'id'>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: v => resolve(v as T), reject });
      child.send({ ...m, id });
    });
  const info = await ready;
  return {
    managementClusters: info.managementClusters,
    workloadClusters: info.workloadClusters,
    clusters: info.clusters,
    machines: info.machines,
    requests: () => call({ type: 'requests' }),
    startLoad: async load => {
      await call({ type: 'startLoad', load });
    },
    stopLoad: () => call({ type: 'stopLoad' }),
    setOwner: cluster => call({ type: 'setOwner', cluster }),
    warm: () => call({ type: 'warm' }),
    injectFaults: mix => call({ type: 'faults', mix }),
    reportClusterWrites: async listener => {
      if (listener) writesListener = listener;
      await call({ type: 'reportClusterWrites', on: !!listener });
      // the last batch arrives before the reply
      if (!listener) writesListener = undefined;
    },
    cpuMs: () => call({ type: 'cpu' }),
    stop: async () => {
      const exited = new Promise(r => child.once('exit', r));
      await call({ type: 'stop' }).catch(() => undefined);
      const timer = setTimeout(() => child.kill(), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
