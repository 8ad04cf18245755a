/** JSON values as they travel over the Kubernetes wire. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | JsonObject;

/** A JSON object; absent keys read as `undefined`. */
export interface JsonObject {
  [key: string]: JsonValue | undefined;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asObject(value: unknown): JsonObject | undefined {
  return isObject(value) ? value : undefined;
}

export function asArray(value: unknown): JsonValue[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value)
    ? value
    : undefined;
}

/** Reads a nested value by path segments. */
export function getPath(value: unknown, path: readonly string[]): unknown {
  let current: unknown = value;
  for (const segment of path) {
    if (!isObject(current)) {
      return undefined;
    }
    current = current[segment];
  }
  return current;
}

/** Returns the object at `path`, creating empty objects on the way. */
export function ensurePath(
  root: JsonObject,
  path: readonly string[],
): JsonObject {
  let current = root;
  for (const segment of path) {
    const next = current[segment];
    if (isObject(next)) {
      current = next;
    } else {
      const created: JsonObject = {};
      current[segment] = created;
      current = created;
    }
  }
  return current;
}

export function deepClone<T>(value: T): T {
  if (value === undefined) {
    return value;
  }
  return JSON.parse(JSON.stringify(value));
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) {
    return true;
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) {
      return false;
    }
    for (let i = 0; i < a.length; i++) {
      if (!deepEqual(a[i], b[i])) {
        return false;
      }
    }
    return true;
  }
  if (isObject(a)) {
    if (!isObject(b)) {
      return false;
    }
    const aKeys = Object.keys(a).filter(k => a[k] !== undefined);
    const bKeys = Object.keys(b).filter(k => b[k] !== undefined);
    if (aKeys.length !== bKeys.length) {
      return false;
    }
    for (const key of aKeys) {
      if (!deepEqual(a[key], b[key])) {
        return false;
      }
    }
    return true;
  }
  return false;
}

/** Thrown when a patch document is malformed or cannot be applied. */
export class PatchError extends Error {
  constructor(message: string, readonly malformed: boolean) {
    super(message);
  }
}

/** RFC 7386 JSON merge patch. Returns a new value; inputs are not modified. */
export function jsonMergePatch(target: unknown, patch: unknown): JsonValue {
  if (!isObject(patch)) {
    return deepClone(patch as JsonValue);
  }
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
    } else if (value !== undefined) {
      result[key] = jsonMergePatch(result[key], value);
    }
  }
  return result;
}

