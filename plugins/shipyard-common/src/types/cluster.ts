import type {
  ClusterCondition,
  ClusterSummary as ClusterSummaryModel,
  HealthReason,
  HealthStatus,
} from '../schema/openapi/generated/models';
import { healthStatusValues } from '../schema/openapi/generated/models/schema';
import { enumValues } from '../schema/enumValues';

/*
 * REST API types of the Shipyard backend (`/api/shipyard`): a cluster, its key and its summary. The shapes are the
 * models generated from `plugins/shipyard-backend/src/schema/openapi.yaml`; this file names their parts.
 */

export type {
  ClusterCondition,
  ClusterNodesSummary,
  ClusterPause,
  ClusterProbeFreshness,
  HealthReason,
  HealthStatus,
  HostedControlPlane,
  InventoryClusterOrigin,
  MachineDeploymentSummary,
  MachinePoolSummary,
  ReplicaCounters,
  SourceFreshness,
  SourceState,
} from '../schema/openapi/generated/models';

/**
 * The summary of one workload cluster, as listed by `GET /clusters`: the spec's `ClusterSummary`, named here so that
 * the types built on it (permission rules, resource refs) keep its name.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface ClusterSummary extends ClusterSummaryModel {}

/** Identity of a workload cluster: a CAPI `Cluster` object on one management cluster. */
export type ClusterKey = Pick<
  ClusterSummary,
  'managementCluster' | 'namespace' | 'name'
>;

/**
 * Every health status, from best to worst, then the transitional ones. `progressing`: Cluster API reports that the
 * cluster scales or rolls out (replicas missing for that reason, within a grace period), nothing is wrong.
 */
export const HEALTH_STATUSES = enumValues<HealthStatus>(healthStatusValues);

/**
 * Where a health reason comes from: Cluster API, the workload cluster's probes, the state of the source, or the
 * conditions of an inventory ClusterProfile another cluster manager published.
 */
export type HealthReasonSource = HealthReason['source'];

/** How bad a health reason is. */
export type HealthReasonSeverity = HealthReason['severity'];

/** Status of a Kubernetes condition. */
export type ConditionStatus = ClusterCondition['status'];

/** Counts of Machines of a cluster by phase (`Pending`, `Provisioning`, `Provisioned`, `Running`, `Deleting`, `Failed`, …). */
export type MachinePhaseCounts = ClusterSummary['machinesByPhase'];

/**
 * Where Shipyard knows a cluster from: a Cluster API `Cluster` on a management cluster (`cluster-api`), or an
 * inventory ClusterProfile (`multicluster.x-k8s.io`, the cluster inventory API) that another cluster manager
 * published (`inventory`).
 */
export type ClusterOrigin = NonNullable<ClusterSummary['origin']>;

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
