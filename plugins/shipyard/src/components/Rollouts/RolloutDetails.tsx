import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useCallback, useEffect, useState } from 'react';
import {
  Rollout,
  RolloutCluster,
  RolloutStage,
  useRolloutsClient,
} from './rolloutsClient';

const DONE = new Set(['succeeded', 'failed', 'skipped']);

/** Share of a stage's clusters that are done (succeeded, failed or skipped). */
export function stageProgress(stage: RolloutStage): number {
  if (stage.clusters.length === 0) return 100;
  const done = stage.clusters.filter(c => DONE.has(c.state)).length;
  return Math.round((done / stage.clusters.length) * 100);
}

function stepText(c: RolloutCluster): string {
  if (c.steps.length === 0) return '—';
  const step = c.steps[Math.min(c.step, c.steps.length - 1)];
  return `${Math.min(c.step + 1, c.steps.length)}/${c.steps.length} → ${
    step.kubernetesVersion
  }`;
}

const columns: TableColumn<RolloutCluster>[] = [
  { title: 'Cluster', field: 'key' },
  { title: 'From', field: 'fromVersion' },
  { title: 'Step', render: c => stepText(c) },
  {
    title: 'State',
    render: c => <Chip size="small" label={c.state} />,
  },
  { title: 'Details', field: 'message' },
];

function gateText(stage: RolloutStage): string | undefined {
  const w = stage.waitingOn;
  if (!w) return undefined;
  return `Waits for ${w.gate === 'approval' ? '' : `${w.gate}: `}${w.message}${
    w.until ? ` (until ${new Date(w.until).toLocaleString()})` : ''
  }`;
}

/** One rollout: its stages with progress, each cluster's step and state, the gate waited on, and the operator buttons. */
export const RolloutDetails = ({
  id,
  refreshMs = 3000,
}: {
  id: string;
  refreshMs?: number;
}) => {
  const client = useRolloutsClient();
  const [rollout, setRollout] = useState<Rollout>();
  const [error, setError] = useState<Error>();
  const [actionError, setActionError] = useState<Error>();
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setRollout(await client.get(id));
      setError(undefined);
    } catch (e) {
      setError(e as Error);
    }
  }, [client, id]);

  useEffect(() => {
    load();
    const timer = setInterval(load, refreshMs);
    return () => clearInterval(timer);
  }, [load, refreshMs]);

  const act = async (fn: () => Promise<Rollout>) => {
    setBusy(true);
    setActionError(undefined);
    try {
      setRollout(await fn());
    } catch (e) {
      setActionError(e as Error);
    } finally {
      setBusy(false);
    }
  };

  if (error && !rollout) return <ResponseErrorPanel error={error} />;
  if (!rollout) return <Progress />;
  const waiting = rollout.stages.find(s => s.state === 'waiting-approval');
  return (
    <Box display="flex" flexDirection="column" gridGap={16}>
      <InfoCard title={rollout.spec.name}>
        <Typography variant="body2">
          Target{' '}
          <strong>
            {rollout.spec.target.kubernetesVersion ??
              `${rollout.spec.target.profile} ${rollout.spec.target.profileVersion}`}
          </strong>{' '}
          · state <strong data-testid="rollout-state">{rollout.state}</strong> ·
          started by {rollout.createdBy}
        </Typography>
        {rollout.message && (
          <Alert severity={rollout.state === 'halted' ? 'error' : 'info'}>
            {rollout.message}
          </Alert>
        )}
        <Box mt={1} display="flex" gridGap={8}>
          {waiting && (
            <Button
              variant="contained"
              color="primary"
              disabled={busy}
              onClick={() => act(() => client.approve(rollout.id))}
            >
              Approve {waiting.name}
            </Button>
          )}
          {rollout.state === 'running' && (
            <Button
              variant="outlined"
              disabled={busy}
              onClick={() => act(() => client.operate(rollout.id, 'pause'))}
            >
              Pause
            </Button>
          )}
          {(rollout.state === 'paused' || rollout.state === 'halted') && (
            <Button
              variant="outlined"
              disabled={busy}
              onClick={() => act(() => client.operate(rollout.id, 'resume'))}
            >
              Resume
            </Button>
          )}
          {['running', 'paused', 'halted'].includes(rollout.state) && (
            <Button
              variant="outlined"
              color="secondary"
              disabled={busy}
              onClick={() => act(() => client.operate(rollout.id, 'abort'))}
            >
              Abort
            </Button>
          )}
        </Box>
        {actionError && (
          <Box mt={1}>
            <Alert severity="error">{actionError.message}</Alert>
          </Box>
        )}
      </InfoCard>
      {rollout.stages.map(stage => (
        <InfoCard
          key={stage.name}
          title={`Stage ${stage.name}`}
          subheader={`${stage.state} · ${stage.clusters.length} cluster(s)`}
        >
          <LinearProgress
            variant="determinate"
            value={stageProgress(stage)}
            aria-label={`progress of stage ${stage.name}`}
          />
          {gateText(stage) && (
            <Typography variant="body2" data-testid={`gate-${stage.name}`}>
              {gateText(stage)}
            </Typography>
          )}
          {stage.message && <Alert severity="error">{stage.message}</Alert>}
          <Table
            options={{ paging: false, search: false, toolbar: false }}
            columns={columns}
            data={stage.clusters}
          />
        </InfoCard>
      ))}
      {rollout.excluded.length > 0 && (
        <InfoCard
          title="Left out"
          subheader="Clusters of the selection no stage upgrades"
        >
          <Table
            options={{ paging: false, search: false, toolbar: false }}
            columns={columns}
            data={rollout.excluded}
          />
        </InfoCard>
      )}
    </Box>
  );
};
