import { useApi } from '@backstage/core-plugin-api';
import { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { shipyardApiRef } from '../../api';
import { ProfilePickerUiOptions, useFormProfile } from '../../lib/formProfile';
import { Choice, ChoiceField } from '../ChoiceField';

/** A choice's name with a note after it in parentheses (the name alone without a note). */
const NamedChoice = (props: { name: string; note?: string }) => (
  <span>
    {props.name}
    {props.note !== undefined && (
      <Typography variant="caption" color="textSecondary" component="span">
        {' '}
        ({props.note})
      </Typography>
    )}
  </span>
);

/** A select among the choices a profile offers, defaulting to the profile's default. */
const ProfileChoiceField = (props: {
  field: FieldExtensionComponentProps<string, ProfilePickerUiOptions>;
  title: string;
  testId: string;
  choices: Choice[];
  fallback?: string;
  loading: boolean;
  error?: Error;
  hasProfile: boolean;
  helper: string;
}) => {
  let helper = props.field.schema?.description ?? props.helper;
  if (!props.hasProfile) helper = 'Choose a cluster profile first';
  else if (props.error)
    helper = `Could not load the choices: ${props.error.message}`;
  return (
    <ChoiceField
      field={props.field}
      title={props.title}
      testId={props.testId}
      choices={props.choices}
      fallback={props.fallback}
      disabled={props.field.disabled || props.loading}
      error={Boolean(props.error)}
      helper={helper}
    />
  );
};

/** Scaffolder field: a named size of the chosen profile, with its title and replicas. */
export const ClusterSizePicker = (
  props: FieldExtensionComponentProps<string, ProfilePickerUiOptions>,
) => {
  const profileField = props.uiSchema?.['ui:options']?.profileField;
  const { profileRef, profile, loading, error } = useFormProfile(
    props.formContext,
    profileField,
  );
  // a size's title says what it is; without one, its name and replicas
  const choices: Choice[] = (profile?.sizeOptions ?? []).map(s => ({
    value: s.name,
    label: s.title ?? (
      <NamedChoice
        name={s.name}
        note={[
          s.controlPlaneReplicas
            ? `${s.controlPlaneReplicas} control plane`
            : undefined,
          s.workerReplicas !== undefined
            ? `${s.workerReplicas} worker${s.workerReplicas === 1 ? '' : 's'}`
            : undefined,
          s.machineClass,
        ]
          .filter(Boolean)
          .join(', ')}
      />
    ),
  }));
  return (
    <ProfileChoiceField
      field={props}
      title="Size"
      testId="cluster-size-select"
      choices={choices}
      fallback={profile?.defaultSize}
      loading={loading}
      error={error}
      hasProfile={Boolean(profileRef)}
      helper="The sizes the profile offers"
    />
  );
};

/** Scaffolder field: a management cluster the chosen profile may create clusters on, with its connection state. */
export const ManagementClusterPicker = (
  props: FieldExtensionComponentProps<string, ProfilePickerUiOptions>,
) => {
  const profileField = props.uiSchema?.['ui:options']?.profileField;
  const {
    profileRef,
    profile,
    loading: profileLoading,
    error: profileError,
  } = useFormProfile(props.formContext, profileField);
  const api = useApi(shipyardApiRef);
  const {
    value: statuses,
    loading,
    error,
  } = useAsync(() => api.listManagementClusters(), [api]);
  const choices: Choice[] = (profile?.managementClusters ?? []).map(name => {
    const status = statuses?.items.find(m => m.name === name);
    const connected = status?.state === 'connected';
    const state = status ? status.state : 'not known to Shipyard';
    return {
      value: name,
      disabled: Boolean(statuses) && !connected,
      label: (
        <NamedChoice
          name={name}
          note={statuses && !connected ? state : undefined}
        />
      ),
    };
  });
  return (
    <ProfileChoiceField
      field={props}
      title="Management cluster"
      testId="management-cluster-select"
      choices={choices}
      fallback={profile?.defaultManagementCluster}
      loading={profileLoading || loading}
      error={profileError ?? error}
      hasProfile={Boolean(profileRef)}
      helper="Where the cluster is created: the management clusters the profile allows"
    />
  );
};
