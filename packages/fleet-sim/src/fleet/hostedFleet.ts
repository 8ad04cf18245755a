/**
 * Kubernetes managing Kubernetes, added to a generated fleet on request: clusters whose control planes a management
 * cluster hosts as pods (k0smotron, Kamaji), and the management chain, where the first management cluster manages
 * itself (self-hosted) and every other management cluster is one of its Clusters. Drawn from their own random
 * stream, so the rest of the fleet is the same with or without them.
 */
import {
  HostedControlPlaneProvider,
  INSTANCE_TYPES,
  KUBERNETES_VERSIONS,
  flavor,
  hostedFlavor,
} from '../capi/distributions';
import { LABELS } from '../capi/kinds';
import { Random } from '../util/random';
import { FleetModel, SeedCluster, SeedClusterClass, SeedPool } from './model';

/**
 * The demo catalog's profiles of hosted control planes, by provider; each is backed by the ClusterClass of the same
 * name, which every management cluster of a fleet with hosted control planes serves.
 */
export const HOSTED_PROFILES: Record<HostedControlPlaneProvider, string> = {
  k0smotron: 'k0smotron-hosted',
  kamaji: 'kamaji-hosted',
};

/** The version of the hosted profiles the seeded clusters and the ClusterClasses carry. */
export const HOSTED_PROFILE_VERSION = '1.0.0';

const HOSTED_CLASS_DESCRIPTIONS: Record<HostedControlPlaneProvider, string> = {
  k0smotron:
    'k0s control plane run by k0smotron as a StatefulSet in the management cluster, workers on the Dev provider',
  kamaji:
    'Kubernetes control plane run by Kamaji as a Deployment in the management cluster, workers on the Dev provider',
};

/** The ClusterClasses of hosted control planes, one per provider. */
export function hostedClusterClasses(): SeedClusterClass[] {
  return (['k0smotron', 'kamaji'] as const).map(provider => ({
    name: HOSTED_PROFILES[provider],
    flavor: hostedFlavor(provider),
    profileVersion: HOSTED_PROFILE_VERSION,
    description: HOSTED_CLASS_DESCRIPTIONS[provider],
  }));
}

/** The namespace of a management cluster's Clusters of management clusters. */
export const MANAGEMENT_NAMESPACE = 'management';

const LIFECYCLE: Record<string, string> = {
  prod: 'production',
  staging: 'staging',
  dev: 'development',
};

/** The team that owns the management clusters. */
export const PLATFORM_TEAM = 'platform-team';

export interface HostedFleetOptions {
  /** Clusters with a hosted control plane, spread over the management clusters (default 0). */
  hostedControlPlanes?: number;
  /** The first management cluster manages itself and the others (default false). */
  managementChain?: boolean;
  now: number;
}

function pools(
  r: Random,
  name: string,
  count: number,
  replicas: () => number,
): SeedPool[] {
  return Array.from({ length: count }, (_, p) => {
    const objectName = `${name}-md-${p}`;
    const setName = `${objectName}-${r.suffix()}`;
    const n = replicas();
    return {
      name: `md-${p}`,
      workerClass: 'default-worker',
      objectName,
      setName,
      hash: r.suffix(10),
      replicas: n,
      machines: Array.from({ length: n }, () => `${setName}-${r.suffix()}`),
      instanceType: r.pick(INSTANCE_TYPES.docker),
    };
  });
}

/** Adds the hosted control plane clusters and the management chain to `model` (in place). */
export function addHostedFleet(
  model: FleetModel,
  options: HostedFleetOptions,
): void {
  const rng = new Random(`hosted:${model.seed}`);
  const used = new Set(
    model.clusters.map(c => `${c.management}/${c.namespace}/${c.name}`),
  );
  const managements = model.managements;
  if (!managements.length) return;
  const count = Math.max(0, Math.floor(options.hostedControlPlanes ?? 0));
  if (count > 0) {
    // every management cluster can host control planes: the profiles choose which ones take new requests
    for (const m of managements) {
      for (const cls of hostedClusterClasses()) {
        if (!m.classes.some(c => c.name === cls.name)) m.classes.push(cls);
      }
    }
  }
  for (let i = 0; i < count; i++) {
    const r = rng.fork(`hcp-${i}`);
    const mgmt = managements[i % managements.length];
    const provider: HostedControlPlaneProvider =
      i % 2 === 0 ? 'k0smotron' : 'kamaji';
    const team = r.pick(model.teams);
    const environment = r.pick(['prod', 'staging', 'dev']);
    let n = 1;
    let name = `${team}-${provider}-${environment}-01`;
    while (used.has(`${mgmt.name}/${team}/${name}`)) {
      n++;
      name = `${team}-${provider}-${environment}-${String(n).padStart(2, '0')}`;
    }
    used.add(`${mgmt.name}/${team}/${name}`);
    const state = 'healthy';
    const kube = r.weighted(KUBERNETES_VERSIONS.slice(0, 4));
    model.clusters.push({
      index: model.clusters.length,
      management: mgmt.name,
      namespace: team,
      name,
      flavor: hostedFlavor(provider),
      kube,
      targetKube: kube,
      className: HOSTED_PROFILES[provider],
      labels: {
        [LABELS.owner]: team,
        [LABELS.lifecycle]: LIFECYCLE[environment],
        [LABELS.environment]: environment,
        [LABELS.profile]: HOSTED_PROFILES[provider],
        [LABELS.profileVersion]: HOSTED_PROFILE_VERSION,
      },
      createdAt: options.now - r.int(1, 200) * 86_400_000,
      region: 'local',
      infraName: name,
      controlPlaneName: `${name}-control-plane`,
      controlPlaneReplicas: environment === 'prod' ? 3 : 2,
      controlPlaneMachines: [],
      pools: pools(r, name, 1, () => r.int(2, 4)),
      state,
      team,
      environment,
    });
  }
  if (!options.managementChain) return;
  const root = managements[0];
  if (!root.namespaces.includes(MANAGEMENT_NAMESPACE))
    root.namespaces.push(MANAGEMENT_NAMESPACE);
  for (const served of managements) {
    const r = rng.fork(`management-${served.name}`);
    const name = served.name;
    const kube = served.kubernetesVersion;
    const cpName = `${name}-control-plane`;
    const cluster: SeedCluster = {
      index: model.clusters.length,
      management: root.name,
      namespace: MANAGEMENT_NAMESPACE,
      name,
      flavor: flavor('kubeadm', 'docker'),
      kube,
      targetKube: kube,
      labels: {
        [LABELS.owner]: PLATFORM_TEAM,
        [LABELS.lifecycle]: 'production',
        [LABELS.environment]: 'prod',
        [LABELS.isManagementCluster]: name,
      },
      createdAt: options.now - r.int(300, 700) * 86_400_000,
      region: 'local',
      infraName: name,
      controlPlaneName: cpName,
      controlPlaneReplicas: 3,
      controlPlaneMachines: Array.from(
        { length: 3 },
        () => `${cpName}-${r.suffix()}`,
      ),
      pools: pools(r, name, 1, () => 3),
      state: 'healthy',
      team: PLATFORM_TEAM,
      environment: 'prod',
    };
    model.clusters.push(cluster);
  }
}
