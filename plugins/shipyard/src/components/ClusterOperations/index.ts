export { ClusterOperationButtons } from './ClusterOperationButtons';
export { PausedBanner, PausedChip, describePause } from './PausedChip';
