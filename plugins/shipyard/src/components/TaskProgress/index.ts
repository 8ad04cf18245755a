export { ClusterTaskProgress, clusterOfTask } from './ClusterTaskProgress';
export type { TaskCluster } from './ClusterTaskProgress';
