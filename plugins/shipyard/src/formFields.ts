import { createFormField } from '@backstage/plugin-scaffolder-react/alpha';
import {
  ClusterProfilePicker,
  clusterProfilePickerValidation,
} from './components/ClusterProfilePicker';
import { KubernetesVersionPicker } from './components/KubernetesVersionPicker';
import {
  ClusterRequestCheck,
  clusterRequestCheckValidation,
} from './components/ClusterRequestCheck';
import {
  ClusterVariablesField,
  clusterVariablesValidation,
} from './components/ClusterVariablesField';
import {
  ClusterSizePicker,
  ManagementClusterPicker,
} from './components/RequestPickers';
import { UpgradeVersionPicker } from './components/UpgradeVersionPicker';

/** The `ClusterProfilePicker` form field (new frontend system). */
export const clusterProfilePickerFormField = createFormField({
  name: 'ClusterProfilePicker',
  component: ClusterProfilePicker,
  validation: clusterProfilePickerValidation,
});

/** The `KubernetesVersionPicker` form field (new frontend system). */
export const kubernetesVersionPickerFormField = createFormField({
  name: 'KubernetesVersionPicker',
  component: KubernetesVersionPicker,
});

/** The `ClusterVariables` form field (new frontend system). */
export const clusterVariablesFormField = createFormField({
  name: 'ClusterVariables',
  component: ClusterVariablesField,
  validation: clusterVariablesValidation as any,
});

/** The `ClusterSizePicker` form field (new frontend system). */
export const clusterSizePickerFormField = createFormField({
  name: 'ClusterSizePicker',
  component: ClusterSizePicker,
});

/** The `ManagementClusterPicker` form field (new frontend system). */
export const managementClusterPickerFormField = createFormField({
  name: 'ManagementClusterPicker',
  component: ManagementClusterPicker,
});

/** The `UpgradeVersionPicker` form field (new frontend system). */
export const upgradeVersionPickerFormField = createFormField({
  name: 'UpgradeVersionPicker',
  component: UpgradeVersionPicker,
});

/** The `ClusterRequestCheck` form field (new frontend system). */
export const clusterRequestCheckFormField = createFormField({
  name: 'ClusterRequestCheck',
  component: ClusterRequestCheck,
  validation: clusterRequestCheckValidation as any,
});
