/**
 * The model of a generated fleet: management clusters with their ClusterClasses and namespaces, and workload
 * clusters with their flavor, names, labels, versions, pools, machines and state (healthy, provisioning, upgrading,
 * degraded, control plane down, unreachable). The same seed always gives the same fleet.
 */
import {
  Distribution,
  Flavor,
  INSTANCE_TYPES,
  KUBERNETES_VERSIONS,
  REGIONS,
  flavor,
} from '../capi/distributions';
import { LABELS } from '../capi/kinds';
import { Random } from '../util/random';

export type SeedState =
  | 'healthy'
  | 'provisioning'
  | 'upgrading'
  | 'degraded'
  | 'controlPlaneDown'
  | 'unreachable';

export interface SeedPool {
  /** Topology name (`md-0`) or pool name. */
  name: string;
  workerClass: string;
  objectName: string;
  setName: string;
  hash: string;
  replicas: number;
  machines: string[];
  instanceType: string;
}

export interface SeedClusterClass {
  name: string;
  flavor: Flavor;
  profileVersion: string;
  description: string;
}

export interface SeedCluster {
  index: number;
  management: string;
  namespace: string;
  name: string;
  flavor: Flavor;
  /** Kubernetes version the machines run. */
  kube: string;
  /** Desired Kubernetes version (differs while upgrading). */
  targetKube: string;
  className?: string;
  labels: Record<string, string>;
  createdAt: number;
  region: string;
  infraName: string;
  controlPlaneName: string;
  controlPlaneReplicas: number;
  controlPlaneMachines: string[];
  pools: SeedPool[];
  state: SeedState;
  team?: string;
  environment: string;
}

export interface SeedManagement {
  name: string;
  kubernetesVersion: string;
  classes: SeedClusterClass[];
  namespaces: string[];
}

export interface FleetModel {
  seed: string;
  teams: string[];
  managements: SeedManagement[];
  clusters: SeedCluster[];
}

export interface FleetGenerationOptions {
  managementClusters: number;
  clusters: number;
  seed: string | number;
  teams: string[];
  managementNames?: string[];
  /** Include provisioning, upgrading and unhealthy clusters (default true). */
  anomalies: boolean;
  now: number;
  /**
   * Scales the worker replicas of every pool (default 1: about 8.9 Machines per cluster on average, control
   * planes included). Changes the random fleet when set.
   */
  workerScale?: number;
}

const FLAVOR_WEIGHTS: ReadonlyArray<readonly [string, number]> = [
  ['kubeadm/docker', 18],
  ['kubeadm/aws', 8],
  ['eks/aws', 18],
  ['aks/azure', 12],
  ['gke/gcp', 10],
  ['k3s/docker', 10],
  ['k0s/docker', 5],
  ['rke2/aws', 8],
  ['openshift/aws', 8],
];

const SYSTEMS = [
  'payments',
  'checkout',
  'search',
  'identity',
  'data',
  'mlserving',
  'observability',
  'edge',
  'catalog',
  'billing',
];
const ENVIRONMENTS: ReadonlyArray<readonly [string, number]> = [
  ['prod', 35],
  ['staging', 25],
  ['dev', 30],
  ['sandbox', 10],
];
const LIFECYCLE: Record<string, string> = {
  prod: 'production',
  staging: 'staging',
  dev: 'development',
  sandbox: 'experimental',
};

const CLASS_CATALOG: Array<{
  name: string;
  flavor: string;
  description: string;
}> = [
  {
    name: 'kubeadm-standard',
    flavor: 'kubeadm/docker',
    description:
      'kubeadm on the Dev provider with Calico, three control plane machines for production',
  },
  {
    name: 'k3s-edge',
    flavor: 'k3s/docker',
    description: 'Lightweight k3s for edge sites',
  },
  {
    name: 'eks-standard',
    flavor: 'eks/aws',
    description:
      'Amazon EKS with managed control plane and self-managed node groups',
  },
  {
    name: 'rke2-secure',
    flavor: 'rke2/aws',
    description: 'RKE2 with CIS hardening on AWS',
  },
  {
    name: 'kubeadm-aws',
    flavor: 'kubeadm/aws',
    description: 'kubeadm on AWS EC2',
  },
];

const PROFILES_BY_DISTRIBUTION: Record<Distribution, string[]> = {
  kubeadm: ['kubeadm-standard', 'kubeadm-hardened'],
  k3s: ['k3s-edge'],
  k0s: ['k0s-lightweight'],
  rke2: ['rke2-secure'],
  eks: ['eks-standard', 'eks-gpu'],
  aks: ['aks-standard'],
  gke: ['gke-standard', 'gke-autopilot'],
  openshift: ['rosa-hcp'],
};

const PROFILE_VERSIONS = ['1.0.0', '1.1.0', '1.2.0', '2.0.0', '2.1.0'];

