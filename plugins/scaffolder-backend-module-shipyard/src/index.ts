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
  CreateClusterRequest,
  UpgradeClusterRequest,
} from './service/ClusterRequestService';
