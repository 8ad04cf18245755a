export { ClusterTree, flattenTree } from './ClusterTree';
