import { Link } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import {
  ClusterKey,
  ClusterListItem,
  ClusterSortField,
} from '@shipyard/plugin-shipyard-common';
import { ReactNode } from 'react';
import {
  formatAge,
  formatReplicas,
  formatTime,
  shortRef,
} from '../../lib/format';
import { clusterVersionSupport } from '../../lib/versionSupport';
import {
  HealthStatusLabel,
  StaleChip,
  VersionSupportChip,
} from '../StatusLabels';

/** One column of the cluster table. */
export interface ClusterColumn {
  id: string;
  title: string;
  sortField?: ClusterSortField;
  defaultVisible: boolean;
  /** The column cannot be hidden. */
  fixed?: boolean;
  align?: 'left' | 'right';
  /** Let the cell's text wrap (others stay on one line; the table scrolls sideways). */
  wrap?: boolean;
  render(
    cluster: ClusterListItem,
    ctx: { clusterLink(key: ClusterKey): string },
  ): ReactNode;
}

/** Every column of the cluster table, in display order. */
export const CLUSTER_COLUMNS: ClusterColumn[] = [
  {
    id: 'name',
    title: 'Name',
    sortField: 'name',
    defaultVisible: true,
    fixed: true,
    render: (c, ctx) => (
      <Box display="flex" alignItems="center" style={{ gap: 8 }}>
        <Link to={ctx.clusterLink(c)} data-testid="cluster-link">
          {c.title || c.name}
        </Link>
        <StaleChip source={c.source} />
      </Box>
    ),
  },
  {
    id: 'namespace',
    title: 'Namespace',
    sortField: 'namespace',
    defaultVisible: false,
    render: c => c.namespace,
  },
  {
    id: 'health',
    title: 'Health',
    sortField: 'health',
    defaultVisible: true,
    wrap: true,
    render: c => {
      const reason =
        c.health === 'healthy'
          ? undefined
          : c.healthReasons.find(r => r.severity !== 'info') ??
            c.healthReasons[0];
      const label = <HealthStatusLabel health={c.health} />;
      return reason ? (
        <Tooltip title={`${reason.type}: ${reason.message}`}>
          <span>
            {label}
            <Typography
              variant="caption"
              display="block"
              color="textSecondary"
              noWrap
              style={{ maxWidth: 220 }}
            >
              {reason.message}
            </Typography>
          </span>
        </Tooltip>
      ) : (
        label
      );
    },
  },
  {
    id: 'owner',
    title: 'Owner',
    sortField: 'owner',
    defaultVisible: true,
    render: c => shortRef(c.owner),
  },
  {
    id: 'profile',
    title: 'Profile',
    sortField: 'profile',
    defaultVisible: true,
    render: c =>
      c.profile
        ? `${c.profile}${c.profileVersion ? ` @ ${c.profileVersion}` : ''}`
        : '—',
  },
  {
    id: 'provider',
    title: 'Provider',
    sortField: 'provider',
    defaultVisible: true,
    render: c => c.provider ?? '—',
  },
  {
    id: 'distribution',
    title: 'Distribution',
    sortField: 'distribution',
    defaultVisible: true,
    render: c => c.distribution ?? '—',
  },
  {
    id: 'kubernetesVersion',
    title: 'Version',
    sortField: 'kubernetesVersion',
    defaultVisible: true,
    render: c => {
      const support = clusterVersionSupport(c);
      const observed =
        c.observedKubernetesVersion &&
        c.observedKubernetesVersion !== c.kubernetesVersion
          ? c.observedKubernetesVersion
          : undefined;
      return (
        <Box
          display="flex"
          alignItems="center"
          flexWrap="wrap"
          style={{ gap: 6 }}
        >
          <span>{c.kubernetesVersion ?? '—'}</span>
          {observed && (
            <Tooltip title="Observed version differs (upgrade in progress?)">
              <Typography variant="caption" color="textSecondary">
                (running {observed})
              </Typography>
            </Tooltip>
          )}
          <VersionSupportChip
            status={support.status}
            endOfLife={support.endOfLife}
          />
        </Box>
      );
    },
  },
  {
    id: 'phase',
    title: 'Phase',
    sortField: 'phase',
    defaultVisible: true,
    render: c => c.phase,
  },
  {
    id: 'controlPlane',
    title: 'Control plane',
    defaultVisible: true,
    align: 'right',
    render: c => formatReplicas(c.controlPlane),
  },
  {
    id: 'workers',
    title: 'Workers',
    defaultVisible: true,
    align: 'right',
    render: c => formatReplicas(c.workers),
  },
  {
    id: 'machineCount',
    title: 'Machines',
    sortField: 'machineCount',
    defaultVisible: false,
    align: 'right',
    render: c => c.machineCount,
  },
  {
    id: 'managementCluster',
    title: 'Management cluster',
    sortField: 'managementCluster',
    defaultVisible: true,
    render: c => c.managementCluster,
  },
  {
    id: 'createdAt',
    title: 'Age',
    sortField: 'createdAt',
    defaultVisible: true,
    render: c => (
      <Tooltip title={formatTime(c.createdAt)}>
        <span>{formatAge(c.createdAt)}</span>
      </Tooltip>
    ),
  },
  {
    id: 'lastChangedAt',
    title: 'Last change',
    sortField: 'lastChangedAt',
    defaultVisible: false,
    render: c => (
      <Tooltip title={formatTime(c.lastChangedAt)}>
        <span>{formatAge(c.lastChangedAt)} ago</span>
      </Tooltip>
    ),
  },
];

export const DEFAULT_COLUMNS = CLUSTER_COLUMNS.filter(
  c => c.defaultVisible,
).map(c => c.id);
