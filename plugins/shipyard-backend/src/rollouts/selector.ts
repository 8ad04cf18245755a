/*
 * Whether a cluster matches a rollout's selection or a stage's sub-selection: the fleet page's filters (each an OR
 * of its values, filters combined with AND; version support too) plus `lifecycle`, explicit clusters and clusters behind a version, read
 * from the stored summary.
 */
import { stringifyClusterKey } from '@shipyard/plugin-shipyard-common';
import semver from 'semver';
import type { StoredClusterSummary } from '../index/FleetIndex';
import type { BehindSelector, ClusterSelector } from './model';

/** A selection of the clusters of a profile that are behind one of its versions (what drift proposes to roll out). */
export function profileBehindSelector(
  profile: string,
  profileVersion: string,
): ClusterSelector {
  return { profile: [profile], behind: { profileVersion } };
}

function kubernetesSemver(v: string | undefined): string | null {
  return v ? semver.coerce(v)?.version ?? null : null;
}

/** Whether a cluster is behind every version a `behind` selector names. */
function isBehind(behind: BehindSelector, c: StoredClusterSummary): boolean {
  if (behind.profileVersion !== undefined) {
    const own = c.profileVersion && semver.valid(c.profileVersion);
    if (!own || !semver.lt(own, behind.profileVersion)) return false;
  }
  if (behind.kubernetesVersion !== undefined) {
    const own = kubernetesSemver(c.kubernetesVersion);
    const target = kubernetesSemver(behind.kubernetesVersion);
    if (!own || !target || !semver.lt(own, target)) return false;
  }
  return true;
}

/** Owners as the fleet page reads them: `team-a` and `default/team-a` are `group:default/team-a`. */
function ownerRef(v: string): string {
  if (v.includes(':')) return v;
  return v.includes('/') ? `group:${v}` : `group:default/${v}`;
}

/** A predicate for a selector (no selector, or an empty one: every cluster). */
export function selectorPredicate(
  selector: ClusterSelector | undefined,
): (c: StoredClusterSummary) => boolean {
  if (!selector) return () => true;
  const owners = selector.owner?.map(o =>
    ownerRef(o).toLocaleLowerCase('en-US'),
  );
  const labels = selector.label?.map(l => {
    const eq = l.indexOf('=');
    return eq < 0
      ? { key: l }
      : { key: l.slice(0, eq), value: l.slice(eq + 1) };
  });
  const within = (values: string[] | undefined, value: string | undefined) =>
    !values || (value !== undefined && values.includes(value));
  return c =>
    (!owners || owners.includes(c.owner.toLocaleLowerCase('en-US'))) &&
    within(selector.profile, c.profile) &&
    within(selector.provider, c.provider) &&
    within(selector.distribution, c.distribution) &&
    within(selector.kubernetesMinor, c.kubernetesMinor) &&
    within(selector.health, c.health) &&
    within(selector.managementCluster, c.managementCluster) &&
    within(selector.lifecycle, c.lifecycle) &&
    within(selector.versionSupport, c.versionSupport?.status) &&
    within(selector.cluster, stringifyClusterKey(c)) &&
    (!selector.behind || isBehind(selector.behind, c)) &&
    (!labels ||
      labels.every(l =>
        l.value === undefined ? l.key in c.labels : c.labels[l.key] === l.value,
      ));
}
