import {
  CLUSTER_FACETS,
  ClusterFacet,
  ClusterFacets,
  ClusterSortField,
  FacetCount,
  ListClustersRequest,
} from '@shipyard/plugin-shipyard-common';
import {
  Entry,
  MULTI_FACET_SLOT,
  SINGLE_FACET_SLOT,
  SortValue,
} from './entries';
import { FacetValues } from './FacetValues';
import { ClusterVisibility, FleetQueryOptions } from './model';
import {
  SORT_SLOT,
  compareKeys,
  sortedInsert,
  sortedMove,
  sortedRemove,
} from './sortOrders';

interface CompiledFilter {
  facet: ClusterFacet;
  /** Single-valued facets: the facet slot. `-1` for multi-valued ones. */
  slot: number;
  /** Multi-valued facets: the slot in `Entry.multiIds`. `-1` for single-valued ones. */
  multi: number;
  /** Accepted value ids (values the index does not know are dropped: nothing has them). */
  ids: Set<number>;
  /** Index sets of the accepted values and label keys (the filter's candidates). */
  sets: Set<Entry>[];
  /** For `label`: plain keys (label present). */
  labelKeys: string[];
}

export interface CompiledQuery {
  filters: CompiledFilter[];
  /** The facets that have a filter. */
  filtered: Set<ClusterFacet>;
  q?: string;
  visibility?: ClusterVisibility;
  /** Canonical form of the constraints (undefined: not cacheable). */
  cacheKey?: string;
}

/**
 * What a query's constraints select. Cached selections are kept up to date on every change of the index (an entry's
 * contributions are taken out before it changes and put back after), so that a live fleet does not invalidate them.
 */
export interface Selection {
  compiled: CompiledQuery;
  /** Matching entries; undefined when nothing constrains the query (every entry). */
  members?: Set<Entry>;
  /**
   * Counts by facet and value id, once facets were asked for: a facet without a filter counts the members, a facet
   * with a filter counts the entries that pass every other constraint.
   */
  counts?: Map<ClusterFacet, number[]>;
  /** The facet counts as served, until a change touches them. */
  facets?: ClusterFacets;
  /** Their JSON in UTF-8, as served. */
  facetsJson?: Buffer;
  /** Members sorted by a column, ascending (small selections only). */
  sorted: Map<ClusterSortField, Entry[]>;
}

/**
 * What a change of an entry changes, as far as selections can tell: the facets whose values changed, whether its
 * searched text changed, and the sort columns whose key changed.
 */
export interface EntryChange {
  facets: ClusterFacet[];
  search: boolean;
  /** By sort slot (see `SORT_SLOT`): whether the key changed. */
  sortSlots: boolean[];
  /** The sort keys before the change. */
  prevSortKeys: SortValue[];
}

/** Adds `delta` to the count of each value an entry has of a facet. */
function countEntry(
  byId: number[],
  facet: ClusterFacet,
  entry: Entry,
  delta: 1 | -1,
) {
  const multi = MULTI_FACET_SLOT.get(facet);
  if (multi !== undefined) {
    for (const id of entry.multiIds[multi]) {
      byId[id] = (byId[id] ?? 0) + delta;
    }
  } else {
    const id = entry.ids[SINGLE_FACET_SLOT.get(facet)!];
    if (id >= 0) byId[id] = (byId[id] ?? 0) + delta;
  }
}

/** Maximum number of values per facet in a response. */
export const MAX_FACET_VALUES = 100;

/** Query selections kept (and maintained on every change). */
const MAX_CACHED_SELECTIONS = 64;

/** Selections of queries used once kept aside (unmaintained: good only until the index changes). */
const MAX_SEEN_ONCE = 16;

/**
 * What queries select, and the facet counts of their selections: a query's filters compiled to facet value ids,
 * evaluated from the smallest candidate set, and the selection of a query used again kept (up to
 * {@link MAX_CACHED_SELECTIONS}) and maintained on every change of the index.
 */
export class Selections {
  /** Selections kept and maintained (LRU order). */
  private readonly selections = new Map<string, Selection>();
  /** Selections of queries used once, with the {@link changeCount} they were computed at (not maintained). */
  private readonly seenOnce = new Map<
    string,
    { selection: Selection; at: number }
  >();
  /** Bumped by every change of the index. */
  private changeCount = 0;
  private stampCounter = 0;

