import { ClusterAddonSummary, DriftFinding } from '../drift';
import { BudgetState } from '../objectives';
import { ClusterVersionSupport } from '../versionSupport';

/*
 * REST API types of the Shipyard backend (`/api/shipyard`). The OpenAPI document in
 * `plugins/shipyard-backend/src/schema/openapi.yaml` describes the same shapes.
 *
 * This file: a cluster, its key and its summary.
 */

/** Identity of a workload cluster: a CAPI `Cluster` object on one management cluster. */
export interface ClusterKey {
  /** Name of the management cluster (as configured in `shipyard.managementClusters[].name`). */
  managementCluster: string;
  /** Namespace of the CAPI `Cluster` object. */
  namespace: string;
  /** Name of the CAPI `Cluster` object. */
  name: string;
}

/** Overall health of a cluster. */
export type HealthStatus =
  | 'healthy'
  | 'progressing'
  | 'degraded'
  | 'unhealthy'
  | 'unknown'
  | 'provisioning'
  | 'deleting';

/**
 * Every health status, from best to worst, then the transitional ones. `progressing`: Cluster API reports that the
 * cluster scales or rolls out (replicas missing for that reason, within a grace period), nothing is wrong.
 */
export const HEALTH_STATUSES: readonly HealthStatus[] = [
  'healthy',
  'progressing',
  'degraded',
  'unhealthy',
  'unknown',
  'provisioning',
  'deleting',
];

/**
 * Where a health reason comes from: Cluster API, the workload cluster's probes, the state of the source, or the
 * conditions of an inventory ClusterProfile another cluster manager published.
 */
export type HealthReasonSource = 'capi' | 'probe' | 'source' | 'inventory';

/** How bad a health reason is. */
export type HealthReasonSeverity = 'info' | 'warning' | 'error';

/** One reason behind a cluster's health status. */
export interface HealthReason {
  source: HealthReasonSource;
  severity: HealthReasonSeverity;
  /** A short machine-readable reason, e.g. a CAPI condition type or reason (`ControlPlaneAvailable`). */
  type: string;
  /** Human-readable explanation. */
  message: string;
  /** ISO-8601 time since when this reason holds, when known. */
  since?: string;
}

/** Status of a Kubernetes condition. */
export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** A CAPI condition, normalised over v1beta1 and v1beta2. */
export interface ClusterCondition {
  type: string;
  status: ConditionStatus;
  reason?: string;
  message?: string;
  /** v1beta1 only: `Error`, `Warning` or `Info`. */
  severity?: string;
  /** ISO-8601 time of the last transition. */
  lastTransitionTime?: string;
}

/**
 * Replica counters (of a control plane, of the workers, of a MachineDeployment or MachinePool). Counters that the
 * management cluster does not report are absent.
 */
export interface ReplicaCounters {
  /** Replicas wanted by the spec. */
  desired?: number;
  /** Replicas that exist. */
  current?: number;
  ready?: number;
  available?: number;
  upToDate?: number;
  /**
   * True when the counters come from a status that has not yet observed the object's latest spec
   * (`status.observedGeneration` below `metadata.generation`): they describe the previous spec.
   */
  statusBehindSpec?: boolean;
}

/** A MachineDeployment of a cluster with its counters. */
export interface MachineDeploymentSummary {
  name: string;
  /** The topology class of the MachineDeployment, when the cluster uses a ClusterClass. */
  class?: string;
  /** Kubernetes version of its machine template. */
  version?: string;
  /** `ScalingUp`, `ScalingDown`, `Running`, `Failed`, `Unknown` … */
  phase?: string;
  replicas: ReplicaCounters;
}

/** A MachinePool of a cluster with its counters. */
export interface MachinePoolSummary {
  name: string;
  version?: string;
  phase?: string;
  replicas: ReplicaCounters;
}

/** State of the connection to a management cluster. */
export type SourceState =
  /** Listed and watching. */
  | 'connected'
  /** Listing (first sync, or relist after an error). */
  | 'syncing'
  /** Cannot be reached or keeps failing; its clusters keep their last known state. */
  | 'stale'
  /** Restored from the database after a restart; not yet re-synced. */
  | 'restored';

/** How fresh the information about one cluster is. */
export interface SourceFreshness {
  /** State of the connection to the cluster's management cluster. */
  state: SourceState;
  /** ISO-8601 time since when the management cluster is stale, when it is. */
  staleSince?: string;
  /** ISO-8601 time when the cluster was last confirmed by its management cluster (list or watch event). */
  lastSeenAt?: string;
  /** False while the cluster is only known from persisted state after a restart. */
  resynced: boolean;
}

