/**
 * What a seeded cluster's objects are built from: the simulator's context, the cluster's faults at start, stable
 * uids, and the facts of the generated model (addresses, versions, counts with NotReady nodes, labels).
 */
import {
  KindRef,
  controlPlaneVersion,
  specVersion,
} from '../capi/distributions';
import { Counts, counts } from '../capi/conditions';
import { LABELS, TYPE_IDS, typeIdFor } from '../capi/kinds';
import { nodeNameFor } from '../capi/machine';
import { Random, stableUid } from '../util/random';
import { SeedCluster, SeedPool } from './model';

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

/** One cluster being seeded: what each of its objects is built from. */
export interface ClusterSeed {
  ctx: SeedContext;
  c: SeedCluster;
  /** The cluster's faults when it was seeded (later faults are the controllers' to show). */
  faults?: SeededFaults;
}

/** The uid of a seeded object: stable for the same seed, management cluster, kind and name. */
export function seededUid(
  ctx: SeedContext,
  typeId: string,
  namespace: string,
  name: string,
): string {
  return stableUid(`${ctx.salt}/${typeId}/${namespace}/${name}`);
}

export function clusterUid(s: ClusterSeed): string {
  return seededUid(s.ctx, TYPE_IDS.cluster, s.c.namespace, s.c.name);
}

export function controlPlaneUid(s: ClusterSeed): string {
  const { c } = s;
  return seededUid(
    s.ctx,
    typeIdFor(c.flavor.controlPlane),
    c.namespace,
    c.controlPlaneName,
  );
}

// ---- facts of the model --------------------------------------------------------------------

/** Index of a machine among the cluster's machines (control plane first), as addresses are handed out. */
export function machineIndex(
  c: SeedCluster,
  pool: number,
  machine: number,
): number {
  return (
    3 +
    c.pools.slice(0, pool).reduce((s, p) => s + p.machines.length, 0) +
    machine
  );
}

export function ip(c: SeedCluster, n: number): string {
  return `10.${(c.index >> 8) & 255}.${c.index & 255}.${10 + n}`;
}

export function hexOf(text: string): string {
  return new Random(text).hex(17);
}

/** Timestamps of seeded objects: created with the cluster, ready a few minutes later. */
export function readyAt(c: SeedCluster): number {
  return c.createdAt + 7 * 60_000;
}

export function desiredSpecVersion(c: SeedCluster): string {
  return specVersion(c.flavor.distribution, c.targetKube);
}

export function machineSpecVersion(c: SeedCluster): string {
  return specVersion(c.flavor.distribution, c.kube);
}

/** The version a control plane's spec and status carry: its Machines' for machine-based ones, else the target. */
export function controlPlaneSpecVersion(c: SeedCluster): string {
  return c.flavor.machineControlPlane
    ? machineSpecVersion(c)
    : controlPlaneVersion(c.flavor.distribution, c.targetKube);
}

export const DEV_MACHINE_TEMPLATE: KindRef = {
  group: 'infrastructure.cluster.x-k8s.io',
  version: 'v1beta2',
  kind: 'DevMachineTemplate',
};

export function templateRefs(c: SeedCluster, pool: SeedPool) {
  const fl = c.flavor;
  const infra = fl.machineTemplate ?? DEV_MACHINE_TEMPLATE;
  const base = c.className ? `${c.className}-worker` : `${c.name}-${pool.name}`;
  return {
    infraTemplate: { kind: infra, name: base },
    bootstrapTemplate: fl.bootstrapTemplate
      ? { kind: fl.bootstrapTemplate, name: base }
      : undefined,
  };
}

export function cpMachineTemplate(
  c: SeedCluster,
): { kind: KindRef; name: string } | undefined {
  if (!c.flavor.machineControlPlane) return undefined;
  return {
    kind: c.flavor.machineTemplate ?? DEV_MACHINE_TEMPLATE,
    name: c.className
      ? `${c.className}-control-plane`
      : `${c.name}-control-plane`,
  };
}

/** Worker Machines whose Node is NotReady: the first `nodesNotReady` by node name, as the controllers pick them. */
export function notReadyWorkers(s: ClusterSeed): Set<string> {
  const { c } = s;
  const n = s.faults?.nodesNotReady ?? 0;
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
export function poolCounts(
  s: ClusterSeed,
  pool: SeedPool,
  notReady: Set<string>,
): Counts {
  const down =
    s.c.flavor.workers === 'MachinePool'
      ? Math.min(s.faults?.nodesNotReady ?? 0, pool.replicas)
      : pool.machines.filter(m => notReady.has(m)).length;
  return counts(pool.replicas, pool.replicas, pool.replicas - down);
}

/** Control plane counts: its Machines are NotReady while the control plane is down. */
export function controlPlaneCounts(s: ClusterSeed): Counts {
  const n = s.c.controlPlaneReplicas;
  return s.faults?.controlPlaneDown && s.c.flavor.machineControlPlane
    ? counts(n, n, 0)
    : counts(n);
}

export function workerSelector(
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

/** Labels of a MachineDeployment (and, with its deployment and hash labels, of its MachineSet). */
export function deploymentLabels(
  c: SeedCluster,
  pool: SeedPool,
): Record<string, string> {
  const labels: Record<string, string> = { [LABELS.clusterName]: c.name };
  if (c.className) {
    labels[LABELS.topologyOwned] = '';
    labels[LABELS.topologyDeploymentName] = pool.name;
  }
  return labels;
}

export function machineSetLabels(
  c: SeedCluster,
  pool: SeedPool,
): Record<string, string> {
  return {
    ...deploymentLabels(c, pool),
    [LABELS.deploymentName]: pool.objectName,
    [LABELS.templateHash]: pool.hash,
  };
}

/** Labels of a pool's worker Machines. */
export function workerLabels(
  c: SeedCluster,
  pool: SeedPool,
): Record<string, string> {
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

export function controlPlaneMachineLabels(
  c: SeedCluster,
): Record<string, string> {
  return {
    [LABELS.clusterName]: c.name,
    [LABELS.controlPlane]: '',
    [LABELS.controlPlaneName]: c.controlPlaneName,
  };
}
