export { TeamClustersCard } from './TeamClustersCard';
export type { TeamClustersCardProps } from './TeamClustersCard';
