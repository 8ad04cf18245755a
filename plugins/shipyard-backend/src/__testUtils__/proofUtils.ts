import {
  ShipyardBackend,
  ShipyardBackendOptions,
  SimulatedFleet,
  SimulatedFleetOptions,
  startShipyardBackend as startBackend,
  startSimulatedFleet,
} from '@shipyard/test-utils';
import type { FleetSim } from '@shipyard/fleet-sim';
import { shipyardPlugin } from '../plugin';

/*
 * What the proof suites (fault matrix, bad input, security) share beyond the harness of @shipyard/test-utils:
 * the backend bound to this plugin, and the simulator's clusters as keys.
 */

export type Backend = ShipyardBackend;

/** The simulator and the backend against it. */
export type ProofFleet = SimulatedFleet;

export {
  PLATFORM_TEAM,
  eventually,
  listAllClusters,
  managementClusterStates,
  shipyardTestConfig as proofConfig,
  waitConnected,
} from '@shipyard/test-utils';

export function keyOf(c: {
  managementCluster: string;
  namespace: string;
  name: string;
}): string {
  return `${c.managementCluster}/${c.namespace}/${c.name}`;
}

/** Starts the real backend (this plugin) with a capturing logger; `features` replace or add services. */
export function startShipyardBackend(
  options: Omit<ShipyardBackendOptions, 'plugin'>,
): Promise<Backend> {
  return startBackend({ plugin: shipyardPlugin, ...options });
}

/**
 * Starts a simulator and the real backend (this plugin) against it, and waits until every management cluster is
 * connected; see `startSimulatedFleet`.
 */
export function startProofFleet(
  options: Omit<SimulatedFleetOptions, 'plugin'>,
): Promise<SimulatedFleet> {
  return startSimulatedFleet({ plugin: shipyardPlugin, ...options });
}

/** Every cluster of a simulator (as its in-process API lists them), as `mc/ns/name` keys. */
export function simClusterKeys(sim: FleetSim): Set<string> {
  const keys = new Set<string>();
  for (const mc of sim.managementClusters) {
    const api = sim.management(mc.name).api;
    const listed = api.list(api.type('cluster.x-k8s.io/clusters'), {});
    for (const text of listed.texts) {
      const obj = JSON.parse(text);
      keys.add(`${mc.name}/${obj.metadata.namespace}/${obj.metadata.name}`);
    }
  }
  return keys;
}
