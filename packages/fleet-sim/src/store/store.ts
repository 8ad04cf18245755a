import { JsonObject, isObject } from '../util/json';

/** What the store knows of a resource type: the API layer's resource types carry more. */
export interface StoredKind {
  /** `group/plural`. */
  id: string;
  group: string;
  kind: string;
  namespaced: boolean;
}

/** An object's labels. */
export type Labels = Readonly<Record<string, string>>;

/** Builds an object on demand so that seeded objects cost a few bytes until they are written. */
export interface LazySource {
  /** Returns a fresh object; `metadata.uid` and `metadata.resourceVersion` are filled in by the store. */
  build(): JsonObject;
}

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** A stored object: either materialized as its JSON text, or lazily generated. */
export class Entry {
  constructor(
    readonly collection: Collection,
    readonly key: string,
    public rv: number,
    public uid: string,
    public labels: Labels | undefined,
    public json: string | undefined,
    public lazy: LazySource | undefined,
    public owners: readonly string[] | undefined,
  ) {}

  get namespace(): string {
    const slash = this.key.indexOf('/');
    return slash < 0 ? '' : this.key.slice(0, slash);
  }

  get name(): string {
    const slash = this.key.indexOf('/');
    return slash < 0 ? this.key : this.key.slice(slash + 1);
  }

  /** A fresh, mutable copy of the object. */
  object(): JsonObject {
    if (this.json !== undefined) {
      return JSON.parse(this.json);
    }
    return this.materialize();
  }

  /**
   * The object's JSON text. A lazily generated object keeps its text once it has been served (as an API server
   * keeps what it stores), so that a second list does not generate it again.
   */
  text(): string {
    if (this.json === undefined) {
      this.json = JSON.stringify(this.materialize());
      this.lazy = undefined;
    }
    return this.json;
  }

  private materialize(): JsonObject {
    const obj = this.lazy ? this.lazy.build() : {};
    const metadata = isObject(obj.metadata) ? obj.metadata : {};
    metadata.uid = this.uid;
    metadata.resourceVersion = String(this.rv);
    obj.metadata = metadata;
    return obj;
  }
}

/** A state of an object kept in the history (the text, or the lazy source it came from). */
export interface Snapshot {
  json?: string;
  lazy?: LazySource;
  uid: string;
  rv: number;
}

export function snapshotText(s: Snapshot): string {
  if (s.json !== undefined) {
    return s.json;
  }
  const obj = s.lazy ? s.lazy.build() : {};
  const metadata = isObject(obj.metadata) ? obj.metadata : {};
  metadata.uid = s.uid;
  metadata.resourceVersion = String(s.rv);
  obj.metadata = metadata;
  return JSON.stringify(obj);
}

export interface StoreEvent {
  rv: number;
  type: EventType;
  collection: Collection;
  key: string;
  /** The new state (for DELETED: the last state, with the deletion resourceVersion). */
  json: string;
  labels: Labels | undefined;
  /** The previous state, for MODIFIED and DELETED. */
  prev?: Snapshot;
  prevLabels?: Labels | undefined;
}

/** Receives the events of one collection. */
export interface EventSink {
  onEvent(event: StoreEvent): void;
}

const INDEXED_LABELS = ['cluster.x-k8s.io/cluster-name'];

/** All objects of one resource type in one simulated API server. */
export class Collection {
  readonly entries = new Map<string, Entry>();
  readonly sinks = new Set<EventSink>();
  private sorted: string[] | undefined = [];
  /** `labelKey \0 namespace \0 value` → keys. */
  private readonly labelIndex = new Map<string, Set<string>>();

  constructor(readonly type: StoredKind) {}

  sortedKeys(): string[] {
    if (!this.sorted) {
      this.sorted = [...this.entries.keys()].sort(compareKeys);
    }
    return this.sorted;
  }

  /** Keys whose indexed label `labelKey` equals `value`, or undefined if the label is not indexed. */
  keysWithLabel(
    labelKey: string,
    namespace: string | undefined,
    value: string,
  ): string[] | undefined {
    if (!INDEXED_LABELS.includes(labelKey)) {
      return undefined;
    }
    if (namespace === undefined) {
      const keys: string[] = [];
      for (const [indexKey, set] of this.labelIndex) {
        const [k, , v] = indexKey.split('\0');
        if (k === labelKey && v === value) keys.push(...set);
      }
      return keys.sort(compareKeys);
    }
    const set = this.labelIndex.get(`${labelKey}\0${namespace}\0${value}`);
    return set ? [...set].sort(compareKeys) : [];
  }

