/** Helpers on stored objects: timestamps, generated name suffixes, and what counts as a change. */
import crypto from 'node:crypto';
import { JsonObject, asObject, deepEqual, isObject } from '../util/json';

const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
export function timestamp(ms = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function randomSuffix(length = 5): string {
  const bytes = crypto.randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++)
    out += NAME_ALPHABET[bytes[i] % NAME_ALPHABET.length];
  return out;
}

/** Whether two stored states are equal apart from resourceVersion and managedFields timestamps. */
export function sameState(a: JsonObject, b: JsonObject): boolean {
  const strip = (o: JsonObject): JsonObject => {
    const copy = { ...o };
    const m = { ...(asObject(o.metadata) ?? {}) };
    delete m.resourceVersion;
    if (Array.isArray(m.managedFields)) {
      m.managedFields = m.managedFields.map(e =>
        isObject(e) ? { ...e, time: undefined } : e,
      );
    }
    copy.metadata = m;
    return copy;
  };
  return deepEqual(strip(a), strip(b));
}

export function specPart(obj: JsonObject): JsonObject {
  const copy: JsonObject = { ...obj };
  delete copy.metadata;
  delete copy.status;
  delete copy.apiVersion;
  delete copy.kind;
  return copy;
}
