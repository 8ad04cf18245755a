import { createFormField } from '@backstage/plugin-scaffolder-react/alpha';
import {
  ClusterProfilePicker,
  clusterProfilePickerValidation,
} from './components/ClusterProfilePicker';
import { KubernetesVersionPicker } from './components/KubernetesVersionPicker';

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
