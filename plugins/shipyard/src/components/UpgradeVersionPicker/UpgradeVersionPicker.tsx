import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
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
import { clusterKeyFromEntity } from '../../lib/entity';
import { formString } from '../../lib/formProfile';
import {
  keyOfClusterRef,
  upgradeBlocker,
  upgradeTargets,
} from '../../lib/upgrade';
import { versionSupportLabel } from '../../lib/versionSupport';
import { VersionSupportChip } from '../StatusLabels';

/** Options of the UpgradeVersionPicker field (`ui:options`). */
export interface UpgradeVersionPickerUiOptions {
  /** Form field with the cluster (entity ref or `managementCluster/namespace/name`). Default `cluster`. */
  clusterField?: string;
}

/**
 * Scaffolder field: the Kubernetes versions the chosen cluster may move to now (its profile version's next ones,
 * one minor at a time), each with its support status; the reason when there is none.
 */
export const UpgradeVersionPicker = (
  props: FieldExtensionComponentProps<string, UpgradeVersionPickerUiOptions>,
) => {
  const {
    formData,
    onChange,
    required,
    rawErrors,
    schema,
    idSchema,
    uiSchema,
  } = props;
  const clusterRef = formString(
    props.formContext,
    uiSchema?.['ui:options']?.clusterField ?? 'cluster',
  );
  const catalogApi = useApi(catalogApiRef);
  const api = useApi(shipyardApiRef);
  const { value, loading, error } = useAsync(async () => {
    if (!clusterRef) return undefined;
    let key = keyOfClusterRef(clusterRef);
    if (!key) {
      const entity = await catalogApi.getEntityByRef(clusterRef);
      key = entity ? clusterKeyFromEntity(entity) : undefined;
    }
    if (!key) return undefined;
    const [details, lifecycle] = await Promise.all([
      api.getCluster(key),
      api.getClusterLifecycle(key).catch(() => undefined),
    ]);
    return { summary: details.summary, lifecycle };
  }, [catalogApi, api, clusterRef]);
  const targets = upgradeTargets(value?.lifecycle);
  const versions = targets.map(t => t.kubernetesVersion);
  const blocker = value
    ? upgradeBlocker(value.summary, value.lifecycle)
    : undefined;
  useEffect(() => {
    if (!value) return;
    if (formData && versions.includes(formData)) return;
    if (versions[0] && versions[0] !== formData) onChange(versions[0]);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value]);
  const id = idSchema?.$id ?? 'upgrade-version';
  let helper =
    schema?.description ?? 'The versions this cluster may move to now';
  if (!clusterRef) helper = 'Choose a cluster first';
  else if (error) helper = `Could not load the cluster: ${error.message}`;
  const chosen = targets.find(t => t.kubernetesVersion === formData);
  return (
    <>
      <FormControl
        fullWidth
        margin="normal"
        required={required}
        variant="outlined"
        error={(rawErrors?.length ?? 0) > 0 || Boolean(error)}
        disabled={loading || versions.length === 0}
      >
        <InputLabel id={`${id}-label`}>
          {schema?.title ?? 'Target Kubernetes version'}
        </InputLabel>
        <Select
          labelId={`${id}-label`}
          id={id}
          label={schema?.title ?? 'Target Kubernetes version'}
          value={formData && versions.includes(formData) ? formData : ''}
          onChange={e => onChange(String(e.target.value))}
          data-testid="upgrade-version-select"
        >
          {targets.map(t => (
            <MenuItem key={t.kubernetesVersion} value={t.kubernetesVersion}>
              {t.kubernetesVersion} — {versionSupportLabel(t.status)}
            </MenuItem>
          ))}
        </Select>
        <FormHelperText>
          {value?.summary.kubernetesVersion
            ? `Runs ${value.summary.kubernetesVersion}. ${helper}`
            : helper}
        </FormHelperText>
      </FormControl>
      {chosen && (
        <VersionSupportChip
          status={chosen.status}
          endOfLife={chosen.endOfLife}
          showSupported
        />
      )}
      {chosen?.status === 'end-of-life' && (
        <Alert severity="warning" data-testid="end-of-life-warning">
          Kubernetes {chosen.minor} is at its end of life
          {chosen.endOfLife ? ` since ${chosen.endOfLife}` : ''}: the cluster
          stays out of support after this upgrade. Choose a newer version if one
          is offered.
        </Alert>
      )}
      {blocker && (
        <Alert severity="warning" data-testid="upgrade-blocker">
          {blocker}
        </Alert>
      )}
    </>
  );
};