  /** @internal */
  index(
    entry: Entry,
    oldLabels: Labels | undefined,
    added: boolean,
    removed: boolean,
  ): void {
    if (added || removed) {
      this.sorted = undefined;
    }
    for (const labelKey of INDEXED_LABELS) {
      const before = removed || !added ? oldLabels?.[labelKey] : undefined;
      const after = removed ? undefined : entry.labels?.[labelKey];
      if (before === after && !added && !removed) continue;
      const ns = entry.namespace;
      if (before !== undefined) {
        this.labelIndex.get(`${labelKey}\0${ns}\0${before}`)?.delete(entry.key);
      }
      if (after !== undefined) {
        const indexKey = `${labelKey}\0${ns}\0${after}`;
        let set = this.labelIndex.get(indexKey);
        if (!set) {
          set = new Set();
          this.labelIndex.set(indexKey, set);
        }
        set.add(entry.key);
      }
    }
  }
}

/** Sorts `namespace/name` keys as etcd orders `/registry/<resource>/<namespace>/<name>`. */
export function compareKeys(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

/** First index in `keys` whose key is greater than or equal to `key`. */
export function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

function labelsOf(obj: JsonObject): Labels | undefined {
  const metadata = obj.metadata;
  if (!isObject(metadata) || !isObject(metadata.labels)) {
    return undefined;
  }
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata.labels)) {
    if (typeof v === 'string') labels[k] = v;
  }
  return labels;
}

function ownersOf(obj: JsonObject): string[] | undefined {
  const metadata = obj.metadata;
  if (!isObject(metadata) || !Array.isArray(metadata.ownerReferences)) {
    return undefined;
  }
  const uids: string[] = [];
  for (const ref of metadata.ownerReferences) {
    if (isObject(ref) && typeof ref.uid === 'string') uids.push(ref.uid);
  }
  return uids.length ? uids : undefined;
}

export interface ObjectStoreOptions {
  /** The first resourceVersion handed out. */
  initialRv: number;
  /** How many events the watch history keeps. */
  historySize: number;
}

/**
 * The storage of one simulated API server: collections, a strictly increasing
 * resourceVersion counter, a bounded event history and an owner index.
 */
export class ObjectStore {
  private rv: number;
  private compacted: number;
  private history: StoreEvent[] = [];
  private readonly historySize: number;
  private readonly collections = new Map<string, Collection>();
  private readonly ownerIndex = new Map<string, Set<Entry>>();
  private readonly listeners = new Set<(event: StoreEvent) => void>();

  constructor(types: StoredKind[], options: ObjectStoreOptions) {
    this.rv = options.initialRv;
    this.compacted = options.initialRv;
    this.historySize = Math.max(10, options.historySize);
    for (const t of types) {
      this.collections.set(t.id, new Collection(t));
    }
  }

  collection(typeId: string): Collection {
    const c = this.collections.get(typeId);
    if (!c) {
      throw new Error(`no collection for ${typeId}`);
    }
    return c;
  }

  allCollections(): Collection[] {
    return [...this.collections.values()];
  }

  /** The newest resourceVersion handed out. */
  get currentRv(): number {
    return this.rv;
  }

  /** Events at or below this resourceVersion are no longer in the history. */
  get compactedRv(): number {
    return this.compacted;
  }

  get historyLength(): number {
    return this.history.length;
  }

  /**
   * Drops the whole history, as an etcd compaction does. With `advance`, the revision moves on
   * first, so that every resourceVersion a client has seen is older than the compaction.
   */
  compact(advance = false): void {
    if (advance) this.rv += 1;
    this.history = [];
    this.compacted = this.rv;
  }

