import { makeStyles } from '@material-ui/core/styles';
import {
  VersionSupportCounts,
  VersionSupportStatus,
} from '@shipyard/plugin-shipyard-common';
import {
  SUPPORT_STATUS_COLORS,
  SUPPORT_STATUS_ORDER,
  versionSupportLabel,
} from '../../lib/versionSupport';

const useStyles = makeStyles(theme => ({
  bar: {
    display: 'flex',
    height: 14,
    minWidth: 80,
    borderRadius: 2,
    overflow: 'hidden',
    backgroundColor: theme.palette.action.hover,
  },
  segment: {
    height: '100%',
    border: 'none',
    padding: 0,
    cursor: 'pointer',
  },
}));

/** `2 end of life, 1 extended support` (worst first), or `none`. */
export function describeCounts(counts: VersionSupportCounts): string {
  const parts = [...SUPPORT_STATUS_ORDER]
    .reverse()
    .filter(s => (counts[s] ?? 0) > 0)
    .map(
      s => `${counts[s]} ${versionSupportLabel(s).toLocaleLowerCase('en-US')}`,
    );
  return parts.length ? parts.join(', ') : 'none';
}

/** A stacked bar of clusters by version support status; a segment selects its status. */
export const SupportStatusBar = (props: {
  counts: VersionSupportCounts;
  label?: string;
  onSelect?: (status: VersionSupportStatus) => void;
}) => {
  const classes = useStyles();
  const total = SUPPORT_STATUS_ORDER.reduce(
    (a, s) => a + (props.counts[s] ?? 0),
    0,
  );
  return (
    <div
      className={classes.bar}
      role="img"
      aria-label={`${props.label ? `${props.label}: ` : ''}${describeCounts(
        props.counts,
      )}`}
    >
      {SUPPORT_STATUS_ORDER.filter(s => (props.counts[s] ?? 0) > 0).map(s => (
        <button
          key={s}
          type="button"
          className={classes.segment}
          data-testid={`support-segment-${s}`}
          title={`${props.counts[s]} ${versionSupportLabel(s)}`}
          aria-label={`${props.counts[s]} ${versionSupportLabel(s)}`}
          onClick={() => props.onSelect?.(s)}
          style={{
            width: `${((props.counts[s] ?? 0) / Math.max(1, total)) * 100}%`,
            backgroundColor: SUPPORT_STATUS_COLORS[s],
          }}
        />
      ))}
    </div>
  );
};
