import {
  ClusterListItem,
  ClusterVersionSupport,
  VersionSupportCalendar,
  VersionSupportStatus,
  compareKubernetesMinors,
} from '@shipyard/plugin-shipyard-common';

/** The calendars of the data file shipped with the plugin (the backend's answers win: they know refreshes and overrides). */
const bundledCalendar = new VersionSupportCalendar();

/**
 * Version support of a cluster: the backend's evaluation when it sends one, else the calendar of the data file
 * evaluated here.
 */
export function clusterVersionSupport(
  cluster: Pick<
    ClusterListItem,
    'versionSupport' | 'kubernetesMinor' | 'distribution'
  >,
): ClusterVersionSupport {
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
