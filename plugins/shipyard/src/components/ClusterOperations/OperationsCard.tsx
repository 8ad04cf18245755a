import { InfoCard } from '@backstage/core-components';
import {
  identityApiRef,
  useApi,
  useApiHolder,
} from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import Grid from '@material-ui/core/Grid';
import LinearProgress from '@material-ui/core/LinearProgress';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import { ClusterKey, ShipyardOpenApi } from '@shipyard/plugin-shipyard-common';
import { useCallback, useEffect, useState } from 'react';
import { shipyardApiRef } from '../../api';
import { auditActionLabel } from '../../lib/audit';
import { formatAge, formatTime } from '../../lib/format';
import { OperationError, useOperationCall } from './OperationDialog';

type TrackedOperation = ShipyardOpenApi.TrackedClusterOperation;

const STATE_COLORS: Record<string, 'primary' | 'secondary' | 'default'> = {
  running: 'primary',
  stalled: 'secondary',
  pending: 'secondary',
};

/** A production decommission's request (not the deletion itself). */
function isRequest(op: TrackedOperation): boolean {
  return op.action === 'cluster.delete' && Boolean(op.target.guard);
}

function titleOf(op: TrackedOperation): string {
  if (isRequest(op)) return 'Decommission request';
  return auditActionLabel(op.action);
}

/**
 * Approve (a second person of the platform team, the cluster's name typed again) or cancel a pending production
 * decommission; the backend checks who may, and says why not.
 */
const PendingDecommissionActions = (props: {
  clusterKey: ClusterKey;
  op: TrackedOperation;
  onDone(): void;
}) => {
  const api = useApi(shipyardApiRef);
  const identity = useApiHolder().get(identityApiRef);
  const [me, setMe] = useState<string>();
  const [approving, setApproving] = useState(false);
  const [confirm, setConfirm] = useState('');
  const { busy, error, call } = useOperationCall();
  const [done, setDone] = useState<string>();
  useEffect(() => {
    identity
      ?.getBackstageIdentity()
      .then(i => setMe(i.userEntityRef))
      .catch(() => undefined);
  }, [identity]);
  const decide = (decision: 'approve' | 'cancel') =>
    call(
      () =>
        api.decideDecommission(
          props.clusterKey,
          decision,
          decision === 'approve' ? { confirm } : {},
        ),
      answer => {
        setDone(answer.message);
        setApproving(false);
        props.onDone();
      },
    );
  const name = props.clusterKey.name;
  return (
    <Box mt={1} data-testid="pending-decommission">
      {done && (
        <Alert severity="success" data-testid="decommission-decided">
          {done}
        </Alert>
      )}
      {!done && (
        <Box display="flex" alignItems="center" style={{ gap: 8 }}>
          {me !== props.op.actor && !approving && (
            <Button
              size="small"
              variant="contained"
              color="secondary"
              onClick={() => setApproving(true)}
              data-testid="decommission-approve"
            >
              Approve decommission
            </Button>
          )}
          {approving && (
            <>
              <TextField
                size="small"
                label={`Type ${name} to approve`}
                value={confirm}
                onChange={e => setConfirm(e.target.value)}
                autoComplete="off"
                inputProps={{ 'data-testid': 'decommission-approve-confirm' }}
              />
              <Button
                size="small"
                variant="contained"
                color="secondary"
                disabled={busy || confirm !== name}
                onClick={() => decide('approve')}
                data-testid="decommission-approve-submit"
              >
                Approve and delete
              </Button>
            </>
          )}
          <Button
            size="small"
            variant="outlined"
            disabled={busy}
            onClick={() => decide('cancel')}
            data-testid="decommission-cancel"
          >
            Cancel request
          </Button>
        </Box>
      )}
      <OperationError
        error={error}
        testId="decommission-decision-error"
        marginTop={8}
      />
    </Box>
  );
};

/** How often the operations are read again while one is followed. */
const POLL_MS = 5_000;

function isActive(op: TrackedOperation): boolean {
  return (
    op.state === 'running' || op.state === 'stalled' || op.state === 'pending'
  );
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
            style={{ flexWrap: 'wrap' }}
          >
            <ListItemText
              style={{ whiteSpace: 'normal', overflowWrap: 'anywhere' }}
              primary={
                <>
                  <strong>{titleOf(op)}</strong>{' '}
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
                op.state === 'pending'
                  ? ` · ${
                      op.target.guard === 'delay' ? 'starts' : 'lapses'
                    } ${formatTime(op.deadlineAt)}`
                  : ''
              }${
                isActive(op) && op.state !== 'pending'
                  ? ` · deadline ${formatTime(op.deadlineAt)}`
                  : ''
              }${
                !isActive(op)
                  ? ` · ${op.state} ${formatTime(op.updatedAt)}`
                  : ''
              }`}
            />
            {op.state === 'pending' && isRequest(op) && (
              <Box flexBasis="100%">
                <PendingDecommissionActions
                  clusterKey={props.clusterKey}
                  op={op}
                  onDone={() => setTick(t => t + 1)}
                />
              </Box>
            )}
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
