import { useApi } from '@backstage/core-plugin-api';
import { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import FormControl from '@material-ui/core/FormControl';
import FormHelperText from '@material-ui/core/FormHelperText';
import InputLabel from '@material-ui/core/InputLabel';
import MenuItem from '@material-ui/core/MenuItem';
import Select from '@material-ui/core/Select';
import Alert from '@material-ui/lab/Alert';
import { useEffect } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { shipyardApiRef } from '../../api';
import { useFormProfile } from '../../lib/formProfile';
import {
  versionSupportLabel,
  versionSupportOn,
} from '../../lib/versionSupport';

/** Options of the KubernetesVersionPicker field (`ui:options`). */
export interface KubernetesVersionPickerUiOptions {
  /** Name of the form field that holds the profile ref. Default `profile`. */
  profileField?: string;
}

/**
 * Scaffolder field: a Kubernetes version among those the selected profile allows (the profile is read from the
 * form field named by `ui:options.profileField`), each with its support status on the profile's distribution.
 * Defaults to the profile's current version; warns when the chosen one is at its end of life.
 */
export const KubernetesVersionPicker = (
  props: FieldExtensionComponentProps<string, KubernetesVersionPickerUiOptions>,
) => {
  const {
    formData,
    onChange,
    required,
    rawErrors,
    schema,
    uiSchema,
    formContext,
    idSchema,
    disabled,
  } = props;
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

  // keep the value within the profile's versions; default to the profile's current one
  useEffect(() => {
    if (!profile) return;
    if (formData && versions.includes(formData)) return;
    const fallback = profile.kubernetesVersion ?? versions[0];
    if (fallback !== formData) onChange(fallback);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [profile]);

  const id = idSchema?.$id ?? 'kubernetes-version';
  let helper = schema?.description ?? 'One of the versions the profile allows';
  if (!profileRef) helper = 'Choose a cluster profile first';
  else if (error) helper = `Could not load the profile: ${error.message}`;
  else if (!loading && !profile) helper = `Profile ${profileRef} not found`;
  return (
    <FormControl
      fullWidth
      margin="normal"
      required={required}
      variant="outlined"
      error={(rawErrors?.length ?? 0) > 0 || Boolean(error)}
      disabled={disabled || !profile || versions.length === 0}
    >
      <InputLabel id={`${id}-label`}>
        {schema?.title ?? 'Kubernetes version'}
      </InputLabel>
      <Select
        labelId={`${id}-label`}
        id={id}
        label={schema?.title ?? 'Kubernetes version'}
        value={formData && versions.includes(formData) ? formData : ''}
        onChange={e => onChange(String(e.target.value))}
        data-testid="kubernetes-version-select"
      >
        {versions.map(v => (
          <MenuItem key={v} value={v}>
            {v}
            {v === profile?.kubernetesVersion ? ' (profile default)' : ''}
            {support ? ` — ${versionSupportLabel(statusOf(v).status)}` : ''}
          </MenuItem>
        ))}
      </Select>
      <FormHelperText>{helper}</FormHelperText>
      {chosen?.status === 'end-of-life' && (
        <Alert severity="warning" data-testid="end-of-life-warning">
          Kubernetes {chosen.minor} is at its end of life
          {chosen.endOfLife ? ` since ${chosen.endOfLife}` : ''}: a new cluster
          on it starts out of support. Choose a newer version if the profile
          allows one.
        </Alert>
      )}
    </FormControl>
  );
};
