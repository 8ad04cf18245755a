import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
  StructuredMetadataTable,
} from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Grid from '@material-ui/core/Grid';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemIcon from '@material-ui/core/ListItemIcon';
import ListItemText from '@material-ui/core/ListItemText';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import ErrorIcon from '@material-ui/icons/Error';
import InfoIcon from '@material-ui/icons/Info';
import WarningIcon from '@material-ui/icons/Warning';
import {
  ClusterCondition,
  ClusterKey,
  ClusterNodesSummary,
  ClusterSummary,
  ClusterTreeNode,
  conditionIsGood,
  hasNegativePolarity,
  HealthReason,
  runsOtherVersion,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import { formatAge, formatReplicas, formatTime } from '../../lib/format';
import { clusterVersionSupport } from '../../lib/versionSupport';
import { OperationsCard, PausedBanner } from '../ClusterOperations';
import { ClusterTree } from '../ClusterTree';
import { HealthTimeline } from '../HealthTimeline';
import { ProvisioningProgress, isProvisioning } from '../ProvisioningProgress';
import {
  HealthStatusLabel,
  StaleChip,
  VersionSupportChip,
} from '../StatusLabels';
import { VersionLifecycleCard } from '../VersionLifecycleCard';
import { DriftCard } from '../DriftCard';
import {
  HostedControlPlaneCard,
  ManagementChainCard,
} from './ManagementChainCard';
import { ObjectiveCard } from '../Objectives';
import { SmallTable } from '../SmallTable';
import { OverviewActions } from './UpgradeAvailability';

export {
  UpgradeClusterButton,
  upgradeTemplateLink,
} from './UpgradeAvailability';
import { useClusterDetails } from './useClusterDetails';

function conditionIsBad(c: ClusterCondition): boolean {
  if (hasNegativePolarity(c.type)) {
    return c.type === 'Stalled' && c.status === 'True';
  }
  return c.status === 'False';
}

const REASON_SOURCES: Record<string, string> = {
  probe: 'Workload probe',
  capi: 'Cluster API',
  source: 'Management cluster connection',
};

function severityIcon(r: HealthReason) {
  if (r.severity === 'error') return <ErrorIcon color="error" />;
  if (r.severity === 'warning')
    return <WarningIcon style={{ color: '#ed6c02' }} />;
  return <InfoIcon color="action" />;
}

interface MachineNode {
  name: string;
  machine: string;
  ready: string;
  role: string;
  version?: string;
}

/** The Nodes of the Machines in the tree (control plane and workers). */
export function machineNodes(tree: ClusterTreeNode): MachineNode[] {
  const result: MachineNode[] = [];
  const walk = (n: ClusterTreeNode, role: string) => {
    let r = role;
    if (n.kind === 'ControlPlane') r = 'control-plane';
    else if (
      n.kind === 'Workers' ||
      n.kind === 'MachineDeployment' ||
      n.kind === 'MachinePool'
    ) {
      r = 'worker';
    }
    if (n.kind === 'Machine' && n.nodeName) {
      result.push({
        name: n.nodeName,
        machine: n.name,
        ready: n.ready,
        role: r,
        version: n.version,
      });
    }
    (n.children ?? []).forEach(c => walk(c, r));
  };
  walk(tree, '');
  return result;
}

function formatCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([k, n]) => `${k} × ${n}`)
    .join(', ');
}

