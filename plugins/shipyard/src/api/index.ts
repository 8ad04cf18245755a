export {
  generatedClusterOperations,
  shipyardApiRef,
  shipyardReads,
} from './ShipyardApi';
export type {
  AuditQuery,
  ClusterOperationBody,
  DecommissionDecisionBody,
  GeneratedAnswer,
  GeneratedClusterOperations,
  GeneratedOperation,
  GeneratedQuery,
  GeneratedRequest,
  ObjectivesRequest,
  ShipyardApi,
  ShipyardHealth,
  ShipyardRead,
  ShipyardReadInput,
  ShipyardReads,
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
