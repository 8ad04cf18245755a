import type { FleetSim } from '@shipyard/fleet-sim';

/**
 * The credentials of a simulated fleet that must never leave a backend: the simulator's CA and admin token, the
 * management clusters' tokens (admin and viewer) and the workload clusters' tokens and CAs.
 */
export function fleetCredentials(sim: FleetSim): Set<string> {
  const secrets = new Set<string>([sim.caData, sim.adminToken]);
  for (const m of sim.managementClusters) {
    secrets.add(m.token);
    secrets.add(m.viewerToken);
  }
  for (const w of sim.workloadClusters()) {
    secrets.add(w.token);
    secrets.add(w.caData);
  }
  return secrets;
}
