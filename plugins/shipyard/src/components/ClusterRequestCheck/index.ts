export {
  ClusterRequestCheck,
  checkClusterRequest,
  clusterRequestCheckValidation,
  requestOf,
} from './ClusterRequestCheck';
export type { RequestProblem } from './ClusterRequestCheck';
