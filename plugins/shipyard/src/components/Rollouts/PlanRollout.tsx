import { InfoCard, Table } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { useFleetRoutes } from '../../hooks';
import { RolloutPlan, RolloutSpec, useRolloutsClient } from './rolloutsClient';

/** The fleet page's filters a rollout's selection takes from the address (`?owner=team-a&kubernetesMinor=1.32`). */
const SELECTOR_KEYS = [
  'owner',
  'profile',
  'provider',
  'distribution',
  'kubernetesMinor',
  'health',
  'managementCluster',
  'lifecycle',
  'label',
  'cluster',
] as const;

export function selectorFromParams(
  params: URLSearchParams,
): RolloutSpec['selector'] {
  const selector: Record<string, string[]> = {};
  for (const key of SELECTOR_KEYS) {
    const values = params.getAll(key).flatMap(v => v.split(','));
    if (values.length > 0) selector[key] = values.filter(Boolean);
  }
  return selector;
}

/** Plans a rollout (shown per stage and cluster before anything starts), then starts it. */
export const PlanRollout = () => {
  const client = useRolloutsClient();
  const navigate = useNavigate();
  const routes = useFleetRoutes();
  const [params] = useSearchParams();
  const [name, setName] = useState(params.get('name') ?? 'Kubernetes upgrade');
  const [version, setVersion] = useState(params.get('target') ?? '');
  const [canaries, setCanaries] = useState('1');
  const [concurrency, setConcurrency] = useState('25%');
  const [approvers, setApprovers] = useState(params.get('approvers') ?? '');
  const [plan, setPlan] = useState<RolloutPlan>();
  const [error, setError] = useState<Error>();
  const selector = selectorFromParams(params) ?? {};

  const spec = (): RolloutSpec => {
    const concurrencyValue = /^\d+$/.test(concurrency)
      ? Number(concurrency)
      : concurrency;
    const groups = approvers
      .split(',')
      .map(g => g.trim())
      .filter(Boolean);
    return {
      name,
      target: { kubernetesVersion: version },
      selector,
      stages: [
        {
          name: 'canary',
          maxClusters: Math.max(1, Number(canaries) || 1),
          concurrency: 1,
          soakSeconds: 300,
        },
        {
          name: 'rest',
          concurrency: concurrencyValue,
          failureBudget: 0,
          ...(groups.length ? { approval: { groups } } : {}),
        },
      ],
    };
  };

  const run = async (fn: () => Promise<void>) => {
    setError(undefined);
    try {
      await fn();
    } catch (e) {
      setError(e as Error);
    }
  };

  return (
    <InfoCard title="Plan a rollout">
      <Box display="flex" flexWrap="wrap" gridGap={16}>
        <TextField
          label="Name"
          value={name}
          onChange={e => setName(e.target.value)}
        />
        <TextField
          label="Target Kubernetes version"
          placeholder="v1.35.2"
          value={version}
          onChange={e => setVersion(e.target.value)}
          inputProps={{ 'aria-label': 'Target Kubernetes version' }}
        />
        <TextField
          label="Canary clusters"
          value={canaries}
          onChange={e => setCanaries(e.target.value)}
        />
        <TextField
          label="Concurrency after the canaries"
          value={concurrency}
          onChange={e => setConcurrency(e.target.value)}
        />
        <TextField
          label="Approval groups (optional)"
          placeholder="group:default/platform-team"
          value={approvers}
          onChange={e => setApprovers(e.target.value)}
        />
      </Box>
      <Typography variant="body2">
        Selection:{' '}
        {Object.keys(selector).length
          ? Object.entries(selector)
              .map(([k, v]) => `${k}=${(v as string[]).join(',')}`)
              .join(' · ')
          : 'the whole fleet you may upgrade'}{' '}
        (<a href={routes.fleet(params)}>change on the fleet page</a>)
      </Typography>
      <Box mt={2} display="flex" gridGap={8}>
        <Button
          variant="outlined"
          onClick={() => run(async () => setPlan(await client.plan(spec())))}
        >
          Plan
        </Button>
        <Button
          variant="contained"
          color="primary"
          disabled={!plan}
          onClick={() =>
            run(async () => {
              const created = await client.create(spec());
              navigate(`../${encodeURIComponent(created.id)}`);
            })
          }
        >
          Start rollout
        </Button>
      </Box>
      {error && (
        <Box mt={2}>
          <Alert severity="error">{error.message}</Alert>
        </Box>
      )}
      {plan && (
        <Box mt={2}>
          {plan.stages.map(stage => (
            <Typography key={stage.name} variant="body2">
              Stage <strong>{stage.name}</strong>: {stage.clusters.length}{' '}
              cluster(s)
              {stage.clusters.some(c => c.problems?.length)
                ? `, ${
                    stage.clusters.filter(c => c.problems?.length).length
                  } with pre-flight problems now`
                : ''}
            </Typography>
          ))}
          <Table
            title="Per cluster"
            options={{ paging: true, pageSize: 10, search: true }}
            columns={[
              { title: 'Cluster', field: 'key' },
              { title: 'Stage', field: 'stage' },
              { title: 'From', field: 'fromVersion' },
              { title: 'Steps', field: 'steps' },
              { title: 'Pre-flight', field: 'message' },
            ]}
            data={[
              ...plan.stages.flatMap(s =>
                s.clusters.map(c => ({
                  key: c.key,
                  stage: s.name,
                  fromVersion: c.fromVersion,
                  steps: c.steps.map(x => x.kubernetesVersion).join(' → '),
                  message: c.message ?? 'ok',
                })),
              ),
              ...plan.excluded.map(c => ({
                key: c.key,
                stage: 'left out',
                fromVersion: c.fromVersion,
                steps: '',
                message: c.message,
              })),
            ]}
          />
        </Box>
      )}
    </InfoCard>
  );
};
