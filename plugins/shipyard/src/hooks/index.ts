export { useClusterRead } from './useClusterRead';
export type { ClusterRead } from './useClusterRead';
export { useFleetEvents, useLiveRead, useThrottled } from './useFleetEvents';
export { useFleetRoutes } from './useFleetRoutes';
export { useLatestAnswer } from './useLatestAnswer';
export type { LatestAnswer } from './useLatestAnswer';
