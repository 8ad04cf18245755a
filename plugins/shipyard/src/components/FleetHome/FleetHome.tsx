import { InfoCard, Link, LinkButton } from '@backstage/core-components';
import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import {
  FleetSummary,
  VersionSupportStatus,
} from '@shipyard/plugin-shipyard-common';
import { useCallback } from 'react';
import { useNavigate } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { shipyardApiRef } from '../../api';
import { useFleetRoutes, useLatestAnswer, useLiveRead } from '../../hooks';
import { shortRef } from '../../lib/format';
import { versionSupportLabel } from '../../lib/versionSupport';
import { HealthDonut } from '../HealthDonut';
import { TeamClustersCardContent } from '../TeamClustersCard';
import { ReadProgress } from '../ReadProgress';

/** Where the request and upgrade templates live (plugins/catalog-backend-module-shipyard/catalog/templates). */
export const REQUEST_TEMPLATE_PATH =
  '/create/templates/default/request-cluster';
export const UPGRADE_TEMPLATE_PATH =
  '/create/templates/default/upgrade-cluster';

/** Version support statuses worth a look, worst first. */
const VERSION_DEBT: VersionSupportStatus[] = [
  'end-of-life',
  'extended',
  'maintenance',
];

/** How a version support status reads after a cluster count. */
function debtText(status: VersionSupportStatus): string {
  if (status === 'end-of-life') return 'on end-of-life Kubernetes';
  if (status === 'extended') return 'in extended support';
  return `in ${versionSupportLabel(status).toLocaleLowerCase('en-US')}`;
}

function useSummary(): { summary?: FleetSummary; error?: Error } {
  const api = useApi(shipyardApiRef);
  const { value: summary, error, take } = useLatestAnswer<FleetSummary>();
  const load = useCallback(
    (again: boolean) => {
      take(api.getSummary(), { again });
    },
    [api, take],
  );
  useLiveRead(load, 3000);
  return { summary, error };
}

/** The groups the signed-in user belongs to (their ownership refs of kind group). */
function useMyGroups(): string[] | undefined {
  const identityApi = useApi(identityApiRef);
  const { value } = useAsync(async () => {
    const identity = await identityApi.getBackstageIdentity();
    return identity.ownershipEntityRefs.filter(r =>
      r.toLocaleLowerCase('en-US').startsWith('group:'),
    );
  }, [identityApi]);
  return value;
}

/**
 * The fleet at a glance, for the portal's home page: health, version debt, the user's teams' clusters, and the
 * ways to act (request, upgrade, the fleet).
 */
export const FleetHome = () => {
  const { summary, error } = useSummary();
  const groups = useMyGroups();
  const routes = useFleetRoutes();
  const navigate = useNavigate();
  const fleet = routes.fleet();
  const debt = VERSION_DEBT.map(status => ({
    status,
    count: summary?.byVersionSupport?.[status] ?? 0,
  })).filter(d => d.count > 0);
  return (
    <Grid container spacing={3} data-testid="fleet-at-a-glance">
      <Grid item xs={12}>
        <Box display="flex" flexWrap="wrap" alignItems="center" gridGap={16}>
          <Typography variant="h4" component="h1" style={{ flexGrow: 1 }}>
            Your fleet
          </Typography>
          <LinkButton
            to={REQUEST_TEMPLATE_PATH}
            variant="contained"
            color="primary"
          >
            Request a cluster
          </LinkButton>
          <LinkButton to={UPGRADE_TEMPLATE_PATH} variant="outlined">
            Upgrade a cluster
          </LinkButton>
        </Box>
      </Grid>
      <Grid item xs={12} md={5}>
        <InfoCard
          title="Health"
          deepLink={{ title: 'Open the fleet', link: fleet }}
        >
          <ReadProgress answered={Boolean(summary)} error={error} />
          {summary && (
            <>
              <Typography variant="h6" component="p">
                <Link to={fleet} data-testid="home-fleet-link">
                  <span data-testid="home-cluster-count">
                    {summary.totalCount.toLocaleString('en-US')} clusters
                  </span>
                </Link>{' '}
                on {Object.keys(summary.byManagementCluster).length} management
                cluster
                {Object.keys(summary.byManagementCluster).length === 1
                  ? ''
                  : 's'}
              </Typography>
              <HealthDonut
                counts={summary.byHealth}
                size={140}
                onSelect={health =>
                  navigate(routes.fleet(new URLSearchParams({ health })))
                }
              />
            </>
          )}
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={7}>
        <InfoCard title="Version debt">
          <Box data-testid="home-version-support">
            {summary && debt.length === 0 && (
              <Typography variant="body2">
                Every cluster runs a supported Kubernetes version.
              </Typography>
            )}
            {debt.map(d => (
              <Typography key={d.status} variant="body1">
                <Link
                  to={routes.fleet(
                    new URLSearchParams({ versionSupport: d.status }),
                  )}
                >
                  {d.count.toLocaleString('en-US')} cluster
                  {d.count === 1 ? '' : 's'}
                </Link>{' '}
                {debtText(d.status)}
              </Typography>
            ))}
            {summary && summary.staleCount > 0 && (
              <Typography variant="body2" color="textSecondary">
                {summary.staleCount} cluster
                {summary.staleCount === 1 ? '' : 's'} on unreachable management
                clusters (last known state).
              </Typography>
            )}
          </Box>
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        <Box data-testid="home-my-clusters">
          {groups && groups.length === 0 && (
            <InfoCard title="Your team's clusters">
              <Typography variant="body2">
                You belong to no team in the catalog; the{' '}
                <Link to={fleet}>fleet</Link> shows every cluster.
              </Typography>
            </InfoCard>
          )}
          <Grid container spacing={3}>
            {(groups ?? []).slice(0, 4).map(group => (
              <Grid item xs={12} md={6} key={group}>
                <InfoCard
                  title={`Clusters of ${shortRef(group)}`}
                  subheader="Worst first"
                >
                  <TeamClustersCardContent ownerRef={group} />
                </InfoCard>
              </Grid>
            ))}
          </Grid>
        </Box>
      </Grid>
    </Grid>
  );
};
