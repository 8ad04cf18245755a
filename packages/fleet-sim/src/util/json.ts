/**
 * JSON values as they travel over the Kubernetes wire, and the generic operations on them: deep copy (rfdc), deep
 * equality (fast-deep-equal), RFC 6902 JSON patch (fast-json-patch) and RFC 7386 merge patch (json-merge-patch).
 */
import { JsonPatchError, Operation, applyPatch } from 'fast-json-patch';
import fastDeepEqual from 'fast-deep-equal';
import mergePatch from 'json-merge-patch';
import rfdc from 'rfdc';

const cloneValue = rfdc();

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

/** A deep copy of a JSON value (rfdc); `undefined` stays `undefined`. */
export function deepClone<T>(value: T): T {
  if (value === undefined) {
    return value;
  }
  return cloneValue(value);
}

/** Deep equality of JSON values (fast-deep-equal). */
export function deepEqual(a: unknown, b: unknown): boolean {
  return fastDeepEqual(a, b);
}

/** Thrown when a patch document is malformed or cannot be applied. */
export class PatchError extends Error {
  constructor(message: string, readonly malformed: boolean) {
    super(message);
  }
}

/** RFC 7386 JSON merge patch (json-merge-patch). Returns a new value; inputs are not modified. */
export function jsonMergePatch(target: unknown, patch: unknown): JsonValue {
  return mergePatch.apply(deepClone(target), deepClone(patch)) as JsonValue;
}

/** fast-json-patch errors that say the patch document itself is malformed (400, not 422). */
const MALFORMED_PATCH_ERRORS = new Set([
  'SEQUENCE_NOT_AN_ARRAY',
  'OPERATION_NOT_AN_OBJECT',
  'OPERATION_OP_INVALID',
  'OPERATION_PATH_INVALID',
  'OPERATION_FROM_REQUIRED',
  'OPERATION_VALUE_REQUIRED',
  'OPERATION_VALUE_CANNOT_CONTAIN_UNDEFINED',
]);

/** RFC 6902 JSON patch (fast-json-patch). Returns a new document; the input is not modified. */
export function jsonPatch(document: unknown, operations: unknown): JsonValue {
  if (!Array.isArray(operations)) {
    throw new PatchError('a JSON patch must be an array of operations', true);
  }
  try {
    return applyPatch(
      deepClone(document),
      operations as Operation[],
      true,
      true,
    ).newDocument as JsonValue;
  } catch (e) {
    if (e instanceof JsonPatchError) {
      const op = isObject(e.operation) ? e.operation : {};
      const where = typeof op.path === 'string' ? ` at "${op.path}"` : '';
      throw new PatchError(
        `${String(op.op ?? 'patch')}${where}: ${e.message.split('\n')[0]}`,
        MALFORMED_PATCH_ERRORS.has(e.name),
      );
    }
    throw e;
  }
}
