/**
 * Scaffolder module of Shipyard: `shipyard:cluster:create`, `shipyard:cluster:wait` and `shipyard:cluster:upgrade`.
 *
 * @packageDocumentation
 */
export { scaffolderModuleShipyard as default } from './module';
export { createShipyardActions } from './actions';
export type { ClusterActionDeps } from './actions';
export { readShipyardRequestsConfig } from './config';
export type { ShipyardRequestsConfig } from './config';
export { ClusterRequestService } from './service/ClusterRequestService';
export type {
  ClusterRequestServiceOptions,
  CreateCheck,
  CreateClusterPlan,
  CreateClusterRequest,
  RequestProblem,
  ResolvedCreateRequest,
  UpgradeClusterPlan,
  UpgradeClusterRequest,
} from './service/ClusterRequestService';
export { ClusterAuditRecorder } from './service/audit';
export { RequestAccess } from './service/access';
export { RolloutsClient } from './rollouts/RolloutsClient';
export type {
  RolloutAnswer,
  RolloutPlanAnswer,
  RolloutRequest,
} from './rollouts/RolloutsClient';
export type { Requester } from './service/access';
export type { ShipyardBackend } from './service/ShipyardBackendClient';
export type { ResolvedVariables } from './service/variables';
