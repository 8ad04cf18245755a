export { shipyardApiRef } from './ShipyardApi';
export type {
  AuditQuery,
  ClusterOperationBody,
  DecommissionDecisionBody,
  GeneratedAnswer,
  GeneratedClusterOperations,
  GeneratedOperation,
  GeneratedRequest,
  ObjectivesRequest,
  ShipyardApi,
  ShipyardHealth,
  ShipyardRequestOptions,
  VersionDebtRequest,
} from './ShipyardApi';
export { ShipyardClient } from './ShipyardClient';
export type { ShipyardClientOptions } from './ShipyardClient';
export { SseParser } from './sse';
export type { SseMessage, SseParserHandlers } from './sse';
export type {
  FleetEventsListener,
  FleetStreamState,
  FleetSubscription,
} from './types';
