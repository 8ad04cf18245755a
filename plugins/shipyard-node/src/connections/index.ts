export {
  createManagementClusterConnection,
  readManagementClustersConfig,
} from './managementClusters';
export type {
  ManagementClusterAuthConfig,
  ManagementClusterConfig,
} from './managementClusters';
