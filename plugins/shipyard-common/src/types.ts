import { ClusterVersionSupport, VersionSupportStatus } from './versionSupport';

/*
 * REST API types of the Shipyard backend (`/api/shipyard`). The OpenAPI document in
 * `plugins/shipyard-backend/src/schema/openapi.yaml` describes the same shapes.
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

/** Where a health reason comes from. */
export type HealthReasonSource = 'capi' | 'probe' | 'source';

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

/** Fields of a {@link ClusterSummary} that a list item of `GET /clusters?fields=list` keeps. */
export const CLUSTER_LIST_ITEM_FIELDS = [
  'managementCluster',
  'namespace',
  'name',
  'title',
  'owner',
  'system',
  'lifecycle',
  'profile',
  'profileVersion',
  'clusterClass',
  'provider',
  'distribution',
  'kubernetesVersion',
  'observedKubernetesVersion',
  'kubernetesMinor',
  'phase',
  'health',
  'healthReasons',
  'controlPlane',
  'workers',
  'machineCount',
  'createdAt',
  'deletingSince',
  'lastChangedAt',
  'source',
  'versionSupport',
  'paused',
] as const satisfies ReadonlyArray<keyof ClusterSummary>;

/**
 * A cluster as a slim list item (`GET /clusters?fields=list`): what a fleet table shows, without the uid, labels,
 * CAPI conditions, MachineDeployments, MachinePools, machine phase counts, nodes and probe details of the full
 * {@link ClusterSummary} (fetch `GET /clusters/:managementCluster/:namespace/:name` for those).
 */
export type ClusterListItem = Pick<
  ClusterSummary,
  (typeof CLUSTER_LIST_ITEM_FIELDS)[number]
>;

/** Representation of the items of `GET /clusters`: `full` summaries (default) or slim `list` items. */
export const CLUSTER_LIST_FIELDS = ['full', 'list'] as const;

/** A value of the `fields` query parameter of `GET /clusters`. */
export type ClusterListFields = (typeof CLUSTER_LIST_FIELDS)[number];

/** The facets of `GET /clusters`. Each facet has a query parameter of the same name. */
export const CLUSTER_FACETS = [
  'owner',
  'profile',
  'provider',
  'distribution',
  'kubernetesMinor',
  'health',
  'phase',
  'managementCluster',
  'label',
  'versionSupport',
] as const;

/** Name of a facet (and of the filter query parameter of the same name). */
export type ClusterFacet = (typeof CLUSTER_FACETS)[number];

/** Columns that `GET /clusters` can sort on. */
export const CLUSTER_SORT_FIELDS = [
  'name',
  'namespace',
  'managementCluster',
  'owner',
  'profile',
  'provider',
  'distribution',
  'kubernetesVersion',
  'health',
  'phase',
  'createdAt',
  'lastChangedAt',
  'machineCount',
] as const;

/** A column that `GET /clusters` can sort on. */
export type ClusterSortField = (typeof CLUSTER_SORT_FIELDS)[number];

/** Sort direction. */
export type SortOrder = 'asc' | 'desc';

/**
 * Query of `GET /clusters`. Filters are ANDed across facets and ORed within one facet (repeat the parameter:
 * `owner=group:default/a&owner=group:default/b`). `label` values are `key=value` or just `key` (label present).
 */
export interface ListClustersRequest {
  owner?: string[];
  profile?: string[];
  provider?: string[];
  distribution?: string[];
  kubernetesMinor?: string[];
  health?: HealthStatus[];
  phase?: string[];
  managementCluster?: string[];
  label?: string[];
  versionSupport?: VersionSupportStatus[];
  /** Case-insensitive text search on name, title and namespace. */
  q?: string;
  /** Column to sort on (default `name`). */
  sort?: ClusterSortField;
  /** Sort direction (default `asc`). */
  order?: SortOrder;
  /** Page size, 1–500 (default 50). */
  limit?: number;
  /** Opaque cursor from a previous response's `nextCursor`. */
  cursor?: string;
  /** Omit facet counts from the response (cheaper). */
  facets?: boolean;
  /** Item representation: `full` {@link ClusterSummary} (default) or slim `list` {@link ClusterListItem}. */
  fields?: ClusterListFields;
}

/** One value of a facet with the number of clusters that have it. */
export interface FacetCount {
  value: string;
  count: number;
}

/**
 * Facet counts for the current query. Counts of a facet ignore that facet's own filter (but apply all other
 * filters), so a value's count equals the `totalCount` of filtering by that value.
 */
export type ClusterFacets = Record<ClusterFacet, FacetCount[]>;

/** Response of `GET /clusters`; items are {@link ClusterListItem}s with `fields=list`. */
export interface ListClustersResponse<
  TItem extends ClusterListItem = ClusterSummary,
> {
  items: TItem[];
  /** Number of clusters matching the filters (over all pages). */
  totalCount: number;
  facets?: ClusterFacets;
  /** Cursor of the next page; absent on the last page. */
  nextCursor?: string;
  /** Fleet revision the page was computed at. */
  revision: number;
}

/** Response of `GET /summary`: counts over the whole (visible) fleet. */
export interface FleetSummary {
  totalCount: number;
  byHealth: Record<string, number>;
  byPhase: Record<string, number>;
  byProvider: Record<string, number>;
  byDistribution: Record<string, number>;
  byKubernetesMinor: Record<string, number>;
  byOwner: Record<string, number>;
  byManagementCluster: Record<string, number>;
  /** Counts by version support status (`supported`, `nearing-end-of-life`, `end-of-life`, `unknown`). */
  byVersionSupport: Record<string, number>;
  /** Clusters whose management cluster is stale or not yet re-synced. */
  staleCount: number;
  revision: number;
}

