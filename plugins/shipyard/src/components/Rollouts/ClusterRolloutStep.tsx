import Typography from '@material-ui/core/Typography';
import { Link } from '@backstage/core-components';
import { useEffect, useState } from 'react';
import { useFleetRoutes } from '../../hooks';
import { Rollout, useRolloutsClient } from './rolloutsClient';

/** The step of a cluster in the running rollout that takes it, for its page; nothing when none does. */
export const ClusterRolloutStep = ({ clusterKey }: { clusterKey: string }) => {
  const client = useRolloutsClient();
  const routes = useFleetRoutes();
  const [rollout, setRollout] = useState<Rollout>();
  useEffect(() => {
    let live = true;
    client
      .list({ cluster: clusterKey })
      .then(
        items =>
          live &&
          setRollout(
            items.find(r => ['running', 'paused', 'halted'].includes(r.state)),
          ),
      )
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [client, clusterKey]);
  if (!rollout) return null;
  const stage = rollout.stages.find(s =>
    s.clusters.some(c => c.key === clusterKey),
  );
  const c = stage?.clusters.find(x => x.key === clusterKey);
  if (!stage || !c) return null;
  return (
    <Typography variant="body2" data-testid="cluster-rollout-step">
      Rollout{' '}
      <Link to={`${routes.fleet()}/rollouts/${encodeURIComponent(rollout.id)}`}>
        {rollout.spec.name}
      </Link>
      : stage {stage.name}, {c.state}
      {c.steps.length
        ? `, step ${Math.min(c.step + 1, c.steps.length)}/${c.steps.length} (${
            c.steps[Math.min(c.step, c.steps.length - 1)].kubernetesVersion
          })`
        : ''}
      {c.message ? ` — ${c.message}` : ''}
    </Typography>
  );
};