  constructor(
    private readonly entries: Map<string, Entry>,
    private readonly facets: Map<ClusterFacet, FacetValues>,
    /** Label key → entries that have the label (for `label=key` filters). */
    private readonly byLabelKey: Map<string, Set<Entry>>,
  ) {}

  compile(
    request: ListClustersRequest,
    options: FleetQueryOptions,
  ): CompiledQuery {
    const filters: CompiledFilter[] = [];
    const keyParts: string[] = [];
    for (const facet of CLUSTER_FACETS) {
      const requested = request[facet] as string[] | undefined;
      if (!requested || requested.length === 0) continue;
      const values = this.facets.get(facet)!;
      const ids = new Set<number>();
      const sets: Set<Entry>[] = [];
      const labelKeys: string[] = [];
      const distinct = [...new Set(requested)].sort();
      for (const v of distinct) {
        if (facet === 'label' && !v.includes('=')) {
          labelKeys.push(v);
          const set = this.byLabelKey.get(v);
          if (set) sets.push(set);
          continue;
        }
        const fv = values.get(v);
        if (fv) {
          ids.add(fv.id);
          sets.push(fv.entries);
        }
      }
      filters.push({
        facet,
        slot: SINGLE_FACET_SLOT.get(facet) ?? -1,
        multi: MULTI_FACET_SLOT.get(facet) ?? -1,
        ids,
        sets,
        labelKeys,
      });
      keyParts.push(`${facet}=${JSON.stringify(distinct)}`);
    }
    const q = request.q?.trim().toLowerCase() || undefined;
    if (q) keyParts.push(`q=${JSON.stringify(q)}`);
    const visibility = options.visibility;
    let cacheKey: string | undefined = keyParts.join('&');
    if (visibility) {
      cacheKey =
        options.visibilityKey === undefined
          ? undefined
          : `${cacheKey}#${options.visibilityKey}`;
    }
    return {
      filters,
      filtered: new Set(filters.map(f => f.facet)),
      q,
      visibility,
      cacheKey,
    };
  }

  private passes(entry: Entry, filter: CompiledFilter): boolean {
    if (filter.slot >= 0) return filter.ids.has(entry.ids[filter.slot]);
    for (const id of entry.multiIds[filter.multi]) {
      if (filter.ids.has(id)) return true;
    }
    for (const k of filter.labelKeys) {
      if (Object.prototype.hasOwnProperty.call(entry.summary.labels, k)) {
        return true;
      }
    }
    return false;
  }

  private matches(
    entry: Entry,
    compiled: CompiledQuery,
    skip?: ClusterFacet,
  ): boolean {
    for (const f of compiled.filters) {
      if (f.facet !== skip && !this.passes(entry, f)) return false;
    }
    if (compiled.q && !entry.search.includes(compiled.q)) return false;
    if (compiled.visibility && !compiled.visibility(entry.summary)) {
      return false;
    }
    return true;
  }

  /**
   * The selection of a compiled query, from the cache when possible. A query's selection is kept (and maintained) from
   * its second use on: the first use keeps it aside unmaintained, good for a second use only while the index has not
   * changed since, so that queries asked once (a search as it is typed) cost nothing on the changes that follow.
   */
  select(compiled: CompiledQuery): Selection {
    const cacheKey = compiled.cacheKey;
    if (cacheKey === undefined) return this.compute(compiled);
    const cached = this.selections.get(cacheKey);
    if (cached) {
      // keep recently used selections at the end (LRU order)
      this.selections.delete(cacheKey);
      this.selections.set(cacheKey, cached);
      return cached;
    }
    const once = this.seenOnce.get(cacheKey);
    if (!once) {
      const selection = this.compute(compiled);
      if (this.seenOnce.size >= MAX_SEEN_ONCE) {
        const oldest = this.seenOnce.keys().next().value;
        if (oldest !== undefined) this.seenOnce.delete(oldest);
      }
      this.seenOnce.set(cacheKey, { selection, at: this.changeCount });
      return selection;
    }
    this.seenOnce.delete(cacheKey);
    const selection =
      once.at === this.changeCount ? once.selection : this.compute(compiled);
    if (this.selections.size >= MAX_CACHED_SELECTIONS) {
      const oldest = this.selections.keys().next().value;
      if (oldest !== undefined) this.selections.delete(oldest);
    }
    this.selections.set(cacheKey, selection);
    return selection;
  }

