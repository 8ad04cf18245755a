import {
  InfoCard,
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import {
  ClusterVersionSupport,
  FleetSummary,
  ManagementClusterStatus,
  SourceState,
  VersionSupportStatus,
} from '@shipyard/plugin-shipyard-common';
import { CSSProperties, ReactNode } from 'react';
import { FilterFacet } from '../../lib/filters';
import { formatAge, formatTime } from '../../lib/format';
import {
  compareMinor,
  minorVersionSupport,
  versionSupportLabel,
} from '../../lib/versionSupport';
import { BarChart, BarChartDatum } from '../BarChart';
import { HealthDonut } from '../HealthDonut';

const SUPPORT_COLORS: Record<string, string> = {
  'end-of-life': '#d32f2f',
  extended: '#ed6c02',
  maintenance: '#f9a825',
};

function toBars(counts: Record<string, number>, limit = 8): BarChartDatum[] {
  return Object.entries(counts)
    .sort(([, a], [, b]) => b - a)
    .slice(0, limit)
    .map(([label, value]) => ({ label, value }));
}

/** State of a management cluster with the catalog's status icons. */
export const SourceStateLabel = (props: { state: SourceState }) => {
  switch (props.state) {
    case 'connected':
      return <StatusOK>Connected</StatusOK>;
    case 'syncing':
      return <StatusPending>Syncing</StatusPending>;
    case 'restored':
      return <StatusWarning>Restored, re-syncing</StatusWarning>;
    default:
      return <StatusError>Stale</StatusError>;
  }
};

/**
 * How many clusters have one version support status (nothing when none has), with a button that shows them in the
 * fleet.
 */
const VersionSupportAlert = (props: {
  count: number;
  status: VersionSupportStatus;
  severity: 'error' | 'warning';
  testId: string;
  style?: CSSProperties;
  onSelect?: (facet: FilterFacet, value: string) => void;
  /** What the clusters are, after "N clusters". */
  children: ReactNode;
}) =>
  props.count > 0 ? (
    <Alert
      severity={props.severity}
      style={props.style}
      data-testid={props.testId}
      action={
        <Button
          size="small"
          color="inherit"
          onClick={() => props.onSelect?.('versionSupport', props.status)}
        >
          Show
        </Button>
      }
    >
      {props.count} cluster{props.count === 1 ? '' : 's'} {props.children}
    </Alert>
  ) : null;

/** Kubernetes minors with counts and support data, newest first. */
export function versionRows(
  summary: FleetSummary,
): Array<{ minor: string; count: number; support: ClusterVersionSupport }> {
  return Object.entries(summary.byKubernetesMinor)
    .map(([minor, count]) => ({
      minor,
      count,
      support: minorVersionSupport(minor),
    }))
    .sort((a, b) => compareMinor(b.minor, a.minor));
}

/** The summary cards at the top of the fleet page. */
export const FleetSummaryCards = (props: {
  summary: FleetSummary;
  managementClusters?: ManagementClusterStatus[];
  onSelect?: (facet: FilterFacet, value: string) => void;
}) => {
  const { summary, managementClusters, onSelect } = props;
  const versions = versionRows(summary);
  const eol = versions.filter(v => v.support.status === 'end-of-life');
  // the backend's per-cluster evaluation (per distribution, with overrides) wins over the upstream calendar
  const eolCount =
    summary.byVersionSupport?.['end-of-life'] ??
    eol.reduce((s, v) => s + v.count, 0);
  const extendedCount = summary.byVersionSupport?.extended ?? 0;
  return (
    <Grid container spacing={3} alignItems="stretch">
      <Grid item xs={12} md={6} xl={3}>
        <InfoCard
          title="Health"
          subheader={`${summary.totalCount.toLocaleString('en-US')} clusters`}
          variant="gridItem"
        >
          <HealthDonut
            counts={summary.byHealth}
            onSelect={h => onSelect?.('health', h)}
          />
          {summary.staleCount > 0 && (
            <Alert
              severity="warning"
              style={{ marginTop: 16 }}
              data-testid="stale-alert"
            >
              {summary.staleCount} cluster{summary.staleCount === 1 ? '' : 's'}{' '}
              on unreachable or not yet re-synced management clusters: their
              state is stale.
            </Alert>
          )}
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={6} xl={3}>
        <InfoCard title="Distributions and providers" variant="gridItem">
          <Typography variant="overline">Distribution</Typography>
          <BarChart
            title="Clusters by distribution"
            data={toBars(summary.byDistribution)}
            onSelect={v => onSelect?.('distribution', v)}
          />
          <Typography variant="overline">Provider</Typography>
          <BarChart
            title="Clusters by provider"
            data={toBars(summary.byProvider)}
            onSelect={v => onSelect?.('provider', v)}
          />
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={6} xl={3}>
        <InfoCard title="Kubernetes versions" variant="gridItem">
          <VersionSupportAlert
            count={eolCount}
            status="end-of-life"
            severity="error"
            testId="eol-alert"
            onSelect={onSelect}
          >
            on end-of-life Kubernetes
            {eol.length > 0 ? ` (${eol.map(v => v.minor).join(', ')})` : ''}
          </VersionSupportAlert>
          <VersionSupportAlert
            count={extendedCount}
            status="extended"
            severity="warning"
            style={{ marginTop: 8 }}
            testId="extended-alert"
            onSelect={onSelect}
          >
            in extended support
          </VersionSupportAlert>
          <BarChart
            title="Clusters by Kubernetes version"
            data={versions.slice(0, 12).map(v => ({
              label: v.minor,
              value: v.count,
              color: SUPPORT_COLORS[v.support.status],
              note: `${versionSupportLabel(v.support.status)}${
                v.support.endOfLife
                  ? `, end of life ${v.support.endOfLife.slice(0, 10)}`
                  : ''
              }`,
            }))}
            onSelect={v => onSelect?.('kubernetesMinor', v)}
          />
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={6} xl={3}>
        <InfoCard title="Management clusters" variant="gridItem">
          <Table size="small" aria-label="Management clusters">
            <TableHead>
              <TableRow>
                <TableCell>Name</TableCell>
                <TableCell>State</TableCell>
                <TableCell align="right">Clusters</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {(managementClusters ?? []).map(mc => (
                <TableRow
                  key={mc.name}
                  hover
                  style={{ cursor: 'pointer' }}
                  onClick={() => onSelect?.('managementCluster', mc.name)}
                >
                  <TableCell>{mc.name}</TableCell>
                  <TableCell>
                    <Tooltip
                      title={[
                        mc.lastSyncAt
                          ? `Last sync ${formatTime(mc.lastSyncAt)}`
                          : 'Never synced',
                        mc.staleSince
                          ? `stale since ${formatTime(mc.staleSince)}`
                          : '',
                        mc.lastError ? `last error: ${mc.lastError}` : '',
                      ]
                        .filter(Boolean)
                        .join('; ')}
                    >
                      <span>
                        <SourceStateLabel state={mc.state} />
                        {mc.state === 'stale' && mc.staleSince && (
                          <Typography variant="caption" display="block">
                            for {formatAge(mc.staleSince)}
                          </Typography>
                        )}
                      </span>
                    </Tooltip>
                  </TableCell>
                  <TableCell align="right">
                    {summary.byManagementCluster[mc.name] ??
                      mc.objectCounts.clusters}
                  </TableCell>
                </TableRow>
              ))}
              {managementClusters && managementClusters.length === 0 && (
                <TableRow>
                  <TableCell colSpan={3}>
                    No management clusters configured
                  </TableCell>
                </TableRow>
              )}
            </TableBody>
          </Table>
        </InfoCard>
      </Grid>
    </Grid>
  );
};
