import {
  ClusterKey,
  ClusterLifecycleResponse,
  ClusterSummary,
  UpgradeStep,
  rolloutProgress,
  runsOtherVersion,
} from '@shipyard/plugin-shipyard-common';

/** The Kubernetes versions `shipyard:cluster:upgrade` can move a cluster to now (within its profile version). */
export function upgradeTargets(
  lifecycle: ClusterLifecycleResponse | undefined,
): UpgradeStep[] {
  return (lifecycle?.upgrades.available ?? []).filter(
    s => s.kind === 'kubernetes',
  );
}

/**
 * Why a cluster cannot be upgraded from the portal now, or undefined when it can: the checks of
 * `shipyard:cluster:upgrade` that the summary and the cluster's upgrade plan answer.
 */
export function upgradeBlocker(
  c: ClusterSummary,
  lifecycle?: ClusterLifecycleResponse,
): string | undefined {
  if (c.deletingSince) return 'The cluster is being deleted.';
  if (!c.clusterClass) {
    return 'The cluster is not built from a ClusterClass; upgrade it where it is managed.';
  }
  if (!c.profile) {
    return 'The cluster was not requested from a profile, so no versions are approved for it.';
  }
  if (c.phase !== 'Provisioned') {
    return `The cluster is ${c.phase}; upgrades start from a provisioned cluster.`;
  }
  const rollout = rolloutProgress(c);
  if (!rollout.complete || runsOtherVersion(c)) {
    return `An upgrade or rollout is in progress${
      rollout.pending.length ? ` (${rollout.pending.join(', ')})` : ''
    }; wait for it to finish.`;
  }
  if (c.health !== 'healthy') {
    return `The cluster is ${c.health}; upgrades start from a healthy cluster.`;
  }
  if (lifecycle && upgradeTargets(lifecycle).length === 0) {
    return (
      lifecycle.upgrades.note ??
      `Profile ${c.profile} offers no newer Kubernetes version for this cluster.`
    );
  }
  return undefined;
}

/** A cluster key from the upgrade form's cluster field: `mgmt/ns/name`, or the annotations of a cluster entity. */
export function keyOfClusterRef(ref: string): ClusterKey | undefined {
  const parts = ref.split('/');
  if (parts.length === 3 && !ref.includes(':')) {
    return { managementCluster: parts[0], namespace: parts[1], name: parts[2] };
  }
  return undefined;
}
