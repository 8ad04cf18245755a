/**
 * Server-side apply: field ownership (managedFields in FieldsV1 form), conflicts between managers, `force`, and
 * removal of the fields a manager no longer applies, with the list semantics of the schema (atomic, set, map).
 * Written here because no maintained JavaScript library implements Kubernetes' structured-merge-diff.
 */
import { ApiError, StatusCause } from './errors';
import { schemaAt } from './schema';
import {
  JsonObject,
  JsonValue,
  asArray,
  deepClone,
  deepEqual,
  isObject,
} from '../util/json';

/**
 * Server-side apply: field ownership (`metadata.managedFields`, FieldsV1), merging of an
 * applied configuration into the live object, removal of fields a manager stopped applying,
 * and conflict detection between managers.
 */

/** A set of field paths; each path is a JSON array of FieldsV1 segments. */
export type FieldPathSet = Set<string>;

interface ListShape {
  type: 'map' | 'set' | 'atomic';
  keys?: string[];
}

/** Merge keys of the lists of built-in objects and of metadata. */
const KNOWN_LISTS: Record<string, ListShape> = {
  ownerReferences: { type: 'map', keys: ['uid'] },
  finalizers: { type: 'set' },
  conditions: { type: 'map', keys: ['type'] },
  containers: { type: 'map', keys: ['name'] },
  initContainers: { type: 'map', keys: ['name'] },
  env: { type: 'map', keys: ['name'] },
  volumes: { type: 'map', keys: ['name'] },
  volumeMounts: { type: 'map', keys: ['mountPath'] },
  tolerations: { type: 'atomic' },
};

const SYSTEM_METADATA = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
]);

/** Describes the shape of an object for field tracking. */
export class Shape {
  constructor(private readonly schema: JsonObject | undefined) {}

  list(path: string[], field: string): ListShape {
    if (path.length >= 1 && path[0] === 'metadata') {
      return KNOWN_LISTS[field] ?? { type: 'atomic' };
    }
    const node = schemaAt(this.schema, [...path, field]);
    const listType = node?.['x-kubernetes-list-type'];
    if (listType === 'map') {
      const keys = asArray(node?.['x-kubernetes-list-map-keys'])?.filter(
        (k): k is string => typeof k === 'string',
      );
      return { type: 'map', keys: keys?.length ? keys : ['name'] };
    }
    if (listType === 'set') return { type: 'set' };
    if (listType === 'atomic') return { type: 'atomic' };
    if (node) return { type: 'atomic' };
    return KNOWN_LISTS[field] ?? { type: 'atomic' };
  }

  atomicMap(path: string[], field: string): boolean {
    if (path.length >= 1 && path[0] === 'metadata') return false;
    const node = schemaAt(this.schema, [...path, field]);
    return node?.['x-kubernetes-map-type'] === 'atomic';
  }
}

function itemKey(item: JsonValue, keys: string[]): string {
  const obj: JsonObject = {};
  for (const k of keys) {
    if (isObject(item) && item[k] !== undefined) obj[k] = item[k];
  }
  return `k:${JSON.stringify(obj)}`;
}

/** The leaf paths of the fields present in `value` (metadata system fields and status excluded unless asked). */
export function fieldPaths(
  obj: JsonObject,
  shape: Shape,
  part: 'main' | 'status',
): FieldPathSet {
  const out: FieldPathSet = new Set();
  const walk = (value: JsonValue, path: string[], segs: string[]): void => {
    if (isObject(value)) {
      const keys = Object.keys(value).filter(k => value[k] !== undefined);
      if (keys.length === 0) {
        out.add(JSON.stringify(segs));
        return;
      }
      for (const k of keys) {
        const child = value[k] as JsonValue;
        const childSegs = [...segs, `f:${k}`];
        if (Array.isArray(child)) {
          const ls = shape.list(path, k);
          if (ls.type === 'map' && ls.keys) {
            for (const item of child) {
              const itemSegs = [...childSegs, itemKey(item, ls.keys)];
              out.add(JSON.stringify([...itemSegs, '.']));
              if (isObject(item)) walk(item, [...path, k, '[]'], itemSegs);
            }
            if (child.length === 0) out.add(JSON.stringify(childSegs));
          } else if (ls.type === 'set') {
            for (const item of child)
              out.add(
                JSON.stringify([...childSegs, `v:${JSON.stringify(item)}`]),
              );
            if (child.length === 0) out.add(JSON.stringify(childSegs));
          } else {
            out.add(JSON.stringify(childSegs));
          }
        } else if (isObject(child) && !shape.atomicMap(path, k)) {
          walk(child, [...path, k], childSegs);
        } else {
          out.add(JSON.stringify(childSegs));
        }
      }
      return;
    }
    out.add(JSON.stringify(segs));
  };
  const root: JsonObject = {};
  if (part === 'main') {
    for (const [k, v] of Object.entries(obj)) {
      if (
        k === 'apiVersion' ||
        k === 'kind' ||
        k === 'status' ||
        v === undefined
      )
        continue;
      if (k === 'metadata' && isObject(v)) {
        const meta: JsonObject = {};
        for (const [mk, mv] of Object.entries(v)) {
          if (!SYSTEM_METADATA.has(mk) && mv !== undefined) meta[mk] = mv;
        }
        if (Object.keys(meta).length) root.metadata = meta;
        continue;
      }
      root[k] = v;
    }
  } else if (obj.status !== undefined) {
    root.status = obj.status;
  }
  for (const [k, v] of Object.entries(root)) {
    if (v === undefined) continue;
    const single: JsonObject = { [k]: v };
    walk(single, [], []);
  }
  return out;
}

