export { useFleetEvents, useThrottled } from './useFleetEvents';
export { useFleetRoutes } from './useFleetRoutes';
