/*
 * String interning for values that repeat across thousands of records (phases, versions, kinds, condition types
 * and reasons, owners, label keys and values). Strings parsed from JSON are fresh copies; keeping one copy of each
 * distinct value saves tens of megabytes at 10,000 clusters.
 */

const MAX_POOL = 200_000;
const MAX_LENGTH = 256;

let pool = new Map<string, string>();

/** Returns the canonical copy of a (short) string. Long strings are returned as they are. */
export function intern<T extends string | undefined>(value: T): T {
  if (value === undefined || value.length > MAX_LENGTH) return value;
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