function decodePointer(pointer: string): string[] {
  if (pointer === '') {
    return [];
  }
  if (!pointer.startsWith('/')) {
    throw new PatchError(`invalid JSON pointer "${pointer}"`, true);
  }
  return pointer
    .slice(1)
    .split('/')
    .map(s => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Container = JsonObject | JsonValue[];

function resolveParent(
  doc: JsonValue,
  segments: string[],
  pointer: string,
): { parent: Container; key: string } {
  let current: JsonValue | undefined = doc;
  for (const segment of segments.slice(0, -1)) {
    if (Array.isArray(current)) {
      const index = Number(segment);
      if (!/^\d+$/.test(segment) || index >= current.length) {
        throw new PatchError(`path "${pointer}" does not exist`, false);
      }
      current = current[index];
    } else if (isObject(current)) {
      current = current[segment];
    } else {
      current = undefined;
    }
    if (current === undefined || current === null) {
      throw new PatchError(`path "${pointer}" does not exist`, false);
    }
  }
  if (!Array.isArray(current) && !isObject(current)) {
    throw new PatchError(`path "${pointer}" does not exist`, false);
  }
  return { parent: current, key: segments[segments.length - 1] };
}

function readAt(doc: JsonValue, pointer: string): JsonValue {
  const segments = decodePointer(pointer);
  if (segments.length === 0) {
    return doc;
  }
  const { parent, key } = resolveParent(doc, segments, pointer);
  let value: JsonValue | undefined;
  if (!Array.isArray(parent)) value = parent[key];
  else if (/^\d+$/.test(key)) value = parent[Number(key)];
  if (value === undefined) {
    throw new PatchError(`path "${pointer}" does not exist`, false);
  }
  return value;
}

function removeAt(doc: JsonValue, pointer: string): JsonValue {
  const segments = decodePointer(pointer);
  if (segments.length === 0) {
    throw new PatchError('cannot remove the whole document', false);
  }
  const { parent, key } = resolveParent(doc, segments, pointer);
  if (Array.isArray(parent)) {
    const index = Number(key);
    if (!/^\d+$/.test(key) || index >= parent.length) {
      throw new PatchError(`path "${pointer}" does not exist`, false);
    }
    return parent.splice(index, 1)[0];
  }
  if (!(key in parent) || parent[key] === undefined) {
    throw new PatchError(`path "${pointer}" does not exist`, false);
  }
  const old = parent[key];
  delete parent[key];
  return old as JsonValue;
}

function addAt(
  doc: JsonValue,
  pointer: string,
  value: JsonValue,
  replace: boolean,
): JsonValue {
  const segments = decodePointer(pointer);
  if (segments.length === 0) {
    return value;
  }
  const { parent, key } = resolveParent(doc, segments, pointer);
  if (Array.isArray(parent)) {
    if (key === '-' && !replace) {
      parent.push(value);
      return doc;
    }
    const index = Number(key);
    const max = replace ? parent.length - 1 : parent.length;
    if (!/^\d+$/.test(key) || index > max) {
      throw new PatchError(`path "${pointer}" is out of range`, false);
    }
    if (replace) {
      parent[index] = value;
    } else {
      parent.splice(index, 0, value);
    }
    return doc;
  }
  if (replace && parent[key] === undefined) {
    throw new PatchError(`path "${pointer}" does not exist`, false);
  }
  parent[key] = value;
  return doc;
}

/** RFC 6902 JSON patch. Returns a new document; the input is not modified. */
export function jsonPatch(document: unknown, operations: unknown): JsonValue {
  if (!Array.isArray(operations)) {
    throw new PatchError('a JSON patch must be an array of operations', true);
  }
  let doc = deepClone(document as JsonValue);
  for (const op of operations) {
    if (!isObject(op) || typeof op.op !== 'string') {
      throw new PatchError('each JSON patch operation needs an "op"', true);
    }
    const path = op.path;
    if (typeof path !== 'string') {
      throw new PatchError(`operation "${op.op}" needs a "path"`, true);
    }
    switch (op.op) {
      case 'add':
      case 'replace':
        if (op.value === undefined) {
          throw new PatchError(`operation "${op.op}" needs a "value"`, true);
        }
        doc = addAt(doc, path, deepClone(op.value), op.op === 'replace');
        break;
      case 'remove':
        removeAt(doc, path);
        break;
      case 'move':
      case 'copy': {
        if (typeof op.from !== 'string') {
          throw new PatchError(`operation "${op.op}" needs a "from"`, true);
        }
        const value =
          op.op === 'move'
            ? removeAt(doc, op.from)
            : deepClone(readAt(doc, op.from));
        doc = addAt(doc, path, value, false);
        break;
      }
      case 'test':
        if (!deepEqual(readAt(doc, path), op.value)) {
          throw new PatchError(
            `testing value ${JSON.stringify(op.value)} at "${path}" failed`,
            false,
          );
        }
        break;
      default:
        throw new PatchError(`unknown JSON patch operation "${op.op}"`, true);
    }
  }
  return doc;
}

/** Merge keys of lists in the strategic merge patch of built-in types. */
const STRATEGIC_MERGE_KEYS: Record<string, string> = {
  ownerReferences: 'uid',
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  ports: 'containerPort',
  volumes: 'name',
  volumeMounts: 'mountPath',
  conditions: 'type',
  tolerations: 'key',
  imagePullSecrets: 'name',
  addresses: 'type',
  taints: 'key',
};

/** Lists that merge as sets of primitives. */
const STRATEGIC_SET_LISTS = new Set(['finalizers']);

/**
 * A strategic merge patch for the built-in types: maps merge, lists with a
 * known merge key merge by that key, `$patch` and the ordering directives
 * are honoured.
 */
export function strategicMergePatch(
  target: unknown,
  patch: unknown,
): JsonValue {
  if (!isObject(patch)) {
    return deepClone(patch as JsonValue);
  }
  if (patch.$patch === 'replace') {
    const copy = { ...patch };
    delete copy.$patch;
    return deepClone(copy);
  }
  if (patch.$patch === 'delete') {
    return null;
  }
  const result: JsonObject = isObject(target) ? { ...target } : {};
  const retainKeys = Array.isArray(patch.$retainKeys)
    ? new Set(
        patch.$retainKeys.filter((k): k is string => typeof k === 'string'),
      )
    : undefined;
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined || key === '$retainKeys') {
      continue;
    }
    if (key.startsWith('$setElementOrder/')) {
      continue;
    }
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const listKey = key.slice('$deleteFromPrimitiveList/'.length);
      const current = result[listKey];
      if (Array.isArray(current) && Array.isArray(value)) {
        result[listKey] = current.filter(
          item => !value.some(v => deepEqual(v, item)),
        );
      }
      continue;
    }
    if (value === null) {
      delete result[key];
      continue;
    }
    const current = result[key];
    if (Array.isArray(value)) {
      const mergeKey = STRATEGIC_MERGE_KEYS[key];
      if (mergeKey && Array.isArray(current)) {
        result[key] = mergeListByKey(current, value, mergeKey);
      } else if (STRATEGIC_SET_LISTS.has(key) && Array.isArray(current)) {
        const merged = [...current];
        for (const item of value) {
          if (!merged.some(m => deepEqual(m, item))) {
            merged.push(item);
          }
        }
        result[key] = merged;
      } else {
        result[key] = deepClone(value).filter(
          item => !(isObject(item) && item.$patch === 'delete'),
        );
      }
    } else if (isObject(value)) {
      const merged = strategicMergePatch(current, value);
      if (merged === null) {
        delete result[key];
      } else {
        result[key] = merged;
      }
    } else {
      result[key] = value;
    }
  }
  if (retainKeys) {
    for (const key of Object.keys(result)) {
      if (!retainKeys.has(key)) {
        delete result[key];
      }
    }
  }
  return result;
}

function mergeListByKey(
  current: JsonValue[],
  patch: JsonValue[],
  mergeKey: string,
): JsonValue[] {
  const result = [...current];
  for (const item of patch) {
    if (!isObject(item)) {
      result.push(deepClone(item));
      continue;
    }
    const keyValue = item[mergeKey];
    const index = result.findIndex(
      existing => isObject(existing) && deepEqual(existing[mergeKey], keyValue),
    );
    if (item.$patch === 'delete') {
      if (index >= 0) {
        result.splice(index, 1);
      }
      continue;
    }
    if (index >= 0) {
      const merged = strategicMergePatch(result[index], item);
      if (merged !== null) {
        result[index] = merged;
      }
    } else {
      result.push(deepClone(item));
    }
  }
  return result;
}
