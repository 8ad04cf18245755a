import { createApiRef } from '@backstage/core-plugin-api';
import {
  ClusterKey,
  ClusterOperationName,
  DecommissionDecision,
  ClusterListItem,
  ListClustersRequest,
  ListClustersResponse,
  ClusterClassSummary,
  ShipyardOpenApi,
} from '@shipyard/plugin-shipyard-common';
import { FleetEventsListener, FleetSubscription } from './types';

/*
 * The frontend's API is the generated client of the spec (`ShipyardOpenApi.DefaultApiClient`) as a page wants it:
 * each method calls one or more of the client's operations and answers the body of their successful answer, so
 * every request and answer type here is that of the generated operation (a change of the spec changes them).
 */

/** The operations of the generated client (`ShipyardOpenApi.DefaultApiClient`) that answer JSON. */
export type GeneratedOperation = Exclude<
  keyof ShipyardOpenApi.DefaultApiClient,
  'streamEvents'
>;

/** What one operation of the generated client takes. */
export type GeneratedRequest<Operation extends GeneratedOperation> =
  NonNullable<Parameters<ShipyardOpenApi.DefaultApiClient[Operation]>[0]>;

/** The query of one generated operation. */
export type GeneratedQuery<Operation extends GeneratedOperation> =
  GeneratedRequest<Operation> extends { query?: infer Query }
    ? NonNullable<Query>
    : never;

/** The body of a successful answer of one operation of the generated client. */
export type GeneratedAnswer<Operation extends GeneratedOperation> = Awaited<
  ReturnType<ShipyardOpenApi.DefaultApiClient[Operation]>
> extends ShipyardOpenApi.TypedResponse<infer Body>
  ? Body
  : never;

/** Health of the Shipyard backend. */
export type ShipyardHealth = GeneratedAnswer<'getHealth'>;

/** Filters of `GET /version-support/debt`: those of `GET /clusters`, and the months to project. */
export type VersionDebtRequest = GeneratedQuery<'getVersionDebt'>;

/** Filters of `GET /objectives`: those of `GET /clusters`, and how many clusters to list. */
export type ObjectivesRequest = GeneratedQuery<'getObjectives'>;

/** The generated operation of each day-2 operation on one cluster. */
export const generatedClusterOperations = {
  pause: 'pauseCluster',
  resume: 'resumeCluster',
  scale: 'scaleCluster',
  delete: 'decommissionCluster',
  update: 'moveClusterProfileVersion',
} as const satisfies Record<ClusterOperationName, GeneratedOperation>;

/** The generated operation of each day-2 operation on one cluster. */
export type GeneratedClusterOperations = typeof generatedClusterOperations;

/** The body of a day-2 operation: the spec's request schema of it (of any of them by default). */
export type ClusterOperationBody<
  Operation extends ClusterOperationName = ClusterOperationName,
> = GeneratedRequest<GeneratedClusterOperations[Operation]>['body'];

/** The body of a decision on a pending production decommission. */
export type DecommissionDecisionBody = Partial<
  GeneratedRequest<'approveDecommission'>['body']
> &
  GeneratedRequest<'cancelDecommission'>['body'];

/** Options of reads. */
export interface ShipyardRequestOptions {
  signal?: AbortSignal;
}

/** Filters of the audit trail (`GET /audit`); `since` and `until` are ISO-8601 times (at or after, before). */
export type AuditQuery = GeneratedQuery<'listAuditRecords'>;

/**
 * What a read of {@link shipyardReads} takes besides its request options: nothing, a cluster's key (the path of its
 * operation) or the query of its operation.
 */
export type ShipyardReadInput = 'nothing' | 'key' | 'query';

/**
 * The reads of {@link ShipyardApi} that answer the body of one generated operation as it is: the method's name, the
 * operation it calls and what it takes. The methods' types ({@link ShipyardReads}) and their implementation in
 * `ShipyardClient` both come from this table.
 */
