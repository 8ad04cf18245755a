import type { FleetSimOptions } from '@shipyard/fleet-sim';

/**
 * The simulated fleet of the backend benchmarks, so that their figures describe the same objects: one seed, a
 * simulated second per step and ~10 Machines a cluster (~100,000 at 10,000 clusters). With `anomalies: false` only
 * healthy clusters are seeded: for a benchmark that injects its own faults, or wants none.
 */
export function benchFleet(
  managementClusters: number,
  clusters: number,
  options: { anomalies?: boolean } = {},
): FleetSimOptions {
  return {
    managementClusters,
    clusters,
    seed: 'shipyard-bench',
    timing: { stepMs: 1000 },
    machinesPerCluster: 10,
    anomalies: options.anomalies ?? true,
  };
}
