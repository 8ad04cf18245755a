import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  HEALTH_COLORS,
  HEALTH_ORDER,
  healthLabel,
  isHealthStatus,
} from '../../lib/health';

const useStyles = makeStyles(theme => ({
  legend: {
    listStyle: 'none',
    margin: 0,
    padding: 0,
  },
  legendItem: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    cursor: 'pointer',
    padding: theme.spacing(0.25, 0),
    background: 'none',
    border: 'none',
    color: 'inherit',
    font: 'inherit',
  },
  swatch: {
    width: 12,
    height: 12,
    borderRadius: 2,
    display: 'inline-block',
  },
  segment: {
    cursor: 'pointer',
  },
}));

/** Donut chart of clusters by health (plain SVG). Clicking a segment or legend entry selects that health. */
export const HealthDonut = (props: {
  counts: Record<string, number>;
  onSelect?: (health: string) => void;
  size?: number;
}) => {
  const classes = useStyles();
  const size = props.size ?? 160;
  const entries = Object.entries(props.counts)
    .filter(([, n]) => n > 0)
    .sort(
      ([a], [b]) =>
        (isHealthStatus(a) ? HEALTH_ORDER.indexOf(a) : 99) -
        (isHealthStatus(b) ? HEALTH_ORDER.indexOf(b) : 99),
    );
  const total = entries.reduce((s, [, n]) => s + n, 0);
  const r = size / 2 - 12;
  const c = 2 * Math.PI * r;
  let offset = 0;
  return (
    <Box
      display="flex"
      alignItems="center"
      style={{ gap: 24 }}
      data-testid="health-donut"
    >
      <svg
        width={size}
        height={size}
        viewBox={`0 0 ${size} ${size}`}
        role="img"
        aria-label={`Clusters by health: ${entries
          .map(([h, n]) => `${n} ${h}`)
          .join(', ')}`}
      >
        <circle
          cx={size / 2}
          cy={size / 2}
          r={r}
          fill="none"
          stroke="#e0e0e0"
          strokeWidth={20}
        />
        {total > 0 &&
          entries.map(([health, n]) => {
            const len = (n / total) * c;
            const el = (
              <circle
                key={health}
                className={classes.segment}
                cx={size / 2}
                cy={size / 2}
                r={r}
                fill="none"
                stroke={
                  isHealthStatus(health) ? HEALTH_COLORS[health] : '#9e9e9e'
                }
                strokeWidth={20}
                strokeDasharray={`${len} ${c - len}`}
                strokeDashoffset={-offset}
                transform={`rotate(-90 ${size / 2} ${size / 2})`}
                onClick={() => props.onSelect?.(health)}
              >
                <title>{`${healthLabel(health)}: ${n}`}</title>
              </circle>
            );
            offset += len;
            return el;
          })}
        <text
          x="50%"
          y="50%"
          textAnchor="middle"
          dominantBaseline="central"
          fontSize={size / 6}
          fill="currentColor"
        >
          {total}
        </text>
      </svg>
      <ul className={classes.legend}>
        {entries.map(([health, n]) => (
          <li key={health}>
            <button
              type="button"
              className={classes.legendItem}
              onClick={() => props.onSelect?.(health)}
            >
              <span
                className={classes.swatch}
                style={{
                  backgroundColor: isHealthStatus(health)
                    ? HEALTH_COLORS[health]
                    : '#9e9e9e',
                }}
              />
              <Typography variant="body2" component="span">
                {healthLabel(health)}: <strong>{n}</strong>
              </Typography>
            </button>
          </li>
        ))}
        {entries.length === 0 && (
          <Typography variant="body2" color="textSecondary">
            No clusters
          </Typography>
        )}
      </ul>
    </Box>
  );
};