export const shipyardReads = {
  /** Health of the Shipyard backend (`GET /health`). */
  getHealth: ['getHealth', 'nothing'],
  /** One cluster with its object tree (`GET /clusters/:managementCluster/:namespace/:name`). */
  getCluster: ['getCluster', 'key'],
  /** Counts over the whole visible fleet (`GET /summary`). */
  getSummary: ['getFleetSummary', 'nothing'],
  /** Each management cluster with its sync state (`GET /management-clusters`). */
  listManagementClusters: ['listManagementClusters', 'nothing'],
  /** The support calendars in force and where they come from (`GET /version-support`). */
  getVersionSupport: ['getVersionSupport', 'nothing'],
  /** One cluster's calendar, status, days left and path back into support (`GET /clusters/…/lifecycle`). */
  getClusterLifecycle: ['getClusterLifecycle', 'key'],
  /** Version debt of the clusters the filters select (`GET /version-support/debt`). */
  getVersionDebt: ['getVersionDebt', 'query'],
  /** One cluster's availability objective and error budget from its health history (`GET /clusters/…/objective`). */
  getClusterObjective: ['getClusterObjective', 'key'],
  /** Error budgets of the clusters the filters select, rolled up per team and profile (`GET /objectives`). */
  getObjectives: ['getObjectives', 'query'],
} as const satisfies Record<
  string,
  readonly [GeneratedOperation, ShipyardReadInput]
>;

/** One read of {@link shipyardReads} as a method: it takes what the table says and answers the operation's body. */
export type ShipyardRead<
  Operation extends GeneratedOperation,
  Input extends ShipyardReadInput,
> = {
  nothing: (
    options?: ShipyardRequestOptions,
  ) => Promise<GeneratedAnswer<Operation>>;
  key: (
    key: ClusterKey,
    options?: ShipyardRequestOptions,
  ) => Promise<GeneratedAnswer<Operation>>;
  query: (
    request?: GeneratedQuery<Operation>,
    options?: ShipyardRequestOptions,
  ) => Promise<GeneratedAnswer<Operation>>;
}[Input];

/** The methods of {@link shipyardReads}. */
export type ShipyardReads = {
  [Method in keyof typeof shipyardReads]: ShipyardRead<
    (typeof shipyardReads)[Method][0],
    (typeof shipyardReads)[Method][1]
  >;
};

/**
 * Typed client of the Shipyard backend API (`/api/shipyard`): the reads of {@link shipyardReads}, and those that
 * do more than answer one operation's body.
 */
export interface ShipyardApi extends ShipyardReads {
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
  /**
   * Begins `listClusters(request)` now, for the first call with the same request within 10 s to take over: the fleet
   * page asks for its table's first rows while its own code still loads. Optional: without it, pages read when they
   * render.
   */
  readClustersAhead?(request: ListClustersRequest & { fields: 'list' }): void;
  /** The ClusterClasses of a management cluster with their variable schemas (`GET /cluster-classes`, every page). */
  listClusterClasses(
    managementCluster: string,
    options?: ShipyardRequestOptions,
  ): Promise<ClusterClassSummary[]>;
  /**
   * One page of the audit trail (`GET /audit`), newest first: everything for the platform team, the entries of the
   * clusters their groups own for others. Empty filters are left out.
   */
  listAuditRecords(
    query?: AuditQuery,
    options?: ShipyardRequestOptions,
  ): Promise<GeneratedAnswer<'listAuditRecords'>>;
  /** Health timeline of a cluster, newest first; empty when the backend keeps no history. */
  getClusterHistory(
    key: ClusterKey,
    options?: ShipyardRequestOptions &
      Pick<GeneratedQuery<'getClusterHistory'>, 'cursor'>,
  ): Promise<GeneratedAnswer<'getClusterHistory'>>;
  /**
   * A day-2 operation on one cluster (`POST /clusters/…/<operation>`): the backend checks the user's permission,
   * audits the attempt and answers what changed; a refusal throws a `ResponseError` with the backend's message.
   */
  runClusterOperation<Operation extends ClusterOperationName>(
    key: ClusterKey,
    operation: Operation,
    body: ClusterOperationBody<Operation>,
  ): Promise<GeneratedAnswer<GeneratedClusterOperations[Operation]>>;
  /**
   * Approves (a second person of the platform team; `confirm` is the cluster's name) or cancels a production
   * cluster's pending decommission (`POST /clusters/…/decommission/<decision>`).
   */
  decideDecommission(
    key: ClusterKey,
    decision: DecommissionDecision,
    body: DecommissionDecisionBody,
  ): Promise<GeneratedAnswer<'approveDecommission' | 'cancelDecommission'>>;
  /** The resizes, decommissions and profile moves of one cluster, newest first (`GET /clusters/…/operations`). */
  listClusterOperations(
    key: ClusterKey,
    options?: ShipyardRequestOptions,
  ): Promise<GeneratedAnswer<'listClusterOperations'>['items']>;
  /** Live fleet changes over `GET /events`; one shared connection, reconnects until the last unsubscribe. */
  subscribe(listener: FleetEventsListener): FleetSubscription;
}

export const shipyardApiRef = createApiRef<ShipyardApi>({
  id: 'plugin.shipyard.api',
});
