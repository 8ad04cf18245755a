import {
  FormField,
  createFormField,
} from '@backstage/plugin-scaffolder-react/alpha';
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

/*
 * The scaffolder form fields of the plugin, once: the legacy frontend system registers them in `plugin.ts`
 * (`createScaffolderFieldExtension`), the new one in `alpha.tsx` (`FormFieldBlueprint`, this module loaded with the
 * form rather than with the app).
 */

/** Each field by the name templates give as `ui:field`: its component and, where it has one, its validation. */
const FORM_FIELDS = {
  ClusterProfilePicker: {
    component: ClusterProfilePicker,
    validation: clusterProfilePickerValidation,
  },
  KubernetesVersionPicker: { component: KubernetesVersionPicker },
  ClusterVariables: {
    component: ClusterVariablesField,
    validation: clusterVariablesValidation as any,
  },
  ClusterSizePicker: { component: ClusterSizePicker },
  ManagementClusterPicker: { component: ManagementClusterPicker },
  UpgradeVersionPicker: { component: UpgradeVersionPicker },
  ClusterRequestCheck: {
    component: ClusterRequestCheck,
    validation: clusterRequestCheckValidation as any,
  },
};

/** The name of a Shipyard form field (`ui:field` in a template). */
export type ShipyardFormFieldName = keyof typeof FORM_FIELDS;

/** A field's options (name, component, validation), as both frontend systems take them. */
export function shipyardFormField<TName extends ShipyardFormFieldName>(
  name: TName,
): { name: TName } & (typeof FORM_FIELDS)[TName] {
  return { name, ...FORM_FIELDS[name] };
}

/** A field for the new frontend system. */
export function shipyardFormFieldOf(name: ShipyardFormFieldName): FormField {
  return createFormField(shipyardFormField(name) as any);
}
