import { InfoCard, Table } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Radio from '@material-ui/core/Radio';
import RadioGroup from '@material-ui/core/RadioGroup';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { useFleetRoutes } from '../../hooks';
import { RolloutPlan, RolloutSpec, useRolloutsClient } from './rolloutsClient';

/** A list of a rollout's selection (the spec's `RolloutSelector`) that the fleet page's address can carry. */
type SelectorKey = Exclude<
  keyof NonNullable<RolloutSpec['selector']>,
  'behind'
>;

/**
 * The fleet page's filters a rollout's selection takes from the address (`?owner=team-a&kubernetesMinor=1.32`):
 * every list of the spec's `RolloutSelector`, in this order.
 */
const SELECTOR_KEYS = Object.keys({
  owner: true,
  profile: true,
  provider: true,
  distribution: true,
  kubernetesMinor: true,
  health: true,
  managementCluster: true,
  lifecycle: true,
  versionSupport: true,
  label: true,
  cluster: true,
} satisfies Record<SelectorKey, true>) as SelectorKey[];

/** The fleet page's address keys that are no filter (sorting, paging, columns). */
const VIEW_KEYS = new Set([
  'sort',
  'order',
  'page',
  'pageSize',
  'columns',
  'view',
]);

/** Fleet page filters in the address a rollout's selection cannot take (it would select more than the page). */
export function unsupportedFilters(params: URLSearchParams): string[] {
  return [...new Set(params.keys())].filter(
    k =>
      !(SELECTOR_KEYS as readonly string[]).includes(k) &&
      !VIEW_KEYS.has(k) &&
      !k.startsWith('target') &&
      !['name', 'approvers', 'soakMinutes'].includes(k),
  );
}

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

/** A text field of the form, bound to one piece of its state (the value and its setter). */
const FormField = ({
  state: [value, setValue],
  ariaLabel,
  ...field
}: {
  label: string;
  placeholder?: string;
  /** The input's accessible name, when it differs from the label. */
  ariaLabel?: string;
  state: [string, (value: string) => void];
}) => (
  <TextField
    {...field}
    value={value}
    onChange={e => setValue(e.target.value)}
    inputProps={ariaLabel ? { 'aria-label': ariaLabel } : undefined}
  />
);

/** What a rollout moves its clusters to: a Kubernetes version, or a version of a profile. */
type TargetKind = 'kubernetes' | 'profile';

/**
 * Plans a rollout (shown per stage and cluster before anything starts), then starts it. The address may preset the
 * target: `target=v1.35.2` (a Kubernetes version), or `targetProfile=web&targetProfileVersion=2.1.0`.
 */
export const PlanRollout = () => {
  const client = useRolloutsClient();
  const navigate = useNavigate();
  const routes = useFleetRoutes();
  const [params] = useSearchParams();
  const [kind, setKind] = useState<TargetKind>(
    params.get('targetProfile') ? 'profile' : 'kubernetes',
  );
  const [name, setName] = useState(
    params.get('name') ??
      (params.get('targetProfile') ? 'Profile version' : 'Kubernetes upgrade'),
  );
  const [version, setVersion] = useState(params.get('target') ?? '');
  const [profile, setProfile] = useState(params.get('targetProfile') ?? '');
  const [profileVersion, setProfileVersion] = useState(
    params.get('targetProfileVersion') ?? '',
  );
  const [canaries, setCanaries] = useState('1');
  const [soakMinutes, setSoakMinutes] = useState(
    params.get('soakMinutes') ?? '5',
  );
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
    const target =
      kind === 'profile'
        ? { profile: profile.trim(), profileVersion: profileVersion.trim() }
        : { kubernetesVersion: version.trim() };
    return {
      name,
      target,
      // a profile version moves the clusters of that profile: the selection names it unless it names profiles
      selector:
        kind === 'profile' && !selector.profile && profile.trim()
          ? { ...selector, profile: [profile.trim()] }
          : selector,
      stages: [
        {
          name: 'canary',
          maxClusters: Math.max(1, Number(canaries) || 1),
          concurrency: 1,
          soakSeconds: Math.max(0, Math.round(Number(soakMinutes) * 60) || 0),
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
        <FormField label="Name" state={[name, setName]} />
        <RadioGroup
          row
          aria-label="Target"
          value={kind}
          onChange={e => {
            setKind(e.target.value as TargetKind);
            setPlan(undefined);
          }}
        >
          <FormControlLabel
            value="kubernetes"
            control={<Radio color="primary" />}
            label="A Kubernetes version"
          />
          <FormControlLabel
            value="profile"
            control={<Radio color="primary" />}
            label="A profile version"
          />
        </RadioGroup>
        {kind === 'kubernetes' ? (
          <FormField
            label="Target Kubernetes version"
            placeholder="v1.35.2"
            state={[version, setVersion]}
            ariaLabel="Target Kubernetes version"
          />
        ) : (
          <>
            <FormField
              label="Profile"
              placeholder="eks-standard"
              state={[profile, setProfile]}
              ariaLabel="Target profile"
            />
            <FormField
              label="Profile version"
              placeholder="2.1.0"
              state={[profileVersion, setProfileVersion]}
              ariaLabel="Target profile version"
            />
          </>
        )}
        <FormField label="Canary clusters" state={[canaries, setCanaries]} />
        <FormField
          label="Soak after the canaries (minutes)"
          state={[soakMinutes, setSoakMinutes]}
          ariaLabel="Soak after the canaries (minutes)"
        />
        <FormField
          label="Concurrency after the canaries"
          state={[concurrency, setConcurrency]}
        />
        <FormField
          label="Approval groups (optional)"
          placeholder="group:default/platform-team"
          state={[approvers, setApprovers]}
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
      {unsupportedFilters(params).length > 0 && (
        <Alert severity="warning">
          A rollout cannot select by {unsupportedFilters(params).join(', ')}:
          those filters of the fleet page are not part of its selection.
        </Alert>
      )}
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
                  steps: c.steps
                    .map(x =>
                      x.profileVersion
                        ? `${x.kubernetesVersion} (profile ${x.profileVersion})`
                        : x.kubernetesVersion,
                    )
                    .join(' → '),
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
