import {
  ClusterClassVariableSummary,
  ClusterCondition,
  ClusterPause,
  ConditionStatus,
  ReplicaCounters,
} from '@shipyard/plugin-shipyard-common';

/*
 * Trimmed records: what the views and queries need from each CAPI object, nothing more (no managedFields, no
 * spec templates, no annotations beyond the configured ones). v1beta1 and v1beta2 objects project to the same shape
 * (the projections are in `reconcile/records.ts`).
 */

/** The Ready/Available condition that explains an object's readiness. */
export interface ReadinessRecord {
  status: ConditionStatus;
  reason?: string;
  message?: string;
  since?: string;
}

export interface ClusterRecord {
  uid: string;
  namespace: string;
  name: string;
  apiVersion: string;
  createdAt?: string;
  deletingSince?: string;
  labels: Record<string, string>;
  /** Only the annotations the configuration asks for. */
  annotations: Record<string, string>;
  phase?: string;
  conditions: ClusterCondition[];
  controlPlaneCounters: ReplicaCounters;
  workerCounters: ReplicaCounters;
  clusterClass?: string;
  version?: string;
  infrastructureKind?: string;
  controlPlaneKind?: string;
  controlPlaneName?: string;
  apiServerUrl?: string;
  infrastructureProvisioned?: boolean;
  controlPlaneInitialized?: boolean;
  /** Topology workers: MachineDeployment topology name → class. */
  topologyWorkerClasses?: Record<string, string>;
  /** Set while the Cluster is paused, with what Shipyard's annotations say about it. */
  pause?: ClusterPause;
  /** The `shipyard.io/availability-objective` annotation, when set. */
  availabilityObjective?: string;
  /** Topology variables by name (`spec.topology.variables`), for drift. */
  variables?: Record<string, unknown>;
}

export interface ControlPlaneRecord {
  namespace: string;
  name: string;
  kind: string;
  /** The Cluster it belongs to, when the object says so (label or owner reference). */
  clusterName?: string;
  version?: string;
  observedVersion?: string;
  replicas: ReplicaCounters;
  readiness: ReadinessRecord;
  conditions: ClusterCondition[];
  /** For control planes hosted as pods: where they run and what they run on (the host cluster is the reader's). */
  hosted?: HostedControlPlaneRecord;
}

export interface HostedControlPlaneRecord {
  provider: 'k0smotron' | 'kamaji';
  namespace: string;
  workloadKind: 'StatefulSet' | 'Deployment';
  workloadName: string;
  datastore?: string;
  endpoint?: string;
}

export interface MachineDeploymentRecord {
  name: string;
  clusterName?: string;
  class?: string;
  version?: string;
  phase?: string;
  replicas: ReplicaCounters;
  readiness: ReadinessRecord;
}

export interface MachineSetRecord {
  name: string;
  clusterName?: string;
  deploymentName?: string;
  replicas: ReplicaCounters;
}

/**
 * A Machine: the fleet's most numerous object (about ten per cluster), so one flat record of a fixed shape (every
 * field present, undefined when unknown) with its readiness inline rather than an object of its own.
 */
export interface MachineRecord {
  name: string;
  clusterName: string | undefined;
  phase: string;
  version: string | undefined;
  nodeName: string | undefined;
  machineSetName: string | undefined;
  deploymentName: string | undefined;
  machinePoolName: string | undefined;
  controlPlane: boolean;
  /** Its readiness ({@link ReadinessRecord}): status, reason, message, since. */
  ready: ConditionStatus;
  readyReason: string | undefined;
  readyMessage: string | undefined;
  readySince: string | undefined;
}

export interface MachinePoolRecord {
  name: string;
  clusterName?: string;
  version?: string;
  phase?: string;
  replicas: ReplicaCounters;
  readiness: ReadinessRecord;
}

export interface MachineHealthCheckRecord {
  name: string;
  clusterName?: string;
  expectedMachines?: number;
  currentHealthy?: number;
  remediationsAllowed?: number;
}

export interface ClusterClassRecord {
  namespace: string;
  name: string;
  infrastructureKind?: string;
  controlPlaneKind?: string;
  uid?: string;
  generation?: number;
  description?: string;
  kubernetesVersions?: string[];
  machineDeploymentClasses: string[];
  machinePoolClasses: string[];
  /** The variables the class declares, with their openAPIV3Schema (the request form of generated profiles). */
  variables: ClusterClassVariableSummary[];
  labels: Record<string, string>;
  createdAt?: string;
}

/** One ClusterResourceSet applied (or not) to a cluster, as its binding says. */
export interface ResourceSetBindingRecord {
  resourceSet: string;
  applied: boolean;
  /** The resources that were not applied, when some were not. */
  notApplied?: string[];
}

/** What a ClusterResourceSet provides: a layer name and version. */
export interface ResourceSetRecord {
  layer: string;
  version?: string;
}

/**
 * What a HelmChartProxy says of the clusters it selects: the layer and chart version it installs, the Clusters its
 * status lists as matching, and whether it made their HelmReleaseProxies (`ready`), could not (`failed`, with why), or
 * has a change it has not reconciled yet (`pending`).
 */
export interface ChartProxyRecord {
  /** The layer its releases provide (its `shipyard.io/layer` label, else its chart name). */
  layer: string;
  /** Whether the layer comes from its own `shipyard.io/layer` label (then its releases provide that layer). */
  labelled: boolean;
  version?: string;
  /** ns/name of each Cluster its status lists as matching. */
  matching: string[];
  state: 'ready' | 'pending' | 'failed';
  message?: string;
}
