/**
 * The Shipyard frontend plugin (legacy frontend system exports; see `/alpha` for the new frontend system).
 *
 * @packageDocumentation
 */
export {
  shipyardPlugin,
  ShipyardFleetPage,
  EntityShipyardClusterContent,
  EntityShipyardProfileContent,
  EntityShipyardTeamClustersCard,
  ClusterProfilePickerFieldExtension,
  KubernetesVersionPickerFieldExtension,
  ClusterVariablesFieldExtension,
  ClusterSizePickerFieldExtension,
  ManagementClusterPickerFieldExtension,
  UpgradeVersionPickerFieldExtension,
  ClusterRequestCheckFieldExtension,
} from './plugin';
export * from './api';
export {
  isClusterEntity as isShipyardClusterEntity,
  isClusterProfileEntity,
  clusterKeyFromEntity,
} from './lib/entity';
export { readProfile, mayUseProfile } from './lib/profile';
export type { ProfileModel, ProfileLayer, ProfileSize } from './lib/profile';
export { ClusterProfilePicker } from './components/ClusterProfilePicker';
export type { TeamClustersCardProps } from './components/TeamClustersCard';
export {
  FleetHome,
  REQUEST_TEMPLATE_PATH,
  UPGRADE_TEMPLATE_PATH,
} from './components/FleetHome';
export type { ClusterProfilePickerUiOptions } from './components/ClusterProfilePicker';
export { KubernetesVersionPicker } from './components/KubernetesVersionPicker';
export type { KubernetesVersionPickerUiOptions } from './components/KubernetesVersionPicker';
export { rootRouteRef } from './routes';
export { ClusterVariablesField } from './components/ClusterVariablesField';
export type { ClusterVariablesUiOptions } from './components/ClusterVariablesField';
export {
  ClusterSizePicker,
  ManagementClusterPicker,
} from './components/RequestPickers';
export type { ProfilePickerUiOptions } from './lib/formProfile';
export { UpgradeVersionPicker } from './components/UpgradeVersionPicker';
export type { UpgradeVersionPickerUiOptions } from './components/UpgradeVersionPicker';
export { ClusterRequestCheck } from './components/ClusterRequestCheck';
