/*
 * Audit records of cluster requests and upgrades: who asked for what, when, and how it ended. Written by the
 * scaffolder module (`POST /api/shipyard/audit`, service principals only) and readable by the platform team
 * (`GET /api/shipyard/audit`). The records are the spec's models.
 */
import type {
  ClusterAuditAction,
  ClusterAuditOutcome,
  ClusterAuditRecord,
  operations,
} from './schema/openapi/generated/models';
import {
  clusterAuditActionValues,
  clusterAuditOutcomeValues,
} from './schema/openapi/generated/models/schema';
import { enumValues } from './schema/enumValues';

export type {
  ClusterAuditAction,
  ClusterAuditOutcome,
  ClusterAuditRecord,
} from './schema/openapi/generated/models';

/** An audit record as stored, before the store gives it its id and time: the spec's `ClusterAuditRecord` without them. */
export type ClusterAuditRecordInput = Omit<ClusterAuditRecord, 'id' | 'at'>;

/** The audit actions (`rollout.*`: fleet rollouts, their gates, steps and operator actions), for validation. */
export const CLUSTER_AUDIT_ACTIONS = enumValues<ClusterAuditAction>(
  clusterAuditActionValues,
);

/**
 * The audit outcomes: done (the change was written), refused by a check (nothing written), or failed while writing;
 * for operations that the fleet carries out afterwards (scale, delete, profile update): `completed` when the fleet
 * shows the result, `stalled` when it did not within the operation's deadline.
 */
export const CLUSTER_AUDIT_OUTCOMES = enumValues<ClusterAuditOutcome>(
  clusterAuditOutcomeValues,
);

/** Response of `GET /audit` (newest first). */
export type ListClusterAuditResponse =
  operations['listAuditRecords']['responses'][200]['content']['application/json'];

/** Longest stored text of a requested value that did not fit its field. */
export const AUDIT_REQUESTED_VALUE_MAX = 256;
/** Longest stored message. */
export const AUDIT_MESSAGE_MAX = 4000;
/** Longest stored string value in `details`. */
export const AUDIT_DETAIL_VALUE_MAX = 1000;
/** Most `details` entries stored. */
export const AUDIT_DETAILS_MAX_ENTRIES = 32;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const ENTITY_REF =
  /^(?:[a-zA-Z0-9][-a-zA-Z0-9_.]{0,62}:)?(?:[a-zA-Z0-9][-a-zA-Z0-9_.]{0,62}\/)?[a-zA-Z0-9][-a-zA-Z0-9_.]{0,62}$/;
const TASK_ID = /^[-a-zA-Z0-9_.:]{1,100}$/;
const DETAIL_KEY = /^[-a-zA-Z0-9_.]{1,64}$/;

/** What each requested field of a record must look like to be stored in its own field. */
const FIELD_RULES: Record<
  | 'managementCluster'
  | 'namespace'
  | 'cluster'
  | 'profile'
  | 'owner'
  | 'mode'
  | 'taskId',
  (value: unknown) => boolean
> = {
  managementCluster: v => typeof v === 'string' && DNS_LABEL.test(v),
  namespace: v => typeof v === 'string' && DNS_LABEL.test(v),
  cluster: v => typeof v === 'string' && DNS_LABEL.test(v),
  profile: v => typeof v === 'string' && v.length <= 255 && ENTITY_REF.test(v),
  owner: v => typeof v === 'string' && v.length <= 255 && ENTITY_REF.test(v),
  mode: v => v === 'apply' || v === 'manifests',
  taskId: v => typeof v === 'string' && TASK_ID.test(v),
};

/** Control characters, line and paragraph separators, bidirectional overrides and lone surrogates. */
const UNPRINTABLE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * A value as printable text: strings with unprintable characters written as `\uXXXX`, other values as JSON, cut
 * to `max` characters with the original length said. Applying it twice changes nothing more.
 */
export function auditText(
  value: unknown,
  max = AUDIT_REQUESTED_VALUE_MAX,
): string {
  let text: string;
  if (typeof value === 'string') {
    text = value;
  } else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  text = text.replace(
    UNPRINTABLE,
    c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  if (text.length <= max) return text;
  const suffix = `… (${text.length} characters)`;
  let kept = text.slice(0, Math.max(0, max - suffix.length));
  // never half of a surrogate pair
  if (/[\ud800-\udbff]$/.test(kept)) kept = kept.slice(0, -1);
  return `${kept}${suffix}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Makes an audit record storable whatever was asked: a requested value that does not fit its field (a management
 * cluster `../mgmt-eu-1`, an owner of 300 characters, a non-string) is left out of that field and kept, escaped and
 * truncated, in `details` as `requested.<field>`; the message and detail values are escaped and truncated; details
 * that are not scalars become text. Only the record's own structure (actor, action, outcome) can make it invalid:
 * the function throws an `Error` naming the field then.
 */
export function toStorableAuditRecord(input: unknown): ClusterAuditRecordInput {
  if (!isPlainObject(input)) throw new Error('audit record must be an object');
  const { actor, action, outcome } = input;
  if (!CLUSTER_AUDIT_ACTIONS.includes(action as ClusterAuditAction)) {
    throw new Error(
      `audit record action must be one of ${CLUSTER_AUDIT_ACTIONS.join(', ')}`,
    );
  }
  if (!CLUSTER_AUDIT_OUTCOMES.includes(outcome as ClusterAuditOutcome)) {
    throw new Error(
      `audit record outcome must be one of ${CLUSTER_AUDIT_OUTCOMES.join(
        ', ',
      )}`,
    );
  }
  // a Map, so that a key such as `__proto__` stays an ordinary key
  const details = new Map<string, string | number | boolean | null>();
  const out: ClusterAuditRecordInput = {
    actor:
      typeof actor === 'string' && actor.length <= 255 && ENTITY_REF.test(actor)
        ? actor
        : 'unknown',
    action: action as ClusterAuditAction,
    outcome: outcome as ClusterAuditOutcome,
  };
  if (out.actor !== actor) details.set('requested.actor', auditText(actor));
  for (const [field, fits] of Object.entries(FIELD_RULES) as Array<
    [keyof typeof FIELD_RULES, (value: unknown) => boolean]
  >) {
    if (!Object.prototype.hasOwnProperty.call(input, field)) continue;
    const value = input[field];
    if (value === undefined) continue;
    if (fits(value)) (out as unknown as Record<string, unknown>)[field] = value;
    else details.set(`requested.${field}`, auditText(value));
  }
  if (input.message !== undefined) {
    out.message = auditText(input.message, AUDIT_MESSAGE_MAX);
  }
  if (input.details !== undefined) {
    if (isPlainObject(input.details)) {
      for (const [key, value] of Object.entries(input.details)) {
        if (details.size >= AUDIT_DETAILS_MAX_ENTRIES) break;
        const name = DETAIL_KEY.test(key) ? key : `key.${auditText(key, 48)}`;
        if (details.has(name)) continue;
        details.set(
          name,
          (typeof value === 'number' && Number.isFinite(value)) ||
            typeof value === 'boolean' ||
            value === null
            ? value
            : auditText(value, AUDIT_DETAIL_VALUE_MAX),
        );
      }
    } else {
      details.set('requested.details', auditText(input.details));
    }
  }
  if (details.size > 0) out.details = Object.fromEntries(details);
  return out;
}
