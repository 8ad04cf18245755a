export {
  ClusterDetails,
  UpgradeClusterButton,
  upgradeTemplateLink,
} from './ClusterDetails';
export { useClusterDetails } from './useClusterDetails';
