import {
  CLUSTER_SORT_FIELDS,
  ClusterSortField,
  parseKubernetesVersion,
} from '@shipyard/plugin-shipyard-common';
import { intern } from './intern';
import { Entry, SortValue } from './entries';
import { StoredClusterSummary } from './model';

/*
 * Sort orders of the index: the sort key of each sortable column, the comparison of entries, and the sorted arrays
 * of the whole fleet (materialised when a column is first sorted by, then maintained on every change).
 */

/** Slot of each sortable column in {@link Entry.sortKeys}. */
export const SORT_SLOT = new Map<ClusterSortField, number>(
  CLUSTER_SORT_FIELDS.map((f, i) => [f, i]),
);

/** Health by severity, for sorting: ascending from healthy, descending from the worst. */
const HEALTH_RANK = new Map<string, number>(
  (
    [
      'healthy',
      'progressing',
      'provisioning',
      'deleting',
      'unknown',
      'degraded',
      'unhealthy',
    ] as const
  ).map((h, i) => [h, i]),
);

/**
 * A string that sorts Kubernetes versions as semver does (`v1.9.0` before `v1.10.0`): the zero-padded
 * major.minor.patch, then the version itself for versions equal but for their suffix. Not a Kubernetes version: the
 * string itself.
 */
export function versionSortKey(
  version: string | undefined,
): string | undefined {
  if (!version) return undefined;
  const v = parseKubernetesVersion(version);
  if (!v) return version;
  const pad = (n: number) => String(n).padStart(5, '0');
  return `${pad(v.major)}.${pad(v.minor)}.${pad(v.patch)} ${version.replace(
    /^v/,
    '',
  )}`;
}

export function sortValueOf(
  field: ClusterSortField,
  s: StoredClusterSummary,
): SortValue {
  switch (field) {
    case 'health':
      return HEALTH_RANK.get(s.health) ?? 99;
    case 'machineCount':
      return s.machineCount;
    case 'kubernetesVersion':
      return intern(versionSortKey(s.kubernetesVersion));
    default:
      return s[field];
  }
}

/**
 * The sort keys of a summary. With the summary it replaces and that one's keys, the version's key (the one that is
 * not a plain field) is kept when the version is the same.
 */
export function sortKeysOf(
  s: StoredClusterSummary,
  prev?: StoredClusterSummary,
  prevKeys?: SortValue[],
): SortValue[] {
  return CLUSTER_SORT_FIELDS.map((f, slot) =>
    f === 'kubernetesVersion' &&
    prevKeys &&
    prev?.kubernetesVersion === s.kubernetesVersion
      ? prevKeys[slot]
      : sortValueOf(f, s),
  );
}

export function compareValues(a: SortValue, b: SortValue): number {
  if (a === b) return 0;
  // missing values sort last in ascending order
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  if (sa < sb) return -1;
  return sa > sb ? 1 : 0;
}

export function compareKeys(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

export function compareEntries(slot: number, a: Entry, b: Entry): number {
  return (
    compareValues(a.sortKeys[slot], b.sortKeys[slot]) ||
    compareKeys(a.key, b.key)
  );
}

/** First index (in `[lo, hi)`, by default the whole array) whose element is >= (value, key). */
export function lowerBound(
  arr: Entry[],
  slot: number,
  value: SortValue,
  key: string,
  from = 0,
  to = arr.length,
): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const e = arr[mid];
    if (
      (compareValues(e.sortKeys[slot], value) || compareKeys(e.key, key)) < 0
    ) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

/** Inserts an entry into an ascending array at its place. */
export function sortedInsert(arr: Entry[], slot: number, entry: Entry) {
  const at = lowerBound(arr, slot, entry.sortKeys[slot], entry.key);
  if (at === arr.length) arr.push(entry);
  else arr.splice(at, 0, entry);
}

/** Removes an entry from an ascending array, found by its current sort keys. */
export function sortedRemove(arr: Entry[], slot: number, entry: Entry) {
  const at = lowerBound(arr, slot, entry.sortKeys[slot], entry.key);
  if (arr[at] === entry) {
    if (at === arr.length - 1) arr.pop();
    else arr.splice(at, 1);
    return;
  }
  const i = arr.indexOf(entry);
  if (i >= 0) arr.splice(i, 1);
}

/**
 * Moves an entry whose sort key changed from `prev` to its current one to its new place in an ascending array,
 * shifting only the entries between its old and its new place (a removal and an insertion each shift everything
 * after their place).
 */
export function sortedMove(
  arr: Entry[],
  slot: number,
  entry: Entry,
  prev: SortValue,
) {
  let from = lowerBound(arr, slot, prev, entry.key);
  if (arr[from] !== entry) {
    from = arr.indexOf(entry);
    if (from < 0) {
      sortedInsert(arr, slot, entry);
      return;
    }
  }
  const value = entry.sortKeys[slot];
  if (compareValues(value, prev) > 0) {
    // later: the entries after the old place up to the new one move back by one
    const to = lowerBound(arr, slot, value, entry.key, from + 1) - 1;
    for (let i = from; i < to; i++) arr[i] = arr[i + 1];
    arr[to] = entry;
  } else {
    const to = lowerBound(arr, slot, value, entry.key, 0, from);
    for (let i = from; i > to; i--) arr[i] = arr[i - 1];
    arr[to] = entry;
  }
}

/** The whole fleet sorted by each column asked for so far, kept sorted as entries come, change and go. */
export class SortOrders {
  private readonly sorted = new Map<ClusterSortField, Entry[]>();

  constructor(private readonly entries: Map<string, Entry>) {}

  /** The entries sorted by a column, ascending (built on first use). */
  by(field: ClusterSortField): Entry[] {
    let arr = this.sorted.get(field);
    if (!arr) {
      const slot = SORT_SLOT.get(field)!;
      arr = [...this.entries.values()];
      arr.sort((a, b) => compareEntries(slot, a, b));
      this.sorted.set(field, arr);
    }
    return arr;
  }

  /** Puts a new entry in every sort order. */
  insert(entry: Entry): void {
    for (const [field, arr] of this.sorted) {
      sortedInsert(arr, SORT_SLOT.get(field)!, entry);
    }
  }

  /** Takes an entry out of every sort order. */
  remove(entry: Entry): void {
    for (const [field, arr] of this.sorted) {
      sortedRemove(arr, SORT_SLOT.get(field)!, entry);
    }
  }

  /** Moves an entry whose sort keys changed from `prevKeys` to its current ones to its new places. */
  move(entry: Entry, prevKeys: SortValue[]): void {
    for (const [field, arr] of this.sorted) {
      const slot = SORT_SLOT.get(field)!;
      if (compareValues(prevKeys[slot], entry.sortKeys[slot]) !== 0) {
        sortedMove(arr, slot, entry, prevKeys[slot]);
      }
    }
  }
}
