export { ClusterEntityContent } from './ClusterEntityContent';
