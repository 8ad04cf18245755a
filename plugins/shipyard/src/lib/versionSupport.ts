import {
  ClusterListItem,
  ClusterVersionSupport,
  ClusterVersionSupportBrief,
  VersionSupportCalendar,
  VersionSupportResponse,
  VersionSupportStatus,
  compareKubernetesMinors,
  kubernetesMinorFor,
} from '@shipyard/plugin-shipyard-common';

/** The calendars of the data file shipped with the plugin (the backend's answers win: they know refreshes and overrides). */
const bundledCalendar = new VersionSupportCalendar();

/**
 * Version support of a cluster (a list item's brief one, or a full summary's): the backend's evaluation when it sends
 * one, else the calendar of the data file evaluated here.
 */
export function clusterVersionSupport(
  cluster: Pick<
    ClusterListItem,
    'versionSupport' | 'kubernetesMinor' | 'distribution'
  >,
): ClusterVersionSupportBrief {
  return (
    cluster.versionSupport ??
    bundledCalendar.evaluate(
      { distribution: cluster.distribution, version: cluster.kubernetesMinor },
      Date.now(),
    )
  );
}

/** Version support of a Kubernetes minor by the upstream calendar of the data file. */
export function minorVersionSupport(minor: string): ClusterVersionSupport {
  return bundledCalendar.evaluate({ version: minor }, Date.now());
}

/**
 * Support of a Kubernetes version on a distribution by the backend's calendars (`GET /version-support`): the
 * distribution's record of the minor, else the calendar it follows, else upstream's; `unknown` without a record.
 */
export function versionSupportOn(
  response: VersionSupportResponse | undefined,
  distribution: string | undefined,
  version: string,
): { status: VersionSupportStatus; minor?: string; endOfLife?: string } {
  const minor = kubernetesMinorFor(version);
  if (!response || !minor) return { status: 'unknown', minor };
  const byName = new Map(response.distributions.map(d => [d.name, d]));
  const seen = new Set<string>();
  let name: string | undefined = distribution ?? 'upstream';
  while (name && !seen.has(name)) {
    seen.add(name);
    const entry = byName.get(name);
    const record = entry?.records.find(r => r.minor === minor);
    if (record) {
      return {
        status: record.status,
        minor,
        endOfLife: record.endOfExtendedSupport ?? record.endOfStandardSupport,
      };
    }
    name = entry?.follows ?? (name === 'upstream' ? undefined : 'upstream');
  }
  return { status: 'unknown', minor };
}

/** Human label of a support status. */
export function versionSupportLabel(status: VersionSupportStatus): string {
  switch (status) {
    case 'preview':
      return 'Preview';
    case 'supported':
      return 'Supported';
    case 'maintenance':
      return 'Maintenance';
    case 'extended':
      return 'Extended support';
    case 'end-of-life':
      return 'End of life';
    default:
      return 'Support unknown';
  }
}

/** Compares Kubernetes minors (`1.9` < `1.10`). */
export function compareMinor(a: string, b: string): number {
  return compareKubernetesMinors(a, b) || a.localeCompare(b);
}

/** Colours of the support statuses in charts (status colours of the health views). */
export const SUPPORT_STATUS_COLORS: Record<VersionSupportStatus, string> = {
  preview: '#7e57c2',
  supported: '#2e7d32',
  maintenance: '#f9a825',
  extended: '#ed6c02',
  'end-of-life': '#d32f2f',
  unknown: '#9e9e9e',
};

/** The statuses in the order charts stack them: the healthy ones first. */
export const SUPPORT_STATUS_ORDER: readonly VersionSupportStatus[] = [
  'supported',
  'preview',
  'maintenance',
  'extended',
  'end-of-life',
  'unknown',
];

/** `in 12 days`, `tomorrow`, `today`. */
export function formatDaysLeft(days: number | undefined): string {
  if (days === undefined) return '—';
  if (days <= 0) return 'today';
  if (days === 1) return 'tomorrow';
  return `in ${days} days`;
}

/** A day (`2027-07-29`) as `Jul 29, 2027`, read as UTC. */
export function formatDay(day: string | undefined): string {
  if (!day) return '—';
  const t = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(t)) return day;
  return new Date(t).toLocaleDateString('en-US', {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    timeZone: 'UTC',
  });
}

/** A day as `Jan 2027`. */
export function formatMonth(day: string): string {
  const t = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(t)) return day;
  return new Date(t).toLocaleDateString('en-US', {
    year: 'numeric',
    month: 'short',
    timeZone: 'UTC',
  });
}
