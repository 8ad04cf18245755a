import { ClusterKey, SourceState } from './cluster';

/*
 * REST API types of the Shipyard backend (`/api/shipyard`). The OpenAPI document in
 * `plugins/shipyard-backend/src/schema/openapi.yaml` describes the same shapes.
 *
 * This file: the state of the management clusters (`GET /management-clusters`).
 */

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
  /** This management cluster's own cluster record, when it is a Cluster API cluster (of another, or of itself). */
  cluster?: ClusterKey;
  /** What depends on this management cluster. */
  blastRadius?: ManagementClusterBlastRadius;
  /**
   * While it is stale: what that leaves unobserved (`mgmt-eu-1 unreachable: 120 clusters of 9 teams not observed,
   * 40 hosted control planes not confirmed`).
   */
  staleMessage?: string;
}

/** What depends on a management cluster (or on a cluster hosting control planes). */
export interface ManagementClusterBlastRadius {
  /** Clusters observed through it. */
  clusters: number;
  /** Owning teams of those clusters. */
  teams: number;
  /** Control planes hosted as pods on it. */
  hostedControlPlanes: number;
  /** The management clusters it manages as Cluster API clusters, through any depth. */
  managementClusters: string[];
  /** With what those management clusters serve. */
  total: { clusters: number; teams: number; hostedControlPlanes: number };
}

/** Response of `GET /management-clusters`. */
export interface ListManagementClustersResponse {
  items: ManagementClusterStatus[];
}
