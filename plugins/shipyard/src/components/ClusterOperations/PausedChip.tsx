import Chip from '@material-ui/core/Chip';
import Tooltip from '@material-ui/core/Tooltip';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import PauseCircleIcon from '@material-ui/icons/PauseCircleFilled';
import { ClusterPause } from '@shipyard/plugin-shipyard-common';
import { formatTime } from '../../lib/format';

/** One line about a pause: why, by whom, since when and until when. */
export function describePause(pause: ClusterPause): string {
  const parts = [pause.reason ? `“${pause.reason}”` : 'no reason given'];
  if (pause.by) parts.push(`by ${pause.by.replace(/^user:(default\/)?/, '')}`);
  if (pause.since) parts.push(`since ${formatTime(pause.since)}`);
  parts.push(
    pause.expiresAt
      ? `resumes at ${formatTime(pause.expiresAt)}`
      : 'until resumed',
  );
  return parts.join(' · ');
}

/** A "Paused" chip for tables, with the pause in its tooltip. */
export const PausedChip = (props: { pause?: ClusterPause }) => {
  if (!props.pause) return null;
  return (
    <Tooltip title={`Reconciliation paused: ${describePause(props.pause)}`}>
      <Chip
        size="small"
        color="secondary"
        icon={<PauseCircleIcon />}
        label="Paused"
        data-testid="paused-chip"
        style={{ marginLeft: 4 }}
      />
    </Tooltip>
  );
};

/** The banner of a paused cluster's page: Cluster API changes nothing of it until it is resumed. */
export const PausedBanner = (props: { pause?: ClusterPause }) => {
  if (!props.pause) return null;
  return (
    <Alert severity="warning" data-testid="paused-banner">
      <AlertTitle>Reconciliation paused</AlertTitle>
      Cluster API makes no change to this cluster (no scaling, upgrade, repair
      or deletion) until it is resumed. {describePause(props.pause)}
    </Alert>
  );
};
