import {
  InfoCard,
  Link,
  LinkButton,
  StructuredMetadataTable,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLinks, useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import {
  ClusterSummary,
  ListClustersResponse,
  compareKubernetesVersions,
  compareProfileVersions,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import { useCallback } from 'react';
import { shipyardApiRef } from '../../api';
import { useFleetRoutes, useLatestAnswer, useLiveRead } from '../../hooks';
import { driftLabel } from '../../lib/drift';
import { shortRef } from '../../lib/format';
import { ProfileModel, readProfile } from '../../lib/profile';
import { HealthStatusLabel } from '../StatusLabels';
import { ClusterLink } from '../ClusterLink';
import { SmallTable } from '../SmallTable';
import { ReadProgress } from '../ReadProgress';

const nowrap = { whiteSpace: 'nowrap' } as const;
/** The cluster column wraps long names instead of squeezing the drift column. */
const clusterCell = { minWidth: 160, wordBreak: 'break-word' } as const;
const driftCell = { minWidth: 280 } as const;
/** Drifting clusters listed on the page; the fleet page has the rest. */
const DRIFT_ROWS = 25;

/** Path of the request template with the profile prefilled. */
export function requestTemplateLink(profileRef: string): string {
  return `/create/templates/default/request-cluster?formData=${encodeURIComponent(
    JSON.stringify({ profile: profileRef }),
  )}`;
}

/** Path of the rollout template with the profile and its version prefilled (its clusters behind that version). */
export function rolloutTemplateLink(profile: string, version: string): string {
  return `/create/templates/default/roll-out-version?formData=${encodeURIComponent(
    JSON.stringify({
      name: `${profile} to ${version}`,
      profile,
      profileVersion: version,
    }),
  )}`;
}

/**
 * How a cluster differs from its profile version, if it does: the backend's findings when it compared the cluster,
 * else what the page can tell from the profile's current version.
 */
export function driftOf(
  cluster: ClusterSummary,
  profile: ProfileModel,
): string[] {
  if (cluster.drift) {
    return cluster.drift.map(
      f =>
        `${driftLabel(f.kind)}${f.subject ? ` ${f.subject}` : ''}: ${
          f.actual
        } (expected ${f.expected})`,
    );
  }
  const drift: string[] = [];
  if (
    profile.version &&
    cluster.profileVersion &&
    cluster.profileVersion !== profile.version
  ) {
    drift.push(
      `profile ${cluster.profileVersion} (current ${profile.version})`,
    );
  }
  if (
    cluster.kubernetesVersion &&
    profile.kubernetesVersions.length > 0 &&
    !profile.kubernetesVersions.some(
      v => compareKubernetesVersions(v, cluster.kubernetesVersion ?? '') === 0,
    )
  ) {
    drift.push(
      `Kubernetes ${
        cluster.kubernetesVersion
      } (allowed ${profile.kubernetesVersions.join(', ')})`,
    );
  }
  return drift;
}

const PAGE = 500;

/** The Shipyard tab of a `ClusterProfile` entity. */
export const ClusterProfileContent = () => {
  const { entity } = useEntity();
  const profile = readProfile(entity);
  const api = useApi(shipyardApiRef);
  const routes = useFleetRoutes();
  const { value: page, error, take } = useLatestAnswer<ListClustersResponse>();
  const load = useCallback(
    (again: boolean) => {
      take(api.listClusters({ profile: [profile.name], limit: PAGE }), {
        again,
      });
    },
    [api, take, profile.name],
  );
  useLiveRead(load, 3000);

  const byVersion = new Map<string, ClusterSummary[]>();
  for (const c of page?.items ?? []) {
    const v = c.profileVersion ?? 'unknown';
    byVersion.set(v, [...(byVersion.get(v) ?? []), c]);
  }
  const drifting = (page?.items ?? [])
    .map(c => ({ cluster: c, drift: driftOf(c, profile) }))
    .filter(d => d.drift.length > 0);

  const classText = profile.clusterClass
    ? `${
        profile.clusterClassNamespace ? `${profile.clusterClassNamespace}/` : ''
      }${profile.clusterClass}${
        profile.generated && profile.managementClusters.length === 1
          ? ` on ${profile.managementClusters[0]}`
          : ''
      }`
    : '—';
  const metadata: Record<string, unknown> = {
    'Profile version':
      profile.version && profile.generated
        ? `${profile.version} (declared by its ClusterClass)`
        : profile.version ?? '—',
    Clusters: page ? (
      <span data-testid="profile-cluster-count">
        {page.totalCount} cluster{page.totalCount === 1 ? '' : 's'}
      </span>
    ) : (
      '…'
    ),
    Provider: profile.provider ?? '—',
    Distribution: profile.distribution ?? '—',
    ClusterClass: classText,
    'Kubernetes versions': profile.kubernetesVersions.join(', ') || '—',
    'Management clusters': profile.managementClusters.join(', ') || 'Any',
    'Who may request': profile.allowedGroups.length ? (
      <EntityRefLinks entityRefs={profile.allowedGroups} defaultKind="group" />
    ) : (
      'Everyone'
    ),
  };
  if (profile.hostedControlPlane) {
    // the host is the management cluster the cluster is created on: the profile chooses it
    metadata['Control plane'] = (
      <span data-testid="profile-hosted-control-plane">
        pods run by {profile.hostedControlPlane} on the management cluster it is
        created on (the host;{' '}
        {profile.defaultManagementCluster
          ? `${profile.defaultManagementCluster} unless the request names another`
          : 'the request names it'}
        )
      </span>
    );
  }
  if (profile.sizes.length) metadata.Sizes = profile.sizes.join(', ');
  const driftKinds = page?.facets?.drift ?? [];
  if (driftKinds.length > 0) {
    metadata['Clusters by drift'] = (
      <span data-testid="profile-drift-kinds">
        {driftKinds.map(d => `${driftLabel(d.value)}: ${d.count}`).join(', ')}
      </span>
    );
  }

  return (
    <Grid container spacing={3} data-testid="profile-content">
      <Grid item xs={12} md={6}>
        <InfoCard
          title="Profile"
          subheader={profile.description}
          action={
            profile.deprecated ? (
              <Box mt={2} mr={1} maxWidth={280}>
                <Typography
                  variant="body2"
                  color="textSecondary"
                  data-testid="profile-deprecated"
                >
                  Version {profile.version} is deprecated: it can no longer be
                  requested or rolled out
                </Typography>
              </Box>
            ) : (
              <Box mt={1} mr={1}>
                <LinkButton
                  variant="contained"
                  color="primary"
                  to={requestTemplateLink(profile.ref)}
                  data-testid="request-cluster"
                >
                  Request a cluster
                </LinkButton>
                {profile.version && (
                  <Box component="span" ml={1}>
                    <LinkButton
                      variant="outlined"
                      color="primary"
                      to={rolloutTemplateLink(profile.name, profile.version)}
                      data-testid="roll-out-version"
                    >
                      Roll out this version
                    </LinkButton>
                  </Box>
                )}
              </Box>
            )
          }
        >
          <StructuredMetadataTable metadata={metadata} />
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={6}>
        <InfoCard title="Layers">
          {profile.layers.length === 0 ? (
            <Typography variant="body2" color="textSecondary">
              This profile lists no layers.
            </Typography>
          ) : (
            <SmallTable
              label="Layers"
              columns={['Layer', 'Component', 'Version']}
              items={profile.layers}
              rowKey={l => `${l.kind}-${l.name}`}
              cells={l => [l.kind, l.name, l.version ?? '']}
            />
          )}
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={6}>
        <InfoCard
          title="Clusters by profile version"
          deepLink={{
            title: 'Open in the fleet',
            link: routes.fleet(new URLSearchParams({ profile: profile.name })),
          }}
        >
          <ReadProgress answered={Boolean(page)} error={error} />
          {page && page.totalCount === 0 && (
            <Typography variant="body2" color="textSecondary">
              No clusters use this profile yet.
            </Typography>
          )}
          {page && page.totalCount > 0 && (
            <SmallTable
              label="Clusters by profile version"
              columns={['Version', { title: 'Clusters', align: 'right' }]}
              items={[...byVersion.entries()].sort(([a], [b]) =>
                compareProfileVersions(b, a),
              )}
              rowKey={([version]) => version}
              cells={([version, list]) => [
                <>
                  {version}{' '}
                  {version === profile.version && (
                    <Chip size="small" label="current" />
                  )}
                </>,
                list.length,
              ]}
            />
          )}
          {page && page.totalCount > page.items.length && (
            <Typography variant="caption">
              Counting the first {page.items.length} of {page.totalCount}{' '}
              clusters.
            </Typography>
          )}
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        <InfoCard title="Drift from the current version">
          {page && drifting.length === 0 && (
            <Typography
              variant="body2"
              color="textSecondary"
              data-testid="no-drift"
            >
              Every cluster is on the current profile version.
            </Typography>
          )}
          {drifting.length > 0 && (
            <SmallTable
              label="Drifting clusters"
              testId="drift-table"
              columns={[
                { title: 'Cluster', style: clusterCell },
                { title: 'Owner', style: nowrap },
                { title: 'Health', style: nowrap },
                { title: 'Drift', style: driftCell },
              ]}
              items={drifting.slice(0, DRIFT_ROWS)}
              rowKey={({ cluster }) => stringifyClusterKey(cluster)}
              cells={({ cluster, drift }) => [
                <>
                  <ClusterLink cluster={cluster} />
                  <Typography
                    variant="caption"
                    color="textSecondary"
                    component="div"
                  >
                    {cluster.managementCluster}/{cluster.namespace}
                  </Typography>
                </>,
                shortRef(cluster.owner),
                <HealthStatusLabel health={cluster.health} />,
                drift.map(d => (
                  <div key={d} data-testid="drift-item">
                    {d}
                  </div>
                )),
              ]}
            />
          )}
          {drifting.length > DRIFT_ROWS && (
            <Typography variant="caption">
              The first {DRIFT_ROWS} of {drifting.length} drifting clusters;{' '}
              <Link
                to={routes.fleet(
                  new URLSearchParams({ profile: profile.name }),
                )}
              >
                all of them in the fleet
              </Link>
              .
            </Typography>
          )}
        </InfoCard>
      </Grid>
    </Grid>
  );
};
