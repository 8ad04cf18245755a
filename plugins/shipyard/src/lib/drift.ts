import { DriftFacetValue, DriftKind } from '@shipyard/plugin-shipyard-common';

const DRIFT_LABELS: Record<DriftFacetValue, string> = {
  profileVersion: 'Profile version behind',
  clusterClass: 'ClusterClass differs',
  kubernetesVersion: 'Kubernetes version outside profile',
  variable: 'Pinned variable changed',
  replicas: 'Replicas outside sizes',
  addonMissing: 'Add-on missing',
  addonFailed: 'Add-on failed',
  addonVersion: 'Add-on at another version',
  none: 'In sync with profile',
};

/** Display text of a drift kind (or `none`). */
export function driftLabel(value: DriftKind | string): string {
  return DRIFT_LABELS[value as DriftFacetValue] ?? value;
}
