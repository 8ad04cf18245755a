import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { VersionSupportCounts } from '@shipyard/plugin-shipyard-common';
import {
  SUPPORT_STATUS_COLORS,
  SUPPORT_STATUS_ORDER,
  formatMonth,
  versionSupportLabel,
} from '../../lib/versionSupport';
import { describeCounts } from '../SupportStatusBar';

const useStyles = makeStyles(theme => ({
  chart: {
    display: 'grid',
    gridAutoFlow: 'column',
    gridAutoColumns: '1fr',
    alignItems: 'end',
    gap: theme.spacing(0.5),
    height: 120,
  },
  column: {
    display: 'flex',
    flexDirection: 'column-reverse',
    height: '100%',
    borderRadius: 2,
    overflow: 'hidden',
    backgroundColor: theme.palette.action.hover,
  },
  labels: {
    display: 'grid',
    gridAutoFlow: 'column',
    gridAutoColumns: '1fr',
    gap: theme.spacing(0.5),
    marginTop: theme.spacing(0.5),
  },
  label: {
    fontSize: '0.65rem',
    textAlign: 'center',
    whiteSpace: 'nowrap',
    overflow: 'hidden',
  },
  legend: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(1.5),
    marginTop: theme.spacing(1),
  },
  swatch: {
    display: 'inline-block',
    width: 10,
    height: 10,
    marginRight: 4,
    borderRadius: 2,
  },
}));

/**
 * How the support statuses of a set of clusters change over the coming months if nothing is upgraded: one stacked
 * column per day (today, then the first day of each month).
 */
export const SupportProjectionChart = (props: {
  projection: Array<{ date: string; counts: VersionSupportCounts }>;
  title?: string;
}) => {
  const classes = useStyles();
  const { projection } = props;
  const total = Math.max(
    1,
    ...projection.map(p =>
      SUPPORT_STATUS_ORDER.reduce((a, s) => a + (p.counts[s] ?? 0), 0),
    ),
  );
  const present = SUPPORT_STATUS_ORDER.filter(s =>
    projection.some(p => (p.counts[s] ?? 0) > 0),
  );
  return (
    <figure style={{ margin: 0 }}>
      <div
        className={classes.chart}
        role="list"
        aria-label={props.title ?? 'Support status over the coming months'}
        data-testid="support-projection"
      >
        {projection.map((p, i) => {
          const label = i === 0 ? 'Today' : formatMonth(p.date);
          return (
            <div
              key={p.date}
              role="listitem"
              className={classes.column}
              title={`${label}: ${describeCounts(p.counts)}`}
              aria-label={`${label}: ${describeCounts(p.counts)}`}
              data-testid={`projection-${p.date}`}
            >
              {SUPPORT_STATUS_ORDER.filter(s => (p.counts[s] ?? 0) > 0).map(
                s => (
                  <div
                    key={s}
                    style={{
                      height: `${((p.counts[s] ?? 0) / total) * 100}%`,
                      backgroundColor: SUPPORT_STATUS_COLORS[s],
                    }}
                  />
                ),
              )}
            </div>
          );
        })}
      </div>
      <div className={classes.labels} aria-hidden>
        {projection.map((p, i) => (
          <span key={p.date} className={classes.label}>
            {i === 0 ? 'Today' : formatMonth(p.date).slice(0, 3)}
          </span>
        ))}
      </div>
      <figcaption className={classes.legend}>
        {present.map(s => (
          <Typography key={s} variant="caption" component="span">
            <span
              className={classes.swatch}
              style={{ backgroundColor: SUPPORT_STATUS_COLORS[s] }}
            />
            {versionSupportLabel(s)}
          </Typography>
        ))}
      </figcaption>
    </figure>
  );
};