/**
 * The cluster profiles of the portal's demo catalog (`plugins/catalog-backend-module-shipyard/catalog/profiles` in the repository) with their versions,
 * newest first: the demo's clusters are labelled with these, so every relation of the demo catalog resolves. The
 * clusters of a ClusterClass without a curated profile (kubeadm-aws) name the profile generated from their class.
 */
const DEMO_PROFILE_VERSIONS: Record<string, readonly string[]> = {
  'kubeadm-standard': ['2.1.0', '2.0.0'],
  'kubeadm-hardened': ['1.0.0'],
  'k3s-edge': ['1.1.0'],
  'k0s-lightweight': ['1.0.0'],
  'rke2-secure': ['1.2.0', '1.1.0'],
  'eks-standard': ['2.0.0', '1.2.0', '1.1.0', '1.0.0'],
  'eks-gpu': ['1.1.0', '1.0.0'],
  'aks-standard': ['1.2.0'],
  'gke-standard': ['1.2.0'],
  'gke-autopilot': ['1.0.0'],
  'rosa-hcp': ['0.3.0'],
};

/** A version of a demo profile (any of them for a name the demo catalog does not curate). */
function demoProfileVersion(r: Random, profile: string): string {
  return r.pick(DEMO_PROFILE_VERSIONS[profile] ?? PROFILE_VERSIONS);
}

function regionShort(region: string): string {
  const parts = region.split('-');
  if (parts.length >= 3) return `${parts[0]}${parts[1][0]}${parts[2]}`;
  if (parts.length === 2) return `${parts[0]}${parts[1]}`;
  return region.replace(/[^a-z0-9]/g, '').slice(0, 8);
}

export function defaultManagementNames(count: number): string[] {
  const regions = ['eu', 'us', 'ap'];
  return Array.from(
    { length: count },
    (_, i) =>
      `mgmt-${regions[i % regions.length]}-${
        Math.floor(i / regions.length) + 1
      }`,
  );
}

