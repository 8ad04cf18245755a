import {
  CLUSTER_FACETS,
  CLUSTER_LIST_ITEM_FIELDS,
  ClusterFacet,
} from '@shipyard/plugin-shipyard-common';
import { StoredClusterSummary } from './model';

/*
 * One cluster as the index keeps it (an {@link Entry}): its summary with the JSON it is served from, the ids of its
 * facet values and its sort keys.
 */

/** The single-valued facets (every facet but `label`), in a fixed order: an entry keeps one value id per facet. */
export const SINGLE_FACETS = CLUSTER_FACETS.filter(
  (f): f is Exclude<ClusterFacet, 'label'> => f !== 'label',
);
export const SINGLE_FACET_SLOT = new Map<ClusterFacet, number>(
  SINGLE_FACETS.map((f, i) => [f, i]),
);

export type SortValue = string | number | undefined;

export interface Entry {
  key: string;
  summary: StoredClusterSummary;
  /** JSON of the summary without `lastChangedAt` (and without `source`): change detection and serving. */
  content: string;
  /** JSON of the slim list item without `lastChangedAt` and `source`; built when first served. */
  listContent?: string;
  /** Value id per single-valued facet (`-1`: none), in {@link SINGLE_FACETS} order. */
  ids: number[];
  /** Value ids of the `label` facet (`key=value`). */
  labelIds: number[];
  /** Sort key per sortable column, in `CLUSTER_SORT_FIELDS` order. */
  sortKeys: SortValue[];
  search: string;
  resynced: boolean;
  lastSeenAt?: string;
  /** Bumped on every change of this entry. */
  version: number;
  /** Scratch mark of the query being computed (membership test without a set). */
  stamp: number;
}

export function singleFacetValue(
  facet: Exclude<ClusterFacet, 'label'>,
  s: StoredClusterSummary,
): string | undefined {
  if (facet === 'versionSupport') return s.versionSupport?.status;
  return s[facet] || undefined;
}

/** The fields that catalog entities are built from. */
export function entityFingerprint(s: StoredClusterSummary): string {
  return JSON.stringify([
    s.uid,
    s.title,
    s.owner,
    s.system,
    s.lifecycle,
    s.profile,
    s.profileVersion,
    s.clusterClass,
    s.provider,
    s.distribution,
    s.kubernetesMinor,
    s.apiServerUrl,
    s.labels,
  ]);
}

/** JSON of a summary without `lastChangedAt` (and `source`, should a caller pass a full summary). */
export function contentOf(s: StoredClusterSummary): string {
  return JSON.stringify({
    ...s,
    lastChangedAt: undefined,
    source: undefined,
  });
}

const LIST_ITEM_CONTENT_FIELDS = CLUSTER_LIST_ITEM_FIELDS.filter(
  f => f !== 'lastChangedAt' && f !== 'source',
);

/** JSON of the slim list item of a summary without `lastChangedAt` and `source` (appended when served). */
export function listContentOf(s: StoredClusterSummary): string {
  const item: Record<string, unknown> = {};
  for (const field of LIST_ITEM_CONTENT_FIELDS) {
    const value = s[field];
    if (value !== undefined) item[field] = value;
  }
  return JSON.stringify(item);
}

export function searchTextOf(s: StoredClusterSummary): string {
  return `${s.name}\n${s.title}\n${s.namespace}`.toLowerCase();
}
