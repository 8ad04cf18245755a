import type { FleetSim } from '@shipyard/fleet-sim';
import { SimKube } from '@shipyard/test-utils';

/** The suites' client of a simulated cluster's Kubernetes API (the one of `@shipyard/test-utils`). */
export { SimKube };

/** One cluster as the simulator holds it, reduced to what the backend's summary must agree with. */
export interface GroundTruthCluster {
  key: string;
  owner: string;
  provider?: string;
  distribution?: string;
  profile?: string;
  system?: string;
  phase: string;
  machineCount: number;
  deleting: boolean;
  /** The Kubernetes minor the cluster is declared to run (the simulator's target version). */
  kubernetesMinor?: string;
}

function minorOf(version: unknown): string | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(typeof version === 'string' ? version : '');
  return m ? `${m[1]}.${m[2]}` : undefined;
}

/**
 * The simulator's ground truth: clusters and machine counts as its Kubernetes API lists them, provider and
 * distribution from the generated fleet model (clusters created by a test inherit them from their class).
 */
export async function groundTruth(
  sim: FleetSim,
  defaultOwner: string,
): Promise<Map<string, GroundTruthCluster>> {
  type Flavor = { provider: string; distribution: string };
  const flavors = new Map<string, Flavor>();
  const classFlavors = new Map<string, Flavor>();
  const minors = new Map<string, string | undefined>();
  for (const c of sim.model.clusters) {
    flavors.set(`${c.management}/${c.namespace}/${c.name}`, c.flavor);
    minors.set(
      `${c.management}/${c.namespace}/${c.name}`,
      minorOf(c.targetKube),
    );
    if (c.className)
      classFlavors.set(`${c.management}/${c.className}`, c.flavor);
  }
  const out = new Map<string, GroundTruthCluster>();
  for (const mc of sim.managementClusters) {
    const kube = new SimKube(mc);
    const [clusters, machines] = await Promise.all([
      kube.list('clusters'),
      kube.list('machines'),
    ]);
    const machineCounts = new Map<string, number>();
    for (const m of machines) {
      const cluster =
        m.spec?.clusterName ??
        m.metadata.labels?.['cluster.x-k8s.io/cluster-name'];
      const k = `${m.metadata.namespace}/${cluster}`;
      machineCounts.set(k, (machineCounts.get(k) ?? 0) + 1);
    }
    for (const c of clusters) {
      const key = `${mc.name}/${c.metadata.namespace}/${c.metadata.name}`;
      const labels: Record<string, string> = c.metadata.labels ?? {};
      const owner = labels['shipyard.io/owner'];
      // clusters created by tests share the flavor of their ClusterClass
      const flavor =
        flavors.get(key) ??
        classFlavors.get(`${mc.name}/${c.spec?.topology?.classRef?.name}`);
      out.set(key, {
        key,
        owner: owner ? `group:default/${owner}` : defaultOwner,
        provider: flavor?.provider,
        distribution: flavor?.distribution,
        profile: labels['shipyard.io/profile'],
        system: labels['shipyard.io/system']
          ? `system:default/${labels['shipyard.io/system']}`
          : undefined,
        phase: c.status?.phase ?? 'Unknown',
        machineCount:
          machineCounts.get(`${c.metadata.namespace}/${c.metadata.name}`) ?? 0,
        deleting: Boolean(c.metadata.deletionTimestamp),
        kubernetesMinor: minors.has(key)
          ? minors.get(key)
          : minorOf(c.spec?.topology?.version),
      });
    }
  }
  return out;
}
