import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Chip from '@material-ui/core/Chip';
import Grid from '@material-ui/core/Grid';
import LinearProgress from '@material-ui/core/LinearProgress';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import { ClusterKey, ShipyardOpenApi } from '@shipyard/plugin-shipyard-common';
import { useCallback, useEffect, useState } from 'react';
import { shipyardApiRef } from '../../api';
import { formatAge, formatTime } from '../../lib/format';

type TrackedOperation = ShipyardOpenApi.TrackedClusterOperation;

const TITLES: Record<string, string> = {
  'cluster.scale': 'Resize',
  'cluster.delete': 'Decommission',
  'cluster.update': 'Move to a new profile version',
};

const STATE_COLORS: Record<string, 'primary' | 'secondary' | 'default'> = {
  running: 'primary',
  stalled: 'secondary',
};

/** How often the operations are read again while one is followed. */
const POLL_MS = 5_000;

function isActive(op: TrackedOperation): boolean {
  return op.state === 'running' || op.state === 'stalled';
}

/**
 * The cluster's followed operations (resizes, decommissions, profile moves), newest first: each with who started
 * it, its state and its progress in words; read again every few seconds while one is still followed, and whenever
 * the cluster changes (`revision`). Shows nothing when the cluster has none.
 */
export const OperationsCard = (props: {
  clusterKey: ClusterKey;
  /** Changes whenever the cluster's summary does. */
  revision?: string;
  /** Wraps the card in a full-width item of the page's grid (nothing at all when there is no operation). */
  gridItem?: boolean;
}) => {
  const api = useApi(shipyardApiRef);
  const { managementCluster, namespace, name } = props.clusterKey;
  const [items, setItems] = useState<TrackedOperation[]>([]);
  const [tick, setTick] = useState(0);
  const load = useCallback(
    (signal?: AbortSignal) =>
      api
        .listClusterOperations(
          { managementCluster, namespace, name },
          { signal },
        )
        .then(setItems)
        .catch(() => {
          // an older backend without the route, or a network blip: the card stays as it was
        }),
    [api, managementCluster, namespace, name],
  );
  useEffect(() => {
    const controller = new AbortController();
    load(controller.signal);
    return () => controller.abort();
  }, [load, props.revision, tick]);
  const active = items.some(isActive);
  useEffect(() => {
    if (!active) return undefined;
    const timer = setTimeout(() => setTick(t => t + 1), POLL_MS);
    return () => clearTimeout(timer);
  }, [active, items]);
  if (items.length === 0) return null;
  const card = (
    <InfoCard
      title="Operations"
      subheader="Resizes, decommissions and profile moves"
    >
      {active && <LinearProgress data-testid="operations-running" />}
      <List dense data-testid="cluster-operations">
        {items.map(op => (
          <ListItem
            key={op.id}
            disableGutters
            data-testid={`operation-${op.state}`}
          >
            <ListItemText
              style={{ whiteSpace: 'normal', overflowWrap: 'anywhere' }}
              primary={
                <>
                  <strong>{TITLES[op.action] ?? op.action}</strong>{' '}
                  <Chip
                    size="small"
                    label={op.state}
                    color={STATE_COLORS[op.state] ?? 'default'}
                  />{' '}
                  {op.message}
                </>
              }
              secondary={`by ${op.actor.replace(
                /^user:(default\/)?/,
                '',
              )} · started ${formatTime(op.startedAt)} (${formatAge(
                op.startedAt,
              )} ago)${
                isActive(op)
                  ? ` · deadline ${formatTime(op.deadlineAt)}`
                  : ` · ${op.state} ${formatTime(op.updatedAt)}`
              }`}
            />
          </ListItem>
        ))}
      </List>
    </InfoCard>
  );
  return props.gridItem ? (
    <Grid item xs={12}>
      {card}
    </Grid>
  ) : (
    card
  );
};