/** Resolves the value at a FieldsV1 path; `undefined` when absent. */
function valueAt(
  obj: JsonValue | undefined,
  segs: string[],
): JsonValue | undefined {
  let current: JsonValue | undefined = obj;
  for (const seg of segs) {
    if (current === undefined) return undefined;
    if (seg === '.') return current;
    if (seg.startsWith('f:')) {
      current = isObject(current) ? current[seg.slice(2)] : undefined;
    } else if (seg.startsWith('k:')) {
      const wanted: unknown = JSON.parse(seg.slice(2));
      const arr: JsonValue[] = Array.isArray(current) ? current : [];
      current = arr.find(
        item =>
          isObject(item) &&
          isObject(wanted) &&
          Object.entries(wanted).every(([k, v]) => deepEqual(item[k], v)),
      );
    } else if (seg.startsWith('v:')) {
      const wanted: JsonValue = JSON.parse(seg.slice(2));
      const arr: JsonValue[] = Array.isArray(current) ? current : [];
      current = arr.find(item => deepEqual(item, wanted));
    }
  }
  return current;
}

/** Removes the field at a FieldsV1 path from `obj` (in place). */
function removeAt(obj: JsonObject, segs: string[]): void {
  if (segs.length === 0) return;
  const last = segs[segs.length - 1] === '.' ? segs.slice(0, -1) : segs;
  if (last.length === 0) return;
  const parentSegs = last.slice(0, -1);
  const seg = last[last.length - 1];
  const parent = parentSegs.length ? valueAt(obj, parentSegs) : obj;
  if (seg.startsWith('f:')) {
    if (isObject(parent)) delete parent[seg.slice(2)];
  } else if (Array.isArray(parent)) {
    const target = valueAt(parent, [seg]);
    const index = parent.findIndex(item => item === target);
    if (index >= 0) parent.splice(index, 1);
  }
}

export function mergeApplied(
  live: JsonValue | undefined,
  config: JsonValue,
  shape: Shape,
  path: string[] = [],
  field?: string,
): JsonValue {
  if (isObject(config)) {
    if (field !== undefined && shape.atomicMap(path.slice(0, -1), field))
      return deepClone(config);
    const result: JsonObject = isObject(live) ? { ...live } : {};
    for (const [k, v] of Object.entries(config)) {
      if (v === undefined) continue;
      if (v === null) {
        delete result[k];
        continue;
      }
      result[k] = mergeApplied(result[k], v, shape, [...path, k], k);
    }
    return result;
  }
  if (Array.isArray(config) && field !== undefined) {
    const ls = shape.list(path.slice(0, -1), field);
    const liveArr = Array.isArray(live) ? [...live] : [];
    if (ls.type === 'map' && ls.keys) {
      const keys = ls.keys;
      for (const item of config) {
        const key = itemKey(item, keys);
        const index = liveArr.findIndex(l => itemKey(l, keys) === key);
        if (index >= 0) {
          liveArr[index] = mergeApplied(liveArr[index], item, shape, [
            ...path,
            '[]',
          ]);
        } else {
          liveArr.push(deepClone(item));
        }
      }
      return liveArr;
    }
    if (ls.type === 'set') {
      for (const item of config) {
        if (!liveArr.some(l => deepEqual(l, item)))
          liveArr.push(deepClone(item));
      }
      return liveArr;
    }
  }
  return deepClone(config);
}

