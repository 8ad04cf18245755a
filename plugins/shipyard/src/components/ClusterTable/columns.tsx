import { PausedChip } from '../ClusterOperations';
import { Link } from '@backstage/core-components';
import Chip from '@material-ui/core/Chip';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import {
  BudgetState,
  ClusterKey,
  ClusterListItem,
  ClusterSortField,
  runsOtherVersion,
} from '@shipyard/plugin-shipyard-common';
import { ReactNode } from 'react';
import {
  formatAge,
  formatReplicas,
  formatTime,
  shortRef,
} from '../../lib/format';
import { budgetLabel } from '../../lib/budget';
import { clusterVersionSupport } from '../../lib/versionSupport';
import {
  HealthStatusLabel,
  StaleChip,
  VersionSupportChip,
} from '../StatusLabels';

const BUDGET_CHIP_COLORS: Record<BudgetState, string> = {
  exhausted: '#c62828',
  burning: '#b26a00',
  ok: '#2e7d32',
};

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

/**
 * Every column of the cluster table, in display order. The default ones fit a 1280 px screen: the management
 * cluster and namespace sit under each name, the provider under the distribution, the replicas in one column.
 */
export const CLUSTER_COLUMNS: ClusterColumn[] = [
  {
    id: 'name',
    title: 'Name',
    sortField: 'name',
    defaultVisible: true,
    fixed: true,
    wrap: true,
    // where the cluster lives is always on its row: two clusters of the same name on different management clusters
    // (or namespaces) tell apart
    render: (c, ctx) => (
      <div style={{ minWidth: 160 }}>
        <div style={{ display: 'flex', alignItems: 'center', gap: 8 }}>
          <Link
            to={ctx.clusterLink(c)}
            data-testid="cluster-link"
            style={{ wordBreak: 'break-word' }}
          >
            {c.title || c.name}
          </Link>
          <StaleChip source={c.source} />
        </div>
        <Typography
          variant="caption"
          color="textSecondary"
          component="div"
          data-testid="cluster-location"
          style={{ wordBreak: 'break-word' }}
        >
          {c.managementCluster} / {c.namespace}
        </Typography>
      </div>
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
      // the headline reason (the first that is not info, else the first), under a status other than healthy
      const reason = c.health === 'healthy' ? undefined : c.healthReason;
      const label = (
        <>
          <HealthStatusLabel health={c.health} />
          <PausedChip pause={c.paused} />
        </>
      );
      return reason ? (
        <Tooltip title={`${reason.type}: ${reason.message}`}>
          <span>
            {label}
            <Typography
              variant="caption"
              display="block"
              color="textSecondary"
              noWrap
              style={{ maxWidth: 140 }}
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
    wrap: true,
    render: c =>
      c.profile ? (
        <div style={{ wordBreak: 'break-word', maxWidth: 180 }}>
          {c.profile}
          {c.profileVersion && (
            <Typography variant="caption" color="textSecondary" component="div">
              {c.profileVersion}
            </Typography>
          )}
        </div>
      ) : (
        '—'
      ),
  },
  {
    id: 'provider',
    title: 'Provider',
    sortField: 'provider',
    defaultVisible: false,
    render: c => c.provider ?? '—',
  },
  {
    id: 'distribution',
    title: 'Distribution',
    sortField: 'distribution',
    defaultVisible: true,
    render: c => (
      <div>
        {c.distribution ?? '—'}
        {c.provider && (
          <Typography variant="caption" color="textSecondary" component="div">
            {c.provider}
          </Typography>
        )}
      </div>
    ),
  },
  {
    id: 'kubernetesVersion',
    title: 'Kubernetes',
    sortField: 'kubernetesVersion',
    defaultVisible: true,
    wrap: true,
    render: c => {
      const support = clusterVersionSupport(c);
      return (
        <div>
          <div style={{ whiteSpace: 'nowrap' }}>
            {c.kubernetesVersion ?? c.observedKubernetesVersion ?? '—'}
          </div>
          {runsOtherVersion(c) && (
            <Tooltip title="The workload cluster runs another version than its control plane declares (an upgrade in progress)">
              <Typography
                variant="caption"
                color="textSecondary"
                component="div"
                style={{ whiteSpace: 'nowrap' }}
              >
                running {c.observedKubernetesVersion}
              </Typography>
            </Tooltip>
          )}
          <VersionSupportChip
            status={support.status}
            endOfLife={support.endOfLife}
          />
        </div>
      );
    },
  },
  {
    id: 'budget',
    title: 'Error budget',
    defaultVisible: false,
    render: c =>
      c.budget ? (
        <Chip
          size="small"
          variant="outlined"
          label={budgetLabel(c.budget)}
          data-testid={`budget-${c.budget}`}
          style={{ color: BUDGET_CHIP_COLORS[c.budget] }}
        />
      ) : (
        '—'
      ),
  },
  {
    id: 'phase',
    title: 'Phase',
    sortField: 'phase',
    defaultVisible: true,
    render: c => c.phase,
  },
  {
    id: 'replicas',
    title: 'Ready',
    defaultVisible: true,
    align: 'right',
    render: c => (
      <Tooltip title="Control plane · workers (ready / desired)">
        <span>
          {formatReplicas(c.controlPlane)} · {formatReplicas(c.workers)}
        </span>
      </Tooltip>
    ),
  },
  {
    id: 'controlPlane',
    title: 'Control plane',
    defaultVisible: false,
    align: 'right',
    render: c => formatReplicas(c.controlPlane),
  },
  {
    id: 'workers',
    title: 'Workers',
    defaultVisible: false,
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
    defaultVisible: false,
    render: c => c.managementCluster,
  },
  {
    id: 'createdAt',
    title: 'Age',
    sortField: 'createdAt',
    defaultVisible: false,
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
