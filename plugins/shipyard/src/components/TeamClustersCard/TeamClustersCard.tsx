import {
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import {
  DRIFT_KINDS,
  ClusterListItem,
  ListClustersResponse,
  VersionDebtResponse,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import { useCallback, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { shipyardApiRef } from '../../api';
import { useFleetRoutes, useLatestAnswer, useLiveRead } from '../../hooks';
import {
  HEALTH_COLORS,
  HEALTH_ORDER,
  healthLabel,
  isHealthStatus,
} from '../../lib/health';
import {
  clusterVersionSupport,
  compareMinor,
  minorVersionSupport,
} from '../../lib/versionSupport';
import {
  HealthStatusLabel,
  StaleChip,
  VersionSupportChip,
} from '../StatusLabels';
import { SupportStatusBar } from '../SupportStatusBar';
import { VersionDebtDetails } from '../VersionDebtCard';
import { TeamObjectives } from '../Objectives';
import { CLUSTER_COLUMN, ClusterLink } from '../ClusterLink';
import { SmallTable } from '../SmallTable';

const SHOWN = 10;
const nowrap = { whiteSpace: 'nowrap' } as const;

/** Props of the team clusters card (`EntityShipyardTeamClustersCard`). */
export interface TeamClustersCardProps {
  /** The group ref; defaults to the entity of the page. */
  ownerRef?: string;
}

/** The clusters of one team (worst first) with health and version summaries, without the card around them. */
export const TeamClustersCardContent = (props: { ownerRef: string }) => {
  const { ownerRef } = props;
  const api = useApi(shipyardApiRef);
  const routes = useFleetRoutes();
  const navigate = useNavigate();
  const [revision, setRevision] = useState(0);
  const {
    value: page,
    error,
    take,
  } = useLatestAnswer<ListClustersResponse<ClusterListItem>>();
  // the additions have answers of their own: one of them never decides which page of clusters applies
  const { value: drifted, take: takeDrifted } = useLatestAnswer<number>();
  const { value: debt, take: takeDebt } =
    useLatestAnswer<VersionDebtResponse>();
  const load = useCallback(
    (again: boolean) => {
      setRevision(r => r + 1);
      take(
        api.listClusters({
          owner: [ownerRef],
          limit: SHOWN,
          sort: 'health',
          order: 'desc',
          fields: 'list',
        }),
        { again },
      );
      // the clusters that differ from their profile version (any drift kind)
      takeDrifted(
        api
          .listClusters({
            owner: [ownerRef],
            drift: [...DRIFT_KINDS],
            limit: 1,
            facets: false,
          })
          .then(d => d.totalCount),
        { again },
      );
      // version debt is an addition: without it the card still shows the clusters
      takeDebt(api.getVersionDebt({ owner: [ownerRef] }), { again });
    },
    [api, take, takeDrifted, takeDebt, ownerRef],
  );
  useLiveRead(load, 3000);

  if (error) return <ResponseErrorPanel error={error} />;
  if (!page) return <Progress />;
  const fleetLink = routes.fleet(new URLSearchParams({ owner: ownerRef }));
  if (page.totalCount === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        This team owns no clusters in the fleet.
      </Typography>
    );
  }
  const health = [...(page.facets?.health ?? [])].sort(
    (a, b) =>
      (isHealthStatus(a.value) ? HEALTH_ORDER.indexOf(a.value) : 99) -
      (isHealthStatus(b.value) ? HEALTH_ORDER.indexOf(b.value) : 99),
  );
  const versions = [...(page.facets?.kubernetesMinor ?? [])].sort((a, b) =>
    compareMinor(b.value, a.value),
  );
  const eol = versions.filter(
    v => minorVersionSupport(v.value).status === 'end-of-life',
  );
  // the backend's per-cluster evaluation wins when the page has the facet
  const eolCount =
    page.facets?.versionSupport?.find(f => f.value === 'end-of-life')?.count ??
    eol.reduce((s, v) => s + v.count, 0);
  return (
    <Box data-testid="team-clusters">
      <Box display="flex" flexWrap="wrap" style={{ gap: 8 }} mb={1}>
        {health.map(h => (
          <Chip
            key={h.value}
            size="small"
            label={`${healthLabel(h.value)}: ${h.count}`}
            style={{
              backgroundColor: isHealthStatus(h.value)
                ? HEALTH_COLORS[h.value]
                : undefined,
              color: '#fff',
            }}
          />
        ))}
        {drifted !== undefined && drifted > 0 && (
          <Chip
            size="small"
            variant="outlined"
            clickable
            data-testid="team-drifted"
            label={`Drifted: ${drifted}`}
            onClick={() => {
              const params = new URLSearchParams({ owner: ownerRef });
              for (const kind of DRIFT_KINDS) params.append('drift', kind);
              navigate(routes.fleet(params));
            }}
          />
        )}
      </Box>
      {eolCount > 0 && (
        <Alert severity="error">
          {eolCount} cluster{eolCount === 1 ? '' : 's'} on end-of-life
          Kubernetes ({eol.map(v => v.value).join(', ')}): plan an upgrade.
        </Alert>
      )}
      <Box
        display="flex"
        flexWrap="wrap"
        alignItems="center"
        style={{ gap: 8 }}
        my={1}
      >
        <Typography variant="body2">Versions:</Typography>
        {versions.map(v => {
          const s = minorVersionSupport(v.value);
          return (
            <Box
              key={v.value}
              display="flex"
              alignItems="center"
              style={{ gap: 4 }}
            >
              <Typography variant="body2">
                {v.value} × {v.count}
              </Typography>
              <VersionSupportChip status={s.status} endOfLife={s.endOfLife} />
            </Box>
          );
        })}
      </Box>
      {debt && debt.totalCount > 0 && (
        <Box my={2} data-testid="team-version-debt">
          <Typography variant="overline">Version support</Typography>
          <SupportStatusBar
            counts={debt.byStatus}
            label="Team clusters"
            onSelect={status =>
              navigate(
                routes.fleet(
                  new URLSearchParams([
                    ['owner', ownerRef],
                    ['versionSupport', status],
                  ]),
                ),
              )
            }
          />
          {debt.chargedExtendedCount > 0 && (
            <Typography variant="body2" color="textSecondary">
              {debt.chargedExtendedCount} cluster
              {debt.chargedExtendedCount === 1 ? ' is' : 's are'} in charged
              extended support.
            </Typography>
          )}
          <Box mt={1}>
            <VersionDebtDetails
              debt={debt}
              onSelect={(facet, value) =>
                navigate(
                  routes.fleet(
                    new URLSearchParams([
                      ['owner', ownerRef],
                      [facet, value],
                    ]),
                  ),
                )
              }
            />
          </Box>
        </Box>
      )}
      <TeamObjectives ownerRef={ownerRef} revision={revision} />
      <SmallTable
        label="Team clusters"
        columns={[
          CLUSTER_COLUMN,
          { title: 'Health', style: nowrap, cellTestId: 'team-cluster-health' },
          { title: 'Version', style: nowrap },
        ]}
        items={page.items}
        rowKey={c => stringifyClusterKey(c)}
        rowTestId={() => 'team-cluster-row'}
        cells={c => {
          const s = clusterVersionSupport(c);
          return [
            <>
              <ClusterLink cluster={c} /> <StaleChip source={c.source} />
            </>,
            <HealthStatusLabel health={c.health} />,
            <>
              {c.kubernetesVersion ?? c.observedKubernetesVersion ?? '—'}{' '}
              <VersionSupportChip status={s.status} endOfLife={s.endOfLife} />
            </>,
          ];
        }}
      />
      <Box mt={1}>
        <Link to={fleetLink} data-testid="team-fleet-link">
          {page.totalCount > page.items.length
            ? `View all ${page.totalCount} clusters in the fleet`
            : 'View in the fleet'}
        </Link>
      </Box>
    </Box>
  );
};

/**
 * Card for `Group` pages: the team's clusters with health, versions and end-of-life warnings. The worst clusters come
 * first, so a team's only unhealthy cluster is always on the card.
 */
export const TeamClustersCard = (props: TeamClustersCardProps) => {
  const { entity } = useEntity();
  const ownerRef = props.ownerRef ?? stringifyEntityRef(entity);
  return (
    <InfoCard title="Clusters" subheader="Owned by this team, from Shipyard">
      <TeamClustersCardContent ownerRef={ownerRef} />
    </InfoCard>
  );
};
