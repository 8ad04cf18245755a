import { FleetSim, LoadDriver, startFleetSim } from '@shipyard/fleet-sim';
import { onShownClusterChanges } from '../backend/clusterChanges';
import type {
  SimClusterKey,
  SimClusterWrite,
  SimFaultMix,
  SimHandle,
  SimOwnerChange,
  SimLoadFigures,
  SimLoadRequest,
  SimStartOptions,
} from './types';

/**
 * Starts the simulator. Black-holed workload clusters (an anomaly of the seeded fleet) are turned into refused
 * connections, so that a fan-out gets its error at once instead of waiting for a socket timeout: the comparison is
 * about steady-state cost, not about how long one hung cluster holds a page.
 */
export async function startSim(options: SimStartOptions): Promise<FleetSim> {
  const sim = await startFleetSim(options);
  for (const [id, faults] of Object.entries(sim.faults.list())) {
    if (faults.unreachable === 'blackhole')
      sim.faults.unreachable(id, 'refuse');
  }
  return sim;
}

/** Drives one simulator's load driver and reports its figures. */
export class LoadControl {
  private driver?: LoadDriver;

  constructor(private readonly sim: FleetSim) {}

  start(request: SimLoadRequest): void {
    this.driver?.stop();
    this.driver = this.sim.startLoad({
      eventsPerSecond: request.eventsPerSecond,
      durationMs: request.durationMs,
      mix: request.mix,
    });
  }

  stop(): SimLoadFigures | undefined {
    const driver = this.driver;
    if (!driver) return undefined;
    driver.stop();
    this.driver = undefined;
    const s = driver.stats();
    return {
      changes: s.changes,
      errors: s.errors,
      dropped: s.dropped,
      byKind: { ...s.byKind },
    };
  }
}

const CLUSTERS = 'cluster.x-k8s.io/clusters';
const OWNER_LABEL = 'shipyard.io/owner';

/** Moves a cluster to the next team of the simulated fleet (a merge patch of its owner label). */
export function setOwner(sim: FleetSim, key: SimClusterKey): SimOwnerChange {
  const api = sim.management(key.management).api;
  const type = api.type(CLUSTERS);
  const metadata = api.get(type, key.namespace, key.name).metadata as
    | { labels?: Record<string, string> }
    | undefined;
  const current = metadata?.labels?.[OWNER_LABEL] ?? '';
  const teams = sim.model.teams;
  const owner = teams[(teams.indexOf(current) + 1) % teams.length];
  api.patch(type, key.namespace, key.name, 'merge', {
    metadata: { labels: { [OWNER_LABEL]: owner } },
  });
  return { owner, writtenAt: performance.timeOrigin + performance.now() };
}

/**
 * Spreads a fault mix evenly over the workload clusters (the slow ones next to the unreachable ones, never the same):
 * unreachable clusters are black-holed, so a probe of one waits for its timeout, as with a cluster whose network is gone.
 */
export function injectFaultMix(
  sim: FleetSim,
  mix: SimFaultMix,
): { unreachable: number; slow: number } {
  const clusters = sim.workloadClusters();
  const n = clusters.length;
  const dead = Math.round(n * mix.unreachable);
  const slow = Math.round(n * mix.slow);
  const ref = (c: (typeof clusters)[number]) => ({
    management: c.management,
    namespace: c.namespace,
    name: c.name,
  });
  for (let i = 0; i < dead; i++) {
    sim.faults.unreachable(
      ref(clusters[Math.floor((i * n) / Math.max(dead, 1))]),
      'blackhole',
    );
  }
  for (let i = 0; i < slow; i++) {
    const c = clusters[(Math.floor((i * n) / Math.max(slow, 1)) + 1) % n];
    sim.faults.slow(ref(c), mix.slowMs);
  }
  return { unreachable: dead, slow };
}

/** Batches the shown writes of Cluster objects to `flush` every few milliseconds; returns a function that stops. */
export function batchClusterWrites(
  sim: FleetSim,
  flush: (writes: SimClusterWrite[]) => void,
): () => void {
  const batch: SimClusterWrite[] = [];
  const off = onShownClusterChanges(sim, (...write) => batch.push(write));
  const timer = setInterval(() => {
    if (batch.length > 0) flush(batch.splice(0));
  }, 5);
  return () => {
    off();
    clearInterval(timer);
    if (batch.length > 0) flush(batch.splice(0));
  };
}

/** CPU time of this process so far (ms, all threads). */
export function processCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Access data of a simulator, as the benchmark hands it to the backends. */
export function describeSim(
  sim: FleetSim,
): Pick<
  SimHandle,
  'managementClusters' | 'workloadClusters' | 'clusters' | 'machines'
> {
  return {
    managementClusters: sim.managementClusters.map(m => ({
      name: m.name,
      url: m.url,
      caData: m.caData,
      token: m.token,
    })),
    workloadClusters: sim.workloadClusters().map(w => ({
      management: w.management,
      namespace: w.namespace,
      name: w.name,
      url: w.url,
      caData: w.caData,
      token: w.token,
    })),
    clusters: sim.model.clusters.length,
    machines: sim.stats().machines,
  };
}

/** The simulator in this thread (for tests: its CPU time counts as the backend's). */
export async function startInProcessSim(
  options: SimStartOptions,
): Promise<SimHandle> {
  const sim = await startSim(options);
  const load = new LoadControl(sim);
  let stopWrites: (() => void) | undefined;
  return {
    ...describeSim(sim),
    requests: async () => sim.stats().requests,
    startLoad: async r => load.start(r),
    stopLoad: async () => load.stop(),
    setOwner: async key => setOwner(sim, key),
    warm: () => sim.warm(),
    injectFaults: async mix => injectFaultMix(sim, mix),
    reportClusterWrites: async listener => {
      stopWrites?.();
      stopWrites = listener ? batchClusterWrites(sim, listener) : undefined;
    },
    cpuMs: async () => processCpuMs(),
    stop: async () => {
      stopWrites?.();
      load.stop();
      await sim.stop();
    },
  };
}
