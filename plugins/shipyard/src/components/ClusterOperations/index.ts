export { ClusterOperationButtons } from './ClusterOperationButtons';
export { PausedBanner, PausedChip, describePause } from './PausedChip';
export { OperationsCard } from './OperationsCard';
