import {
  ClusterCondition,
  ClusterKey,
  ClusterSummary,
  ConditionStatus,
  HealthReason,
  HealthStatus,
  ReplicaCounters,
} from './cluster';

/*
 * REST API types of the Shipyard backend (`/api/shipyard`). The OpenAPI document in
 * `plugins/shipyard-backend/src/schema/openapi.yaml` describes the same shapes.
 *
 * This file: a cluster's object tree, change events, health history and error bodies.
 */

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
