/*
 * Whether a cluster matches a rollout's selection or a stage's sub-selection: the fleet page's filters (each an OR
 * of its values, filters combined with AND) plus `lifecycle` and explicit clusters, read from the stored summary.
 */
import { stringifyClusterKey } from '@shipyard/plugin-shipyard-common';
import type { StoredClusterSummary } from '../index/FleetIndex';
import type { ClusterSelector } from './model';

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
    within(selector.cluster, stringifyClusterKey(c)) &&
    (!labels ||
      labels.every(l =>
        l.value === undefined ? l.key in c.labels : c.labels[l.key] === l.value,
      ));
}