/** Generates the fleet deterministically from the options (same seed, same fleet). */
export function generateFleet(options: FleetGenerationOptions): FleetModel {
  const seed = String(options.seed);
  const rng = new Random(`fleet:${seed}`);
  const teams = options.teams.length ? options.teams : ['team-a'];
  const names =
    options.managementNames ??
    defaultManagementNames(options.managementClusters);
  const managements: SeedManagement[] = names
    .slice(0, options.managementClusters)
    .map((name, i) => {
      const count = 3 - (i % 3);
      const start = rng.int(0, CLASS_CATALOG.length - 1);
      const classes: SeedClusterClass[] = [];
      classes.push({
        ...CLASS_CATALOG[0],
        flavor: flavor('kubeadm', 'docker'),
        profileVersion: demoProfileVersion(rng, CLASS_CATALOG[0].name),
      });
      for (let k = 0; classes.length < count && k < CLASS_CATALOG.length; k++) {
        const entry = CLASS_CATALOG[(start + k) % CLASS_CATALOG.length];
        if (classes.some(c => c.name === entry.name)) continue;
        const [d, p] = entry.flavor.split('/');
        classes.push({
          name: entry.name,
          flavor: flavor(d as Distribution, p as Flavor['provider']),
          description: entry.description,
          profileVersion: demoProfileVersion(rng, entry.name),
        });
      }
      return {
        name,
        kubernetesVersion: rng.pick(['v1.34.7', 'v1.35.5', 'v1.35.5']),
        classes,
        namespaces: [
          'default',
          'kube-system',
          'kube-public',
          'kube-node-lease',
          'capi-system',
          'fleet-shared',
          ...teams,
        ],
      };
    });

  const clusters: SeedCluster[] = [];
  const used = new Set<string>();
  for (let i = 0; i < options.clusters; i++) {
    const r = rng.fork(`cluster-${i}`);
    const mgmt = managements[i % managements.length];
    const [dist, provider] = r.weighted(FLAVOR_WEIGHTS).split('/');
    const fl = flavor(dist as Distribution, provider as Flavor['provider']);
    const cls = mgmt.classes.find(c => c.flavor === fl);
    const useClass = cls !== undefined && r.chance(0.85);
    const environment = r.weighted(ENVIRONMENTS);
    const team = r.pick(teams);
    const system = r.chance(0.7) ? r.pick(SYSTEMS) : undefined;
    const region = r.pick(REGIONS[fl.provider]);
    const placement = r.next();
    let namespace: string;
    const labels: Record<string, string> = {};
    let owned: string | undefined = team;
    if (placement < 0.5) {
      namespace = team;
      labels[LABELS.owner] = team;
    } else if (placement < 0.75) {
      namespace = team;
    } else if (placement < 0.92) {
      namespace = r.chance(0.5) ? 'default' : 'fleet-shared';
      labels[LABELS.owner] = team;
    } else {
      namespace = 'default';
      owned = undefined;
    }
    if (system) labels[LABELS.system] = system;
    labels[LABELS.lifecycle] = LIFECYCLE[environment];
    labels[LABELS.environment] = environment;
    if (fl.provider !== 'docker') labels[LABELS.region] = region;
    if (useClass && cls && r.chance(0.8)) {
      // requested from the class's curated profile, or from the profile the portal generates from the class
      // (named <management cluster>--<namespace>--<class>, as the catalog names it)
      labels[LABELS.profile] = DEMO_PROFILE_VERSIONS[cls.name]
        ? cls.name
        : `${mgmt.name}--${namespace}--${cls.name}`;
      labels[LABELS.profileVersion] = cls.profileVersion;
    } else if (!useClass && r.chance(0.5)) {
      const profile = r.pick(PROFILES_BY_DISTRIBUTION[fl.distribution]);
      labels[LABELS.profile] = profile;
      labels[LABELS.profileVersion] = demoProfileVersion(r, profile);
    }
    let base = `${system ?? owned ?? 'shared'}-${environment}-${regionShort(
      region,
    )}`;
    if (base.length > 40) base = base.slice(0, 40);
    let n = 1;
    let name = `${base}-${String(n).padStart(2, '0')}`;
    while (used.has(`${mgmt.name}/${namespace}/${name}`)) {
      n++;
      name = `${base}-${String(n).padStart(2, '0')}`;
    }
    used.add(`${mgmt.name}/${namespace}/${name}`);

    const kube = r.weighted(KUBERNETES_VERSIONS);
    let state: SeedState = 'healthy';
    if (options.anomalies) {
      const roll = r.next();
      if (roll < 0.04) state = 'provisioning';
      else if (roll < 0.06 && useClass) state = 'upgrading';
      else if (roll < 0.1) state = 'degraded';
      else if (roll < 0.115) state = 'controlPlaneDown';
      else if (roll < 0.13) state = 'unreachable';
    }
    if (state === 'provisioning' && !useClass) state = 'healthy';
    let targetKube = kube;
    if (state === 'upgrading') {
      const idx = KUBERNETES_VERSIONS.findIndex(([v]) => v === kube);
      targetKube = idx > 0 ? KUBERNETES_VERSIONS[idx - 1][0] : kube;
      if (targetKube === kube) state = 'healthy';
    }
    const prod = environment === 'prod';
    let controlPlaneReplicas = 0;
    if (fl.machineControlPlane)
      controlPlaneReplicas = prod ? 3 : r.pick([1, 1, 3]);
    const infraName = useClass ? `${name}-${r.suffix()}` : name;
    const controlPlaneName = useClass
      ? `${name}-${r.suffix()}`
      : `${name}-control-plane`;
    const controlPlaneMachines = Array.from(
      { length: controlPlaneReplicas },
      () => `${controlPlaneName}-${r.suffix()}`,
    );
    const poolCount = prod ? r.int(2, 3) : r.int(1, 3);
    const pools: SeedPool[] = [];
    for (let p = 0; p < poolCount; p++) {
      const poolName = fl.workers === 'MachinePool' ? `pool${p}` : `md-${p}`;
      const objectName = useClass
        ? `${name}-${poolName}-${r.suffix()}`
        : `${name}-${poolName}`;
      const hash = r.suffix(10);
      const setName = `${objectName}-${r.suffix()}`;
      const drawn = prod ? r.int(3, 12) : r.int(2, 6);
      const replicas =
        options.workerScale !== undefined && options.workerScale !== 1
          ? Math.max(1, Math.round(drawn * options.workerScale))
          : drawn;
      const machines =
        fl.workers === 'MachineDeployment'
          ? Array.from({ length: replicas }, () => `${setName}-${r.suffix()}`)
          : [];
      pools.push({
        name: poolName,
        workerClass: p === 1 && useClass ? 'default-worker' : 'default-worker',
        objectName,
        setName,
        hash,
        replicas,
        machines,
        instanceType: r.pick(INSTANCE_TYPES[fl.provider]),
      });
    }
    const ageDays = state === 'provisioning' ? 0 : r.int(1, 700);
    clusters.push({
      index: i,
      management: mgmt.name,
      namespace,
      name,
      flavor: fl,
      kube,
      targetKube,
      className: useClass ? cls?.name : undefined,
      labels,
      createdAt:
        state === 'provisioning'
          ? options.now - r.int(1, 30) * 1000
          : options.now - ageDays * 86_400_000 - r.int(0, 86_399) * 1000,
      region,
      infraName,
      controlPlaneName,
      controlPlaneReplicas,
      controlPlaneMachines,
      pools,
      state,
      team: owned,
      environment,
    });
  }
  return { seed, teams, managements, clusters };
}
