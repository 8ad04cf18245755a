import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import Alert from '@material-ui/lab/Alert';
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
import { ChoiceField } from '../ChoiceField';
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
  const { formData, schema, uiSchema } = props;
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
  const blocker = value
    ? upgradeBlocker(value.summary, value.lifecycle)
    : undefined;
  let helper =
    schema?.description ?? 'The versions this cluster may move to now';
  if (!clusterRef) helper = 'Choose a cluster first';
  else if (error) helper = `Could not load the cluster: ${error.message}`;
  const chosen = targets.find(t => t.kubernetesVersion === formData);
  return (
    <>
      <ChoiceField
        field={props}
        title="Target Kubernetes version"
        testId="upgrade-version-select"
        // the first target by default
        choices={targets.map(t => ({
          value: t.kubernetesVersion,
          label: `${t.kubernetesVersion} — ${versionSupportLabel(t.status)}`,
        }))}
        disabled={loading}
        error={Boolean(error)}
        helper={
          value?.summary.kubernetesVersion
            ? `Runs ${value.summary.kubernetesVersion}. ${helper}`
            : helper
        }
      />
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
