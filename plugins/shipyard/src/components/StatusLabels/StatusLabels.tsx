import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import Chip from '@material-ui/core/Chip';
import Tooltip from '@material-ui/core/Tooltip';
import { makeStyles } from '@material-ui/core/styles';
import {
  HealthStatus,
  SourceFreshness,
  VersionSupportStatus,
} from '@shipyard/plugin-shipyard-common';

import { formatTime } from '../../lib/format';
import { healthLabel } from '../../lib/health';
import { versionSupportLabel } from '../../lib/versionSupport';

const useStyles = makeStyles(theme => ({
  warning: {
    backgroundColor: theme.palette.warning.main,
    color: theme.palette.warning.contrastText,
  },
  error: {
    backgroundColor: theme.palette.error.main,
    color: theme.palette.error.contrastText,
  },
  stale: {
    backgroundColor: theme.palette.grey[700],
    color: theme.palette.common.white,
  },
}));

/** A health status with the catalog's status icons. */
export const HealthStatusLabel = (props: { health: HealthStatus | string }) => {
  const label = healthLabel(props.health);
  switch (props.health) {
    case 'healthy':
      return <StatusOK>{label}</StatusOK>;
    case 'degraded':
      return <StatusWarning>{label}</StatusWarning>;
    case 'unhealthy':
      return <StatusError>{label}</StatusError>;
    case 'provisioning':
    case 'progressing':
      return <StatusRunning>{label}</StatusRunning>;
    case 'deleting':
      return <StatusPending>{label}</StatusPending>;
    default:
      return <StatusAborted>{label}</StatusAborted>;
  }
};

/** A chip for a Kubernetes version in maintenance, extended support or past its end of life; nothing when supported. */
export const VersionSupportChip = (props: {
  status?: VersionSupportStatus;
  endOfLife?: string;
  showSupported?: boolean;
}) => {
  const classes = useStyles();
  const { status, endOfLife, showSupported } = props;
  if (!status || status === 'unknown') return null;
  if (status === 'supported' && !showSupported) return null;
  const label = versionSupportLabel(status);
  const title = endOfLife ? `End of life: ${endOfLife.slice(0, 10)}` : label;
  let className: string | undefined;
  if (status === 'end-of-life') className = classes.error;
  else if (status === 'extended' || status === 'maintenance')
    className = classes.warning;
  return (
    <Tooltip title={title}>
      <Chip
        size="small"
        label={label}
        className={className}
        data-testid={`version-support-${status}`}
      />
    </Tooltip>
  );
};

/** "Stale" chip for a cluster whose management cluster cannot be reached (or is not re-synced yet). */
export const StaleChip = (props: { source?: SourceFreshness }) => {
  const classes = useStyles();
  const source = props.source;
  if (!source) return null;
  if (source.state === 'stale') {
    return (
      <Tooltip
        title={`Management cluster unreachable since ${formatTime(
          source.staleSince,
        )}; last seen ${formatTime(source.lastSeenAt)}`}
      >
        <Chip size="small" label="Stale" className={classes.stale} />
      </Tooltip>
    );
  }
  if (source.state === 'restored' || !source.resynced) {
    return (
      <Tooltip title="Restored after a restart; not yet re-synced">
        <Chip size="small" variant="outlined" label="Not re-synced" />
      </Tooltip>
    );
  }
  return null;
};
