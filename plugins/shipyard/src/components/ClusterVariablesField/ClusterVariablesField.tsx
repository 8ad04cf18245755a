import { ApiHolder, useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import Form from '@rjsf/material-ui';
import validator from '@rjsf/validator-ajv8';
import Box from '@material-ui/core/Box';
import FormHelperText from '@material-ui/core/FormHelperText';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import {
  ClusterClassSummary,
  ProfileJsonValue,
  checkClusterVariables,
  clusterVariablesFormSchema,
} from '@shipyard/plugin-shipyard-common';
import { ComponentType, useMemo } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { ShipyardApi, shipyardApiRef } from '../../api';
import { formString, formValues } from '../../lib/formProfile';
import { ProfileModel, readProfile } from '../../lib/profile';

/** Options of the ClusterVariables field (`ui:options`). */
export interface ClusterVariablesUiOptions {
  /** Form field with the profile ref. Default `profile`. */
  profileField?: string;
  /** Form field with the management cluster. Default `managementCluster`. */
  managementClusterField?: string;
  /** Form field with the owning group. Default `owner`. */
  ownerField?: string;
}

type Variables = Record<string, ProfileJsonValue>;

/** The form of rjsf's Material UI theme, typed loosely: its generic props are too deep for the JSON types here. */
const VariablesForm = Form as unknown as ComponentType<Record<string, unknown>>;

/**
 * The ClusterClass a request would use, as the request action picks it: the profile's class on the chosen (or the
 * profile's default) management cluster, in the profile's namespace, else in the owner's, else the only or first one.
 */
async function loadRequestClass(
  apis: {
    catalog: { getEntityByRef(ref: string): Promise<any> };
    shipyard: ShipyardApi;
  },
  form: Record<string, unknown>,
  options: ClusterVariablesUiOptions,
): Promise<{ profile?: ProfileModel; clusterClass?: ClusterClassSummary }> {
  const str = (field: string) => {
    const v = form[field];
    return typeof v === 'string' && v.length > 0 ? v : undefined;
  };
  const profileRef = str(options.profileField ?? 'profile');
  if (!profileRef) return {};
  const entity = await apis.catalog.getEntityByRef(profileRef);
  if (!entity) return {};
  const profile = readProfile(entity);
  const managementCluster =
    str(options.managementClusterField ?? 'managementCluster') ??
    profile.defaultManagementCluster ??
    profile.managementClusters[0];
  if (!profile.clusterClass || !managementCluster) return { profile };
  const classes = (
    await apis.shipyard.listClusterClasses(managementCluster)
  ).filter(c => c.name === profile.clusterClass);
  const ownerName = str(options.ownerField ?? 'owner')?.replace(/^.*\//, '');
  const clusterClass = profile.clusterClassNamespace
    ? classes.find(c => c.namespace === profile.clusterClassNamespace)
    : classes.find(c => c.namespace === ownerName) ??
      (classes.length === 1 ? classes[0] : undefined) ??
      [...classes].sort((a, b) => a.namespace.localeCompare(b.namespace))[0];
  return { profile, clusterClass };
}

/**
 * Scaffolder field: the variables of the chosen profile's ClusterClass as a form generated from their schemas
 * (types, enums, defaults from the profile, required markers, descriptions, nested objects, booleans).
 */
export const ClusterVariablesField = (
  props: FieldExtensionComponentProps<
    Record<string, unknown>,
    ClusterVariablesUiOptions
  >,
) => {
  const { formData, onChange, formContext, uiSchema, schema, disabled } = props;
  const options = uiSchema?.['ui:options'] ?? {};
  const catalog = useApi(catalogApiRef);
  const shipyard = useApi(shipyardApiRef);
  const form = formValues(formContext);
  const profileRef = formString(formContext, options.profileField ?? 'profile');
  const managementCluster = formString(
    formContext,
    options.managementClusterField ?? 'managementCluster',
  );
  const owner = formString(formContext, options.ownerField ?? 'owner');
  const { value, loading, error } = useAsync(
    () => loadRequestClass({ catalog, shipyard }, form, options),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [catalog, shipyard, profileRef, managementCluster, owner],
  );
  const formSchema = useMemo(
    () =>
      value?.clusterClass
        ? clusterVariablesFormSchema(
            value.clusterClass.variables,
            (value.profile?.variableDefaults ?? {}) as Variables,
          )
        : undefined,
    [value],
  );
  if (!profileRef) {
    return (
      <Typography variant="body2" color="textSecondary">
        Choose a cluster profile first.
      </Typography>
    );
  }
  if (loading) return <LinearProgress />;
  if (error) {
    return (
      <FormHelperText error>
        Could not load the profile&apos;s ClusterClass: {error.message}
      </FormHelperText>
    );
  }
  if (!value?.clusterClass || !formSchema) {
    return (
      <Typography variant="body2" color="textSecondary">
        {value?.profile?.clusterClass
          ? `ClusterClass ${value.profile.clusterClass} is not on this management cluster.`
          : 'This profile has no ClusterClass variables to set.'}
      </Typography>
    );
  }
  return (
    <Box data-testid="cluster-variables">
      {schema?.title && (
        <Typography variant="h6" component="h3">
          {schema.title}
        </Typography>
      )}
      <Typography variant="body2" color="textSecondary">
        ClusterClass {value.clusterClass.namespace}/{value.clusterClass.name} on{' '}
        {value.clusterClass.managementCluster}; the profile&apos;s values are
        filled in.
      </Typography>
      <VariablesForm
        tagName="div"
        idPrefix={props.idSchema?.$id ?? 'variables'}
        schema={formSchema as any}
        formData={formData ?? {}}
        validator={validator}
        disabled={disabled}
        liveValidate
        showErrorList={false}
        uiSchema={{ 'ui:submitButtonOptions': { norender: true } }}
        onChange={(e: { formData?: Record<string, unknown> }) =>
          onChange(e.formData ?? {})
        }
      />
    </Box>
  );
};

/**
 * Validation of the field: the values checked against the ClusterClass's schemas by `checkClusterVariables` of
 * -common, the check `shipyard:cluster:create` makes.
 */
export async function clusterVariablesValidation(
  value: Record<string, unknown> | undefined,
  validation: { addError(message: string): void },
  context: {
    apiHolder: ApiHolder;
    formData: Record<string, unknown>;
    uiSchema?: { 'ui:options'?: ClusterVariablesUiOptions };
  },
): Promise<void> {
  const catalog = context.apiHolder.get(catalogApiRef);
  const shipyard = context.apiHolder.get(shipyardApiRef);
  if (!catalog || !shipyard) return;
  let loaded;
  try {
    loaded = await loadRequestClass(
      { catalog, shipyard },
      context.formData,
      context.uiSchema?.['ui:options'] ?? {},
    );
  } catch {
    // the form shows why it could not load the class; the backend checks again on submit
    return;
  }
  if (!loaded.clusterClass) return;
  const check = checkClusterVariables({
    declared: loaded.clusterClass.variables,
    defaults: (loaded.profile?.variableDefaults ?? {}) as Variables,
    requested: withoutEmpty((value ?? {}) as Variables),
    clusterClass: `${loaded.clusterClass.namespace}/${loaded.clusterClass.name}`,
  });
  for (const problem of check.problems) validation.addError(problem);
}

/** The form leaves untouched optional fields undefined: they are not requested values. */
export function withoutEmpty(values: Variables): Variables {
  const out: Variables = {};
  for (const [k, v] of Object.entries(values)) {
    if (v !== undefined) out[k] = v;
  }
  return out;
}