const Overview = (props: { cluster: ClusterSummary; entityRef?: string }) => {
  const c = props.cluster;
  const support = clusterVersionSupport(c);
  const metadata: Record<string, unknown> = {
    Health: <HealthStatusLabel health={c.health} />,
    Profile: c.profile
      ? `${c.profile}${c.profileVersion ? ` @ ${c.profileVersion}` : ''}`
      : '—',
    ClusterClass: c.clusterClass ?? '—',
    Provider: c.provider ?? '—',
    Distribution: c.distribution ?? '—',
    Kubernetes: (
      <Box display="flex" alignItems="center" style={{ gap: 8 }}>
        <span>{c.kubernetesVersion ?? '—'}</span>
        {runsOtherVersion(c) && (
          <Typography variant="caption">
            (running {c.observedKubernetesVersion})
          </Typography>
        )}
        <VersionSupportChip
          status={support.status}
          endOfLife={support.endOfLife}
          showSupported
        />
      </Box>
    ),
    'Management cluster': (
      <Box display="flex" alignItems="center" style={{ gap: 8 }}>
        <span>
          {c.managementCluster} / {c.namespace}
        </span>
        <StaleChip source={c.source} />
      </Box>
    ),
    Owner: c.owner ? (
      <EntityRefLink entityRef={c.owner} defaultKind="group" />
    ) : (
      '—'
    ),
    Phase: c.phase,
    'Control plane': `${formatReplicas(c.controlPlane)}${
      c.controlPlaneKind ? ` (${c.controlPlaneKind})` : ''
    }`,
    Workers: formatReplicas(c.workers),
    Age: `${formatAge(c.createdAt)} (created ${formatTime(c.createdAt)})`,
  };
  if (c.apiServerUrl) metadata['API server'] = c.apiServerUrl;
  if (c.source.state === 'stale') {
    metadata['Last seen'] = formatTime(c.source.lastSeenAt);
  }
  return (
    <InfoCard title="Overview">
      <OverviewActions cluster={c} entityRef={props.entityRef} />
      <StructuredMetadataTable metadata={metadata} />
    </InfoCard>
  );
};

const HealthCard = (props: { cluster: ClusterSummary }) => {
  const c = props.cluster;
  return (
    <InfoCard title="Health">
      <Box mb={1} data-testid="cluster-health">
        <HealthStatusLabel health={c.health} />
      </Box>
      {c.source.state === 'stale' && (
        <Alert severity="warning">
          The management cluster {c.managementCluster} is unreachable since{' '}
          {formatTime(c.source.staleSince)}; this is the last known state.
        </Alert>
      )}
      {c.probe && (
        <Typography
          variant="body2"
          color="textSecondary"
          data-testid="probe-freshness"
        >
          {c.probe.ok
            ? `Workload API server reached ${formatAge(
                c.probe.lastProbeAt,
              )} ago${
                c.probe.latencyMs !== undefined
                  ? ` (${c.probe.latencyMs} ms)`
                  : ''
              }`
            : `Workload API server not reached: ${
                c.probe.error ?? 'unknown error'
              } (${c.probe.consecutiveFailures} failed probe${
                c.probe.consecutiveFailures === 1 ? '' : 's'
              }; last success ${
                c.probe.lastSuccessAt
                  ? `${formatAge(c.probe.lastSuccessAt)} ago`
                  : 'never'
              })`}
        </Typography>
      )}
      {c.healthReasons.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          No problems reported.
        </Typography>
      ) : (
        <List dense data-testid="health-reasons">
          {c.healthReasons.map((r, i) => (
            <ListItem key={`${r.type}-${i}`} disableGutters>
              <ListItemIcon>{severityIcon(r)}</ListItemIcon>
              <ListItemText
                style={{ whiteSpace: 'normal', overflowWrap: 'anywhere' }}
                primary={
                  <>
                    <strong>{r.type}</strong>: {r.message}
                  </>
                }
                secondary={`${REASON_SOURCES[r.source] ?? r.source}${
                  r.since ? ` · since ${formatTime(r.since)}` : ''
                }`}
              />
            </ListItem>
          ))}
        </List>
      )}
      {c.conditions.length > 0 && (
        <Box mt={1} display="flex" flexWrap="wrap" style={{ gap: 6 }}>
          {c.conditions.map(cond => (
            <Chip
              key={cond.type}
              size="small"
              variant={conditionIsGood(cond) ? 'default' : 'outlined'}
              color={conditionIsBad(cond) ? 'secondary' : 'default'}
              label={`${cond.type}: ${cond.status}${
                cond.reason ? ` (${cond.reason})` : ''
              }`}
              title={cond.message}
            />
          ))}
        </Box>
      )}
    </InfoCard>
  );
};

