/**
 * Catalog module of Shipyard: clusters, management clusters and cluster profiles as catalog entities.
 *
 * @packageDocumentation
 */
export { catalogModuleShipyard as default } from './module';
export { ClusterProfileProcessor } from './processors/ClusterProfileProcessor';
export type { ClusterProfileProcessorOptions } from './processors/ClusterProfileProcessor';
export { validateClusterProfile } from './processors/validateClusterProfile';
export { ClusterEntityProvider } from './providers/ClusterEntityProvider';
export type {
  ClusterEntityProviderOptions,
  ClusterEntityProviderStats,
} from './providers/ClusterEntityProvider';
export { ClusterProfileEntityProvider } from './providers/ClusterProfileEntityProvider';
export type { FullSyncRetryOptions } from './providers/fullSync';
export type { ShipyardProviderDeps } from './providers/providerDeps';
export type {
  ClusterProfileEntityProviderOptions,
  ClusterProfileEntityProviderStats,
} from './providers/ClusterProfileEntityProvider';
export { ShipyardApiClient } from './client/ShipyardApiClient';
export type {
  ClusterClassSource,
  ShipyardApiClientOptions,
  ShipyardFleetReader,
  ShipyardReadOptions,
} from './client/ShipyardApiClient';
export {
  CatalogServiceProfileSource,
  ProfileIndex,
} from './profiles/ProfileIndex';
export type { CatalogProfileSource } from './profiles/ProfileIndex';
export { readShipyardCatalogConfig } from './config';
export type { ClusterLinkTemplate, ShipyardCatalogConfig } from './config';
export {
  buildClusterEntity,
  buildManagementClusterEntity,
  clusterEntityRef,
  managementClusterEntityRef,
  publishableApiServerUrl,
  toClusterEntityInput,
} from './entities/clusterEntities';
export type {
  ClusterEntityContext,
  ClusterEntityInput,
} from './entities/clusterEntities';
export {
  buildGeneratedProfileEntity,
  generatedProfileEntityRef,
} from './entities/profileEntities';
export {
  clusterEntityName,
  generatedProfileEntityName,
  joinedEntityName,
  managementClusterEntityName,
} from './entities/naming';
export { CHANGES_METRIC, MUTATIONS_METRIC } from './providers/metrics';
