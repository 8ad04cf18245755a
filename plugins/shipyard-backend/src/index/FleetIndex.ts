import {
  CLUSTER_FACETS,
  CLUSTER_LIST_ITEM_FIELDS,
  CLUSTER_SORT_FIELDS,
  ClusterChange,
  ClusterFacet,
  ClusterFacets,
  ClusterSortField,
  ClusterSummary,
  DEFAULT_CLUSTER_PAGE_SIZE,
  FacetCount,
  FleetChangeEvent,
  FleetSummary,
  ListClustersRequest,
  ListClustersResponse,
  SortOrder,
  SourceState,
  parseKubernetesVersion,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import { InputError } from '@backstage/errors';
import { intern } from './intern';

/** A summary as the index stores it: everything but the `source` freshness, which is derived on read. */
export type StoredClusterSummary = Omit<ClusterSummary, 'source'>;

/** Connection state of one management cluster, as far as the index cares. */
export interface IndexedSourceState {
  state: SourceState;
  staleSince?: string;
  lastSeenAt?: string;
}

/** A predicate that narrows what a caller may see (from a conditional permission decision). */
export type ClusterVisibility = (summary: StoredClusterSummary) => boolean;

/** Options of a query. */
export interface FleetQueryOptions {
  visibility?: ClusterVisibility;
  /**
   * A stable identity of `visibility` (for example the serialised permission conditions). With it, results are
   * cached per fleet revision; without it, queries with a visibility predicate are always computed afresh.
   */
  visibilityKey?: string;
}

/**
 * Hooks of the health aggregation (issue 5): `decorate` rewrites each summary on its way into the index (not restored
 * ones); `restore` rewrites restored ones (time-dependent fields the database does not keep); `extra` gives volatile,
 * read-only fields (probe freshness) added to a summary each time it is served; `settle` brings time-dependent fields
 * up to date before the index answers (version support past a support boundary).
 */
export interface FleetIndexHooks {
  decorate?(summary: StoredClusterSummary): StoredClusterSummary;
  restore?(summary: StoredClusterSummary): StoredClusterSummary;
  extra?(key: string): Partial<ClusterSummary> | undefined;
  settle?(): void;
}

/** A page of a query, serialised: what `GET /clusters` sends. */
export interface SerializedClusterPage {
  /** The `ListClustersResponse` as JSON. */
  body: string;
  revision: number;
}

/** The single-valued facets (every facet but `label`), in a fixed order: an entry keeps one value id per facet. */
const SINGLE_FACETS = CLUSTER_FACETS.filter(
  (f): f is Exclude<ClusterFacet, 'label'> => f !== 'label',
);
const SINGLE_FACET_SLOT = new Map<ClusterFacet, number>(
  SINGLE_FACETS.map((f, i) => [f, i]),
);
const SORT_SLOT = new Map<ClusterSortField, number>(
  CLUSTER_SORT_FIELDS.map((f, i) => [f, i]),
);

/** One distinct value of a facet, with the entries that have it. */
interface FacetValue {
  value: string;
  id: number;
  entries: Set<Entry>;
}

/** The values of one facet, numbered so that counting can use plain arrays. */
class FacetValues {
  readonly byValue = new Map<string, FacetValue>();
  readonly byId: Array<FacetValue | undefined> = [];
  private readonly free: number[] = [];

  /** `onValuesChanged` is called when a value appears or disappears (ids are reused). */
  constructor(private readonly onValuesChanged: () => void) {}

  get(value: string): FacetValue | undefined {
    return this.byValue.get(value);
  }

  add(value: string, entry: Entry): number {
    let fv = this.byValue.get(value);
    if (!fv) {
      const id = this.free.pop() ?? this.byId.length;
      fv = { value: intern(value), id, entries: new Set() };
      this.byValue.set(fv.value, fv);
      this.byId[id] = fv;
      this.onValuesChanged();
    }
    fv.entries.add(entry);
    return fv.id;
  }

  remove(id: number, entry: Entry): void {
    const fv = this.byId[id];
    if (!fv) return;
    fv.entries.delete(entry);
    if (fv.entries.size === 0) {
      this.byValue.delete(fv.value);
      this.byId[id] = undefined;
      this.free.push(id);
      this.onValuesChanged();
    }
  }
}

type SortValue = string | number | undefined;

interface Entry {
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

interface CompiledFilter {
  facet: ClusterFacet;
  /** Single-valued facets: the facet slot. `-1` for `label`. */
  slot: number;
  /** Accepted value ids (values the index does not know are dropped: nothing has them). */
  ids: Set<number>;
  /** Index sets of the accepted values and label keys (the filter's candidates). */
  sets: Set<Entry>[];
  /** For `label`: plain keys (label present). */
  labelKeys: string[];
}

interface CompiledQuery {
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
interface Selection {
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
  facetsJson?: string;
  /** Members sorted by a column, ascending (small selections only). */
  sorted: Map<ClusterSortField, Entry[]>;
}

/** Maximum number of values per facet in a response. */
export const MAX_FACET_VALUES = 100;

/** Query selections kept (and maintained on every change). */
const MAX_CACHED_SELECTIONS = 64;

/** Below this many matches a filtered page is cut from the sorted matches; above, the global sort order is walked. */
const SMALL_SELECTION = 2048;

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
function versionSortKey(version: string | undefined): string | undefined {
  if (!version) return undefined;
  const v = parseKubernetesVersion(version);
  if (!v) return version;
  const pad = (n: number) => String(n).padStart(5, '0');
  return `${pad(v.major)}.${pad(v.minor)}.${pad(v.patch)} ${version.replace(
    /^v/,
    '',
  )}`;
}

function sortValueOf(
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

function sortKeysOf(s: StoredClusterSummary): SortValue[] {
  return CLUSTER_SORT_FIELDS.map(f => sortValueOf(f, s));
}

function compareValues(a: SortValue, b: SortValue): number {
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

function compareKeys(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

function compareEntries(slot: number, a: Entry, b: Entry): number {
  return (
    compareValues(a.sortKeys[slot], b.sortKeys[slot]) ||
    compareKeys(a.key, b.key)
  );
}

function singleFacetValue(
  facet: Exclude<ClusterFacet, 'label'>,
  s: StoredClusterSummary,
): string | undefined {
  if (facet === 'versionSupport') return s.versionSupport?.status;
  return s[facet] || undefined;
}

/** The fields that catalog entities are built from. */
function entityFingerprint(s: StoredClusterSummary): string {
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
function contentOf(s: StoredClusterSummary): string {
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
function listContentOf(s: StoredClusterSummary): string {
  const item: Record<string, unknown> = {};
  for (const field of LIST_ITEM_CONTENT_FIELDS) {
    const value = s[field];
    if (value !== undefined) item[field] = value;
  }
  return JSON.stringify(item);
}

interface CursorPayload {
  f: ClusterSortField;
  o: SortOrder;
  v: SortValue;
  k: string;
}

function encodeCursor(payload: CursorPayload): string {
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): CursorPayload {
  try {
    const p = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      p &&
      typeof p.f === 'string' &&
      (p.o === 'asc' || p.o === 'desc') &&
      typeof p.k === 'string' &&
      (p.v === undefined || typeof p.v === 'string' || typeof p.v === 'number')
    ) {
      return p as CursorPayload;
    }
  } catch {
    // fall through
  }
  throw new InputError('cursor: invalid cursor');
}

/** First index whose element is >= (value, key). */
function lowerBound(
  arr: Entry[],
  slot: number,
  value: SortValue,
  key: string,
): number {
  let lo = 0;
  let hi = arr.length;
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

/**
 * Listener of fleet changes. `deleted` holds the last stored summary of each cluster the event reports deleted, so
 * that a listener can still tell whose it was (the index no longer has it).
 */
export type FleetChangeListener = (
  event: FleetChangeEvent,
  deleted: ReadonlyMap<string, StoredClusterSummary>,
) => void;

interface PageResult {
  page: Entry[];
  hasMore: boolean;
  selection: Selection;
  field: ClusterSortField;
  order: SortOrder;
}

/**
 * The fleet index: clusters by key plus secondary indexes by facet value, kept up to date incrementally, with
 * lazily materialised sort orders that are maintained incrementally once built. Queries never copy the cache:
 * they start from the smallest candidate set of their filters, and what a set of constraints selects (matches,
 * total, facet counts, sorted matches) is cached until the fleet revision changes. Each summary keeps its JSON, so
 * a page is served by concatenation.
 */
export class FleetIndex {
  private readonly entries = new Map<string, Entry>();
  private readonly facets = new Map<ClusterFacet, FacetValues>();
  /** Label key → entries that have the label (for `label=key` filters). */
  private readonly byLabelKey = new Map<string, Set<Entry>>();
  private readonly sorted = new Map<ClusterSortField, Entry[]>();
  private readonly sources = new Map<string, IndexedSourceState>();
  private readonly listeners = new Set<FleetChangeListener>();
  private pending = new Map<string, ClusterChange>();
  /** The last summary of each cluster deleted since the last delivery. */
  private pendingDeleted = new Map<string, StoredClusterSummary>();
  private flushScheduled = false;
  private rev = 0;
  private stampCounter = 0;
  private readonly selections = new Map<string, Selection>();
  private readonly now: () => Date;
  private hooks: FleetIndexHooks = {};

  constructor(options: { now?: () => Date } = {}) {
    this.now = options.now ?? (() => new Date());
    for (const facet of CLUSTER_FACETS) {
      this.facets.set(facet, new FacetValues(() => this.dropSelections(facet)));
    }
  }

  /** Fleet revision: bumped by every change. */
  get revision(): number {
    return this.rev;
  }

  /** Number of clusters. */
  get size(): number {
    return this.entries.size;
  }

  /** Subscribes to change events (delivered asynchronously, coalesced). Returns an unsubscribe function. */
  subscribe(listener: FleetChangeListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * Inserts or updates a summary. `lastChangedAt` is set by the index when the content changed (or kept, with
   * `options.restored`). Returns whether anything changed.
   */
  upsert(
    input: StoredClusterSummary,
    options: { restored?: boolean; lastSeenAt?: string } = {},
  ): boolean {
    // health aggregation hooks (issue 5)
    const hook = options.restored ? this.hooks.restore : this.hooks.decorate;
    const summary = hook ? hook(input) : input;
    const key = stringifyClusterKey(summary);
    const existing = this.entries.get(key);
    const resynced = !options.restored;
    const content = contentOf(summary);
    if (existing) {
      const sameContent = existing.content === content;
      if (sameContent && existing.resynced === resynced) return false;
      if (sameContent) {
        existing.resynced = resynced;
        existing.version++;
        this.record(key, existing.summary, 'upserted', false);
        return true;
      }
      const stored = this.toStored(summary, options.restored);
      const entityChanged =
        entityFingerprint(existing.summary) !== entityFingerprint(stored);
      this.replace(existing, stored, content);
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
      content,
      ids: [],
      labelIds: [],
      sortKeys: sortKeysOf(stored),
      search: searchTextOf(stored),
      resynced,
      lastSeenAt: options.lastSeenAt,
      version: 1,
      stamp: 0,
    };
    this.entries.set(key, entry);
    this.addToIndexes(entry);
    for (const [field, arr] of this.sorted) {
      this.sortedInsert(arr, SORT_SLOT.get(field)!, entry);
    }
    this.adjustSelections(entry, 1);
    this.record(key, stored, 'upserted', true);
    return true;
  }

  /** Removes a cluster (a confirmed deletion). */
  remove(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.adjustSelections(entry, -1);
    for (const [field, arr] of this.sorted) {
      this.sortedRemove(arr, SORT_SLOT.get(field)!, entry);
    }
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

  /**
   * Brings time-dependent fields up to date (see {@link FleetIndexHooks.settle}). The read methods call it; a caller
   * that reads {@link revision} before querying (for caches and ETags) calls it first.
   */
  settle(): void {
    this.hooks.settle?.();
  }

  /** A cluster's summary as the API serves it. */
  get(key: string): { summary: ClusterSummary; version: number } | undefined {
    this.settle();
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
    this.settle();
    const result = this.page(request, options);
    const response: ListClustersResponse = {
      items: result.page.map(e => this.present(e)),
      totalCount: this.totalOf(result.selection),
      revision: this.rev,
    };
    const nextCursor = this.nextCursorOf(result);
    if (nextCursor) response.nextCursor = nextCursor;
    if (request.facets !== false) {
      response.facets = this.facetsOf(result.selection);
    }
    return response;
  }

  /**
   * Runs a query and serialises the response (the same document as {@link query}) from the JSON kept per summary.
   * Throws `InputError` on a bad cursor.
   */
  queryJson(
    request: ListClustersRequest,
    options: FleetQueryOptions = {},
  ): SerializedClusterPage {
    this.settle();
    const result = this.page(request, options);
    const sourceMemo = new Map<string, string>();
    const parts: string[] = [];
    const slim = request.fields === 'list';
    for (const entry of result.page)
      parts.push(this.serialize(entry, sourceMemo, slim));
    let body = `{"items":[${parts.join(',')}],"totalCount":${this.totalOf(
      result.selection,
    )},"revision":${this.rev}`;
    const nextCursor = this.nextCursorOf(result);
    if (nextCursor) body += `,"nextCursor":"${nextCursor}"`;
    if (request.facets !== false) {
      const selection = result.selection;
      if (selection.facetsJson === undefined) {
        selection.facetsJson = JSON.stringify(this.facetsOf(selection));
      }
      body += `,"facets":${selection.facetsJson}`;
    }
    body += '}';
    return { body, revision: this.rev };
  }

  /** The stored summaries that a query's filters, text and visibility select (sort, page and cursor aside). */
  matching(
    request: ListClustersRequest,
    options: FleetQueryOptions = {},
  ): StoredClusterSummary[] {
    this.settle();
    const selection = this.select(this.compile(request, options));
    const out: StoredClusterSummary[] = [];
    for (const e of selection.members ?? this.entries.values()) {
      out.push(e.summary);
    }
    return out;
  }

  /** Counts over the visible fleet. */
  summary(options: { visibility?: ClusterVisibility } = {}): FleetSummary {
    this.settle();
    const counts = (facet: ClusterFacet, entries?: Entry[]) => {
      const out: Record<string, number> = {};
      if (!entries) {
        for (const [value, fv] of this.facets.get(facet)!.byValue) {
          if (fv.entries.size > 0) out[value] = fv.entries.size;
        }
        return out;
      }
      const slot = SINGLE_FACET_SLOT.get(facet)!;
      const values = this.facets.get(facet)!;
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
    for (const e of visible ?? this.entries.values()) {
      const src = this.sources.get(e.summary.managementCluster);
      if (!e.resynced || src?.state === 'stale') staleCount++;
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
    this.flushScheduled = false;
    if (this.pending.size === 0) return;
    const event: FleetChangeEvent = {
      revision: this.rev,
      changes: [...this.pending.values()],
    };
    const deleted = this.pendingDeleted;
    this.pending = new Map();
    this.pendingDeleted = new Map();
    for (const listener of this.listeners) {
      try {
        listener(event, deleted);
      } catch {
        // a failing listener must not affect others
      }
    }
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
    const extra = this.hooks.extra?.(entry.key);
    return { ...entry.summary, source: this.sourceOf(entry), ...extra };
  }

  // ---- health aggregation hooks (issue 5) ---------------------------------------------------------------------

  /** Installs the health aggregation hooks (see {@link FleetIndexHooks}). */
  setHooks(hooks: FleetIndexHooks): void {
    this.hooks = hooks;
  }

  /** Bumps the revision without a change event (fields served through `extra` changed; for ETags and caches). */
  touch(): void {
    this.rev++;
  }

  private sourceOf(entry: Entry): ClusterSummary['source'] {
    const src = this.sources.get(entry.summary.managementCluster);
    const state: SourceState = entry.resynced
      ? src?.state ?? 'syncing'
      : 'restored';
    const source: ClusterSummary['source'] = {
      state,
      resynced: entry.resynced,
    };
    if (src?.staleSince) source.staleSince = src.staleSince;
    const lastSeenAt = entry.resynced
      ? src?.lastSeenAt ?? entry.lastSeenAt
      : entry.lastSeenAt;
    if (lastSeenAt) source.lastSeenAt = lastSeenAt;
    return source;
  }

  /** The JSON of an entry as {@link present} would give it. */
  private serialize(
    entry: Entry,
    sourceMemo: Map<string, string>,
    slim = false,
  ): string {
    const src = this.sources.get(entry.summary.managementCluster);
    let sourceJson: string | undefined;
    // resynced entries of one management cluster share their freshness
    const shared = entry.resynced && src?.lastSeenAt !== undefined;
    if (shared) sourceJson = sourceMemo.get(entry.summary.managementCluster);
    if (sourceJson === undefined) {
      sourceJson = JSON.stringify(this.sourceOf(entry));
      if (shared) sourceMemo.set(entry.summary.managementCluster, sourceJson);
    }
    const lastChangedAt = JSON.stringify(entry.summary.lastChangedAt);
    if (slim) {
      entry.listContent ??= listContentOf(entry.summary);
      return `${entry.listContent.slice(
        0,
        -1,
      )},"lastChangedAt":${lastChangedAt},"source":${sourceJson}}`;
    }
    const extra = this.hooks.extra?.(entry.key);
    const extraJson = extra ? JSON.stringify(extra).slice(1, -1) : '';
    return `${entry.content.slice(0, -1)},"lastChangedAt":${JSON.stringify(
      entry.summary.lastChangedAt,
    )},"source":${sourceJson}${extraJson ? `,${extraJson}` : ''}}`;
  }

  private record(
    key: string,
    summary: StoredClusterSummary,
    type: ClusterChange['type'],
    entityChanged: boolean,
  ) {
    this.rev++;
    if (this.listeners.size === 0) {
      this.pending.clear();
      this.pendingDeleted.clear();
      return;
    }
    if (type === 'deleted') this.pendingDeleted.set(key, summary);
    else this.pendingDeleted.delete(key);
    const previous = this.pending.get(key);
    this.pending.set(key, {
      managementCluster: summary.managementCluster,
      namespace: summary.namespace,
      name: summary.name,
      type,
      entityChanged: entityChanged || (previous?.entityChanged ?? false),
    });
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
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
    const labelValues = this.facets.get('label')!;
    const labelIds: number[] = [];
    for (const labelKey of Object.keys(s.labels)) {
      labelIds.push(
        labelValues.add(`${labelKey}=${s.labels[labelKey]}`, entry),
      );
      let set = this.byLabelKey.get(labelKey);
      if (!set) {
        set = new Set();
        this.byLabelKey.set(intern(labelKey), set);
        this.dropSelections('label');
      }
      set.add(entry);
    }
    entry.labelIds = labelIds;
  }

  private removeFromIndexes(entry: Entry) {
    for (let i = 0; i < SINGLE_FACETS.length; i++) {
      const id = entry.ids[i];
      if (id >= 0) this.facets.get(SINGLE_FACETS[i])!.remove(id, entry);
    }
    const labelValues = this.facets.get('label')!;
    for (const id of entry.labelIds) labelValues.remove(id, entry);
    for (const labelKey of Object.keys(entry.summary.labels)) {
      const set = this.byLabelKey.get(labelKey);
      if (!set) continue;
      set.delete(entry);
      if (set.size === 0) {
        this.byLabelKey.delete(labelKey);
        this.dropSelections('label');
      }
    }
  }

  private replace(entry: Entry, next: StoredClusterSummary, content: string) {
    this.adjustSelections(entry, -1);
    const nextKeys = sortKeysOf(next);
    const moved: Array<[Entry[], number]> = [];
    for (const [field, arr] of this.sorted) {
      const slot = SORT_SLOT.get(field)!;
      if (compareValues(entry.sortKeys[slot], nextKeys[slot]) !== 0) {
        this.sortedRemove(arr, slot, entry);
        moved.push([arr, slot]);
      }
    }
    this.removeFromIndexes(entry);
    entry.summary = next;
    entry.content = content;
    entry.listContent = undefined;
    entry.sortKeys = nextKeys;
    entry.search = searchTextOf(next);
    this.addToIndexes(entry);
    for (const [arr, slot] of moved) this.sortedInsert(arr, slot, entry);
    this.adjustSelections(entry, 1);
  }

  private sortedInsert(arr: Entry[], slot: number, entry: Entry) {
    const at = lowerBound(arr, slot, entry.sortKeys[slot], entry.key);
    if (at === arr.length) arr.push(entry);
    else arr.splice(at, 0, entry);
  }

  /** Removes an entry, found by its current sort keys. */
  private sortedRemove(arr: Entry[], slot: number, entry: Entry) {
    const at = lowerBound(arr, slot, entry.sortKeys[slot], entry.key);
    if (arr[at] === entry) {
      if (at === arr.length - 1) arr.pop();
      else arr.splice(at, 1);
      return;
    }
    const i = arr.indexOf(entry);
    if (i >= 0) arr.splice(i, 1);
  }

  private sortedBy(field: ClusterSortField): Entry[] {
    let arr = this.sorted.get(field);
    if (!arr) {
      const slot = SORT_SLOT.get(field)!;
      arr = [...this.entries.values()];
      arr.sort((a, b) => compareEntries(slot, a, b));
      this.sorted.set(field, arr);
    }
    return arr;
  }

  // ---- internals: queries ----------------------------------------------------------------------------------

  private page(
    request: ListClustersRequest,
    options: FleetQueryOptions,
  ): PageResult {
    const field: ClusterSortField = request.sort ?? 'name';
    const order: SortOrder = request.order ?? 'asc';
    const limit = request.limit ?? DEFAULT_CLUSTER_PAGE_SIZE;
    const cursor = request.cursor ? decodeCursor(request.cursor) : undefined;
    if (cursor && (cursor.f !== field || cursor.o !== order)) {
      throw new InputError(
        'cursor: the cursor belongs to a different sort; start again without it',
      );
    }
    const compiled = this.compile(request, options);
    const selection = this.select(compiled);
    const slot = SORT_SLOT.get(field)!;
    const members = selection.members;

    if (!members || members.size > SMALL_SELECTION) {
      const { page, hasMore } = this.walk(
        this.sortedBy(field),
        slot,
        order,
        limit,
        cursor,
        members ? e => members.has(e) : undefined,
      );
      return { page, hasMore, selection, field, order };
    }

    let list = selection.sorted.get(field);
    if (!list) {
      list = [...members];
      list.sort((a, b) => compareEntries(slot, a, b));
      selection.sorted.set(field, list);
    }
    const { page, hasMore } = this.walk(list, slot, order, limit, cursor);
    return { page, hasMore, selection, field, order };
  }

  private nextCursorOf(result: PageResult): string | undefined {
    const last = result.page[result.page.length - 1];
    if (!result.hasMore || !last) return undefined;
    return encodeCursor({
      f: result.field,
      o: result.order,
      v: last.sortKeys[SORT_SLOT.get(result.field)!],
      k: last.key,
    });
  }

  /** Cuts a page from an ascending array, starting after the cursor, in either direction. */
  private walk(
    arr: Entry[],
    slot: number,
    order: SortOrder,
    limit: number,
    cursor: CursorPayload | undefined,
    accept?: (entry: Entry) => boolean,
  ): { page: Entry[]; hasMore: boolean } {
    const page: Entry[] = [];
    if (order === 'asc') {
      let i = 0;
      if (cursor) {
        i = lowerBound(arr, slot, cursor.v, cursor.k);
        if (i < arr.length && arr[i].key === cursor.k) i++;
      }
      for (; i < arr.length; i++) {
        if (accept && !accept(arr[i])) continue;
        if (page.length === limit) return { page, hasMore: true };
        page.push(arr[i]);
      }
    } else {
      let i = arr.length - 1;
      if (cursor) i = lowerBound(arr, slot, cursor.v, cursor.k) - 1;
      for (; i >= 0; i--) {
        if (accept && !accept(arr[i])) continue;
        if (page.length === limit) return { page, hasMore: true };
        page.push(arr[i]);
      }
    }
    return { page, hasMore: false };
  }

  private compile(
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
        slot: facet === 'label' ? -1 : SINGLE_FACET_SLOT.get(facet)!,
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
    for (const id of entry.labelIds) {
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

  /** The selection of a compiled query, from the cache when possible. */
  private select(compiled: CompiledQuery): Selection {
    const cacheKey = compiled.cacheKey;
    if (cacheKey !== undefined) {
      const cached = this.selections.get(cacheKey);
      if (cached) {
        // keep recently used selections at the end (LRU order)
        this.selections.delete(cacheKey);
        this.selections.set(cacheKey, cached);
        return cached;
      }
    }
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
    if (cacheKey !== undefined) {
      if (this.selections.size >= MAX_CACHED_SELECTIONS) {
        const oldest = this.selections.keys().next().value;
        if (oldest !== undefined) this.selections.delete(oldest);
      }
      this.selections.set(cacheKey, selection);
    }
    return selection;
  }

  private totalOf(selection: Selection): number {
    return selection.members?.size ?? this.entries.size;
  }

  /** Forgets the cached selections that filter on a facet (its value ids changed). */
  private dropSelections(facet: ClusterFacet) {
    for (const [key, selection] of this.selections) {
      if (selection.compiled.filtered.has(facet)) this.selections.delete(key);
    }
  }

  /**
   * Takes an entry's contributions out of every cached selection (`delta` -1, before the entry changes or goes) or
   * puts them in (`delta` 1, after it changed or came).
   */
  private adjustSelections(entry: Entry, delta: 1 | -1) {
    for (const selection of this.selections.values()) {
      const { compiled, members, counts } = selection;
      if (!members) {
        selection.facets = undefined;
        selection.facetsJson = undefined;
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
          if (delta > 0) this.sortedInsert(list, slot, entry);
          else this.sortedRemove(list, slot, entry);
        }
      }
      if (counts) {
        for (const [facet, byId] of counts) {
          const counted = compiled.filtered.has(facet)
            ? this.matches(entry, compiled, facet)
            : member;
          if (!counted) continue;
          touched = true;
          if (facet === 'label') {
            for (const id of entry.labelIds) byId[id] = (byId[id] ?? 0) + delta;
          } else {
            const id = entry.ids[SINGLE_FACET_SLOT.get(facet)!];
            if (id >= 0) byId[id] = (byId[id] ?? 0) + delta;
          }
        }
      }
      if (touched) {
        selection.facets = undefined;
        selection.facetsJson = undefined;
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
    // several values of one facet: their sets are disjoint except for label keys and label values
    const stamp = best.facet === 'label' ? ++this.stampCounter : 0;
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

  private facetsOf(selection: Selection): ClusterFacets {
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
      if (facet === 'label') {
        for (const e of entries) {
          for (const id of e.labelIds) counts[id]++;
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

function searchTextOf(s: StoredClusterSummary): string {
  return `${s.name}\n${s.title}\n${s.namespace}`.toLowerCase();
}
