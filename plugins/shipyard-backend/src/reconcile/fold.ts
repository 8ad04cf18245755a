import {
  ClusterAddonSummary,
  HostedControlPlane,
  MachinePhaseCounts,
  ReplicaCounters,
} from '@shipyard/plugin-shipyard-common';
import { ClusterHealthEvaluator } from '../health';
import { OwnershipResolver } from '../config/ownership';
import { StoredClusterSummary } from '../index/FleetIndex';
import { intern } from '../index/intern';
import { ClusterState } from '../records/ClusterState';
import { ControlPlaneRecord } from '../records/types';
import { distributionOf, providerOfInfrastructureKind } from './providers';
import { kubernetesMinorOfDistribution } from './versions';

export { kubernetesMinorOfDistribution };

/** On the Cluster of a management cluster: the name Shipyard knows that management cluster by. */
export const MANAGEMENT_CLUSTER_OF_LABEL = 'shipyard.io/is-management-cluster';
export { ClusterState };

/** What folding needs besides the cluster's own records. */
export interface FoldContext {
  managementCluster: string;
  ownership: OwnershipResolver;
  health: ClusterHealthEvaluator;
  controlPlane?: ControlPlaneRecord;
  /** The cluster's add-ons, when its management cluster serves add-on kinds. */
  addons?: ClusterAddonSummary[];
}

function sumCounters(list: ReplicaCounters[]): ReplicaCounters {
  const out: ReplicaCounters = {};
  for (const c of list) {
    for (const k of [
      'desired',
      'current',
      'ready',
      'available',
      'upToDate',
    ] as const) {
      if (c[k] !== undefined) out[k] = (out[k] ?? 0) + (c[k] ?? 0);
    }
  }
  return out;
}

function isEmptyCounters(c: ReplicaCounters): boolean {
  return Object.keys(c).length === 0;
}

