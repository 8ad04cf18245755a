import { Link } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import {
  ObjectivesResponse,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import { useEffect, useState } from 'react';
import { shipyardApiRef } from '../../api';
import { useFleetRoutes } from '../../hooks';
import { formatMinutes, formatPercent } from '../../lib/budget';
import { BudgetChip } from './BudgetChip';
import { CLUSTER_COLUMN, ClusterLink } from '../ClusterLink';
import { SmallTable } from '../SmallTable';

const SHOWN = 10;
const nowrap = { whiteSpace: 'nowrap' } as const;

/**
 * A team's error budgets: the team's availability and budget left (its clusters summed by time) and the budget left
 * per cluster, the least first.
 */
export const TeamObjectives = (props: {
  ownerRef: string;
  /** Changes when the team's clusters change (reloads). */
  revision?: number;
}) => {
  const { ownerRef, revision } = props;
  const api = useApi(shipyardApiRef);
  const routes = useFleetRoutes();
  const [objectives, setObjectives] = useState<ObjectivesResponse>();
  useEffect(() => {
    const controller = new AbortController();
    api
      .getObjectives(
        { owner: [ownerRef], limit: SHOWN },
        { signal: controller.signal },
      )
      .then(setObjectives)
      // the budgets are an addition: without them the card still shows the clusters
      .catch(() => undefined);
    return () => controller.abort();
  }, [api, ownerRef, revision]);
  if (!objectives || objectives.total.clusters === 0) return null;
  const { total } = objectives;
  const exhausted = total.byState.exhausted;
  const burning = total.byState.burning;
  return (
    <Box my={2} data-testid="team-objectives">
      <Typography variant="overline">Error budgets</Typography>
      <Typography variant="body2" data-testid="team-objectives-total">
        Availability {formatPercent(total.availability)}, budget left{' '}
        {formatPercent(total.budget.remainingPercent, 1)} (
        {formatMinutes(total.budget.remainingMinutes)} of{' '}
        {formatMinutes(total.budget.totalMinutes)})
        {exhausted + burning > 0 && (
          <>
            {' — '}
            <Link
              to={routes.fleet(
                new URLSearchParams([
                  ['owner', ownerRef],
                  ['budget', 'exhausted'],
                  ['budget', 'burning'],
                ]),
              )}
            >
              {[
                exhausted > 0 ? `${exhausted} exhausted` : '',
                burning > 0 ? `${burning} burning` : '',
              ]
                .filter(Boolean)
                .join(', ')}
            </Link>
          </>
        )}
      </Typography>
      <SmallTable
        label="Error budget per cluster"
        columns={[
          CLUSTER_COLUMN,
          { title: 'Objective', style: nowrap },
          { title: 'Availability', style: nowrap, align: 'right' },
          {
            title: 'Budget left',
            style: nowrap,
            align: 'right',
            cellTestId: 'team-objective-budget',
          },
          { title: 'Burn 1 h', style: nowrap, align: 'right' },
        ]}
        items={objectives.clusters}
        rowKey={c => stringifyClusterKey(c)}
        rowTestId={() => 'team-objective-row'}
        cells={c => [
          <>
            <ClusterLink cluster={c} /> <BudgetChip state={c.state} />
          </>,
          `${formatPercent(c.objective.target)} / ${c.objective.windowDays} d`,
          formatPercent(c.availability),
          <>
            {formatPercent(c.budget.remainingPercent, 1)}
            <Typography variant="caption" color="textSecondary" component="div">
              {formatMinutes(c.budget.remainingMinutes)}
            </Typography>
          </>,
          `${Number(c.burnRates.oneHour.toFixed(2))}×`,
        ]}
      />
    </Box>
  );
};
