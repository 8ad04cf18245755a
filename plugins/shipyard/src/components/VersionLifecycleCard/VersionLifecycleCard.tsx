import {
  InfoCard,
  Link,
  Progress,
  StructuredMetadataTable,
} from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import {
  ClusterKey,
  ClusterLifecycleResponse,
  UpgradeStep,
  VersionSupportCalendarRecord,
} from '@shipyard/plugin-shipyard-common';
import { useClusterRead } from '../../hooks';
import { formatAge } from '../../lib/format';
import {
  compareMinor,
  formatDay,
  formatDaysLeft,
  versionSupportLabel,
} from '../../lib/versionSupport';
import { SmallTable } from '../SmallTable';
import { VersionSupportChip } from '../StatusLabels';

/** Calendar rows shown around the cluster's minor. */
const MAX_ROWS = 8;

function stepText(step: UpgradeStep): string {
  const profile = step.profile
    ? ` (${step.profile} ${step.profileVersion ?? ''})`.replace(' )', ')')
    : '';
  switch (step.kind) {
    case 'profile':
      return `Move to ${step.profile} ${step.profileVersion}, staying on Kubernetes ${step.kubernetesVersion}`;
    case 'profile-and-kubernetes':
      return `Move to ${step.profile} ${step.profileVersion} with Kubernetes ${step.kubernetesVersion}`;
    default:
      return `Upgrade to Kubernetes ${step.kubernetesVersion}${profile}`;
  }
}

/** Where the answer comes from, and how old it is. */
export function provenanceOf(
  lifecycle: ClusterLifecycleResponse,
  now = Date.now(),
): { text: string; url?: string } {
  const { support, calendar } = lifecycle;
  const record = calendar.records.find(r => r.minor === support.minor);
  if (support.origin === 'override') {
    return {
      text: `Configured override (${
        record?.source ?? 'app-config'
      }), read ${formatAge(record?.fetchedAt, now)} ago`,
    };
  }
  if (support.origin === 'refreshed' && record) {
    return {
      text: `Refreshed ${formatAge(record.fetchedAt, now)} ago from`,
      url: record.source,
    };
  }
  if (record) {
    return {
      text: `Data file shipped with Shipyard, transcribed on ${record.fetchedAt.slice(
        0,
        10,
      )} from`,
      url: record.source,
    };
  }
  return { text: `Calendar ${calendar.title}`, url: calendar.source };
}

function calendarRows(
  records: VersionSupportCalendarRecord[],
  minor?: string,
): VersionSupportCalendarRecord[] {
  const sorted = [...records].sort((a, b) => compareMinor(b.minor, a.minor));
  const at = minor ? sorted.findIndex(r => r.minor === minor) : -1;
  const start = Math.max(0, Math.min(at - 3, sorted.length - MAX_ROWS));
  return sorted.slice(start, start + MAX_ROWS);
}

