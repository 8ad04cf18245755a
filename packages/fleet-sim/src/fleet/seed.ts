import {
  Distribution,
  Flavor,
  KUBERNETES_VERSIONS,
  INSTANCE_TYPES,
  KindRef,
  REGIONS,
  flavor,
  controlPlaneVersion,
  specVersion,
  zoneOf,
} from '../capi/distributions';
import { clusterStatus } from '../capi/cluster';
import {
  Counts,
  addCounts,
  conditions,
  counts,
  yes,
  no,
  ZERO,
} from '../capi/conditions';
import { controlPlaneObject, controlPlaneStatus } from '../capi/controlPlane';
import { infraClusterObject, infraStatus } from '../capi/infrastructure';
import {
  CAPI_VERSION,
  FINALIZERS,
  LABELS,
  TYPE_IDS,
  apiVersion,
  clusterOwner,
  objectMeta,
  ownerRef,
  ts,
  typeIdFor,
} from '../capi/kinds';
import { kubeconfigSecret, kubeconfigText } from '../capi/kubeconfig';
import {
  bootstrapConfigKind,
  infraMachineKind,
  infraMachineObject,
  machineObject,
  machineStatus,
  nodeNameFor,
  providerId,
} from '../capi/machine';
import {
  infraMachinePoolObject,
  machineDeploymentObject,
  machineHealthCheckObject,
  machinePoolObject,
  machineSetObject,
  replicaStatus,
} from '../capi/workers';
import { labelSelectorString } from '../api/selectors';
import { LazySource, ObjectStore, objectKey } from '../store/store';
import { JsonObject } from '../util/json';
import { Random, stableUid } from '../util/random';

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
        profileVersion: rng.pick(PROFILE_VERSIONS),
      });
      for (let k = 0; classes.length < count && k < CLASS_CATALOG.length; k++) {
        const entry = CLASS_CATALOG[(start + k) % CLASS_CATALOG.length];
        if (classes.some(c => c.name === entry.name)) continue;
        const [d, p] = entry.flavor.split('/');
        classes.push({
          name: entry.name,
          flavor: flavor(d as Distribution, p as Flavor['provider']),
          description: entry.description,
          profileVersion: rng.pick(PROFILE_VERSIONS),
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
      labels[LABELS.profile] = cls.name;
      labels[LABELS.profileVersion] = cls.profileVersion;
    } else if (!useClass && r.chance(0.5)) {
      labels[LABELS.profile] = r.pick(
        PROFILES_BY_DISTRIBUTION[fl.distribution],
      );
      labels[LABELS.profileVersion] = r.pick(PROFILE_VERSIONS);
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

/** What seeded objects need to know about the running simulator. */
export interface SeedContext {
  salt: string;
  /** Workload API server URL of a cluster. */
  workloadUrl(c: SeedCluster): string;
  workloadToken(c: SeedCluster): string;
  caData: string;
  /** The faults injected into a cluster at start; its seeded objects show them. */
  faults?(c: SeedCluster): SeededFaults | undefined;
  /** When the remote connection probe of an unreachable cluster last succeeded. */
  probedAt?: number;
}

/** The faults of a seeded cluster that show in its objects. */
export interface SeededFaults {
  unreachable?: string;
  nodesNotReady?: number;
  controlPlaneDown?: boolean;
}

const NODE_NOT_READY = '* Node.Ready: kubelet stopped posting node status';

/** The RemoteConnectionProbe message of a cluster with faults, as the controller writes it. */
function remoteMessage(
  unreachable: boolean,
  cpDown: boolean,
  probedAt: number,
): string | undefined {
  if (unreachable)
    return `Remote connection probe failed, probe last succeeded at ${ts(
      probedAt,
    )}`;
  if (cpDown)
    return 'Remote connection probe failed: the server is currently unable to handle the request';
  return undefined;
}

/** The Available message of a control plane that is down, as the controller writes it. */
function cpDownMessage(fl: Flavor): string {
  return fl.machineControlPlane
    ? '* EtcdClusterHealthy: etcd members are not healthy'
    : 'control plane endpoint is not responding';
}

/** Index of a machine among the cluster's machines (control plane first), as addresses are handed out. */
function machineIndex(c: SeedCluster, pool: number, machine: number): number {
  return (
    3 +
    c.pools.slice(0, pool).reduce((s, p) => s + p.machines.length, 0) +
    machine
  );
}

/** Worker Machines whose Node is NotReady: the first `nodesNotReady` by node name, as the controller picks them. */
function notReadyWorkers(
  c: SeedCluster,
  f: SeededFaults | undefined,
): Set<string> {
  const n = f?.nodesNotReady ?? 0;
  if (!n || c.flavor.workers !== 'MachineDeployment') return new Set();
  const machineOf = new Map<string, string>();
  c.pools.forEach((pool, i) =>
    pool.machines.forEach((m, j) =>
      machineOf.set(
        nodeNameFor(c.flavor, c.region, m, ip(c, machineIndex(c, i, j))),
        m,
      ),
    ),
  );
  const nodes = [...machineOf.keys()].sort().slice(0, n);
  return new Set(nodes.map(node => machineOf.get(node) ?? ''));
}

/** Counts of a worker pool with its NotReady nodes (a MachinePool loses `nodesNotReady` of its replicas). */
function poolCountsOf(
  c: SeedCluster,
  pool: SeedPool,
  f: SeededFaults | undefined,
  notReady: Set<string>,
): Counts {
  const down =
    c.flavor.workers === 'MachinePool'
      ? Math.min(f?.nodesNotReady ?? 0, pool.replicas)
      : pool.machines.filter(m => notReady.has(m)).length;
  return counts(pool.replicas, pool.replicas, pool.replicas - down);
}

function uidOf(
  ctx: SeedContext,
  typeId: string,
  namespace: string,
  name: string,
): string {
  return stableUid(`${ctx.salt}/${typeId}/${namespace}/${name}`);
}

function ip(c: SeedCluster, n: number): string {
  return `10.${(c.index >> 8) & 255}.${c.index & 255}.${10 + n}`;
}

function hexOf(text: string): string {
  return new Random(text).hex(17);
}

/** Timestamps of seeded objects: created with the cluster, ready a few minutes later. */
function readyAt(c: SeedCluster): number {
  return c.createdAt + 7 * 60_000;
}

function desiredSpecVersion(c: SeedCluster): string {
  return specVersion(c.flavor.distribution, c.targetKube);
}

function machineSpecVersion(c: SeedCluster): string {
  return specVersion(c.flavor.distribution, c.kube);
}

function templateRefs(c: SeedCluster, pool: SeedPool) {
  const fl = c.flavor;
  const infra = fl.machineTemplate ?? {
    group: 'infrastructure.cluster.x-k8s.io',
    version: 'v1beta2',
    kind: 'DevMachineTemplate',
  };
  const base = c.className ? `${c.className}-worker` : `${c.name}-${pool.name}`;
  return {
    infraTemplate: { kind: infra, name: base },
    bootstrapTemplate: fl.bootstrapTemplate
      ? { kind: fl.bootstrapTemplate, name: base }
      : undefined,
  };
}

/** Lazily built seeded objects. */
class Seeded implements LazySource {
  constructor(
    private readonly ctx: SeedContext,
    private readonly c: SeedCluster,
    private readonly what: SeedKind,
    private readonly a = 0,
    private readonly b = 0,
    /** The cluster's faults when it was seeded (later faults are the controller's to show). */
    private readonly faults?: SeededFaults,
  ) {}

  build(): JsonObject {
    return buildSeeded(
      this.ctx,
      this.c,
      this.what,
      this.a,
      this.b,
      this.faults,
    );
  }
}

type SeedKind =
  | 'cluster'
  | 'infraCluster'
  | 'controlPlane'
  | 'cpMachine'
  | 'cpInfraMachine'
  | 'md'
  | 'ms'
  | 'machine'
  | 'infraMachine'
  | 'mp'
  | 'infraMp'
  | 'secret'
  | 'mhc'
  | 'cpTemplate'
  | 'workerInfraTemplate'
  | 'workerBootstrapTemplate';

function clusterUid(ctx: SeedContext, c: SeedCluster): string {
  return uidOf(ctx, TYPE_IDS.cluster, c.namespace, c.name);
}

function poolCounts(
  c: SeedCluster,
  f: SeededFaults | undefined,
  notReady: Set<string>,
): Counts {
  return c.pools.reduce(
    (acc, p) => addCounts(acc, poolCountsOf(c, p, f, notReady)),
    ZERO,
  );
}

function selectorFor(
  c: SeedCluster,
  pool: SeedPool,
  set: boolean,
): Record<string, string> {
  const s: Record<string, string> = {
    [LABELS.clusterName]: c.name,
    [LABELS.deploymentName]: pool.objectName,
  };
  if (set) s[LABELS.templateHash] = pool.hash;
  return s;
}

function workerLabels(c: SeedCluster, pool: SeedPool): Record<string, string> {
  const labels: Record<string, string> = {
    [LABELS.clusterName]: c.name,
    [LABELS.deploymentName]: pool.objectName,
    [LABELS.templateHash]: pool.hash,
    [LABELS.setName]: pool.setName,
  };
  if (c.className) {
    labels[LABELS.topologyOwned] = '';
    labels[LABELS.topologyDeploymentName] = pool.name;
  }
  return labels;
}

function cpMachineTemplate(
  c: SeedCluster,
): { kind: KindRef; name: string } | undefined {
  if (!c.flavor.machineControlPlane) return undefined;
  const kind = c.flavor.machineTemplate ?? {
    group: 'infrastructure.cluster.x-k8s.io',
    version: 'v1beta2',
    kind: 'DevMachineTemplate',
  };
  return {
    kind,
    name: c.className
      ? `${c.className}-control-plane`
      : `${c.name}-control-plane`,
  };
}

function buildSeeded(
  ctx: SeedContext,
  c: SeedCluster,
  what: SeedKind,
  a: number,
  b: number,
  f: SeededFaults | undefined,
): JsonObject {
  const fl = c.flavor;
  const at = readyAt(c);
  const cUid = clusterUid(ctx, c);
  const cpRef = fl.controlPlane;
  const cpUid = uidOf(ctx, typeIdFor(cpRef), c.namespace, c.controlPlaneName);
  const gen = 1;
  const cpDown = f?.controlPlaneDown === true;
  const unreachable = f?.unreachable !== undefined;
  const notReady = () => notReadyWorkers(c, f);
  /** Control plane counts: its Machines are NotReady while the control plane is down. */
  const cpCountsOf = () => {
    const n = c.controlPlaneReplicas;
    return cpDown && fl.machineControlPlane ? counts(n, n, 0) : counts(n);
  };
  switch (what) {
    case 'cluster': {
      const spec: JsonObject = {
        clusterNetwork: {
          pods: { cidrBlocks: ['192.168.0.0/16'] },
          services: { cidrBlocks: ['10.128.0.0/12'] },
          serviceDomain: 'cluster.local',
        },
        controlPlaneEndpoint: {
          host: `${c.name}.${c.namespace}.${c.region}.fleet.internal`,
          port: fl.provider === 'docker' ? 6443 : 443,
        },
        controlPlaneRef: {
          apiGroup: cpRef.group,
          kind: cpRef.kind,
          name: c.controlPlaneName,
        },
        infrastructureRef: {
          apiGroup: fl.infraCluster.group,
          kind: fl.infraCluster.kind,
          name: c.infraName,
        },
      };
      if (c.className) {
        spec.topology = {
          classRef: { name: c.className },
          version: desiredSpecVersion(c),
          controlPlane: fl.machineControlPlane
            ? { replicas: c.controlPlaneReplicas }
            : {},
          workers: {
            machineDeployments: c.pools.map(p => ({
              class: p.workerClass,
              name: p.name,
              replicas: p.replicas,
            })),
          },
          variables: [
            { name: 'region', value: c.region },
            {
              name: 'instanceType',
              value: c.pools[0]?.instanceType ?? 'dev-small',
            },
            { name: 'cni', value: c.index % 3 === 0 ? 'calico' : 'cilium' },
            {
              name: 'podSecurityStandard',
              value: {
                enabled: true,
                enforce: c.environment === 'prod' ? 'restricted' : 'baseline',
                audit: 'restricted',
                warn: 'restricted',
              },
            },
          ],
        };
      }
      if (c.state === 'provisioning') {
        delete spec.controlPlaneRef;
        delete spec.infrastructureRef;
        delete spec.controlPlaneEndpoint;
        return {
          apiVersion: CAPI_VERSION,
          kind: 'Cluster',
          metadata: objectMeta({
            namespace: c.namespace,
            name: c.name,
            labels: c.labels,
            createdAt: c.createdAt,
            generation: gen,
          }),
          spec,
        };
      }
      return {
        apiVersion: CAPI_VERSION,
        kind: 'Cluster',
        metadata: objectMeta({
          namespace: c.namespace,
          name: c.name,
          labels: c.labels,
          finalizers: [FINALIZERS.cluster],
          createdAt: c.createdAt,
          generation: gen,
        }),
        spec,
        status: clusterStatus({
          phase: 'Provisioned',
          infraReady: true,
          cpInitialized: true,
          cpAvailable: !cpDown,
          cpMessage: cpDown
            ? 'Control plane is not available: etcd is not healthy'
            : undefined,
          remoteOk: !unreachable && !cpDown,
          remoteMessage: remoteMessage(unreachable, cpDown, ctx.probedAt ?? at),
          cp: cpCountsOf(),
          workers: poolCounts(c, f, notReady()),
          topology: Boolean(c.className),
          topologyOk: true,
          rollingOut: false,
          deleting: false,
          paused: false,
          generation: gen,
          at,
          failureDomains:
            fl.provider === 'docker'
              ? ['fd1', 'fd2', 'fd3']
              : [0, 1, 2].map(i => zoneOf(fl.provider, c.region, i)),
        }),
      };
    }
    case 'infraCluster': {
      const obj = infraClusterObject(
        fl,
        {
          namespace: c.namespace,
          name: c.infraName,
          labels: {
            [LABELS.clusterName]: c.name,
            ...(c.className ? { [LABELS.topologyOwned]: '' } : {}),
          },
          owners: [clusterOwner(c.name, cUid)],
          createdAt: c.createdAt,
          generation: 1,
        },
        c.name,
        c.region,
        true,
      );
      obj.status = infraStatus(fl.infraCluster, true, c.createdAt + 60_000);
      return obj;
    }
    case 'controlPlane': {
      const obj = controlPlaneObject(
        {
          namespace: c.namespace,
          name: c.controlPlaneName,
          labels: {
            [LABELS.clusterName]: c.name,
            ...(c.className ? { [LABELS.topologyOwned]: '' } : {}),
          },
          owners: [clusterOwner(c.name, cUid)],
          finalizers: fl.machineControlPlane ? [FINALIZERS.controlPlane] : [],
          createdAt: c.createdAt,
          generation: 1,
        },
        {
          flavor: fl,
          clusterName: c.name,
          replicas: c.controlPlaneReplicas,
          specVersion: fl.machineControlPlane
            ? machineSpecVersion(c)
            : controlPlaneVersion(fl.distribution, c.targetKube),
          region: c.region,
          machineTemplate: cpMachineTemplate(c),
        },
      );
      obj.status = controlPlaneStatus({
        flavor: fl,
        counts: cpCountsOf(),
        initialized: true,
        available: !cpDown,
        availableMessage: cpDown ? cpDownMessage(fl) : undefined,
        version: fl.machineControlPlane
          ? machineSpecVersion(c)
          : controlPlaneVersion(fl.distribution, c.targetKube),
        generation: 1,
        at,
        selector: `${LABELS.clusterName}=${c.name},${LABELS.controlPlane}`,
      });
      return obj;
    }
    case 'cpMachine':
    case 'machine': {
      const cp = what === 'cpMachine';
      const pool = cp ? undefined : c.pools[a];
      const name = cp ? c.controlPlaneMachines[a] : pool?.machines[b] ?? '';
      const n = cp ? a : machineIndex(c, a, b);
      const address = ip(c, n);
      const nodeReady = cp ? !cpDown : !notReady().has(name);
      const nodeName = nodeNameFor(fl, c.region, name, address);
      let labels: Record<string, string> = {
        [LABELS.clusterName]: c.name,
        [LABELS.controlPlane]: '',
        [LABELS.controlPlaneName]: c.controlPlaneName,
      };
      if (!cp) labels = pool ? workerLabels(c, pool) : {};
      const owner = cp
        ? ownerRef(apiVersion(cpRef), cpRef.kind, c.controlPlaneName, cpUid)
        : ownerRef(
            CAPI_VERSION,
            'MachineSet',
            pool?.setName ?? '',
            uidOf(ctx, TYPE_IDS.machineSet, c.namespace, pool?.setName ?? ''),
          );
      let bootstrapKind = bootstrapConfigKind(fl.bootstrapTemplate);
      if (cp) {
        bootstrapKind =
          fl.controlPlane.kind === 'KubeadmControlPlane'
            ? {
                group: 'bootstrap.cluster.x-k8s.io',
                version: 'v1beta2',
                kind: 'KubeadmConfig',
              }
            : undefined;
      }
      const infraKind = infraMachineKind(fl.machineTemplate) ?? fl.infraMachine;
      const failureDomain =
        fl.provider === 'docker'
          ? `fd${(n % 3) + 1}`
          : zoneOf(fl.provider, c.region, n);
      const pid = providerId(fl, c.region, name, n, hexOf(name));
      const created = c.createdAt + (cp ? a : 3) * 60_000;
      const obj = machineObject(
        {
          namespace: c.namespace,
          name,
          labels,
          owners: [owner],
          finalizers: [FINALIZERS.machine],
          createdAt: created,
          generation: 2,
        },
        {
          clusterName: c.name,
          version: machineSpecVersion(c),
          bootstrapKind,
          infraKind,
          providerID: pid,
          failureDomain,
        },
      );
      obj.status = machineStatus({
        phase: 'Running',
        nodeName,
        ip: address,
        providerID: pid,
        failureDomain,
        flavor: fl,
        kube: c.kube,
        nodeReady,
        nodeMessage: nodeReady ? undefined : NODE_NOT_READY,
        upToDate: true,
        generation: 2,
        at: created + 4 * 60_000,
        controlPlane: cp,
      });
      return obj;
    }
    case 'cpInfraMachine':
    case 'infraMachine': {
      const cp = what === 'cpInfraMachine';
      const name = cp
        ? c.controlPlaneMachines[a]
        : c.pools[a]?.machines[b] ?? '';
      const n = cp
        ? a
        : 3 +
          c.pools.slice(0, a).reduce((s, p) => s + p.machines.length, 0) +
          b;
      const kind = fl.infraMachine ?? {
        group: 'infrastructure.cluster.x-k8s.io',
        version: 'v1beta2',
        kind: 'DevMachine',
      };
      return infraMachineObject(
        kind,
        {
          namespace: c.namespace,
          name,
          labels: {
            [LABELS.clusterName]: c.name,
            ...(cp ? { [LABELS.controlPlane]: '' } : {}),
          },
          owners: [
            ownerRef(
              CAPI_VERSION,
              'Machine',
              name,
              uidOf(ctx, TYPE_IDS.machine, c.namespace, name),
            ),
          ],
          createdAt: c.createdAt + 3 * 60_000,
          generation: 1,
        },
        providerId(fl, c.region, name, n, hexOf(name)),
        true,
        ip(c, n),
        `fd${(n % 3) + 1}`,
      );
    }
    case 'md':
    case 'ms': {
      const pool = c.pools[a];
      const refs = templateRefs(c, pool);
      const isSet = what === 'ms';
      const labels: Record<string, string> = { [LABELS.clusterName]: c.name };
      if (c.className) {
        labels[LABELS.topologyOwned] = '';
        labels[LABELS.topologyDeploymentName] = pool.name;
      }
      if (isSet) {
        labels[LABELS.deploymentName] = pool.objectName;
        labels[LABELS.templateHash] = pool.hash;
      }
      const meta = {
        namespace: c.namespace,
        name: isSet ? pool.setName : pool.objectName,
        labels,
        owners: isSet
          ? [
              ownerRef(
                CAPI_VERSION,
                'MachineDeployment',
                pool.objectName,
                uidOf(
                  ctx,
                  TYPE_IDS.machineDeployment,
                  c.namespace,
                  pool.objectName,
                ),
              ),
            ]
          : [clusterOwner(c.name, cUid, false)],
        finalizers: [
          isSet ? FINALIZERS.machineSet : FINALIZERS.machineDeployment,
        ],
        createdAt: c.createdAt + 60_000,
        generation: 1,
      };
      const input = {
        clusterName: c.name,
        version: machineSpecVersion(c),
        ...refs,
      };
      const selector = selectorFor(c, pool, isSet);
      const obj = isSet
        ? machineSetObject(
            meta,
            pool.replicas,
            selector,
            workerLabels(c, pool),
            input,
          )
        : machineDeploymentObject(
            meta,
            pool.replicas,
            selectorFor(c, pool, false),
            workerLabels(c, pool),
            input,
          );
      obj.status = replicaStatus(isSet ? 'MachineSet' : 'MachineDeployment', {
        counts: poolCountsOf(c, pool, f, notReady()),
        generation: 1,
        at,
        selector: labelSelectorString({ matchLabels: selector }),
        versions: isSet
          ? undefined
          : [{ version: machineSpecVersion(c), replicas: pool.replicas }],
      });
      return obj;
    }
    case 'mp':
    case 'infraMp': {
      const pool = c.pools[a];
      const infraKind = fl.machinePoolInfra ?? {
        group: 'infrastructure.cluster.x-k8s.io',
        version: 'v1beta1',
        kind: 'AzureManagedMachinePool',
      };
      const labels = { [LABELS.clusterName]: c.name };
      if (what === 'infraMp') {
        return infraMachinePoolObject(
          infraKind,
          {
            namespace: c.namespace,
            name: pool.objectName,
            labels,
            owners: [
              ownerRef(
                CAPI_VERSION,
                'MachinePool',
                pool.objectName,
                uidOf(ctx, TYPE_IDS.machinePool, c.namespace, pool.objectName),
              ),
            ],
            createdAt: c.createdAt + 60_000,
            generation: 1,
          },
          pool.instanceType,
          pool.replicas,
          true,
          a === 0 ? 'System' : 'User',
        );
      }
      const obj = machinePoolObject(
        {
          namespace: c.namespace,
          name: pool.objectName,
          labels,
          owners: [clusterOwner(c.name, cUid, false)],
          finalizers: [FINALIZERS.machinePool],
          createdAt: c.createdAt + 60_000,
          generation: 1,
        },
        c.name,
        pool.replicas,
        desiredSpecVersion(c),
        { kind: infraKind, name: pool.objectName },
      );
      obj.status = replicaStatus('MachinePool', {
        counts: poolCountsOf(c, pool, f, new Set()),
        generation: 1,
        at,
        selector: '',
      });
      return obj;
    }
    case 'secret':
      return kubeconfigSecret(
        {
          namespace: c.namespace,
          name: `${c.name}-kubeconfig`,
          labels: { [LABELS.clusterName]: c.name },
          owners: [clusterOwner(c.name, cUid, false)],
          createdAt: c.createdAt + 5 * 60_000,
        },
        kubeconfigText(
          c.name,
          ctx.workloadUrl(c),
          ctx.caData,
          ctx.workloadToken(c),
        ),
      );
    case 'mhc': {
      const expected = c.pools.reduce((s, p) => s + p.replicas, 0);
      return machineHealthCheckObject(
        {
          namespace: c.namespace,
          name: `${c.name}-workers`,
          labels: { [LABELS.clusterName]: c.name },
          owners: [clusterOwner(c.name, cUid, false)],
          createdAt: c.createdAt,
          generation: 1,
        },
        c.name,
        { [LABELS.clusterName]: c.name },
        expected,
        expected,
      );
    }
    case 'cpTemplate':
    case 'workerInfraTemplate': {
      const kind = fl.machineTemplate ?? {
        group: 'infrastructure.cluster.x-k8s.io',
        version: 'v1beta2',
        kind: 'DevMachineTemplate',
      };
      const name =
        what === 'cpTemplate'
          ? `${c.name}-control-plane`
          : `${c.name}-${c.pools[a].name}`;
      const instanceType =
        c.pools[a]?.instanceType ?? INSTANCE_TYPES[fl.provider][0];
      return {
        apiVersion: apiVersion(kind),
        kind: kind.kind,
        metadata: objectMeta({
          namespace: c.namespace,
          name,
          owners: [clusterOwner(c.name, cUid, false)],
          createdAt: c.createdAt,
          generation: 1,
        }),
        spec: {
          template: {
            spec: kind.kind.startsWith('AWS')
              ? {
                  instanceType,
                  ami: { id: `ami-0${hexOf(name).slice(0, 16)}` },
                }
              : { backend: { docker: { extraMounts: [] } } },
          },
        },
      };
    }
    case 'workerBootstrapTemplate': {
      const kind = fl.bootstrapTemplate ?? {
        group: 'bootstrap.cluster.x-k8s.io',
        version: 'v1beta2',
        kind: 'KubeadmConfigTemplate',
      };
      const name = `${c.name}-${c.pools[a].name}`;
      return {
        apiVersion: apiVersion(kind),
        kind: kind.kind,
        metadata: objectMeta({
          namespace: c.namespace,
          name,
          owners: [clusterOwner(c.name, cUid, false)],
          createdAt: c.createdAt,
          generation: 1,
        }),
        spec: { template: { spec: {} } },
      };
    }
    default:
      return {};
  }
}

/** The ClusterClass and its templates. */
export function clusterClassObjects(
  cls: SeedClusterClass,
  namespace: string,
  createdAt: number,
): JsonObject[] {
  const fl = cls.flavor;
  const templ = (
    ref: KindRef | undefined,
    suffix: string,
    spec: JsonObject,
  ): JsonObject | undefined =>
    ref
      ? {
          apiVersion: apiVersion(ref),
          kind: ref.kind.endsWith('Template')
            ? ref.kind
            : `${ref.kind}Template`,
          metadata: objectMeta({
            namespace,
            name: `${cls.name}-${suffix}`,
            createdAt,
          }),
          spec: {
            template: {
              spec: ref.kind.startsWith('Dev')
                ? { backend: { docker: {} }, ...spec }
                : spec,
            },
          },
        }
      : undefined;
  const infraTemplateKind: KindRef = {
    ...fl.infraCluster,
    kind: `${fl.infraCluster.kind}Template`,
  };
  const cpTemplateKind: KindRef = {
    ...fl.controlPlane,
    kind: `${fl.controlPlane.kind}Template`,
  };
  const machineTemplate = fl.machineTemplate;
  const variables: JsonObject[] = [
    {
      name: 'region',
      required: true,
      schema: {
        openAPIV3Schema: {
          type: 'string',
          enum: REGIONS[fl.provider],
          default: REGIONS[fl.provider][0],
          description: 'Region the cluster runs in',
        },
      },
    },
    {
      name: 'instanceType',
      required: false,
      schema: {
        openAPIV3Schema: {
          type: 'string',
          enum: INSTANCE_TYPES[fl.provider],
          default: INSTANCE_TYPES[fl.provider][0],
          description: 'Instance type of worker machines',
        },
      },
    },
    {
      name: 'cni',
      required: false,
      schema: {
        openAPIV3Schema: {
          type: 'string',
          enum: ['calico', 'cilium'],
          default: 'cilium',
          description: 'Container network plugin',
        },
      },
    },
    {
      name: 'podSecurityStandard',
      required: false,
      schema: {
        openAPIV3Schema: {
          type: 'object',
          properties: {
            enabled: { type: 'boolean', default: true },
            enforce: {
              type: 'string',
              enum: ['privileged', 'baseline', 'restricted'],
              default: 'baseline',
            },
            audit: {
              type: 'string',
              enum: ['privileged', 'baseline', 'restricted'],
              default: 'restricted',
            },
            warn: {
              type: 'string',
              enum: ['privileged', 'baseline', 'restricted'],
              default: 'restricted',
            },
          },
        },
      },
    },
    {
      name: 'etcdBackup',
      required: false,
      schema: {
        openAPIV3Schema: {
          type: 'boolean',
          default: false,
          description: 'Schedule etcd backups',
        },
      },
    },
  ];
  const workerInfra = machineTemplate
    ? {
        templateRef: {
          apiVersion: apiVersion(machineTemplate),
          kind: machineTemplate.kind,
          name: `${cls.name}-worker`,
        },
      }
    : undefined;
  const workerBootstrap = fl.bootstrapTemplate
    ? {
        templateRef: {
          apiVersion: apiVersion(fl.bootstrapTemplate),
          kind: fl.bootstrapTemplate.kind,
          name: `${cls.name}-worker`,
        },
      }
    : undefined;
  const cc: JsonObject = {
    apiVersion: CAPI_VERSION,
    kind: 'ClusterClass',
    metadata: objectMeta({
      namespace,
      name: cls.name,
      createdAt,
      generation: 1,
      labels: { [LABELS.profileVersion]: cls.profileVersion },
      annotations: { 'shipyard.io/description': cls.description },
    }),
    spec: {
      infrastructure: {
        templateRef: {
          apiVersion: apiVersion(infraTemplateKind),
          kind: infraTemplateKind.kind,
          name: `${cls.name}-cluster`,
        },
      },
      controlPlane: {
        templateRef: {
          apiVersion: apiVersion(cpTemplateKind),
          kind: cpTemplateKind.kind,
          name: `${cls.name}-control-plane`,
        },
        ...(fl.machineControlPlane && machineTemplate
          ? {
              machineInfrastructure: {
                templateRef: {
                  apiVersion: apiVersion(machineTemplate),
                  kind: machineTemplate.kind,
                  name: `${cls.name}-control-plane`,
                },
              },
            }
          : {}),
      },
      workers: {
        machineDeployments: [
          {
            class: 'default-worker',
            ...(workerBootstrap ? { bootstrap: workerBootstrap } : {}),
            ...(workerInfra ? { infrastructure: workerInfra } : {}),
          },
          {
            class: 'gpu-worker',
            ...(workerBootstrap ? { bootstrap: workerBootstrap } : {}),
            ...(workerInfra ? { infrastructure: workerInfra } : {}),
          },
        ],
      },
      variables,
    },
    status: {
      conditions: conditions(
        [yes('VariablesReady', 'VariablesReady'), no('Paused', 'NotPaused')],
        createdAt,
        1,
      ),
      observedGeneration: 1,
      variables: variables.map(v => ({
        name: v.name,
        definitions: [
          { from: 'inline', required: v.required, schema: v.schema },
        ],
      })),
    },
  };
  const out: JsonObject[] = [cc];
  const list = [
    templ(infraTemplateKind, 'cluster', {}),
    templ(cpTemplateKind, 'control-plane', {}),
    fl.machineControlPlane
      ? templ(machineTemplate, 'control-plane', {})
      : undefined,
    templ(machineTemplate, 'worker', {}),
    fl.bootstrapTemplate
      ? { ...templ(fl.bootstrapTemplate, 'worker', {}) }
      : undefined,
  ];
  for (const o of list) if (o && Object.keys(o).length) out.push(o);
  return out;
}

/** Adds a seeded cluster's objects to the store as lazily generated entries. */
export function populateCluster(
  store: ObjectStore,
  ctx: SeedContext,
  c: SeedCluster,
): void {
  const typeIdForKind = typeIdFor;
  const fl = c.flavor;
  const cUid = clusterUid(ctx, c);
  const current = ctx.faults?.(c);
  const faults: SeededFaults | undefined = current
    ? {
        unreachable: current.unreachable,
        nodesNotReady: current.nodesNotReady,
        controlPlaneDown: current.controlPlaneDown,
      }
    : undefined;
  const add = (
    typeId: string,
    name: string,
    what: SeedKind,
    labels: Record<string, string> | undefined,
    owners: string[] | undefined,
    a = 0,
    b = 0,
  ) => {
    store.seed(
      typeId,
      objectKey(c.namespace, name),
      uidOf(ctx, typeId, c.namespace, name),
      new Seeded(ctx, c, what, a, b, faults),
      labels,
      owners,
    );
  };
  add(TYPE_IDS.cluster, c.name, 'cluster', c.labels, undefined);
  if (c.state === 'provisioning') return;
  const clusterLabel = { [LABELS.clusterName]: c.name };
  add(
    typeIdForKind(fl.infraCluster),
    c.infraName,
    'infraCluster',
    clusterLabel,
    [cUid],
  );
  const cpTypeId = typeIdForKind(fl.controlPlane);
  add(cpTypeId, c.controlPlaneName, 'controlPlane', clusterLabel, [cUid]);
  const cpUid = uidOf(ctx, cpTypeId, c.namespace, c.controlPlaneName);
  const cpLabels = {
    [LABELS.clusterName]: c.name,
    [LABELS.controlPlane]: '',
    [LABELS.controlPlaneName]: c.controlPlaneName,
  };
  c.controlPlaneMachines.forEach((m, i) => {
    add(TYPE_IDS.machine, m, 'cpMachine', cpLabels, [cpUid], i);
    if (fl.infraMachine) {
      add(
        typeIdForKind(fl.infraMachine),
        m,
        'cpInfraMachine',
        { [LABELS.clusterName]: c.name, [LABELS.controlPlane]: '' },
        [uidOf(ctx, TYPE_IDS.machine, c.namespace, m)],
        i,
      );
    }
  });
  if (!c.className && fl.machineControlPlane) {
    add(
      typeIdForKind(fl.machineTemplate ?? fl.infraCluster),
      `${c.name}-control-plane`,
      'cpTemplate',
      undefined,
      [cUid],
    );
  }
  c.pools.forEach((pool, i) => {
    if (fl.workers === 'MachinePool') {
      add(TYPE_IDS.machinePool, pool.objectName, 'mp', clusterLabel, [cUid], i);
      const mpUid = uidOf(
        ctx,
        TYPE_IDS.machinePool,
        c.namespace,
        pool.objectName,
      );
      if (fl.machinePoolInfra)
        add(
          typeIdForKind(fl.machinePoolInfra),
          pool.objectName,
          'infraMp',
          clusterLabel,
          [mpUid],
          i,
        );
      return;
    }
    const mdLabels: Record<string, string> = { [LABELS.clusterName]: c.name };
    if (c.className) {
      mdLabels[LABELS.topologyOwned] = '';
      mdLabels[LABELS.topologyDeploymentName] = pool.name;
    }
    add(TYPE_IDS.machineDeployment, pool.objectName, 'md', mdLabels, [cUid], i);
    const mdUid = uidOf(
      ctx,
      TYPE_IDS.machineDeployment,
      c.namespace,
      pool.objectName,
    );
    add(
      TYPE_IDS.machineSet,
      pool.setName,
      'ms',
      {
        ...mdLabels,
        [LABELS.deploymentName]: pool.objectName,
        [LABELS.templateHash]: pool.hash,
      },
      [mdUid],
      i,
    );
    const msUid = uidOf(ctx, TYPE_IDS.machineSet, c.namespace, pool.setName);
    const labels = workerLabels(c, pool);
    pool.machines.forEach((m, j) => {
      add(TYPE_IDS.machine, m, 'machine', labels, [msUid], i, j);
      if (fl.infraMachine) {
        add(
          typeIdForKind(fl.infraMachine),
          m,
          'infraMachine',
          clusterLabel,
          [uidOf(ctx, TYPE_IDS.machine, c.namespace, m)],
          i,
          j,
        );
      }
    });
    if (!c.className) {
      add(
        typeIdForKind(fl.machineTemplate ?? fl.infraCluster),
        `${c.name}-${pool.name}`,
        'workerInfraTemplate',
        undefined,
        [cUid],
        i,
      );
      if (fl.bootstrapTemplate)
        add(
          typeIdForKind(fl.bootstrapTemplate),
          `${c.name}-${pool.name}`,
          'workerBootstrapTemplate',
          undefined,
          [cUid],
          i,
        );
    }
  });
  add(TYPE_IDS.secret, `${c.name}-kubeconfig`, 'secret', clusterLabel, [cUid]);
  if (c.environment === 'prod' && fl.workers === 'MachineDeployment') {
    add(TYPE_IDS.machineHealthCheck, `${c.name}-workers`, 'mhc', clusterLabel, [
      cUid,
    ]);
  }
}

export function seededUid(
  ctx: SeedContext,
  typeId: string,
  namespace: string,
  name: string,
): string {
  return uidOf(ctx, typeId, namespace, name);
}
