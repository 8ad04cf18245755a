import type { KubeObject } from '@shipyard/plugin-shipyard-node/kube';
import type { WatchTarget } from './discovery';

/** Kubernetes' own limits, which a conforming API server enforces and a broken or hostile one may not. */
const MAX_NAME = 253;
const MAX_LABEL_KEY = 317;
const MAX_LABEL_VALUE = 63;
const MAX_ANNOTATIONS_BYTES = 256 * 1024;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringMapProblem(
  field: string,
  value: unknown,
  limits: { key: number; value?: number; total?: number },
): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) return `${field} is not an object`;
  let total = 0;
  // every object listed passes here: keys, not entries (no array per property)
  for (const k of Object.keys(value)) {
    const v = value[k];
    if (typeof v !== 'string')
      return `${field}.${k.slice(0, 64)} is not a string`;
    if (k.length === 0 || k.length > limits.key) {
      return `${field} has a key of ${k.length} characters`;
    }
    if (limits.value !== undefined && v.length > limits.value) {
      return `${field}.${k.slice(0, 64)} is longer than ${
        limits.value
      } characters`;
    }
    total += k.length + v.length;
    if (limits.total !== undefined && total > limits.total) {
      return `${field} are larger than ${limits.total} bytes`;
    }
  }
  return undefined;
}

/** Whether `apiVersion` is `group/version` (compared in place: every object listed passes here). */
function isGroupVersion(
  apiVersion: unknown,
  group: string,
  version: string,
): boolean {
  return (
    typeof apiVersion === 'string' &&
    apiVersion.length === group.length + 1 + version.length &&
    apiVersion.startsWith(group) &&
    apiVersion.charCodeAt(group.length) === 47 && // '/'
    apiVersion.endsWith(version)
  );
}

/**
 * Why an object listed or watched from a management cluster cannot be ingested, or undefined when it can.
 * Checks the structure the projections rely on, not the CAPI semantics (those are read leniently).
 */
export function malformedReason(
  obj: unknown,
  target: Pick<WatchTarget, 'group' | 'version' | 'resourceKind'>,
  deleted = false,
): string | undefined {
  if (!isRecord(obj)) return 'not an object';
  const metadata = obj.metadata;
  if (!isRecord(metadata)) return 'metadata is missing';
  const name = metadata.name;
  if (typeof name !== 'string' || name.length === 0)
    return 'metadata.name is missing';
  if (name.length > MAX_NAME)
    return `metadata.name is longer than ${MAX_NAME} characters`;
  if (
    metadata.namespace !== undefined &&
    (typeof metadata.namespace !== 'string' ||
      metadata.namespace.length > MAX_NAME)
  ) {
    return 'metadata.namespace is not a valid name';
  }
  if (deleted) return undefined;
  const apiVersion = obj.apiVersion;
  if (
    apiVersion !== undefined &&
    !isGroupVersion(apiVersion, target.group, target.version)
  ) {
    return `apiVersion ${String(apiVersion).slice(0, 100)} is not the watched ${
      target.group
    }/${target.version}`;
  }
  if (obj.kind !== undefined && obj.kind !== target.resourceKind) {
    return `kind ${String(obj.kind).slice(0, 100)} is not ${
      target.resourceKind
    }`;
  }
  for (const field of ['spec', 'status'] as const) {
    if (
      obj[field] !== undefined &&
      obj[field] !== null &&
      !isRecord(obj[field])
    ) {
      return `${field} is not an object`;
    }
  }
  const problem =
    stringMapProblem('metadata.labels', metadata.labels, {
      key: MAX_LABEL_KEY,
      value: MAX_LABEL_VALUE,
    }) ??
    stringMapProblem('metadata.annotations', metadata.annotations, {
      key: MAX_LABEL_KEY,
      total: MAX_ANNOTATIONS_BYTES,
    });
  if (problem) return problem;
  const refs = metadata.ownerReferences;
  if (refs !== undefined && refs !== null) {
    if (!Array.isArray(refs) || refs.some(r => !isRecord(r))) {
      return 'metadata.ownerReferences is not a list of objects';
    }
  }
  for (const key of [
    'uid',
    'resourceVersion',
    'creationTimestamp',
    'deletionTimestamp',
  ]) {
    if (
      metadata[key] !== undefined &&
      metadata[key] !== null &&
      typeof metadata[key] !== 'string'
    ) {
      return `metadata.${key} is not a string`;
    }
  }
  return undefined;
}

/** `namespace/name` of an object that may be malformed, when it has one. */
export function objectKeyOf(obj: KubeObject | undefined): string | undefined {
  const m = (obj as { metadata?: unknown } | undefined)?.metadata;
  if (!isRecord(m) || typeof m.name !== 'string' || !m.name) return undefined;
  const ns =
    typeof m.namespace === 'string' && m.namespace ? m.namespace : 'default';
  return `${ns}/${m.name}`;
}
