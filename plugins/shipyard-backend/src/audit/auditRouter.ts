import {
  HttpAuthService,
  LoggerService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { MetricsService } from '@backstage/backend-plugin-api/alpha';
import { InputError } from '@backstage/errors';
import {
  CLUSTER_AUDIT_ACTIONS,
  CLUSTER_AUDIT_OUTCOMES,
  ClusterAuditAction,
  ClusterAuditOutcome,
  ClusterAuditRecordInput,
  ListClusterAuditResponse,
  auditText,
  toStorableAuditRecord,
} from '@shipyard/plugin-shipyard-common';
import express from 'express';
import { z } from 'zod';
import { createApiRouter, ShipyardApiRouter } from '../service/apiRouter';
import { AuditStore } from '../stores/AuditStore';

const label = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a DNS label');
const entityRef = z.string().min(3).max(255);

/** The fields of a record; the values of the requested ones are made storable by {@link toStorableAuditRecord}. */
const RECORD_FIELDS = new Set([
  'actor',
  'action',
  'outcome',
  'managementCluster',
  'namespace',
  'cluster',
  'profile',
  'owner',
  'mode',
  'message',
  'taskId',
  'details',
]);

/**
 * The storable form of a posted record. Only its structure can be refused (not an object, an unknown field, an
 * action or outcome the API does not know); what a user asked for never is.
 */
function storable(body: unknown): ClusterAuditRecordInput {
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const unknown = Object.keys(body).find(k => !RECORD_FIELDS.has(k));
    if (unknown !== undefined) {
      throw new InputError(
        `Invalid audit record field ${auditText(
          unknown,
          64,
        )}: not a field of an audit record`,
      );
    }
  }
  try {
    return toStorableAuditRecord(body);
  } catch (error) {
    throw new InputError(`Invalid audit record: ${(error as Error).message}`);
  }
}

const time = z
  .string()
  .refine(v => !Number.isNaN(Date.parse(v)), 'must be a date-time');

const querySchema = z
  .object({
    action: z
      .enum(
        CLUSTER_AUDIT_ACTIONS as [ClusterAuditAction, ...ClusterAuditAction[]],
      )
      .optional(),
    since: time.optional(),
    until: time.optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
    cursor: z
      .string()
      .regex(/^\d{1,18}$/, 'invalid cursor')
      .optional(),
    actor: entityRef.optional(),
    managementCluster: label.optional(),
    namespace: label.optional(),
    cluster: z.string().min(1).max(63).optional(),
    outcome: z
      .enum(
        CLUSTER_AUDIT_OUTCOMES as [
          ClusterAuditOutcome,
          ...ClusterAuditOutcome[],
        ],
      )
      .optional(),
  })
  .strict();

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(
      `Invalid ${what} ${issue.path.join('.') || '(body)'}: ${issue.message}`,
    );
  }
  return parsed.data;
}

/** Options of {@link createAuditRouter}. */
export interface AuditRouterOptions {
  store: AuditStore;
  httpAuth: HttpAuthService;
  userInfo: UserInfoService;
  /** Entity ref of the group whose members may read the audit log. */
  platformTeam: string;
  /** Where a record that could not be stored is reported (an error line). */
  logger?: LoggerService;
  /** Counts records that could not be stored (`shipyard.audit.write_failures`). */
  metrics?: MetricsService;
  /** The router to add the routes to (the plugin's one router of the spec); a new one by default. */
  router?: ShipyardApiRouter;
}

/**
 * `POST /audit` (backend services only: the scaffolder module records cluster requests) and `GET /audit` (members of
 * the platform team see every record, other users those of the clusters their groups own), newest first with a
 * cursor.
 */
export function createAuditRouter(options: AuditRouterOptions): express.Router {
  const { store, httpAuth, userInfo, platformTeam, logger } = options;
  const writeFailures = options.metrics?.createCounter<{
    action: string;
    outcome: string;
  }>('shipyard.audit.write_failures', {
    description: 'Audit records of cluster requests that could not be stored',
  });
  // JSON bodies (up to 64 kB) are parsed and validated against the spec by the router
  const router = options.router ?? createApiRouter();

  router.post('/audit', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['service'] });
    const input = storable(req.body);
    let record;
    try {
      record = await store.add(input);
    } catch (error) {
      writeFailures?.add(1, { action: input.action, outcome: input.outcome });
      logger?.error(
        `Shipyard: audit record (${input.action} ${input.outcome} by ${
          input.actor
        }, task ${input.taskId ?? 'none'}) not stored: ${
          (error as Error).message
        }`,
      );
      throw error;
    }
    res.status(201).json(record);
  });

  router.get('/audit', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const info = await userInfo.getUserInfo(credentials);
    const team = platformTeam.toLocaleLowerCase('en-US');
    const refs = info.ownershipEntityRefs.map(r =>
      r.toLocaleLowerCase('en-US'),
    );
    const query = parse(querySchema, req.query, 'query parameter');
    const limit = query.limit ?? 50;
    const items = await store.list({
      // outside the platform team: the records of clusters one of the user's groups owns
      owners: refs.includes(team) ? undefined : refs,
      action: query.action,
      since: query.since ? new Date(query.since) : undefined,
      until: query.until ? new Date(query.until) : undefined,
      actor: query.actor,
      managementCluster: query.managementCluster,
      namespace: query.namespace,
      cluster: query.cluster,
      outcome: query.outcome,
      before: query.cursor,
      limit: limit + 1,
    });
    const body: ListClusterAuditResponse = { items: items.slice(0, limit) };
    if (items.length > limit) body.nextCursor = body.items[limit - 1].id;
    res.json(body);
  });
  return router;
}
