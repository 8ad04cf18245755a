import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';

/** One bar. */
export interface BarChartDatum {
  label: string;
  value: number;
  /** Bar colour; the theme's primary colour by default. */
  color?: string;
  /** Shown next to the count (e.g. "End of life"). */
  note?: string;
}

const useStyles = makeStyles(theme => ({
  list: {
    listStyle: 'none',
    margin: 0,
    padding: 0,
  },
  row: {
    display: 'grid',
    gridTemplateColumns: '72px 1fr 56px',
    alignItems: 'center',
    gap: theme.spacing(1),
    padding: theme.spacing(0.25, 0),
    width: '100%',
    background: 'none',
    border: 'none',
    color: 'inherit',
    font: 'inherit',
    textAlign: 'left',
    cursor: 'pointer',
  },
  track: {
    height: 14,
    backgroundColor: theme.palette.action.hover,
    borderRadius: 2,
    overflow: 'hidden',
  },
  bar: {
    height: '100%',
    backgroundColor: theme.palette.primary.main,
  },
}));

/** Horizontal bar chart (plain HTML/CSS), e.g. clusters per Kubernetes minor. */
export const BarChart = (props: {
  data: BarChartDatum[];
  title?: string;
  onSelect?: (label: string) => void;
}) => {
  const classes = useStyles();
  const max = Math.max(1, ...props.data.map(d => d.value));
  return (
    <ul
      aria-label={props.title}
      data-testid="bar-chart"
      className={classes.list}
    >
      {props.data.map(d => (
        <li key={d.label}>
          <button
            type="button"
            className={classes.row}
            title={`${d.label}: ${d.value}${d.note ? ` (${d.note})` : ''}`}
            onClick={() => props.onSelect?.(d.label)}
          >
            <Typography variant="body2" noWrap>
              {d.label}
            </Typography>
            <div className={classes.track}>
              <div
                className={classes.bar}
                style={{
                  width: `${(d.value / max) * 100}%`,
                  backgroundColor: d.color,
                }}
              />
            </div>
            <Typography variant="body2" align="right">
              {d.value}
            </Typography>
          </button>
        </li>
      ))}
      {props.data.length === 0 && (
        <Typography variant="body2" color="textSecondary" component="li">
          No data
        </Typography>
      )}
    </ul>
  );
};