const NodesCard = (props: {
  nodes?: ClusterNodesSummary;
  tree: ClusterTreeNode;
}) => {
  const { nodes } = props;
  const machines = machineNodes(props.tree);
  const metadata: Record<string, string> = {};
  if (nodes) {
    metadata.Nodes = `${nodes.ready}/${nodes.total} ready${
      nodes.notReady ? `, ${nodes.notReady} not ready` : ''
    }${nodes.truncated ? ' (truncated)' : ''}`;
    metadata.Roles = formatCounts(nodes.roles);
    metadata.Kubelets = formatCounts(nodes.kubeletVersions);
    if (nodes.capacity) {
      const c = nodes.capacity;
      metadata.Capacity = [
        c.cpu !== undefined ? `${c.cpu} CPU` : '',
        c.memoryBytes !== undefined
          ? `${Math.round(c.memoryBytes / 2 ** 30)} GiB`
          : '',
        c.pods !== undefined ? `${c.pods} pods` : '',
      ]
        .filter(Boolean)
        .join(', ');
    }
  }
  return (
    <InfoCard title="Nodes">
      {nodes ? (
        <StructuredMetadataTable metadata={metadata} />
      ) : (
        <Typography variant="body2" color="textSecondary">
          The workload cluster has not been probed yet.
        </Typography>
      )}
      {machines.length > 0 && (
        <SmallTable
          label="Machine nodes"
          columns={['Node', 'Role', 'Ready', 'Version']}
          items={machines}
          rowKey={m => m.machine}
          cells={m => [
            <Tooltip title={`Machine ${m.machine}`}>
              <span>{m.name}</span>
            </Tooltip>,
            m.role,
            m.ready,
            m.version ?? '',
          ]}
        />
      )}
    </InfoCard>
  );
};

/** Everything about one cluster: overview, health, provisioning, tree, nodes, timeline. Live. */
export const ClusterDetails = (props: {
  clusterKey: ClusterKey;
  entityRef?: string;
}) => {
  const { details, history, loading, error } = useClusterDetails(
    props.clusterKey,
  );
  if (loading && !details) return <Progress />;
  if (error) {
    if (
      (error as { response?: { status?: number } }).response?.status === 404
    ) {
      return (
        <EmptyState
          missing="data"
          title="Cluster not found in the fleet"
          description={`Shipyard does not know ${stringifyClusterKey(
            props.clusterKey,
          )} (yet). It may have been deleted, or its management cluster is not configured.`}
        />
      );
    }
    return <ResponseErrorPanel error={error} />;
  }
  if (!details) return null;
  const c = details.summary;
  return (
    <Grid container spacing={3} data-testid="cluster-details">
      {c.paused && (
        <Grid item xs={12}>
          <PausedBanner pause={c.paused} />
        </Grid>
      )}
      {isProvisioning(c) && (
        <Grid item xs={12}>
          <InfoCard title="Provisioning">
            <ProvisioningProgress cluster={c} />
          </InfoCard>
        </Grid>
      )}
      <OperationsCard
        gridItem
        clusterKey={props.clusterKey}
        revision={`${c.phase}|${c.machineCount}|${formatReplicas(c.workers)}|${
          c.deletingSince ?? ''
        }|${c.profileVersion ?? ''}`}
      />
      <Grid item xs={12} md={6}>
        <Overview cluster={c} entityRef={props.entityRef} />
      </Grid>
      <Grid item xs={12} md={6}>
        <HealthCard cluster={c} />
      </Grid>
      <Grid item xs={12}>
        <VersionLifecycleCard
          clusterKey={props.clusterKey}
          version={`${c.observedKubernetesVersion ?? ''}|${
            c.kubernetesVersion ?? ''
          }|${c.distribution ?? ''}|${c.profileVersion ?? ''}|${
            c.versionSupport?.status ?? ''
          }`}
        />
      </Grid>
      {c.hostedControlPlane && (
        <Grid item xs={12} md={6}>
          <HostedControlPlaneCard cluster={c} />
        </Grid>
      )}
      {c.managementClusterOf && (
        <Grid item xs={12}>
          <ManagementChainCard cluster={c} />
        </Grid>
      )}
      <Grid item xs={12}>
        <ObjectiveCard
          clusterKey={props.clusterKey}
          revision={`${c.health}|${c.budget ?? ''}|${c.lastChangedAt}`}
        />
      </Grid>
      <Grid item xs={12}>
        <DriftCard cluster={c} />
      </Grid>
      <Grid item xs={12}>
        <InfoCard
          title="Cluster API objects"
          subheader="As clusterctl describe cluster shows them"
        >
          <ClusterTree tree={details.tree} />
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={7}>
        <NodesCard nodes={c.nodes} tree={details.tree} />
      </Grid>
      <Grid item xs={12} md={5}>
        <InfoCard title="Health timeline">
          <HealthTimeline items={history?.items ?? []} />
        </InfoCard>
      </Grid>
    </Grid>
  );
};
