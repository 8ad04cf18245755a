/**
 * What drives the running simulator, programmatically and over the admin API: faults, the controllers (pause,
 * resume, wait until idle) and the load driver.
 */
import { clusterId } from '../faults/faults';
import { LoadDriver, LoadOptions, LoadTarget, startLoad } from '../load/load';
import { AdminContext } from './admin';
import { Fleet } from './fleet';
import {
  fleetKubeconfig,
  fleetStats,
  managementInfos,
  workloadInfos,
} from './views';
import { FleetController, FleetFaults } from './types';

export function fleetFaults(fleet: Fleet): FleetFaults {
  const { faults, managements, controllers } = fleet;
  const releaseHeld = () => fleet.server?.releaseHeld();
  return {
    unreachable: (cluster, mode = 'refuse') => {
      faults.set(clusterId(cluster), { unreachable: mode });
      if (mode === 'refuse') {
        const id = clusterId(cluster);
        const mc = managements.get(id);
        if (mc) mc.http.dropWatches();
      }
    },
    reachable: cluster => {
      const id = clusterId(cluster);
      faults.set(id, { unreachable: undefined });
      releaseHeld();
    },
    slow: (cluster, ms) =>
      faults.set(clusterId(cluster), { slowMs: Math.max(0, ms) }),
    saturated: (cluster, ms) =>
      faults.set(clusterId(cluster), { saturatedMs: Math.max(0, ms) }),
    errorRate: (cluster, rate, code = 500) =>
      faults.set(clusterId(cluster), {
        errorRate: Math.max(0, Math.min(1, rate)),
        errorCode: code,
      }),
    nodesNotReady: (cluster, count = Infinity) =>
      faults.set(clusterId(cluster), { nodesNotReady: count }),
    controlPlaneDown: (cluster, down = true) =>
      faults.set(clusterId(cluster), { controlPlaneDown: down }),
    hostedControlPlanePodsNotReady: (cluster, count = Infinity) =>
      faults.set(clusterId(cluster), { hostedPodsNotReady: count }),
    stallProvisioning: (cluster, stalled = true) =>
      faults.set(clusterId(cluster), { provisioningStalled: stalled }),
    stallDrain: (cluster, stalled = true) =>
      faults.set(clusterId(cluster), { drainStalled: stalled }),
    deprecatedApis: (cluster, uses) =>
      faults.set(clusterId(cluster), { deprecatedApis: uses }),
    restartManagementApi: name => {
      const mc = managements.get(name);
      if (!mc) throw new Error(`unknown management cluster ${name}`);
      mc.restart();
    },
    pauseController: () => controllers.forEach(c => c.pause()),
    resumeController: () => controllers.forEach(c => c.resume()),
    clear: cluster => {
      faults.clear(cluster === undefined ? undefined : clusterId(cluster));
      releaseHeld();
    },
    list: () => faults.list(),
  };
}

export function fleetController(
  fleet: Fleet,
  faults: FleetFaults,
): FleetController {
  const controllers = () => [...fleet.controllers.values()];
  return {
    get paused() {
      return controllers().some(c => c.isPaused);
    },
    stepMs: fleet.settings.stepMs,
    pause: () => faults.pauseController(),
    resume: () => faults.resumeController(),
    whenIdle: async () => {
      for (let i = 0; i < 1000; i++) {
        await Promise.all(controllers().map(c => c.whenIdle()));
        await new Promise(resolve => setImmediate(resolve));
        if (controllers().every(c => c.pending === 0 || c.isPaused)) return;
      }
    },
  };
}

/** The simulator's controls as the admin API serves them, with the load drivers it started. */
export interface FleetControls extends AdminContext {
  /** Stops every load driver. */
  stopAllLoad(): void;
}

export function fleetControls(fleet: Fleet): FleetControls {
  const faults = fleetFaults(fleet);
  const loadTargets = new Map<string, LoadTarget>();
  for (const [name, mc] of fleet.managements) {
    const controller = fleet.controllers.get(name);
    if (controller) loadTargets.set(name, { api: mc.api, controller });
  }
  let loadDrivers: LoadDriver[] = [];
  return {
    faults,
    controller: fleetController(fleet, faults),
    managementClusters: () => managementInfos(fleet),
    workloadClusters: () => workloadInfos(fleet),
    stats: () => fleetStats(fleet),
    kubeconfig: () => fleetKubeconfig(fleet),
    startLoad: (o: LoadOptions) => {
      const d = startLoad(
        loadTargets,
        () => fleet.model.clusters,
        o,
        fleet.random.fork(`load${loadDrivers.length}`),
      );
      loadDrivers.push(d);
      return d;
    },
    stopLoad: () => {
      loadDrivers.forEach(d => d.stop());
      const last = loadDrivers[loadDrivers.length - 1]?.stats();
      loadDrivers = [];
      return last;
    },
    loadStats: () => loadDrivers.map(d => d.stats()),
    stopAllLoad: () => loadDrivers.forEach(d => d.stop()),
  };
}
