import { useApi } from '@backstage/core-plugin-api';
import { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import Alert from '@material-ui/lab/Alert';
import useAsync from 'react-use/esm/useAsync';
import { shipyardApiRef } from '../../api';
import { ProfilePickerUiOptions, useFormProfile } from '../../lib/formProfile';
import {
  versionSupportLabel,
  versionSupportOn,
} from '../../lib/versionSupport';
import { ChoiceField } from '../ChoiceField';

/** Options of the KubernetesVersionPicker field (`ui:options`): those of every profile-driven picker. */
export type KubernetesVersionPickerUiOptions = ProfilePickerUiOptions;

/**
 * Scaffolder field: a Kubernetes version among those the selected profile allows (the profile is read from the
 * form field named by `ui:options.profileField`), each with its support status on the profile's distribution.
 * Defaults to the profile's current version; warns when the chosen one is at its end of life.
 */
export const KubernetesVersionPicker = (
  props: FieldExtensionComponentProps<string, ProfilePickerUiOptions>,
) => {
  const { formData, uiSchema, formContext, disabled, schema } = props;
  const profileField = uiSchema?.['ui:options']?.profileField ?? 'profile';
  const { profileRef, profile, loading, error } = useFormProfile(
    formContext,
    profileField,
  );
  const versions = profile?.kubernetesVersions ?? [];
  const shipyardApi = useApi(shipyardApiRef);
  const { value: support } = useAsync(
    () => shipyardApi.getVersionSupport().catch(() => undefined),
    [shipyardApi],
  );
  const statusOf = (v: string) =>
    versionSupportOn(support, profile?.distribution, v);
  const chosen =
    formData && versions.includes(formData) ? statusOf(formData) : undefined;

  let helper = schema?.description ?? 'One of the versions the profile allows';
  if (!profileRef) helper = 'Choose a cluster profile first';
  else if (error) helper = `Could not load the profile: ${error.message}`;
  else if (!loading && !profile) helper = `Profile ${profileRef} not found`;
  return (
    <ChoiceField
      field={props}
      title="Kubernetes version"
      testId="kubernetes-version-select"
      // the profile's versions; its current one by default
      choices={versions.map(v => ({
        value: v,
        label: `${v}${
          v === profile?.kubernetesVersion ? ' (profile default)' : ''
        }${support ? ` — ${versionSupportLabel(statusOf(v).status)}` : ''}`,
      }))}
      fallback={profile?.kubernetesVersion}
      disabled={disabled || !profile}
      error={Boolean(error)}
      helper={helper}
    >
      {chosen?.status === 'end-of-life' && (
        <Alert severity="warning" data-testid="end-of-life-warning">
          Kubernetes {chosen.minor} is at its end of life
          {chosen.endOfLife ? ` since ${chosen.endOfLife}` : ''}: a new cluster
          on it starts out of support. Choose a newer version if the profile
          allows one.
        </Alert>
      )}
    </ChoiceField>
  );
};