export interface ManagedFieldsEntry extends JsonObject {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: JsonObject;
}

export function toFieldsV1(paths: FieldPathSet): JsonObject {
  const root: JsonObject = {};
  for (const p of paths) {
    const segs: string[] = JSON.parse(p);
    let node = root;
    for (const seg of segs) {
      let next = node[seg];
      if (!isObject(next)) {
        next = {};
        node[seg] = next;
      }
      node = next;
    }
  }
  return root;
}

export function fromFieldsV1(tree: unknown): FieldPathSet {
  const out: FieldPathSet = new Set();
  const walk = (node: unknown, segs: string[]) => {
    if (!isObject(node)) return;
    const keys = Object.keys(node);
    if (keys.length === 0) {
      if (segs.length) out.add(JSON.stringify(segs));
      return;
    }
    for (const k of keys) walk(node[k], [...segs, k]);
  };
  walk(tree, []);
  return out;
}

function readManagedFields(obj: JsonObject): ManagedFieldsEntry[] {
  const metadata = isObject(obj.metadata) ? obj.metadata : {};
  const list = asArray(metadata.managedFields) ?? [];
  return list.filter(
    (e): e is ManagedFieldsEntry =>
      isObject(e) && typeof e.manager === 'string',
  );
}

function displayPath(p: string): string {
  const segs: string[] = JSON.parse(p);
  let out = '';
  for (const seg of segs) {
    if (seg === '.') continue;
    if (seg.startsWith('f:')) out += `.${seg.slice(2)}`;
    else if (seg.startsWith('k:')) {
      const key: unknown = JSON.parse(seg.slice(2));
      const parts = isObject(key)
        ? Object.entries(key).map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        : [];
      out += `[${parts.join(',')}]`;
    } else if (seg.startsWith('v:')) out += `[=${seg.slice(2)}]`;
  }
  return out;
}

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function entryKey(e: {
  manager: string;
  operation: string;
  subresource?: unknown;
}): string {
  return `${e.manager}\0${e.operation}\0${
    typeof e.subresource === 'string' ? e.subresource : ''
  }`;
}

export interface ApplyOutcome {
  object: JsonObject;
}

/**
 * Applies `config` as `manager` onto `live` (both in the same API version; `live` may be
 * undefined for a create). Returns the merged object with updated managedFields.
 */
export function serverSideApply(
  live: JsonObject | undefined,
  config: JsonObject,
  manager: string,
  force: boolean,
  shape: Shape,
  apiVersion: string,
  part: 'main' | 'status',
): JsonObject {
  const base = live ? deepClone(live) : {};
  const entries = live ? readManagedFields(live) : [];
  const applied = fieldPaths(config, shape, part);
  const mine = entries.find(
    e =>
      e.manager === manager &&
      e.operation === 'Apply' &&
      (e.subresource ?? '') === (part === 'status' ? 'status' : ''),
  );
  const previous = mine ? fromFieldsV1(mine.fieldsV1) : new Set<string>();

  const conflicts: StatusCause[] = [];
  const stolen = new Map<ManagedFieldsEntry, string[]>();
  for (const e of entries) {
    if (e === mine) continue;
    if ((e.subresource ?? '') !== (part === 'status' ? 'status' : '')) continue;
    const owned = fromFieldsV1(e.fieldsV1);
    for (const p of applied) {
      if (!owned.has(p)) continue;
      const segs: string[] = JSON.parse(p);
      if (segs[segs.length - 1] === '.') continue;
      const liveValue = valueAt(base, segs);
      const configValue = valueAt(config, segs);
      if (liveValue !== undefined && !deepEqual(liveValue, configValue)) {
        if (force) {
          const list = stolen.get(e) ?? [];
          list.push(p);
          stolen.set(e, list);
        } else {
          conflicts.push({
            reason: 'FieldManagerConflict',
            message: `conflict with "${e.manager}"${
              e.operation === 'Update' ? ` using ${e.apiVersion}` : ''
            }`,
            field: displayPath(p),
          });
        }
      }
    }
  }
  if (conflicts.length) {
    const lines = conflicts.map(c => `- ${c.message}: ${c.field}`).join('\n');
    throw new ApiError(
      409,
      'Conflict',
      `Apply failed with ${conflicts.length} conflict${
        conflicts.length > 1 ? 's' : ''
      }: ${
        conflicts.length === 1
          ? `${conflicts[0].message}: ${conflicts[0].field}`
          : `\n${lines}`
      }`,
      { causes: conflicts },
    );
  }

  let merged = mergeApplied(base, config, shape);
  if (!isObject(merged)) merged = {};
  const ownedByOthers = new Set<string>();
  for (const e of entries) {
    if (e === mine) continue;
    const owned = fromFieldsV1(e.fieldsV1);
    const lost = stolen.get(e) ?? [];
    for (const p of owned) if (!lost.includes(p)) ownedByOthers.add(p);
  }
  for (const p of previous) {
    if (!applied.has(p) && !ownedByOthers.has(p))
      removeAt(merged, JSON.parse(p));
  }

  const next: ManagedFieldsEntry[] = [];
  let placed = false;
  for (const e of entries) {
    if (e === mine) {
      next.push(applyEntry(manager, apiVersion, applied, part));
      placed = true;
      continue;
    }
    const lost = stolen.get(e);
    if (lost) {
      const kept = fromFieldsV1(e.fieldsV1);
      for (const p of lost) kept.delete(p);
      if (kept.size) next.push({ ...e, fieldsV1: toFieldsV1(kept) });
    } else {
      next.push(e);
    }
  }
  if (!placed) next.push(applyEntry(manager, apiVersion, applied, part));
  const metadata = isObject(merged.metadata) ? merged.metadata : {};
  metadata.managedFields = next;
  merged.metadata = metadata;
  return merged;
}

