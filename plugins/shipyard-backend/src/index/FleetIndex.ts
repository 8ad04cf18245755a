import {
  CLUSTER_FACETS,
  ClusterChange,
  ClusterFacet,
  ClusterSummary,
  FleetSummary,
  ListClustersRequest,
  ListClustersResponse,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import { ChangeStream } from './ChangeStream';
import {
  Entry,
  MULTI_FACETS,
  MULTI_FACET_SLOT,
  SINGLE_FACETS,
  SINGLE_FACET_SLOT,
  sameEntity,
  sameMultiFacetSource,
  multiFacetValues,
  sameContent as sameSummaryContent,
  searchTextOf,
  singleFacetValue,
} from './entries';
import { FacetValues } from './FacetValues';
import { intern } from './intern';
import {
  ClusterVisibility,
  FleetChangeListener,
  FleetSink,
  FleetQueryOptions,
  IndexedSourceState,
  SerializedClusterPage,
  StoredClusterSummary,
} from './model';
import { nextCursorOf, pageOf } from './paging';
import {
  bytesOf,
  listItemHead,
  serializeEntry,
  sourceBytesOf,
  sourceOf,
} from './present';
import { EntryChange, Selections } from './selections';
import { SortOrders, compareValues, sortKeysOf } from './sortOrders';

export type * from './model';
export { MAX_FACET_VALUES } from './selections';

/** Fixed parts of a serialised page. */
const ITEMS_START = Buffer.from('{"items":[');
const COMMA = Buffer.from(',');
const BRACE_END = Buffer.from('}');

/**
 * The fleet index: clusters by key plus secondary indexes by facet value, kept up to date incrementally, with
 * lazily materialised sort orders that are maintained incrementally once built. Queries never copy the cache:
 * they start from the smallest candidate set of their filters, and what a set of constraints selects (matches,
 * total, facet counts, sorted matches) is cached until the fleet revision changes. Each summary keeps the UTF-8
 * bytes of its slim list item once served, so a page of the fleet table is served by copying bytes; full summaries
 * are written out when served (keeping their JSON cost more memory than the summaries themselves).
 */
export class FleetIndex implements FleetSink {
  private readonly entries = new Map<string, Entry>();
  private readonly facets = new Map<ClusterFacet, FacetValues>();
  /** Label key → entries that have the label (for `label=key` filters). */
  private readonly byLabelKey = new Map<string, Set<Entry>>();
  private readonly orders = new SortOrders(this.entries);
  private readonly selections = new Selections(
    this.entries,
    this.facets,
    this.byLabelKey,
  );
  private readonly sources = new Map<string, IndexedSourceState>();
  private readonly changes = new ChangeStream(() => this.rev);
  private rev = 0;
  private readonly now: () => Date;
  /** Volatile fields per cluster key, added to a summary each time it is served (see {@link setVolatile}). */
  private readonly volatile = new Map<string, Partial<ClusterSummary>>();

  constructor(options: { now?: () => Date } = {}) {
    this.now = options.now ?? (() => new Date());
    for (const facet of CLUSTER_FACETS) {
      this.facets.set(
        facet,
        new FacetValues(() => this.selections.dropSelections(facet)),
      );
    }
  }

  get revision(): number {
    return this.rev;
  }

  /** Number of clusters. */
  get size(): number {
    return this.entries.size;
  }

  /** Subscribes to change events (delivered asynchronously, coalesced). Returns an unsubscribe function. */
  subscribe(listener: FleetChangeListener): () => void {
    return this.changes.subscribe(listener);
  }

  /**
   * Inserts or updates a summary. `lastChangedAt` is set by the index when the content changed (or kept, with
   * `options.restored`). Returns whether anything changed.
   */
  upsert(
    summary: StoredClusterSummary,
    options: { restored?: boolean; lastSeenAt?: string } = {},
  ): boolean {
    const key = stringifyClusterKey(summary);
    const existing = this.entries.get(key);
    const resynced = !options.restored;
    if (existing) {
      const sameContent = sameSummaryContent(existing.summary, summary);
      if (sameContent && existing.resynced === resynced) return false;
      if (sameContent) {
        existing.resynced = resynced;
        existing.version++;
        this.record(key, existing.summary, 'upserted', false);
        return true;
      }
      const stored = this.toStored(summary, options.restored);
      const entityChanged = !sameEntity(existing.summary, stored);
      this.replace(existing, stored);
      existing.resynced = resynced;
      if (options.lastSeenAt) existing.lastSeenAt = options.lastSeenAt;
      existing.version++;
      this.record(key, stored, 'upserted', entityChanged);
      return true;
    }
    const stored = this.toStored(summary, options.restored);
    const entry: Entry = {
      key,
      summary: stored,
      ids: [],
      multiIds: [],
      sortKeys: sortKeysOf(stored),
      search: searchTextOf(stored),
      resynced,
      lastSeenAt: options.lastSeenAt,
      version: 1,
      stamp: 0,
    };
    this.entries.set(key, entry);
    this.addToIndexes(entry);
    this.orders.insert(entry);
    this.selections.adjustSelections(entry, 1);
    this.record(key, stored, 'upserted', true);
    return true;
  }

  /** Removes a cluster (a confirmed deletion). */
  remove(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.selections.adjustSelections(entry, -1);
    this.orders.remove(entry);
    this.removeFromIndexes(entry);
    this.entries.delete(key);
    this.record(key, entry.summary, 'deleted', true);
    return true;
  }

  /** Keys of a management cluster's clusters. */
  keysOf(managementCluster: string): string[] {
    const set = this.entriesOf(managementCluster);
    return set ? [...set].map(e => e.key) : [];
  }

  /** Whether an entry is only known from persisted state. */
  isResynced(key: string): boolean | undefined {
    return this.entries.get(key)?.resynced;
  }

  /** Updates the connection state of a management cluster; its clusters' `source` follows. */
  setSourceState(managementCluster: string, state: IndexedSourceState): void {
    const previous = this.sources.get(managementCluster);
    this.sources.set(managementCluster, { ...state });
    if (
      previous?.state === state.state &&
      previous?.staleSince === state.staleSince
    ) {
      return;
    }
    const set = this.entriesOf(managementCluster);
    if (!set || set.size === 0) return;
    for (const entry of set) {
      entry.version++;
      this.record(entry.key, entry.summary, 'upserted', false);
    }
  }

  /** Records contact with a management cluster (no change event). */
  touchSource(managementCluster: string, lastSeenAt: string): void {
    const src = this.sources.get(managementCluster);
    if (src) src.lastSeenAt = lastSeenAt;
  }

  /** Connection state of a management cluster, as last set. */
  sourceState(managementCluster: string): IndexedSourceState | undefined {
    return this.sources.get(managementCluster);
  }

  /** When the cluster was last confirmed by its management cluster. */
  lastSeenAtOf(key: string): string | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    const src = this.sources.get(entry.summary.managementCluster);
    return entry.resynced
      ? src?.lastSeenAt ?? entry.lastSeenAt
      : entry.lastSeenAt;
  }

  /** The stored summary of a cluster (without `source`). */
  getStored(key: string): StoredClusterSummary | undefined {
    return this.entries.get(key)?.summary;
  }

  /** A cluster's summary as the API serves it. */
  get(key: string): { summary: ClusterSummary; version: number } | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    return { summary: this.present(entry), version: entry.version };
  }

  /** Every stored summary (for persistence snapshots and tests; not for request paths). */
  *all(): IterableIterator<StoredClusterSummary> {
    for (const entry of this.entries.values()) yield entry.summary;
  }

  /** Runs a query. Throws `InputError` on a bad cursor. */
  query(
    request: ListClustersRequest,
    options: FleetQueryOptions = {},
  ): ListClustersResponse {
    const result = pageOf(request, options, this.selections, this.orders);
    const response: ListClustersResponse = {
      items: result.page.map(e => this.present(e)),
      totalCount: this.selections.totalOf(result.selection),
      revision: this.rev,
    };
    const nextCursor = nextCursorOf(result);
    if (nextCursor) response.nextCursor = nextCursor;
    if (request.facets !== false) {
      response.facets = this.selections.facetsOf(result.selection);
    }
    return response;
  }

  /**
   * Runs a query and serialises the response (the same document as {@link query}) in UTF-8, a slim item from the
   * bytes kept on its entry. Throws `InputError` on a bad cursor.
   */
  queryJson(
    request: ListClustersRequest,
    options: FleetQueryOptions = {},
  ): SerializedClusterPage {
    const result = pageOf(request, options, this.selections, this.orders);
    // the answer is copied once from parts held as bytes: the items' (a slim item's kept on its entry), their
    // sources' (once per management cluster) and the facets' (kept on the selection)
    const parts: Buffer[] = [ITEMS_START];
    if (request.fields === 'list') {
      const sourceMemo = new Map<string, Buffer>();
      for (let i = 0; i < result.page.length; i++) {
        const entry = result.page[i];
        if (i > 0) parts.push(COMMA);
        parts.push(
          listItemHead(entry),
          sourceBytesOf(
            entry,
            this.sources.get(entry.summary.managementCluster),
            sourceMemo,
          ),
          BRACE_END,
        );
      }
    } else {
      const sourceMemo = new Map<string, string>();
      for (let i = 0; i < result.page.length; i++) {
        const entry = result.page[i];
        const item = serializeEntry(
          entry,
          this.sources.get(entry.summary.managementCluster),
          sourceMemo,
          this.volatile.get(entry.key),
        );
        parts.push(Buffer.from(i > 0 ? `,${item}` : item, 'utf8'));
      }
    }
    let tail = `],"totalCount":${this.selections.totalOf(
      result.selection,
    )},"revision":${this.rev}`;
    const nextCursor = nextCursorOf(result);
    if (nextCursor) tail += `,"nextCursor":"${nextCursor}"`;
    if (request.facets !== false) {
      tail += `,"facets":`;
      const selection = result.selection;
      if (selection.facetsJson === undefined) {
        selection.facetsJson = bytesOf(
          JSON.stringify(this.selections.facetsOf(selection)),
        );
      }
      parts.push(Buffer.from(tail, 'utf8'), selection.facetsJson, BRACE_END);
    } else {
      parts.push(Buffer.from(`${tail}}`, 'utf8'));
    }
    return { body: Buffer.concat(parts), revision: this.rev };
  }

  /** The stored summaries that a query's filters, text and visibility select (sort, page and cursor aside). */
  matching(
    request: ListClustersRequest,
    options: FleetQueryOptions = {},
  ): StoredClusterSummary[] {
    const selection = this.selections.select(
      this.selections.compile(request, options),
    );
    const out: StoredClusterSummary[] = [];
    for (const e of selection.members ?? this.entries.values()) {
      out.push(e.summary);
    }
    return out;
  }

  /** Counts over the visible fleet. */
  summary(options: { visibility?: ClusterVisibility } = {}): FleetSummary {
    const counts = (facet: ClusterFacet, entries?: Entry[]) => {
      const out: Record<string, number> = {};
      if (!entries) {
        for (const [value, fv] of this.facets.get(facet)!.byValue) {
          if (fv.entries.size > 0) out[value] = fv.entries.size;
        }
        return out;
      }
      const values = this.facets.get(facet)!;
      const multi = MULTI_FACET_SLOT.get(facet);
      if (multi !== undefined) {
        for (const e of entries) {
          for (const id of e.multiIds[multi]) {
            const v = values.byId[id]!.value;
            out[v] = (out[v] ?? 0) + 1;
          }
        }
        return out;
      }
      const slot = SINGLE_FACET_SLOT.get(facet)!;
      for (const e of entries) {
        const id = e.ids[slot];
        if (id < 0) continue;
        const v = values.byId[id]!.value;
        out[v] = (out[v] ?? 0) + 1;
      }
      return out;
    };
    let visible: Entry[] | undefined;
    if (options.visibility) {
      visible = [];
      for (const e of this.entries.values()) {
        if (options.visibility(e.summary)) visible.push(e);
      }
    }
    let staleCount = 0;
    let driftedCount = 0;
    for (const e of visible ?? this.entries.values()) {
      const src = this.sources.get(e.summary.managementCluster);
      if (!e.resynced || src?.state === 'stale') staleCount++;
      if (e.summary.drift?.length) driftedCount++;
    }
    return {
      totalCount: visible ? visible.length : this.entries.size,
      byHealth: counts('health', visible),
      byPhase: counts('phase', visible),
      byProvider: counts('provider', visible),
      byDistribution: counts('distribution', visible),
      byKubernetesMinor: counts('kubernetesMinor', visible),
      byOwner: counts('owner', visible),
      byManagementCluster: counts('managementCluster', visible),
      byVersionSupport: counts('versionSupport', visible),
      byDrift: counts('drift', visible),
      driftedCount,
      staleCount,
      revision: this.rev,
    };
  }

  /** Number of clusters per management cluster. */
  countOf(managementCluster: string): number {
    return this.entriesOf(managementCluster)?.size ?? 0;
  }

  /** Delivers pending changes now (also called on a timer by {@link record}). */
  flush(): void {
    this.changes.flush();
  }

  // ---- internals: storage ----------------------------------------------------------------------------------

  private toStored(
    summary: StoredClusterSummary,
    restored: boolean | undefined,
  ): StoredClusterSummary {
    // a full ClusterSummary may be passed in; its `source` is derived on read
    const { source: _source, ...stored } = summary as StoredClusterSummary & {
      source?: unknown;
    };
    if (!restored) stored.lastChangedAt = this.now().toISOString();
    return stored;
  }

  private entriesOf(managementCluster: string): Set<Entry> | undefined {
    return this.facets.get('managementCluster')!.get(managementCluster)
      ?.entries;
  }

  private present(entry: Entry): ClusterSummary {
    const extra = this.volatile.get(entry.key);
    return {
      ...entry.summary,
      source: sourceOf(
        entry,
        this.sources.get(entry.summary.managementCluster),
      ),
      ...extra,
    };
  }

  // ---- volatile fields ---------------------------------------------------------------------------------------

  /**
   * Sets the volatile fields of a cluster (probe freshness from the health evaluation), added to its summary each
   * time it is served; no change event (a probe round would otherwise change the whole fleet). `undefined` drops
   * them. Callers {@link touch} the revision when what is served changed.
   */
  setVolatile(key: string, fields: Partial<ClusterSummary> | undefined): void {
    if (fields) this.volatile.set(key, fields);
    else this.volatile.delete(key);
  }

  /** Bumps the revision without a change event (volatile fields changed; for ETags and caches). */
  touch(): void {
    this.rev++;
  }

  private record(
    key: string,
    summary: StoredClusterSummary,
    type: ClusterChange['type'],
    entityChanged: boolean,
  ) {
    this.rev++;
    this.changes.record(key, summary, type, entityChanged);
  }

  private addToIndexes(entry: Entry) {
    const s = entry.summary;
    const ids: number[] = new Array(SINGLE_FACETS.length);
    for (let i = 0; i < SINGLE_FACETS.length; i++) {
      const facet = SINGLE_FACETS[i];
      const value = singleFacetValue(facet, s);
      ids[i] =
        value === undefined ? -1 : this.facets.get(facet)!.add(value, entry);
    }
    entry.ids = ids;
    const multiIds: number[][] = new Array(MULTI_FACETS.length);
    for (let i = 0; i < MULTI_FACETS.length; i++) {
      const values = this.facets.get(MULTI_FACETS[i])!;
      multiIds[i] = multiFacetValues(MULTI_FACETS[i], s).map(v =>
        values.add(v, entry),
      );
    }
    entry.multiIds = multiIds;
    this.addLabelKeys(entry, s);
  }

  private addLabelKeys(entry: Entry, s: StoredClusterSummary) {
    for (const labelKey of Object.keys(s.labels)) {
      let set = this.byLabelKey.get(labelKey);
      if (!set) {
        set = new Set();
        this.byLabelKey.set(intern(labelKey), set);
        this.selections.dropSelections('label');
      }
      set.add(entry);
    }
  }

  private removeFromIndexes(entry: Entry) {
    for (let i = 0; i < SINGLE_FACETS.length; i++) {
      const id = entry.ids[i];
      if (id >= 0) this.facets.get(SINGLE_FACETS[i])!.remove(id, entry);
    }
    for (let i = 0; i < MULTI_FACETS.length; i++) {
      const values = this.facets.get(MULTI_FACETS[i])!;
      for (const id of entry.multiIds[i] ?? []) values.remove(id, entry);
    }
    this.removeLabelKeys(entry, entry.summary);
  }

  private removeLabelKeys(entry: Entry, s: StoredClusterSummary) {
    for (const labelKey of Object.keys(s.labels)) {
      const set = this.byLabelKey.get(labelKey);
      if (!set) continue;
      set.delete(entry);
      if (set.size === 0) {
        this.byLabelKey.delete(labelKey);
        this.selections.dropSelections('label');
      }
    }
  }

  /**
   * Replaces an entry's summary. Only what the change changes is touched: the index sets, selection counts and
   * sorted lists of the facets and columns whose values changed (a fleet mostly changes in fields that are none).
   */
  private replace(entry: Entry, next: StoredClusterSummary) {
    const prev = entry.summary;
    const nextKeys = sortKeysOf(next, prev, entry.sortKeys);
    // the searched text is of the name, title and namespace: mostly unchanged
    const nextSearch =
      next.name === prev.name &&
      next.title === prev.title &&
      next.namespace === prev.namespace
        ? entry.search
        : searchTextOf(next);
    const facets: ClusterFacet[] = [];
    const singles: Array<[number, string | undefined]> = [];
    for (let i = 0; i < SINGLE_FACETS.length; i++) {
      const facet = SINGLE_FACETS[i];
      const value = singleFacetValue(facet, next);
      const id = entry.ids[i];
      const current =
        id >= 0 ? this.facets.get(facet)!.byId[id]?.value : undefined;
      if (value !== current) {
        facets.push(facet);
        singles.push([i, value]);
      }
    }
    const multis: Array<[number, string[]]> = [];
    for (let i = 0; i < MULTI_FACETS.length; i++) {
      const facet = MULTI_FACETS[i];
      // the same labels or drift findings (summaries are never changed in place): the same values
      if (sameMultiFacetSource(facet, prev, next)) continue;
      const values = multiFacetValues(facet, next);
      const byId = this.facets.get(facet)!.byId;
      const ids = entry.multiIds[i];
      let same = values.length === ids.length;
      for (let k = 0; same && k < ids.length; k++) {
        same = byId[ids[k]]?.value === values[k];
      }
      if (!same) {
        facets.push(facet);
        multis.push([i, values]);
      }
    }
    const change: EntryChange = {
      facets,
      search: nextSearch !== entry.search,
      prevSortKeys: entry.sortKeys,
      sortSlots: nextKeys.map(
        (key, slot) => compareValues(entry.sortKeys[slot], key) !== 0,
      ),
    };
    this.selections.adjustSelections(entry, -1, change);
    for (const [i, value] of singles) {
      const values = this.facets.get(SINGLE_FACETS[i])!;
      if (entry.ids[i] >= 0) values.remove(entry.ids[i], entry);
      entry.ids[i] = value === undefined ? -1 : values.add(value, entry);
    }
    for (const [i, nextValues] of multis) {
      const values = this.facets.get(MULTI_FACETS[i])!;
      for (const id of entry.multiIds[i]) values.remove(id, entry);
      entry.multiIds[i] = nextValues.map(v => values.add(v, entry));
      if (MULTI_FACETS[i] === 'label') {
        // label keys change only with label values
        this.removeLabelKeys(entry, entry.summary);
        this.addLabelKeys(entry, next);
      }
    }
    entry.summary = next;
    entry.listHead = undefined;
    entry.sortKeys = nextKeys;
    entry.search = nextSearch;
    this.orders.move(entry, change.prevSortKeys);
    this.selections.adjustSelections(entry, 1, change);
  }
}
