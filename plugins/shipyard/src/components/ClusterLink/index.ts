export { CLUSTER_COLUMN, ClusterLink } from './ClusterLink';
