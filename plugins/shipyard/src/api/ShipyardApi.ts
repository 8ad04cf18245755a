import { createApiRef } from '@backstage/core-plugin-api';
import {
  ClusterDetails,
  ClusterHistoryResponse,
  ClusterObjectiveResponse,
  ObjectivesResponse,
  ClusterKey,
  ClusterLifecycleResponse,
  ClusterOperationName,
  DecommissionDecision,
  ClusterOperationResponse,
  VersionDebtResponse,
  VersionSupportResponse,
  ClusterListItem,
  FleetSummary,
  ListClustersRequest,
  ListClustersResponse,
  ListManagementClustersResponse,
  ClusterClassSummary,
  ListClusterAuditResponse,
  ClusterAuditAction,
  ClusterAuditOutcome,
  ShipyardOpenApi,
} from '@shipyard/plugin-shipyard-common';
import { FleetEventsListener, FleetSubscription } from './types';

/** Health of the Shipyard backend. */
export interface ShipyardHealth {
  status: string;
}

/** Filters of `GET /version-support/debt`: those of `GET /clusters`, and the months to project. */
export type VersionDebtRequest = Omit<
  ListClustersRequest,
  'sort' | 'order' | 'limit' | 'cursor' | 'facets' | 'fields'
> & { months?: number };

/** Filters of `GET /objectives`: those of `GET /clusters`, and how many clusters to list. */
export type ObjectivesRequest = Omit<
  ListClustersRequest,
  'sort' | 'order' | 'cursor' | 'facets' | 'fields'
>;

/** The body of a day-2 operation (see the spec's request schema of each). */
export type ClusterOperationBody = Record<string, unknown> & {
  dryRun?: boolean;
};

/** Options of reads. */
export interface ShipyardRequestOptions {
  signal?: AbortSignal;
}

/** Filters of the audit trail (`GET /audit`). */
export interface AuditQuery {
  actor?: string;
  action?: ClusterAuditAction;
  outcome?: ClusterAuditOutcome;
  managementCluster?: string;
  namespace?: string;
  cluster?: string;
  /** Stored at or after this ISO-8601 time. */
  since?: string;
  /** Stored before this ISO-8601 time. */
  until?: string;
  limit?: number;
  cursor?: string;
}

/** Typed client of the Shipyard backend API (`/api/shipyard`). */
export interface ShipyardApi {
  getHealth(): Promise<ShipyardHealth>;
  /** One page of the fleet index (`GET /clusters`) with full cluster summaries. */
  listClusters(
    request?: ListClustersRequest & { fields?: 'full' },
    options?: ShipyardRequestOptions,
  ): Promise<ListClustersResponse>;
  /** One page of the fleet index (`GET /clusters?fields=list`) with slim list items (what a table shows). */
  listClusters(
    request: ListClustersRequest & { fields: 'list' },
    options?: ShipyardRequestOptions,
  ): Promise<ListClustersResponse<ClusterListItem>>;
  /** One cluster with its object tree (`GET /clusters/:managementCluster/:namespace/:name`). */
  getCluster(
    key: ClusterKey,
    options?: ShipyardRequestOptions,
  ): Promise<ClusterDetails>;
  /** Counts over the whole visible fleet (`GET /summary`). */
  getSummary(options?: ShipyardRequestOptions): Promise<FleetSummary>;
  /** Each management cluster with its sync state (`GET /management-clusters`). */
  listManagementClusters(
    options?: ShipyardRequestOptions,
  ): Promise<ListManagementClustersResponse>;
  /** The ClusterClasses of a management cluster with their variable schemas (`GET /cluster-classes`, every page). */
  listClusterClasses(
    managementCluster: string,
    options?: ShipyardRequestOptions,
  ): Promise<ClusterClassSummary[]>;
  /**
   * One page of the audit trail (`GET /audit`), newest first: everything for the platform team, the entries of the
   * clusters their groups own for others.
   */
  listAuditRecords(
    query?: AuditQuery,
    options?: ShipyardRequestOptions,
  ): Promise<ListClusterAuditResponse>;
  /** Health timeline of a cluster, newest first; empty when the backend keeps no history. */
  getClusterHistory(
    key: ClusterKey,
    options?: ShipyardRequestOptions & { cursor?: string },
  ): Promise<ClusterHistoryResponse>;
  /** The support calendars in force and where they come from (`GET /version-support`). */
  getVersionSupport(
    options?: ShipyardRequestOptions,
  ): Promise<VersionSupportResponse>;
  /** One cluster's calendar, status, days left and path back into support (`GET /clusters/…/lifecycle`). */
  getClusterLifecycle(
    key: ClusterKey,
    options?: ShipyardRequestOptions,
  ): Promise<ClusterLifecycleResponse>;
  /** Version debt of the clusters the filters select (`GET /version-support/debt`). */
  getVersionDebt(
    request?: VersionDebtRequest,
    options?: ShipyardRequestOptions,
  ): Promise<VersionDebtResponse>;
  /** One cluster's availability objective and error budget from its health history (`GET /clusters/…/objective`). */
  getClusterObjective(
    key: ClusterKey,
    options?: ShipyardRequestOptions,
  ): Promise<ClusterObjectiveResponse>;
  /** Error budgets of the clusters the filters select, rolled up per team and profile (`GET /objectives`). */
  getObjectives(
    request?: ObjectivesRequest,
    options?: ShipyardRequestOptions,
  ): Promise<ObjectivesResponse>;
  /**
   * A day-2 operation on one cluster (`POST /clusters/…/<operation>`): the backend checks the user's permission,
   * audits the attempt and answers what changed; a refusal throws a `ResponseError` with the backend's message.
   */
  runClusterOperation(
    key: ClusterKey,
    operation: ClusterOperationName,
    body: ClusterOperationBody,
  ): Promise<ClusterOperationResponse>;
  /**
   * Approves (a second person of the platform team; `confirm` is the cluster's name) or cancels a production
   * cluster's pending decommission (`POST /clusters/…/decommission/<decision>`).
   */
  decideDecommission(
    key: ClusterKey,
    decision: DecommissionDecision,
    body: { confirm?: string; reason?: string },
  ): Promise<ClusterOperationResponse>;
  /** The resizes, decommissions and profile moves of one cluster, newest first (`GET /clusters/…/operations`). */
  listClusterOperations(
    key: ClusterKey,
    options?: ShipyardRequestOptions,
  ): Promise<ShipyardOpenApi.TrackedClusterOperation[]>;
  /** Live fleet changes over `GET /events`; one shared connection, reconnects until the last unsubscribe. */
  subscribe(listener: FleetEventsListener): FleetSubscription;
}

export const shipyardApiRef = createApiRef<ShipyardApi>({
  id: 'plugin.shipyard.api',
});