/**
 * Freshness of the probes of a workload cluster (its own API server). Never contains credentials; `error` is a
 * short message such as `timeout after 5000 ms` or `HTTP 503`.
 */
export interface ClusterProbeFreshness {
  /** ISO-8601 time of the last probe. */
  lastProbeAt: string;
  /** Whether the last probe reached a ready API server. */
  ok: boolean;
  /** Duration of the last probe (all its requests), in milliseconds. */
  latencyMs?: number;
  /** Why the last probe failed, when it did. */
  error?: string;
  /** ISO-8601 time of the last probe that succeeded. */
  lastSuccessAt?: string;
  /** Number of probes that failed in a row. */
  consecutiveFailures: number;
  /** ISO-8601 time of the next probe, when it is delayed by backoff. */
  nextProbeAt?: string;
}

/** The nodes of a workload cluster, as its last successful probe saw them. */
export interface ClusterNodesSummary {
  total: number;
  ready: number;
  notReady: number;
  /** Kubelet versions with their node counts (`{ "v1.31.2": 5 }`). */
  kubeletVersions: Record<string, number>;
  /** Node roles with their node counts (`control-plane`, `worker`, `etcd`, …; nodes without a role count as `worker`). */
  roles: Record<string, number>;
  /** Summed capacity (`cpu` in cores, `memory` in bytes, `pods`), when reported. */
  capacity?: { cpu?: number; memoryBytes?: number; pods?: number };
  /** True when the cluster has more nodes than the probe reads (`shipyard.health.maxNodes`). */
  truncated?: boolean;
}

/** Counts of Machines of a cluster by phase (`Pending`, `Provisioning`, `Provisioned`, `Running`, `Deleting`, `Failed`, …). */
export type MachinePhaseCounts = Record<string, number>;

/**
 * Where Shipyard knows a cluster from: a Cluster API `Cluster` on a management cluster (`cluster-api`), or an
 * inventory ClusterProfile (`multicluster.x-k8s.io`, the cluster inventory API) that another cluster manager
 * published (`inventory`).
 */
export type ClusterOrigin = 'cluster-api' | 'inventory';

/** The inventory ClusterProfile a cluster of origin `inventory` is read from. */
export interface InventoryClusterOrigin {
  /** The inventory source (`shipyard.inventory.consume[].name`), which is also the `managementCluster` of its key. */
  source: string;
  /** The management cluster whose API holds the inventory ClusterProfile. */
  managementCluster: string;
  /** The cluster manager that published it (`spec.clusterManager.name`). */
  clusterManager: string;
  /** The access providers it names (the credential plugins of its consumers). */
  accessProviders: string[];
}

