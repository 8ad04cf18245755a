/*
 * String interning for values that repeat across thousands of records (phases, versions, kinds, condition types
 * and reasons, owners, label keys and values). Strings parsed from JSON are fresh copies; keeping one copy of each
 * distinct value saves tens of megabytes at 10,000 clusters.
 */

const MAX_POOL = 200_000;
const MAX_LENGTH = 256;

let pool = new Map<string, string>();
/** Whether this thread keeps canonical copies (see {@link internNothing}). */
let pooling = true;

/**
 * Keeps no copies in this thread: a thread whose records are cloned into another (a list worker) shares nothing
 * by interning; the thread that takes them in interns them (`adoptRecord`).
 */
export function internNothing(): void {
  pooling = false;
  pool = new Map();
}

/** Returns the canonical copy of a (short) string. Long strings are returned as they are. */
export function intern<T extends string | undefined>(value: T): T {
  if (value === undefined || value.length > MAX_LENGTH || !pooling) {
    return value;
  }
  const known = pool.get(value);
  if (known !== undefined) return known as T;
  if (pool.size >= MAX_POOL) pool = new Map();
  pool.set(value, value);
  return value;
}

/** Interns every key and value of a string record (labels, annotations). */
export function internRecord(
  record: Record<string, string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(record)) {
    out[intern(key)] = intern(record[key]);
  }
  return out;
}

/*
 * Values that are unique across the fleet but repeat nearby: timestamps (the conditions of one object mostly share
 * their lastTransitionTime, and objects made together share theirs). A pool would keep every distinct value; this
 * cache keeps the last value per slot of a fixed table, so it costs a fixed amount however many values pass.
 */
const RECENT_SLOTS = 4096;
const recent: Array<string | undefined> = new Array(RECENT_SLOTS);

/** Returns a copy of `value` seen recently when there is one (else keeps this one for next time). */
export function internRecent<T extends string | undefined>(value: T): T {
  if (value === undefined || value.length > 64 || !pooling) return value;
  let hash = 2166136261;
  for (let i = 0; i < value.length; i++) {
    hash = Math.imul(hash ^ value.charCodeAt(i), 16777619);
  }
  const slot = (hash >>> 0) % RECENT_SLOTS;
  const known = recent[slot];
  if (known === value) return known as T;
  recent[slot] = value;
  return value;
}