/** The view of a cluster's lifecycle (no loading). */
export const VersionLifecycleView = (props: {
  lifecycle: ClusterLifecycleResponse;
}) => {
  const { support, calendar, upgrades } = props.lifecycle;
  const provenance = provenanceOf(props.lifecycle);
  const metadata: Record<string, unknown> = {
    Status: (
      <Box display="flex" alignItems="center" style={{ gap: 8 }}>
        <VersionSupportChip
          status={support.status}
          endOfLife={support.endOfLife}
          showSupported
        />
        {support.nextBoundary && (
          <Typography variant="body2" data-testid="next-boundary">
            {versionSupportLabel(support.nextBoundary.status)} from{' '}
            {formatDay(support.nextBoundary.date)} (
            {formatDaysLeft(support.daysToNextBoundary)})
          </Typography>
        )}
      </Box>
    ),
    Calendar: `${calendar.title}${
      calendar.follows ? ` (follows ${calendar.follows})` : ''
    }${support.productVersion ? ` · ${support.productVersion}` : ''}`,
  };
  if (support.releaseDate) metadata.Released = formatDay(support.releaseDate);
  if (support.maintenanceFrom)
    metadata['Maintenance from'] = formatDay(support.maintenanceFrom);
  if (support.endOfStandardSupport)
    metadata['End of standard support'] = formatDay(
      support.endOfStandardSupport,
    );
  if (support.endOfExtendedSupport) {
    metadata['End of extended support'] = `${formatDay(
      support.endOfExtendedSupport,
    )}${support.extendedSupportCharged ? ' · charged' : ' · included'}${
      support.extendedSupportEnrolled === false ? ' · not enrolled' : ''
    }`;
  }
  metadata.Source = (
    <span data-testid="support-source">
      {provenance.text}{' '}
      {provenance.url && <Link to={provenance.url}>{provenance.url}</Link>}
    </span>
  );
  const rows = calendarRows(calendar.records, support.minor);
  return (
    <Box data-testid="version-lifecycle">
      {support.status === 'extended' && support.extendedSupportCharged && (
        <Box mb={1}>
          <Alert severity="warning">
            Kubernetes {support.minor} is in extended support that is charged
            until {formatDay(support.endOfExtendedSupport)}.
          </Alert>
        </Box>
      )}
      <StructuredMetadataTable metadata={metadata} />
      <Box mt={2}>
        <Typography variant="overline">Path back into support</Typography>
        {upgrades.pathToSupport?.length === 0 && (
          <Typography variant="body2">
            In standard support: no upgrade needed.
          </Typography>
        )}
        {upgrades.pathToSupport && upgrades.pathToSupport.length > 0 && (
          <ol data-testid="upgrade-path" style={{ margin: 0, paddingLeft: 20 }}>
            {upgrades.pathToSupport.map((step, i) => (
              <li key={i}>
                <Typography variant="body2">
                  {stepText(step)} —{' '}
                  <em>
                    {versionSupportLabel(step.status).toLocaleLowerCase(
                      'en-US',
                    )}
                  </em>
                </Typography>
              </li>
            ))}
          </ol>
        )}
        {upgrades.note && (
          <Typography variant="caption" color="textSecondary" component="p">
            {upgrades.note}
          </Typography>
        )}
      </Box>
      {upgrades.available.length > 0 && (
        <Box mt={1} display="flex" flexWrap="wrap" style={{ gap: 6 }}>
          <Typography variant="body2">Available now:</Typography>
          {upgrades.available.map((step, i) => (
            <Chip
              key={i}
              size="small"
              label={stepText(step)}
              data-testid="available-upgrade"
            />
          ))}
        </Box>
      )}
      <Box mt={2}>
        <Typography variant="overline">Calendar</Typography>
        <SmallTable
          label={`${calendar.title} calendar`}
          columns={[
            'Minor',
            'Released',
            'End of standard',
            'End of extended',
            'Today',
          ]}
          items={rows}
          rowKey={r => r.minor}
          rowTestId={r => `calendar-row-${r.minor}`}
          rowSelected={r => r.minor === support.minor}
          cells={r => [
            <>
              {r.minor}
              {r.productVersion ? ` (${r.productVersion})` : ''}
            </>,
            formatDay(r.releaseDate),
            formatDay(r.endOfStandardSupport),
            r.endOfExtendedSupport
              ? `${formatDay(r.endOfExtendedSupport)}${
                  r.extendedSupportCharged ? ' (charged)' : ''
                }`
              : '—',
            versionSupportLabel(r.status),
          ]}
        />
      </Box>
    </Box>
  );
};

/** A cluster's version lifecycle, loaded from the backend; reloads when `version` changes. */
export const VersionLifecycleCard = (props: {
  clusterKey: ClusterKey;
  /** Anything that changes when the answer may change (the cluster's version, its last change). */
  version?: string;
}) => {
  const { value: lifecycle, error } = useClusterRead(
    'getClusterLifecycle',
    props.clusterKey,
    props.version,
  );
  let subheader: string | undefined;
  if (lifecycle?.support.minor) {
    const { calendar } = lifecycle;
    subheader = calendar.follows
      ? `Kubernetes ${lifecycle.support.minor} on ${calendar.title}, which follows the ${calendar.follows} calendar`
      : `Kubernetes ${lifecycle.support.minor} on the ${calendar.title} calendar`;
  }
  return (
    <InfoCard title="Version lifecycle" subheader={subheader}>
      {!lifecycle && !error && <Progress />}
      {error && !lifecycle && (
        <Alert severity="warning">
          The version lifecycle is not available: {error.message}
        </Alert>
      )}
      {lifecycle && <VersionLifecycleView lifecycle={lifecycle} />}
    </InfoCard>
  );
};
