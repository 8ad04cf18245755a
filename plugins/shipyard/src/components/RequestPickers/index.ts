export { ClusterSizePicker, ManagementClusterPicker } from './RequestPickers';
export type { ProfilePickerUiOptions } from './RequestPickers';