  /** Allocates a resourceVersion without an event (used by seeding). */
  nextRv(): number {
    this.rv += 1;
    return this.rv;
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(typeId: string, key: string): Entry | undefined {
    return this.collection(typeId).entries.get(key);
  }

  /** Dependents of the object with `uid` (through ownerReferences). */
  dependents(uid: string): Entry[] {
    const set = this.ownerIndex.get(uid);
    return set ? [...set] : [];
  }

  /** Adds a lazily generated object without emitting an event. */
  seed(
    typeId: string,
    key: string,
    uid: string,
    lazy: LazySource,
    labels: Labels | undefined,
    owners: readonly string[] | undefined,
  ): Entry {
    const collection = this.collection(typeId);
    const entry = new Entry(
      collection,
      key,
      this.nextRv(),
      uid,
      labels,
      undefined,
      lazy,
      owners,
    );
    collection.entries.set(key, entry);
    collection.index(entry, undefined, true, false);
    this.indexOwners(entry, undefined);
    return entry;
  }

  /**
   * Writes an object (the caller has validated it). Sets `metadata.resourceVersion`
   * and emits ADDED or MODIFIED.
   */
  put(typeId: string, key: string, obj: JsonObject): Entry {
    const collection = this.collection(typeId);
    const rv = this.nextRv();
    const metadata = isObject(obj.metadata) ? obj.metadata : {};
    metadata.resourceVersion = String(rv);
    obj.metadata = metadata;
    const uid = typeof metadata.uid === 'string' ? metadata.uid : '';
    const json = JSON.stringify(obj);
    const labels = labelsOf(obj);
    const owners = ownersOf(obj);
    const existing = collection.entries.get(key);
    if (existing) {
      const prev: Snapshot = {
        json: existing.json,
        lazy: existing.lazy,
        uid: existing.uid,
        rv: existing.rv,
      };
      const prevLabels = existing.labels;
      const prevOwners = existing.owners;
      existing.rv = rv;
      existing.json = json;
      existing.lazy = undefined;
      existing.labels = labels;
      existing.uid = uid;
      existing.owners = owners;
      collection.index(existing, prevLabels, false, false);
      this.indexOwners(existing, prevOwners);
      this.emit({
        rv,
        type: 'MODIFIED',
        collection,
        key,
        json,
        labels,
        prev,
        prevLabels,
      });
      return existing;
    }
    const entry = new Entry(
      collection,
      key,
      rv,
      uid,
      labels,
      json,
      undefined,
      owners,
    );
    collection.entries.set(key, entry);
    collection.index(entry, undefined, true, false);
    this.indexOwners(entry, undefined);
    this.emit({ rv, type: 'ADDED', collection, key, json, labels });
    return entry;
  }

  /** Removes an object and emits DELETED with its last state at a new resourceVersion. */
  remove(typeId: string, key: string): JsonObject | undefined {
    const collection = this.collection(typeId);
    const entry = collection.entries.get(key);
    if (!entry) {
      return undefined;
    }
    const rv = this.nextRv();
    const prev: Snapshot = {
      json: entry.json,
      lazy: entry.lazy,
      uid: entry.uid,
      rv: entry.rv,
    };
    const last = entry.object();
    if (isObject(last.metadata)) {
      last.metadata.resourceVersion = String(rv);
    }
    collection.entries.delete(key);
    collection.index(entry, entry.labels, false, true);
    this.indexOwners(entry, entry.owners, true);
    const json = JSON.stringify(last);
    this.emit({
      rv,
      type: 'DELETED',
      collection,
      key,
      json,
      labels: entry.labels,
      prev,
      prevLabels: entry.labels,
    });
    return last;
  }

  /** History events after `rv` (exclusive), oldest first; undefined if `rv` is compacted. */
  eventsSince(rv: number): StoreEvent[] | undefined {
    if (rv < this.compacted) {
      return undefined;
    }
    const h = this.history;
    let lo = 0;
    let hi = h.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (h[mid].rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return h.slice(lo);
  }

  private emit(event: StoreEvent): void {
    this.history.push(event);
    if (this.history.length > this.historySize * 1.25) {
      const drop = this.history.length - this.historySize;
      this.compacted = this.history[drop - 1].rv;
      this.history = this.history.slice(drop);
    }
    for (const sink of event.collection.sinks) {
      try {
        sink.onEvent(event);
      } catch {
        event.collection.sinks.delete(sink);
      }
    }
    for (const listener of this.listeners) {
      listener(event);
    }
  }

  private indexOwners(
    entry: Entry,
    previous: readonly string[] | undefined,
    removed = false,
  ): void {
    const next = removed ? undefined : entry.owners;
    if (previous === next) {
      if (!removed) return;
    }
    for (const uid of previous ?? []) {
      if (next?.includes(uid)) continue;
      const set = this.ownerIndex.get(uid);
      set?.delete(entry);
      if (set && set.size === 0) this.ownerIndex.delete(uid);
    }
    for (const uid of next ?? []) {
      let set = this.ownerIndex.get(uid);
      if (!set) {
        set = new Set();
        this.ownerIndex.set(uid, set);
      }
      set.add(entry);
    }
  }
}