  private compute(compiled: CompiledQuery): Selection {
    const selection: Selection = { compiled, sorted: new Map() };
    const unconstrained =
      compiled.filters.length === 0 && !compiled.q && !compiled.visibility;
    if (!unconstrained) {
      const members = new Set<Entry>();
      this.scan(compiled, undefined, e => {
        members.add(e);
      });
      selection.members = members;
    }
    return selection;
  }

  totalOf(selection: Selection): number {
    return selection.members?.size ?? this.entries.size;
  }

  /** Forgets the cached selections that filter on a facet (its value ids changed). */
  dropSelections(facet: ClusterFacet) {
    for (const [key, selection] of this.selections) {
      if (selection.compiled.filtered.has(facet)) this.selections.delete(key);
    }
    this.changeCount++;
  }

  /**
   * Takes an entry's contributions out of every cached selection (`delta` -1, before the entry changes or goes) or
   * puts them in (`delta` 1, after it changed or came). `change` says what a change of the entry changes (the same
   * on both calls); without it, anything may (the entry comes or goes). A selection whose constraints cannot see the
   * change keeps its members, and only the counts of the changed facets and the sorted lists of the changed columns
   * of a member are adjusted.
   */
  adjustSelections(entry: Entry, delta: 1 | -1, change?: EntryChange) {
    this.changeCount++;
    for (const selection of this.selections.values()) {
      const { compiled, members, counts } = selection;
      if (!members) {
        if (!change || change.facets.length > 0) {
          selection.facets = undefined;
          selection.facetsJson = undefined;
        }
        continue;
      }
      if (change && !this.canMove(compiled, change)) {
        this.adjustMember(selection, entry, delta, change);
        continue;
      }
      let touched = false;
      const member = this.matches(entry, compiled);
      if (member) {
        touched = true;
        if (delta > 0) members.add(entry);
        else members.delete(entry);
        for (const [field, list] of selection.sorted) {
          const slot = SORT_SLOT.get(field)!;
          if (delta > 0) sortedInsert(list, slot, entry);
          else sortedRemove(list, slot, entry);
        }
      }
      if (counts) {
        for (const [facet, byId] of counts) {
          const counted = compiled.filtered.has(facet)
            ? this.matches(entry, compiled, facet)
            : member;
          if (!counted) continue;
          touched = true;
          countEntry(byId, facet, entry, delta);
        }
      }
      if (touched) {
        selection.facets = undefined;
        selection.facetsJson = undefined;
      }
    }
  }

  /**
   * Whether a change can move an entry into or out of what a query selects, or out of what it counts for a filtered
   * facet: it changes a filtered facet or the searched text, or the query has a visibility predicate (which may read
   * any field).
   */
  private canMove(compiled: CompiledQuery, change: EntryChange): boolean {
    if (compiled.visibility) return true;
    if (compiled.q && change.search) return true;
    for (const facet of change.facets) {
      if (compiled.filtered.has(facet)) return true;
    }
    return false;
  }

  /**
   * {@link adjustSelections} for a selection the change cannot move the entry in or out of: a member's counts of the
   * changed facets (all unfiltered) and, once it changed (`delta` 1), its move in the sorted lists of the changed
   * columns.
   */
  private adjustMember(
    selection: Selection,
    entry: Entry,
    delta: 1 | -1,
    change: EntryChange,
  ) {
    const { counts } = selection;
    const countsChange = counts !== undefined && change.facets.length > 0;
    let sortChange = false;
    if (delta > 0) {
      for (const field of selection.sorted.keys()) {
        if (change.sortSlots[SORT_SLOT.get(field)!]) sortChange = true;
      }
    }
    if (!countsChange && !sortChange) return;
    if (!this.matches(entry, selection.compiled)) return;
    if (countsChange) {
      for (const facet of change.facets) {
        countEntry(counts!.get(facet)!, facet, entry, delta);
      }
      selection.facets = undefined;
      selection.facetsJson = undefined;
    }
    if (sortChange) {
      for (const [field, list] of selection.sorted) {
        const slot = SORT_SLOT.get(field)!;
        if (change.sortSlots[slot]) {
          sortedMove(list, slot, entry, change.prevSortKeys[slot]);
        }
      }
    }
  }

