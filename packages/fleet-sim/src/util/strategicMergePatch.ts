/**
 * Strategic merge patch (`application/strategic-merge-patch+json`) of the built-in kinds. Written here because no
 * maintained JavaScript library implements it: its semantics come from Kubernetes' Go struct tags (merge keys and
 * list strategies per field), of which the few the simulated kinds need are listed below.
 */
import { JsonObject, JsonValue, deepClone, deepEqual, isObject } from './json';

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
