import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import FormControl from '@material-ui/core/FormControl';
import FormHelperText from '@material-ui/core/FormHelperText';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Autocomplete from '@material-ui/lab/Autocomplete';
import { CLUSTER_PROFILE_KIND } from '@shipyard/plugin-shipyard-common';
import useAsync from 'react-use/esm/useAsync';
import {
  ProfileLayer,
  ProfileModel,
  mayUseProfile,
  readProfile,
} from '../../lib/profile';

/** Options of the ClusterProfilePicker field (`ui:options`). */
export interface ClusterProfilePickerUiOptions {
  /** Show profiles the user may not request too (disabled). Default false. */
  showForbidden?: boolean;
}

function layerText(layers: ProfileLayer[]): string {
  return layers
    .map(l => `${l.name}${l.version ? ` ${l.version}` : ''}`)
    .join(' · ');
}

/** Loads the cluster profiles and the ones the signed-in user may request. */
export function useUsableProfiles(): {
  loading: boolean;
  error?: Error;
  profiles: Array<ProfileModel & { allowed: boolean }>;
} {
  const catalogApi = useApi(catalogApiRef);
  const identityApi = useApi(identityApiRef);
  const { value, loading, error } = useAsync(async () => {
    const [{ items }, identity] = await Promise.all([
      catalogApi.getEntities({ filter: { kind: CLUSTER_PROFILE_KIND } }),
      identityApi.getBackstageIdentity(),
    ]);
    return items
      .map(readProfile)
      .map(p => ({
        ...p,
        allowed: mayUseProfile(p, identity.ownershipEntityRefs),
      }))
      .sort((a, b) => a.title.localeCompare(b.title));
  }, [catalogApi, identityApi]);
  return { loading, error, profiles: value ?? [] };
}

/**
 * Scaffolder field: picks a `ClusterProfile` entity (its ref is the value). Lists only the profiles the user may
 * request (`spec.allowedGroups` ∩ the user's ownership refs; open when empty) and whose current version is not
 * deprecated, each with its layers.
 */
export const ClusterProfilePicker = (
  props: FieldExtensionComponentProps<string, ClusterProfilePickerUiOptions>,
) => {
  const {
    formData,
    onChange,
    required,
    rawErrors,
    schema,
    uiSchema,
    disabled,
  } = props;
  const { loading, error, profiles } = useUsableProfiles();
  const showForbidden = uiSchema?.['ui:options']?.showForbidden ?? false;
  // a deprecated version can no longer be requested (the backend refuses it)
  const options = profiles.filter(
    p => (p.allowed || showForbidden) && !p.deprecated,
  );
  const selected = profiles.find(p => p.ref === formData) ?? null;
  const title = schema?.title ?? 'Cluster profile';
  return (
    <FormControl
      fullWidth
      margin="normal"
      required={required}
      error={(rawErrors?.length ?? 0) > 0 || Boolean(error)}
    >
      <Autocomplete
        disabled={disabled}
        loading={loading}
        options={options}
        value={selected}
        getOptionLabel={p => p.title}
        getOptionSelected={(a, b) => a.ref === b.ref}
        getOptionDisabled={p => !p.allowed}
        onChange={(_e, p) => onChange(p?.ref ?? undefined)}
        renderOption={p => (
          <Box data-testid={`profile-option-${p.name}`}>
            <Typography variant="body1">
              {p.title}
              {p.version ? ` (${p.version})` : ''}
            </Typography>
            <Typography variant="caption" color="textSecondary">
              {[p.provider, p.distribution, p.kubernetesVersion]
                .filter(Boolean)
                .join(' · ')}
              {p.layers.length > 0 ? ` — ${layerText(p.layers)}` : ''}
            </Typography>
          </Box>
        )}
        renderInput={params => (
          <TextField
            {...params}
            label={title}
            required={required}
            variant="outlined"
          />
        )}
      />
      {error && (
        <FormHelperText>
          Could not load profiles: {error.message}
        </FormHelperText>
      )}
      {!loading && !error && options.length === 0 && (
        <FormHelperText>
          No cluster profile is open to your teams. Ask the platform team.
        </FormHelperText>
      )}
      {schema?.description && (
        <FormHelperText>{schema.description}</FormHelperText>
      )}
      {selected && selected.layers.length > 0 && (
        <Box
          mt={1}
          display="flex"
          flexWrap="wrap"
          style={{ gap: 6 }}
          data-testid="profile-layers"
        >
          {selected.layers.map(l => (
            <Chip
              key={`${l.kind}-${l.name}`}
              size="small"
              label={`${l.kind}: ${l.name}${l.version ? ` ${l.version}` : ''}`}
            />
          ))}
        </Box>
      )}
    </FormControl>
  );
};

/** Validation: the value must be one of the profiles the picker offered (checked again by the backend). */
export const clusterProfilePickerValidation = (
  value: string,
  validation: { addError(message: string): void },
) => {
  if (value && !/^clusterprofile:[^/]+\/.+$/i.test(value)) {
    validation.addError('Choose a cluster profile from the list');
  }
};
