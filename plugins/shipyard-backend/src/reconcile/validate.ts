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

function isRecordOrAbsent(value: unknown): boolean {
  return value === undefined || value === null || isRecord(value);
}

function isStringOrAbsent(value: unknown): boolean {
  return value === undefined || value === null || typeof value === 'string';
}

/*
 * Every object listed or watched passes {@link malformedReason}: what it checks against is made once, not per object.
 */
const LABEL_LIMITS = { key: MAX_LABEL_KEY, value: MAX_LABEL_VALUE };
const ANNOTATION_LIMITS = { key: MAX_LABEL_KEY, total: MAX_ANNOTATIONS_BYTES };
const OWNER_REFERENCES_PROBLEM =
  'metadata.ownerReferences is not a list of objects';

function stringMapProblem(
  field: string,
  value: unknown,
  limits: { key: number; value?: number; total?: number },
): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) return `${field} is not an object`;
  let total = 0;
  // every object listed passes here: its own keys walked in place (no array of keys or entries per object)
  for (const k in value) {
    if (!Object.prototype.hasOwnProperty.call(value, k)) continue;
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
  if (!isRecordOrAbsent(obj.spec)) return 'spec is not an object';
  if (!isRecordOrAbsent(obj.status)) return 'status is not an object';
  const problem =
    stringMapProblem('metadata.labels', metadata.labels, LABEL_LIMITS) ??
    stringMapProblem(
      'metadata.annotations',
      metadata.annotations,
      ANNOTATION_LIMITS,
    );
  if (problem) return problem;
  const refs = metadata.ownerReferences;
  if (refs !== undefined && refs !== null) {
    if (!Array.isArray(refs)) return OWNER_REFERENCES_PROBLEM;
    for (let i = 0; i < refs.length; i++) {
      if (!isRecord(refs[i])) return OWNER_REFERENCES_PROBLEM;
    }
  }
  if (!isStringOrAbsent(metadata.uid)) return 'metadata.uid is not a string';
  if (!isStringOrAbsent(metadata.resourceVersion)) {
    return 'metadata.resourceVersion is not a string';
  }
  if (!isStringOrAbsent(metadata.creationTimestamp)) {
    return 'metadata.creationTimestamp is not a string';
  }
  if (!isStringOrAbsent(metadata.deletionTimestamp)) {
    return 'metadata.deletionTimestamp is not a string';
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
