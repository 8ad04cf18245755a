import { InfoCard, Progress } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import {
  ClusterKey,
  ClusterObjective,
  ClusterObjectiveResponse,
} from '@shipyard/plugin-shipyard-common';
import { useClusterRead } from '../../hooks';
import { formatMinutes, formatPercent } from '../../lib/budget';
import { BudgetChip } from './BudgetChip';

const BAR_COLORS = { good: '#2e7d32', bad: '#c62828', none: '#bdbdbd' };

/** Availability per day of the window as small bars (red where the day missed the target). */
export const ObjectiveDays = (props: { objective: ClusterObjective }) => {
  const { days, objective } = props.objective;
  return (
    <Box
      display="flex"
      alignItems="flex-end"
      style={{ gap: 2, height: 48 }}
      data-testid="objective-days"
      aria-label="Availability per day"
    >
      {days.map(day => {
        const a = day.availability;
        const missed = a !== undefined && a < objective.target;
        // the bar's height shows how much of the budget's scale the day lost: a full bar is a clean day
        const height =
          a === undefined
            ? 4
            : Math.max(4, 48 - Math.min(44, (100 - a) * 4 * 10));
        let color = BAR_COLORS.good;
        if (a === undefined) color = BAR_COLORS.none;
        else if (missed) color = BAR_COLORS.bad;
        return (
          <Tooltip
            key={day.start}
            title={`${day.start.slice(0, 10)}: ${
              a === undefined ? 'no data' : formatPercent(a)
            }${
              day.badMinutes > 0 ? `, ${formatMinutes(day.badMinutes)} bad` : ''
            }`}
          >
            <Box
              data-testid="objective-day"
              style={{
                flex: 1,
                minWidth: 3,
                height,
                backgroundColor: color,
                borderRadius: 1,
              }}
            />
          </Tooltip>
        );
      })}
    </Box>
  );
};

const Figure = (props: {
  label: string;
  value: string;
  testId: string;
  hint?: string;
}) => (
  <Box minWidth={120}>
    <Typography variant="caption" color="textSecondary" component="div">
      {props.label}
    </Typography>
    <Tooltip title={props.hint ?? ''}>
      <Typography variant="h6" component="div" data-testid={props.testId}>
        {props.value}
      </Typography>
    </Tooltip>
  </Box>
);

/** A cluster's objective without the card around it. */
export const ObjectiveDetails = (props: {
  response: ClusterObjectiveResponse;
}) => {
  const o = props.response.objective;
  if (!o) {
    return (
      <Typography variant="body2" color="textSecondary">
        This cluster has no availability objective.
      </Typography>
    );
  }
  const firing = o.alerts.filter(a => a.firing);
  return (
    <Box data-testid="cluster-objective">
      <Box display="flex" alignItems="center" style={{ gap: 8 }} mb={1}>
        <Typography variant="body2">
          Objective {formatPercent(o.objective.target)} over{' '}
          {o.objective.windowDays} days
          {o.objective.name === 'override'
            ? ' (set on the cluster)'
            : ` (${o.objective.name})`}
        </Typography>
        <BudgetChip state={o.state} />
      </Box>
      {o.overrideError && (
        <Alert severity="warning">
          The cluster&apos;s objective annotation is ignored: {o.overrideError}
        </Alert>
      )}
      <Box display="flex" flexWrap="wrap" style={{ gap: 24 }} my={1}>
        <Figure
          label="Availability"
          value={formatPercent(o.availability)}
          testId="objective-availability"
          hint="Good time over good and bad time in the window"
        />
        <Figure
          label="Budget left"
          value={`${formatPercent(
            o.budget.remainingPercent,
            1,
          )} · ${formatMinutes(o.budget.remainingMinutes)}`}
          testId="objective-budget"
          hint={`Of ${formatMinutes(o.budget.totalMinutes)} in the window`}
        />
        <Figure
          label="Burn rate 1 h · 6 h · window"
          value={[o.burnRates.oneHour, o.burnRates.sixHours, o.burnRates.window]
            .map(r => `${Number(r.toFixed(2))}×`)
            .join(' · ')}
          testId="objective-burn"
          hint="1× spends the budget exactly over the window"
        />
      </Box>
      {firing.length > 0 && (
        <Alert severity={o.fastBurn ? 'error' : 'warning'}>
          {o.fastBurn ? 'Fast burn' : 'Slow burn'}:{' '}
          {firing
            .map(
              a =>
                `${Number(a.longBurnRate.toFixed(1))}× over ${formatMinutes(
                  a.longWindowMinutes,
                )} and ${Number(
                  a.shortBurnRate.toFixed(1),
                )}× over ${formatMinutes(
                  a.shortWindowMinutes,
                )} (threshold ${Number(a.threshold.toFixed(2))}×)`,
            )
            .join('; ')}
        </Alert>
      )}
      <Box mt={1}>
        <Typography variant="caption" color="textSecondary">
          Availability per day since {o.windowStart.slice(0, 10)}
        </Typography>
        <ObjectiveDays objective={o} />
      </Box>
    </Box>
  );
};

/** Card of the cluster page: the cluster's availability objective and error budget, from its health history. */
export const ObjectiveCard = (props: {
  clusterKey: ClusterKey;
  /** Changes when the cluster's summary changes (the card reloads). */
  revision?: string;
}) => {
  const { value: response, error } = useClusterRead(
    'getClusterObjective',
    props.clusterKey,
    props.revision,
  );
  return (
    <InfoCard
      title="Availability objective"
      subheader="From the cluster's health history"
    >
      {error && <Alert severity="warning">{error.message}</Alert>}
      {!error && !response && <Progress />}
      {response && <ObjectiveDetails response={response} />}
    </InfoCard>
  );
};
