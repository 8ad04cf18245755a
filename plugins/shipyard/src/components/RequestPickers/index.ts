export { ClusterSizePicker, ManagementClusterPicker } from './RequestPickers';
