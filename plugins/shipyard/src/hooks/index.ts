export { useClusterRead } from './useClusterRead';
export type { ClusterRead } from './useClusterRead';
export { useFleetEvents, useThrottled } from './useFleetEvents';
export { useFleetRoutes } from './useFleetRoutes';
