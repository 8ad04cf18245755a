import {
  CLUSTER_FACETS,
  ClusterFacet,
  clusterListItemOf,
  driftFacetValues,
} from '@shipyard/plugin-shipyard-common';
import { StoredClusterSummary } from './model';

/*
 * One cluster as the index keeps it (an {@link Entry}): its summary, the JSON of its list item once served, the ids
 * of its facet values and its sort keys.
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
  /** The summary (never changed in place: a change replaces it). */
  summary: StoredClusterSummary;
  /**
   * UTF-8 bytes of the slim list item up to its `source` value (see `listItemHead`); built when first served, dropped
   * when the summary changes.
   */
  listHead?: Buffer;
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

/** Whether two summaries hold the very same source of a multi-valued facet's values (then the values are the same). */
export function sameMultiFacetSource(
  facet: MultiFacet,
  a: StoredClusterSummary,
  b: StoredClusterSummary,
): boolean {
  return facet === 'drift' ? a.drift === b.drift : a.labels === b.labels;
}

/** The fields that catalog entities are built from. */
function entityFields(s: StoredClusterSummary): unknown[] {
  return [
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
  ];
}

/** Whether two summaries agree on the fields that catalog entities are built from (as JSON, without writing it). */
export function sameEntity(
  a: StoredClusterSummary,
  b: StoredClusterSummary,
): boolean {
  return sameJson(entityFields(a), entityFields(b));
}

/** JSON of a summary without `lastChangedAt` (and `source`, should a caller pass a full summary). */
export function contentOf(s: StoredClusterSummary): string {
  return JSON.stringify({
    ...s,
    lastChangedAt: undefined,
    source: undefined,
  });
}

/** Fields that are not the content of a summary: set by the index (`lastChangedAt`) or derived on read (`source`). */
function isContent(key: string): boolean {
  return key !== 'lastChangedAt' && key !== 'source';
}

/**
 * Whether two summaries have the same content: the same JSON without `lastChangedAt` and `source` (the same keys in
 * the same order, undefined properties left out), compared without writing either out (an upsert of an unchanged
 * cluster is the common case, and the index keeps no JSON of its summaries).
 */
export function sameContent(
  a: StoredClusterSummary,
  b: StoredClusterSummary,
): boolean {
  return sameJsonObject(
    a as unknown as Record<string, unknown>,
    b as unknown as Record<string, unknown>,
    isContent,
  );
}

/** JSON.stringify's view of a value in an object: undefined and functions are left out. */
function omitted(value: unknown): boolean {
  return value === undefined || typeof value === 'function';
}

function sameJsonObject(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
  keep?: (key: string) => boolean,
): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < ka.length && (omitted(a[ka[i]]) || (keep && !keep(ka[i])))) i++;
    while (j < kb.length && (omitted(b[kb[j]]) || (keep && !keep(kb[j])))) j++;
    if (i === ka.length || j === kb.length) {
      return i === ka.length && j === kb.length;
    }
    if (ka[i] !== kb[j] || !sameJson(a[ka[i]], b[kb[j]])) return false;
    i++;
    j++;
  }
}

/** Whether two values write out as the same JSON (plain data: what summaries hold). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') {
    // NaN and the infinities are all written as null
    return !Number.isFinite(a) && !Number.isFinite(b);
  }
  if (
    typeof a !== 'object' ||
    typeof b !== 'object' ||
    a === null ||
    b === null
  ) {
    return false;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) {
      return false;
    }
    for (let i = 0; i < a.length; i++) {
      // in an array, undefined and functions are written as null
      const x = omitted(a[i]) ? null : a[i];
      const y = omitted(b[i]) ? null : b[i];
      if (!sameJson(x, y)) return false;
    }
    return true;
  }
  if (
    typeof (a as { toJSON?: unknown }).toJSON === 'function' ||
    typeof (b as { toJSON?: unknown }).toJSON === 'function'
  ) {
    return JSON.stringify(a) === JSON.stringify(b);
  }
  return sameJsonObject(
    a as Record<string, unknown>,
    b as Record<string, unknown>,
  );
}

/** JSON of the slim list item of a stored summary (without `source`, which is appended when served), ending with `lastChangedAt`. */
export function listContentOf(s: StoredClusterSummary): string {
  return JSON.stringify(clusterListItemOf(s));
}

export function searchTextOf(s: StoredClusterSummary): string {
  return `${s.name}\n${s.title}\n${s.namespace}`.toLowerCase();
}