/** Folds the records of one cluster into its summary. */
export function foldClusterSummary(
  state: ClusterState,
  ctx: FoldContext,
): StoredClusterSummary | undefined {
  const c = state.cluster;
  if (!c) return undefined;
  const cp = ctx.controlPlane;

  const machinesByPhase: MachinePhaseCounts = {};
  for (const m of state.machines.values()) {
    machinesByPhase[m.phase] = (machinesByPhase[m.phase] ?? 0) + 1;
  }

  const mds = [...state.machineDeployments.values()].sort((a, b) =>
    a.name < b.name ? -1 : 1,
  );
  const mps = [...state.machinePools.values()].sort((a, b) =>
    a.name < b.name ? -1 : 1,
  );

  // the Cluster's counters of its control plane, unless the control plane's controller has not yet observed its
  // latest spec (an upgrade just asked for): then they describe the previous spec
  let controlPlane = isEmptyCounters(c.controlPlaneCounters)
    ? cp?.replicas ?? {}
    : c.controlPlaneCounters;
  if (cp?.replicas.statusBehindSpec && !controlPlane.statusBehindSpec) {
    controlPlane = { ...controlPlane, statusBehindSpec: true };
  }
  const workers = isEmptyCounters(c.workerCounters)
    ? sumCounters([...mds.map(m => m.replicas), ...mps.map(m => m.replicas)])
    : c.workerCounters;

  const version = c.version ?? cp?.version;
  const observedVersion = cp?.observedVersion;
  const controlPlaneKind = c.controlPlaneKind ?? cp?.kind;
  const ownership = ctx.ownership.resolve(
    ctx.managementCluster,
    c.namespace,
    c.labels,
    c.annotations,
  );
  const phase = c.phase ?? 'Unknown';
  const hostedControlPlane: HostedControlPlane | undefined = cp?.hosted
    ? {
        ...cp.hosted,
        hostCluster: ctx.managementCluster,
        replicas: cp.replicas.desired ?? cp.replicas.current ?? 0,
        readyReplicas: cp.replicas.ready ?? 0,
      }
    : undefined;
  const health = ctx.health.evaluate({
    hostedControlPlane,
    apiVersion: c.apiVersion,
    phase,
    deletingSince: c.deletingSince,
    conditions: c.conditions,
    controlPlane,
    workers,
    machinesByPhase,
    infrastructureProvisioned: c.infrastructureProvisioned,
    controlPlaneInitialized: c.controlPlaneInitialized,
    machineHealthChecks: [...state.machineHealthChecks.values()],
  });

  const summary: StoredClusterSummary = {
    managementCluster: ctx.managementCluster,
    namespace: c.namespace,
    name: c.name,
    uid: c.uid,
    title: c.annotations['shipyard.io/title'] ?? c.name,
    owner: intern(ownership.owner),
    phase,
    health: health.status,
    healthReasons: health.reasons.map(r => ({
      ...r,
      type: intern(r.type),
      message: intern(r.message),
    })),
    conditions: c.conditions,
    controlPlane,
    workers,
    machineDeployments: mds.map(md => {
      const out: StoredClusterSummary['machineDeployments'][number] = {
        name: md.name,
        replicas: md.replicas,
      };
      const cls = md.class
        ? c.topologyWorkerClasses?.[md.class] ?? undefined
        : undefined;
      if (cls) out.class = cls;
      if (md.version) out.version = md.version;
      if (md.phase) out.phase = md.phase;
      return out;
    }),
    machinePools: mps.map(mp => {
      const out: StoredClusterSummary['machinePools'][number] = {
        name: mp.name,
        replicas: mp.replicas,
      };
      if (mp.version) out.version = mp.version;
      if (mp.phase) out.phase = mp.phase;
      return out;
    }),
    machinesByPhase,
    machineCount: state.machines.size,
    labels: c.labels,
    lastChangedAt: '',
    apiVersion: c.apiVersion,
  };
  // the optional fields, each only when known (in this order: the order of the summary's keys is its JSON's);
  // strings are interned but for the unique ones (API server URL, creation time)
  const distribution = distributionOf(
    controlPlaneKind,
    observedVersion ?? version,
    c.infrastructureKind,
  );
  const provider = providerOfInfrastructureKind(c.infrastructureKind);
  const kubernetesMinor = kubernetesMinorOfDistribution(
    distribution,
    version ?? observedVersion,
  );
  const managementClusterOf = c.labels[MANAGEMENT_CLUSTER_OF_LABEL];
  if (ownership.system !== undefined) summary.system = intern(ownership.system);
  if (ownership.lifecycle !== undefined) {
    summary.lifecycle = intern(ownership.lifecycle);
  }
  if (ownership.profile !== undefined) {
    summary.profile = intern(ownership.profile);
  }
  if (ownership.profileVersion !== undefined) {
    summary.profileVersion = intern(ownership.profileVersion);
  }
  if (c.clusterClass !== undefined)
    summary.clusterClass = intern(c.clusterClass);
  if (provider !== undefined) summary.provider = intern(provider);
  if (c.infrastructureKind !== undefined) {
    summary.infrastructureKind = intern(c.infrastructureKind);
  }
  if (controlPlaneKind !== undefined) {
    summary.controlPlaneKind = intern(controlPlaneKind);
  }
  if (distribution !== undefined) summary.distribution = intern(distribution);
  if (version !== undefined) summary.kubernetesVersion = intern(version);
  if (observedVersion !== undefined) {
    summary.observedKubernetesVersion = intern(observedVersion);
  }
  if (kubernetesMinor !== undefined) {
    summary.kubernetesMinor = intern(kubernetesMinor);
  }
  if (c.apiServerUrl !== undefined) summary.apiServerUrl = c.apiServerUrl;
  if (c.createdAt !== undefined) summary.createdAt = c.createdAt;
  if (c.deletingSince !== undefined) {
    summary.deletingSince = intern(c.deletingSince);
  }
  if (c.pause !== undefined) summary.paused = c.pause;
  if (c.availabilityObjective !== undefined) {
    summary.availabilityObjective = intern(c.availabilityObjective);
  }
  if (ctx.addons !== undefined) summary.addons = ctx.addons;
  if (hostedControlPlane !== undefined) {
    summary.hostedControlPlane = hostedControlPlane;
  }
  if (managementClusterOf !== undefined) {
    summary.managementClusterOf = intern(managementClusterOf);
  }
  return summary;
}