  /**
   * Visits every entry that passes all constraints except the filter of `skip`, iterating only the smallest
   * candidate set of the remaining filters.
   */
  private scan(
    compiled: CompiledQuery,
    skip: ClusterFacet | undefined,
    visit: (entry: Entry) => void,
  ): void {
    let best: CompiledFilter | undefined;
    let bestSize = Infinity;
    for (const f of compiled.filters) {
      if (f.facet === skip) continue;
      let size = 0;
      for (const s of f.sets) size += s.size;
      if (size < bestSize) {
        best = f;
        bestSize = size;
      }
    }
    if (!best) {
      for (const e of this.entries.values()) {
        if (this.matches(e, compiled, skip)) visit(e);
      }
      return;
    }
    if (best.sets.length === 1) {
      for (const e of best.sets[0]) {
        if (this.matches(e, compiled, skip)) visit(e);
      }
      return;
    }
    // several values of one facet: their sets are disjoint except for multi-valued facets (and label keys)
    const stamp = MULTI_FACET_SLOT.has(best.facet) ? ++this.stampCounter : 0;
    for (const s of best.sets) {
      for (const e of s) {
        if (stamp) {
          if (e.stamp === stamp) continue;
          e.stamp = stamp;
        }
        if (this.matches(e, compiled, skip)) visit(e);
      }
    }
  }

  facetsOf(selection: Selection): ClusterFacets {
    if (selection.facets) return selection.facets;
    const result = {} as ClusterFacets;
    if (!selection.members) {
      for (const facet of CLUSTER_FACETS) result[facet] = this.fromIndex(facet);
    } else {
      let counts = selection.counts;
      if (!counts) {
        counts = this.countSelection(selection.compiled, selection.members);
        selection.counts = counts;
      }
      for (const [facet, byId] of counts) {
        result[facet] = this.toFacetCounts(facet, byId);
      }
    }
    for (const facet of CLUSTER_FACETS) {
      const list = result[facet];
      list.sort((a, b) => b.count - a.count || compareKeys(a.value, b.value));
      if (list.length > MAX_FACET_VALUES) list.length = MAX_FACET_VALUES;
    }
    selection.facets = result;
    return result;
  }

  /** Counts of a constrained selection (see {@link Selection.counts}). */
  private countSelection(
    compiled: CompiledQuery,
    members: Set<Entry>,
  ): Map<ClusterFacet, number[]> {
    const counts = new Map<ClusterFacet, number[]>();
    const unfiltered = new Map<ClusterFacet, number[]>();
    for (const facet of CLUSTER_FACETS) {
      const byId = this.zeroCounts(facet);
      counts.set(facet, byId);
      if (!compiled.filtered.has(facet)) unfiltered.set(facet, byId);
    }
    this.countInto(unfiltered, members);
    for (const facet of compiled.filtered) {
      const batch: Entry[] = [];
      this.scan(compiled, facet, e => {
        batch.push(e);
      });
      this.countInto(new Map([[facet, counts.get(facet)!]]), batch);
    }
    return counts;
  }

  private countInto(
    counters: Map<ClusterFacet, number[]>,
    entries: Iterable<Entry>,
  ): void {
    for (const [facet, counts] of counters) {
      const multi = MULTI_FACET_SLOT.get(facet);
      if (multi !== undefined) {
        for (const e of entries) {
          for (const id of e.multiIds[multi]) counts[id]++;
        }
        continue;
      }
      const slot = SINGLE_FACET_SLOT.get(facet)!;
      for (const e of entries) {
        const id = e.ids[slot];
        if (id >= 0) counts[id]++;
      }
    }
  }

  private zeroCounts(facet: ClusterFacet): number[] {
    return new Array<number>(this.facets.get(facet)!.byId.length).fill(0);
  }

  private toFacetCounts(facet: ClusterFacet, counts: number[]): FacetCount[] {
    const values = this.facets.get(facet)!;
    const out: FacetCount[] = [];
    counts.forEach((count, id) => {
      const fv = values.byId[id];
      if (count > 0 && fv) out.push({ value: fv.value, count });
    });
    return out;
  }

  private fromIndex(facet: ClusterFacet): FacetCount[] {
    const out: FacetCount[] = [];
    for (const [value, fv] of this.facets.get(facet)!.byValue) {
      if (fv.entries.size > 0) out.push({ value, count: fv.entries.size });
    }
    return out;
  }
}