function applyEntry(
  manager: string,
  apiVersion: string,
  paths: FieldPathSet,
  part: 'main' | 'status',
): ManagedFieldsEntry {
  const e: ManagedFieldsEntry = {
    manager,
    operation: 'Apply',
    apiVersion,
    time: now(),
    fieldsType: 'FieldsV1',
    fieldsV1: toFieldsV1(paths),
  };
  if (part === 'status') e.subresource = 'status';
  return e;
}

/**
 * Records an Update by `manager`: it takes ownership of the fields it changed; fields that no
 * longer exist are dropped from every manager.
 */
export function trackUpdate(
  old: JsonObject | undefined,
  updated: JsonObject,
  manager: string,
  shape: Shape,
  apiVersion: string,
  part: 'main' | 'status',
): void {
  const entries = old ? readManagedFields(old) : [];
  const present = fieldPaths(updated, shape, part);
  const changed = new Set<string>();
  for (const p of present) {
    const segs: string[] = JSON.parse(p);
    if (!old || !deepEqual(valueAt(old, segs), valueAt(updated, segs)))
      changed.add(p);
  }
  const subresource = part === 'status' ? 'status' : '';
  const next: ManagedFieldsEntry[] = [];
  let mine: ManagedFieldsEntry | undefined;
  for (const e of entries) {
    const owned = fromFieldsV1(e.fieldsV1);
    const sameSub =
      (typeof e.subresource === 'string' ? e.subresource : '') === subresource;
    if (sameSub) {
      for (const p of owned) {
        if (
          !present.has(p) ||
          (changed.has(p) &&
            !(e.manager === manager && e.operation === 'Update'))
        ) {
          owned.delete(p);
        }
      }
    }
    if (
      entryKey(e) === entryKey({ manager, operation: 'Update', subresource })
    ) {
      mine = e;
      for (const p of changed) owned.add(p);
      next.push({
        ...e,
        apiVersion,
        time: changed.size ? now() : e.time,
        fieldsV1: toFieldsV1(owned),
      });
      continue;
    }
    if (owned.size) next.push({ ...e, fieldsV1: toFieldsV1(owned) });
  }
  if (!mine && changed.size) {
    const e: ManagedFieldsEntry = {
      manager,
      operation: 'Update',
      apiVersion,
      time: now(),
      fieldsType: 'FieldsV1',
      fieldsV1: toFieldsV1(changed),
    };
    if (subresource) e.subresource = subresource;
    next.push(e);
  }
  const metadata = isObject(updated.metadata) ? updated.metadata : {};
  if (next.length) metadata.managedFields = next;
  else delete metadata.managedFields;
  updated.metadata = metadata;
}
