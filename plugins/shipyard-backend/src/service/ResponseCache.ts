/** One cached response body. */
export interface CachedResponse {
  etag: string;
  /**
   * The body in UTF-8, encoded once: the socket takes the same bytes at every request (a string would be measured
   * and encoded again for each).
   */
  body: Buffer;
  /** Its length in bytes (`Content-Length`). */
  bytes: number;
}

interface Slot extends CachedResponse {
  revision: number;
  storedAt: number;
}

/** Options of {@link ResponseCache}. */
export interface ResponseCacheOptions {
  /** Largest total size of the cached bodies (bytes, default 16 MiB). */
  maxBytes?: number;
  /**
   * Largest body kept (bytes, default 256 KiB, at most an eighth of `maxBytes`). A page people look at (50–100 rows,
   * about 40–90 KB) is read again and again; a page of hundreds of clusters is a batch reader's (the catalog's entity
   * provider reads the fleet in pages of 500, once per sync) and, kept, would stay in the heap until the fleet changes.
   */
  maxEntryBytes?: number;
  /** Longest time a body is served from the cache (ms, default 5,000), even at an unchanged revision. */
  maxAgeMs?: number;
  now?: () => number;
}

/**
 * Encoded response bodies of read endpoints, valid for one fleet revision (and a few seconds at most, because
 * freshness timestamps move without a revision change). Repeated reads of a page (many users on the fleet page,
 * polling clients) are then answered without querying, serialising or encoding again. Least recently used bodies
 * are dropped beyond the size limit.
 */
export class ResponseCache {
  private slots = new Map<string, Slot>();
  private bytes = 0;
  private revision = -1;
  private readonly maxBytes: number;
  private readonly maxEntryBytes: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(options: ResponseCacheOptions = {}) {
    this.maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
    this.maxEntryBytes = Math.min(
      options.maxEntryBytes ?? 256 * 1024,
      this.maxBytes / 8,
    );
    this.maxAgeMs = options.maxAgeMs ?? 5_000;
    this.now = options.now ?? Date.now;
  }

  get(key: string, revision: number): CachedResponse | undefined {
    if (revision !== this.revision) {
      this.reset(revision);
      return undefined;
    }
    const slot = this.slots.get(key);
    if (!slot) return undefined;
    this.slots.delete(key);
    if (this.now() - slot.storedAt > this.maxAgeMs) {
      this.bytes -= slot.bytes;
      return undefined;
    }
    this.slots.set(key, slot);
    return slot;
  }

  set(key: string, revision: number, value: CachedResponse): void {
    if (revision !== this.revision) this.reset(revision);
    if (value.bytes > this.maxEntryBytes) return;
    const previous = this.slots.get(key);
    if (previous) {
      this.slots.delete(key);
      this.bytes -= previous.bytes;
    }
    this.slots.set(key, { ...value, revision, storedAt: this.now() });
    this.bytes += value.bytes;
    for (const [oldKey, slot] of this.slots) {
      if (this.bytes <= this.maxBytes) break;
      this.slots.delete(oldKey);
      this.bytes -= slot.bytes;
    }
  }

  private reset(revision: number) {
    this.slots = new Map();
    this.bytes = 0;
    this.revision = revision;
  }
}