/** Counts of objects of one management cluster. */
export interface ManagementClusterObjectCounts {
  clusters: number;
  clusterClasses: number;
  machineDeployments: number;
  machineSets: number;
  machines: number;
  machinePools: number;
  machineHealthChecks: number;
  controlPlanes: number;
  /** Objects skipped as malformed (not ingested, each logged once per resourceVersion), as last listed or watched. */
  skipped: number;
}

/** The object counts of a management cluster nothing has been listed from: all zero. */
export function noObjectCounts(): ManagementClusterObjectCounts {
  return {
    clusters: 0,
    clusterClasses: 0,
    machineDeployments: 0,
    machineSets: 0,
    machines: 0,
    machinePools: 0,
    machineHealthChecks: 0,
    controlPlanes: 0,
    skipped: 0,
  };
}

/** One watched kind of a management cluster. */
export interface ManagementClusterKindStatus {
  /** `cluster.x-k8s.io/v1beta2/Cluster`, … */
  kind: string;
  apiVersion: string;
  state: SourceState;
  /** ISO-8601 time of the last successful (re)list. */
  lastSyncAt?: string;
  lastError?: string;
}

/** Response item of `GET /management-clusters`. */
export interface ManagementClusterStatus {
  name: string;
  /** API server URL. */
  url: string;
  state: SourceState;
  /**
   * True once every kind has been listed since this backend started. Until then its clusters are known only from
   * the database (after a restart) or not at all, and counts over them may be short.
   */
  resynced: boolean;
  /** ISO-8601 time of the last complete sync (all kinds listed). */
  lastSyncAt?: string;
  /** ISO-8601 time since when the source is stale, when it is. */
  staleSince?: string;
  /** ISO-8601 time of the last event or successful request. */
  lastSeenAt?: string;
  lastError?: string;
  /** ISO-8601 time of the last error. */
  lastErrorAt?: string;
  /** The CAPI API version chosen by discovery. */
  capiVersion?: string;
  objectCounts: ManagementClusterObjectCounts;
  kinds: ManagementClusterKindStatus[];
}

/** Response of `GET /management-clusters`. */
export interface ListManagementClustersResponse {
  items: ManagementClusterStatus[];
}

/** A node of the object tree of a cluster, as `clusterctl describe cluster` shows it. */
export interface ClusterTreeNode {
  /** `Cluster`, `ClusterInfrastructure`, `ControlPlane`, `Workers`, `MachineDeployment`, `MachineSet`, `MachinePool`, `Machine`. */
  kind: string;
  name: string;
  /** Readiness summarised: `True`, `False` or `Unknown`. */
  ready: ConditionStatus;
  /** Phase, when the object has one. */
  phase?: string;
  /** Kubernetes version, when the object has one. */
  version?: string;
  /** Replica counters (control plane, MachineDeployment, MachinePool). */
  replicas?: ReplicaCounters;
  /** The condition that explains the readiness (Available/Ready), with reason and since. */
  reason?: string;
  message?: string;
  /** ISO-8601 time of the last transition of the readiness condition. */
  since?: string;
  /** Name of the Node of a Machine. */
  nodeName?: string;
  conditions?: ClusterCondition[];
  children?: ClusterTreeNode[];
}

/** Response of `GET /clusters/:managementCluster/:namespace/:name`. */
export interface ClusterDetails {
  summary: ClusterSummary;
  /** The object tree (root: the Cluster). */
  tree: ClusterTreeNode;
  revision: number;
}

/** What happened to one cluster in a change event. */
export type ClusterChangeType = 'upserted' | 'deleted';

/** One changed cluster in a change event. */
export interface ClusterChange extends ClusterKey {
  type: ClusterChangeType;
  /**
   * True when a field that catalog entities are built from changed (owner, system, lifecycle, profile, class,
   * provider, distribution, Kubernetes minor, title, labels, API server URL), or on creation and deletion. Health and
   * status churn leaves it false.
   */
  entityChanged: boolean;
}

/**
 * A fleet change event: sent over `GET /events` (SSE event `change`) and published on the events service topic
 * {@link SHIPYARD_FLEET_EVENTS_TOPIC}.
 */
export interface FleetChangeEvent {
  /** Fleet revision after the change. */
  revision: number;
  changes: ClusterChange[];
}

/** Events service topic of fleet changes. */
export const SHIPYARD_FLEET_EVENTS_TOPIC = 'shipyard.fleet';

/** One health transition of a cluster. */
export interface HealthTransition {
  /** ISO-8601 time of the transition. */
  at: string;
  health: HealthStatus;
  /** The status before; absent for the first recorded status. */
  previous?: HealthStatus;
  /** The reasons at the time of the transition. */
  reasons: HealthReason[];
}

/** Response of `GET /clusters/:managementCluster/:namespace/:name/history` (newest first). */
export interface ClusterHistoryResponse {
  items: HealthTransition[];
  /** Cursor of the next (older) page; absent on the last page. */
  nextCursor?: string;
}

/** Error body of the REST API (Backstage's standard error shape). */
export interface ShipyardErrorResponse {
  error: { name: string; message: string };
  request?: { method: string; url: string };
  response: { statusCode: number };
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
