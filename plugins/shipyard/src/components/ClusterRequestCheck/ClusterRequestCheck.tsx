import {
  ApiHolder,
  discoveryApiRef,
  fetchApiRef,
  useApi,
} from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import Box from '@material-ui/core/Box';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useEffect, useState } from 'react';
import { formValues } from '../../lib/formProfile';

/** A problem the backend finds with a cluster request. */
export interface RequestProblem {
  field: string;
  message: string;
}

const FIELDS = [
  'profile',
  'name',
  'owner',
  'size',
  'kubernetesVersion',
  'managementCluster',
] as const;

/** The request body of the form's values: the fields of `shipyard:cluster:create`, empty ones left out. */
export function requestOf(
  form: Record<string, unknown>,
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const f of FIELDS) {
    const v = form[f];
    if (typeof v === 'string' && v.length > 0) body[f] = v;
  }
  const variables = form.variables;
  if (variables && typeof variables === 'object' && !Array.isArray(variables)) {
    const vars: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(variables)) {
      if (v !== undefined) vars[k] = v;
    }
    body.variables = vars;
  }
  return body;
}

/** Asks the scaffolder's Shipyard module for every problem of the request (`POST …/cluster-requests/validate`). */
export async function checkClusterRequest(
  apis: {
    discoveryApi: { getBaseUrl(pluginId: string): Promise<string> };
    fetchApi: { fetch: typeof fetch };
  },
  form: Record<string, unknown>,
): Promise<RequestProblem[]> {
  const body = requestOf(form);
  if (!body.profile || !body.name || !body.owner) return [];
  const base = await apis.discoveryApi.getBaseUrl('scaffolder');
  const res = await apis.fetchApi.fetch(
    `${base}/shipyard/cluster-requests/validate`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    },
  );
  if (!res.ok) throw await ResponseError.fromResponse(res);
  const json = (await res.json()) as { problems?: RequestProblem[] };
  return json.problems ?? [];
}

/**
 * Scaffolder field (on the last page of the request form): runs every check the request action makes before
 * anything is written (name free on the management cluster, profile open to the owner, quota, variables, …) and
 * lists all problems at once; the form cannot be submitted while there are any.
 */
export const ClusterRequestCheck = (
  props: FieldExtensionComponentProps<string>,
) => {
  const discoveryApi = useApi(discoveryApiRef);
  const fetchApi = useApi(fetchApiRef);
  const form = formValues(props.formContext);
  const key = JSON.stringify(requestOf(form));
  const [state, setState] = useState<{
    problems?: RequestProblem[];
    error?: Error;
    loading: boolean;
  }>({ loading: true });
  useEffect(() => {
    let cancelled = false;
    setState(s => ({ ...s, loading: true }));
    const timer = setTimeout(() => {
      checkClusterRequest({ discoveryApi, fetchApi }, JSON.parse(key))
        .then(problems => {
          if (!cancelled) setState({ problems, loading: false });
        })
        .catch((error: Error) => {
          if (!cancelled) setState({ error, loading: false });
        });
    }, 300);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [discoveryApi, fetchApi, key]);
  return (
    <Box mt={2} data-testid="request-check">
      <Typography variant="h6" component="h3">
        {props.schema?.title ?? 'Checks'}
      </Typography>
      {state.loading && <LinearProgress />}
      {!state.loading && state.error && (
        <Alert severity="warning">
          The request could not be checked now ({state.error.message}); it is
          checked again when it runs.
        </Alert>
      )}
      {!state.loading && state.problems && state.problems.length === 0 && (
        <Alert severity="success" data-testid="request-check-ok">
          Every check passes: the name is free, the profile is open to the
          owner, the quota allows it and the variables are valid.
        </Alert>
      )}
      {!state.loading && state.problems && state.problems.length > 0 && (
        <Alert severity="error" data-testid="request-check-problems">
          {state.problems.length === 1
            ? 'One problem to fix before the request can run:'
            : `${state.problems.length} problems to fix before the request can run:`}
          <ul style={{ margin: 0 }}>
            {state.problems.map(p => (
              <li key={`${p.field}:${p.message}`}>{p.message}</li>
            ))}
          </ul>
        </Alert>
      )}
    </Box>
  );
};

/** Validation of the field: every problem of the request is an error of the form. */
export async function clusterRequestCheckValidation(
  _value: unknown,
  validation: { addError(message: string): void },
  context: { apiHolder: ApiHolder; formData: Record<string, unknown> },
): Promise<void> {
  const discoveryApi = context.apiHolder.get(discoveryApiRef);
  const fetchApi = context.apiHolder.get(fetchApiRef);
  if (!discoveryApi || !fetchApi) return;
  let problems: RequestProblem[];
  try {
    problems = await checkClusterRequest(
      { discoveryApi, fetchApi },
      context.formData,
    );
  } catch {
    // the backend checks again when the request runs
    return;
  }
  for (const p of problems) validation.addError(p.message);
}
