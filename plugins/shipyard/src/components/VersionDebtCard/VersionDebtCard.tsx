import { InfoCard } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Link from '@material-ui/core/Link';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { memo } from 'react';
import {
  VersionDebtResponse,
  VersionSupportStatus,
} from '@shipyard/plugin-shipyard-common';
import { FilterFacet } from '../../lib/filters';
import { shortRef } from '../../lib/format';
import { SupportProjectionChart } from '../SupportProjectionChart';
import { SupportStatusBar, describeCounts } from '../SupportStatusBar';

/** Teams listed before "and N more". */
const MAX_TEAMS = 8;

/** The projection chart and per-distribution table of a set of clusters (the team card shows these). */
export const VersionDebtDetails = (props: {
  debt: VersionDebtResponse;
  onSelect?: (facet: FilterFacet, value: string) => void;
}) => {
  const { debt, onSelect } = props;
  const months = debt.projection.length - 1;
  return (
    <>
      <Typography variant="overline">By distribution</Typography>
      <Table size="small" aria-label="Version support by distribution">
        <TableBody>
          {debt.byDistribution.map(d => (
            <TableRow key={d.distribution}>
              <TableCell style={{ width: '35%' }}>
                <Link
                  component="button"
                  onClick={() => onSelect?.('distribution', d.distribution)}
                >
                  {d.distribution}
                </Link>
                {d.calendar !== d.distribution && (
                  <Typography variant="caption" color="textSecondary">
                    {' '}
                    ({d.calendar} calendar)
                  </Typography>
                )}
              </TableCell>
              <TableCell>
                <SupportStatusBar
                  counts={d.counts}
                  label={d.distribution}
                  onSelect={s => onSelect?.('versionSupport', s)}
                />
              </TableCell>
              <TableCell
                align="right"
                style={{ width: 56, whiteSpace: 'nowrap' }}
              >
                {d.total}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <Box mt={2}>
        <Typography variant="overline">
          The next {months} months if nothing is upgraded
        </Typography>
        <SupportProjectionChart
          projection={debt.projection}
          title={`Version support over the next ${months} months if nothing is upgraded`}
        />
      </Box>
    </>
  );
};

/** The fleet's version debt: support status per team and per distribution, and where it goes if nothing moves. */
export const VersionDebtCard = memo(
  (props: {
    debt?: VersionDebtResponse;
    error?: Error;
    onSelect?: (facet: FilterFacet, value: string) => void;
  }) => {
    const { debt, error, onSelect } = props;
    const select = (status: VersionSupportStatus) =>
      onSelect?.('versionSupport', status);
    return (
      <InfoCard
        title="Version debt"
        subheader={
          debt
            ? `${debt.totalCount.toLocaleString(
                'en-US',
              )} clusters: ${describeCounts(debt.byStatus)}`
            : undefined
        }
      >
        <div data-testid="version-debt">
          {error && !debt && (
            <Alert severity="warning">
              Version support is not available: {error.message}
            </Alert>
          )}
          {debt && (
            <Grid container spacing={3}>
              <Grid item xs={12} md={6}>
                <SupportStatusBar
                  counts={debt.byStatus}
                  label="Fleet"
                  onSelect={select}
                />
                {debt.chargedExtendedCount > 0 && (
                  <Box mt={1}>
                    <Alert severity="warning" data-testid="charged-extended">
                      {debt.chargedExtendedCount} cluster
                      {debt.chargedExtendedCount === 1 ? ' is' : 's are'} in
                      extended support that is charged.
                    </Alert>
                  </Box>
                )}
                <Box mt={2}>
                  <Typography variant="overline">By team</Typography>
                  <Table size="small" aria-label="Version support by team">
                    <TableHead>
                      <TableRow>
                        <TableCell>Team</TableCell>
                        <TableCell>Support</TableCell>
                        <TableCell align="right">End of life</TableCell>
                        <TableCell align="right">Extended</TableCell>
                        <TableCell align="right">Clusters</TableCell>
                      </TableRow>
                    </TableHead>
                    <TableBody>
                      {debt.byOwner.slice(0, MAX_TEAMS).map(o => (
                        <TableRow key={o.owner}>
                          <TableCell>
                            <Link
                              component="button"
                              title={`Show the clusters of ${o.owner}`}
                              onClick={() => onSelect?.('owner', o.owner)}
                            >
                              {shortRef(o.owner)}
                            </Link>
                          </TableCell>
                          <TableCell style={{ minWidth: 100 }}>
                            <SupportStatusBar
                              counts={o.counts}
                              label={o.owner}
                              onSelect={() => onSelect?.('owner', o.owner)}
                            />
                          </TableCell>
                          <TableCell align="right">
                            {o.counts['end-of-life'] ?? 0}
                          </TableCell>
                          <TableCell align="right">
                            {o.counts.extended ?? 0}
                          </TableCell>
                          <TableCell align="right">{o.total}</TableCell>
                        </TableRow>
                      ))}
                    </TableBody>
                  </Table>
                  {debt.byOwner.length > MAX_TEAMS && (
                    <Typography variant="caption" color="textSecondary">
                      and {debt.byOwner.length - MAX_TEAMS} more teams
                    </Typography>
                  )}
                </Box>
              </Grid>
              <Grid item xs={12} md={6}>
                <VersionDebtDetails debt={debt} onSelect={onSelect} />
              </Grid>
            </Grid>
          )}
        </div>
      </InfoCard>
    );
  },
);
