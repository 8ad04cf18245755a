export {
  createManagementClusterConnection,
  readManagementClustersConfig,
} from './managementClusters';
export type {
  ManagementClusterAuthConfig,
  ManagementClusterConfig,
} from './managementClusters';
export { ManagementClusterClients } from './managementClusterClients';
export type { ManagementClusterClientsOptions } from './managementClusterClients';
