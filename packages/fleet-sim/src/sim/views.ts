/** What the running simulator reports: its clusters, statistics, kubeconfig and stored changes. */
import { TYPE_IDS } from '../capi/kinds';
import { snapshotText } from '../store/store';
import { Fleet, workloadUrl } from './fleet';
import { renderKubeconfig } from './kubeconfig';
import {
  FleetSimChange,
  FleetSimStats,
  ManagementClusterInfo,
  WorkloadClusterInfo,
} from './types';

export function managementInfos(fleet: Fleet): ManagementClusterInfo[] {
  return [...fleet.managements.values()].map(mc => ({
    name: mc.name,
    url: `${fleet.baseUrl}/clusters/${mc.name}`,
    caData: fleet.caData,
    token: mc.token,
    viewerToken: mc.viewerToken,
    kubernetesVersion: mc.options.kubernetesVersion,
  }));
}

/** The kubeconfig text with one context per management cluster. */
export function fleetKubeconfig(fleet: Fleet): string {
  return renderKubeconfig(
    managementInfos(fleet).map(m => ({
      name: m.name,
      server: m.url,
      caData: m.caData,
      token: m.token,
    })),
  );
}

export function workloadInfos(fleet: Fleet): WorkloadClusterInfo[] {
  const out: WorkloadClusterInfo[] = [];
  for (const w of fleet.workloads.all()) {
    const seedInfo = fleet.seedClusters.get(w.id);
    const cluster = w.management.api.store.get(
      TYPE_IDS.cluster,
      `${w.namespace}/${w.name}`,
    );
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(
      cluster?.labels ?? seedInfo?.labels ?? {},
    ))
      labels[k] = v;
    out.push({
      management: w.management.name,
      namespace: w.namespace,
      name: w.name,
      url: workloadUrl(fleet, w.management.name, w.namespace, w.name),
      caData: fleet.caData,
      token: fleet.workloadToken(w.id),
      distribution: w.flavor.distribution,
      provider: w.flavor.provider,
      kubernetesVersion: seedInfo ? seedInfo.kube : w.kubeVersion(),
      labels,
    });
  }
  return out;
}

export function fleetStats(fleet: Fleet): FleetSimStats {
  let objects = 0;
  let machines = 0;
  let watches = 0;
  const resourceVersions: Record<string, string> = {};
  for (const mc of fleet.managements.values()) {
    for (const c of mc.api.store.allCollections()) objects += c.entries.size;
    machines += mc.api.store.collection(TYPE_IDS.machine).entries.size;
    resourceVersions[mc.name] = String(mc.api.store.currentRv);
    watches += mc.http.watches.size;
  }
  return {
    managementClusters: fleet.managements.size,
    workloadClusters: fleet.workloads.size,
    objects,
    machines,
    resourceVersions,
    watches,
    heldRequests: fleet.server?.heldRequests ?? 0,
    requests: fleet.requestCounter.stats(),
  };
}

/** Serializes every stored object once, yielding to the event loop between chunks (see `FleetSim.warm`). */
export async function warm(fleet: Fleet): Promise<void> {
  for (const mc of fleet.managements.values()) {
    for (const c of mc.api.store.allCollections()) {
      let n = 0;
      for (const entry of c.entries.values()) {
        entry.text();
        if (++n % 2000 === 0) await new Promise(r => setImmediate(r));
      }
    }
  }
}

/** Calls `listener` with every stored change of every management cluster; returns a function that unsubscribes. */
export function onChange(
  fleet: Fleet,
  listener: (change: FleetSimChange) => void,
): () => void {
  const unsubscribes = [...fleet.managements.values()].map(mc =>
    mc.api.store.subscribe(event => {
      const slash = event.key.indexOf('/');
      listener({
        managementCluster: mc.name,
        resource: event.collection.type.id,
        kind: event.collection.type.kind,
        type: event.type,
        namespace: slash < 0 ? '' : event.key.slice(0, slash),
        name: slash < 0 ? event.key : event.key.slice(slash + 1),
        resourceVersion: String(event.rv),
        json: event.json,
        previousJson: () => (event.prev ? snapshotText(event.prev) : undefined),
      });
    }),
  );
  return () => unsubscribes.forEach(u => u());
}