/** The summary of one workload cluster, as listed by `GET /clusters`. */
export interface ClusterSummary extends ClusterKey {
  /** UID of the CAPI `Cluster` object. */
  uid: string;
  /** Display title (the CAPI name unless overridden by an annotation). */
  title: string;
  /** Owning group as an entity ref (`group:default/team-a`). */
  owner: string;
  /** System as an entity ref, when known. */
  system?: string;
  /** Lifecycle (`production`, `experimental`, …), when known. */
  lifecycle?: string;
  /** Name of the cluster profile the cluster was requested from, when known. */
  profile?: string;
  profileVersion?: string;
  /** Name of the ClusterClass (topology clusters). */
  clusterClass?: string;
  /** Infrastructure provider (`aws`, `azure`, `gcp`, `vsphere`, `docker`, …), derived from the infrastructure kind. */
  provider?: string;
  /** Kind of the infrastructure cluster object (`AWSCluster`, `DockerCluster`, …). */
  infrastructureKind?: string;
  /** Kind of the control plane object (`KubeadmControlPlane`, `RKE2ControlPlane`, …). */
  controlPlaneKind?: string;
  /** Kubernetes distribution (`kubeadm`, `eks`, `aks`, `gke`, `k3s`, `k0s`, `rke2`, `openshift`, `microk8s`), best knowledge so far. */
  distribution?: string;
  /** Desired Kubernetes version (topology or control plane spec). */
  kubernetesVersion?: string;
  /** Observed Kubernetes version (control plane status or the workload cluster itself). */
  observedKubernetesVersion?: string;
  /** Kubernetes minor of the desired version, e.g. `1.31` (the `kubernetesMinor` facet). */
  kubernetesMinor?: string;
  /** CAPI `status.phase` (`Pending`, `Provisioning`, `Provisioned`, `Deleting`, `Failed`, `Unknown`). */
  phase: string;
  health: HealthStatus;
  healthReasons: HealthReason[];
  /** CAPI conditions of the Cluster object (v1beta2 conditions preferred). */
  conditions: ClusterCondition[];
  controlPlane: ReplicaCounters;
  workers: ReplicaCounters;
  machineDeployments: MachineDeploymentSummary[];
  machinePools: MachinePoolSummary[];
  machinesByPhase: MachinePhaseCounts;
  /** Total number of Machines of the cluster. */
  machineCount: number;
  /** The workload API server endpoint (`https://host:port`), when known. Never a credential. */
  apiServerUrl?: string;
  /** ISO-8601 creation time of the CAPI object. */
  createdAt?: string;
  /** ISO-8601 time when deletion was requested, when it was. */
  deletingSince?: string;
  labels: Record<string, string>;
  /** ISO-8601 time of the last change of this summary. */
  lastChangedAt: string;
  /** The CAPI API version the object was read as (`cluster.x-k8s.io/v1beta2` or `v1beta1`). */
  apiVersion: string;
  source: SourceFreshness;
  /** Support status of the cluster's Kubernetes minor (the observed one when probed, else the desired one). */
  versionSupport?: ClusterVersionSupport;
  /** Freshness of the probes of the workload cluster; absent when it has not been probed. */
  probe?: ClusterProbeFreshness;
  /** The workload cluster's nodes, from its last successful probe. */
  nodes?: ClusterNodesSummary;
  /** Set while Cluster API does not reconcile the cluster (`spec.paused` or the paused annotation). */
  paused?: ClusterPause;
  /**
   * How the cluster differs from its profile version (empty: it matches); absent when it was not compared (no
   * profile, or a profile the catalog does not hold).
   */
  drift?: DriftFinding[];
  /** The add-ons observed on the management cluster for this cluster; absent when it serves no add-on kinds. */
  addons?: ClusterAddonSummary[];
  /** Where and how the control plane runs, for a control plane hosted as pods (k0smotron, Kamaji). */
  hostedControlPlane?: HostedControlPlane;
  /**
   * The management cluster this cluster is (label `shipyard.io/is-management-cluster`): a management cluster
   * managed as a Cluster API cluster, by another management cluster or by itself.
   */
  managementClusterOf?: string;
  /** The cluster's `shipyard.io/availability-objective` annotation (e.g. `99.95/30d`), when set. */
  availabilityObjective?: string;
  /** How the cluster's error budget stands; absent when it has no availability objective. */
  budget?: BudgetState;
  /**
   * Where the cluster is known from; absent means `cluster-api`. A cluster of origin `inventory` has no Cluster API
   * objects: its key is `<inventory source>/<namespace>/<name>` of its inventory ClusterProfile.
   */
  origin?: ClusterOrigin;
  /** For a cluster of origin `inventory`: the inventory ClusterProfile it is read from. */
  inventory?: InventoryClusterOrigin;
}

/** A control plane hosted as pods in a host cluster (k0smotron `K0smotronControlPlane`, Kamaji `KamajiControlPlane`). */
export interface HostedControlPlane {
  /** `k0smotron` or `kamaji`. */
  provider: string;
  /** The management cluster whose API holds the pods. */
  hostCluster: string;
  /** The namespace of the pods on the host. */
  namespace: string;
  /** `StatefulSet` (k0smotron) or `Deployment` (Kamaji). */
  workloadKind: string;
  workloadName: string;
  /** Pods wanted. */
  replicas: number;
  /** Pods ready, as the control plane object reports them. */
  readyReplicas: number;
  /** The datastore, where the provider says (`etcd`, `kine: postgres`, `DataStore postgresql-shared`). */
  datastore?: string;
  /** The API server endpoint (`https://host:port`), when the provider publishes it. */
  endpoint?: string;
}

/** Why and until when a cluster's reconciliation is paused (from the Cluster's annotations, when Shipyard paused it). */
export interface ClusterPause {
  /** Why it was paused. */
  reason?: string;
  /** Entity ref of who paused it. */
  by?: string;
  /** ISO-8601 time it was paused. */
  since?: string;
  /** ISO-8601 time after which Shipyard resumes it. */
  expiresAt?: string;
}

/** Serialises a cluster key as `managementCluster/namespace/name` (none of the parts may contain `/`). */
export function stringifyClusterKey(key: ClusterKey): string {
  return `${key.managementCluster}/${key.namespace}/${key.name}`;
}

/** Parses a string made by {@link stringifyClusterKey}. */
export function parseClusterKey(value: string): ClusterKey {
  const parts = value.split('/');
  if (parts.length !== 3 || parts.some(p => p.length === 0)) {
    throw new TypeError(`Invalid cluster key "${value}"`);
  }
  return {
    managementCluster: parts[0],
    namespace: parts[1],
    name: parts[2],
  };
}
