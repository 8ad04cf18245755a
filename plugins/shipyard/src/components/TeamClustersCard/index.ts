export { TeamClustersCard, TeamClustersCardContent } from './TeamClustersCard';
export type { TeamClustersCardProps } from './TeamClustersCard';
