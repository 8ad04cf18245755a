export { RolloutsPage } from './RolloutsPage';
export { ClusterRolloutStep } from './ClusterRolloutStep';
export { PlanUpgradeBanner } from './PlanUpgradeBanner';
