export {
  ClusterProfilePicker,
  clusterProfilePickerValidation,
  useUsableProfiles,
} from './ClusterProfilePicker';
export type { ClusterProfilePickerUiOptions } from './ClusterProfilePicker';
