import {
  CLUSTER_FACETS,
  CLUSTER_LIST_ITEM_FIELDS,
  ClusterFacet,
  driftFacetValues,
} from '@shipyard/plugin-shipyard-common';
import { StoredClusterSummary } from './model';

/*
 * One cluster as the index keeps it (an {@link Entry}): its summary with the JSON it is served from, the ids of its
 * facet values and its sort keys.
 */

/** The multi-valued facets: an entry may have several values of each (labels, drift kinds). */
export const MULTI_FACETS = ['label', 'drift'] as const;
export type MultiFacet = (typeof MULTI_FACETS)[number];
export type SingleFacet = Exclude<ClusterFacet, MultiFacet>;
export const MULTI_FACET_SLOT = new Map<ClusterFacet, number>(
  MULTI_FACETS.map((f, i) => [f, i]),
);

/** The single-valued facets (every facet but the multi-valued ones), in a fixed order: an entry keeps one value id per facet. */
export const SINGLE_FACETS = CLUSTER_FACETS.filter(
  (f): f is SingleFacet => !MULTI_FACET_SLOT.has(f),
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
  /** Value ids per multi-valued facet, in {@link MULTI_FACETS} order (`label`: `key=value`; `drift`: kinds). */
  multiIds: number[][];
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
  facet: SingleFacet,
  s: StoredClusterSummary,
): string | undefined {
  if (facet === 'versionSupport') return s.versionSupport?.status;
  return s[facet] || undefined;
}

/** The values of a multi-valued facet of a summary. */
export function multiFacetValues(
  facet: MultiFacet,
  s: StoredClusterSummary,
): string[] {
  if (facet === 'drift') return driftFacetValues(s.drift);
  return Object.keys(s.labels).map(key => `${key}=${s.labels[key]}`);
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
    s.origin,
    s.inventory?.clusterManager,
    // the host of a hosted control plane: its entity depends on it
    s.hostedControlPlane?.hostCluster,
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
