import {
  HttpAuthService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  CLUSTER_AUDIT_ACTIONS,
  CLUSTER_AUDIT_OUTCOMES,
  ClusterAuditAction,
  ClusterAuditOutcome,
  ListClusterAuditResponse,
} from '@shipyard/plugin-shipyard-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { AuditStore } from './AuditStore';

const label = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a DNS label');
const entityRef = z.string().min(3).max(255);

const recordSchema = z
  .object({
    actor: entityRef,
    action: z.enum(
      CLUSTER_AUDIT_ACTIONS as [ClusterAuditAction, ...ClusterAuditAction[]],
    ),
    outcome: z.enum(
      CLUSTER_AUDIT_OUTCOMES as [ClusterAuditOutcome, ...ClusterAuditOutcome[]],
    ),
    managementCluster: label.optional(),
    namespace: label.optional(),
    cluster: z.string().min(1).max(63).optional(),
    profile: entityRef.optional(),
    owner: entityRef.optional(),
    mode: z.enum(['apply', 'manifests']).optional(),
    message: z.string().max(4000).optional(),
    taskId: z.string().max(100).optional(),
    details: z
      .record(
        z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]),
      )
      .optional(),
  })
  .strict();

const querySchema = z
  .object({
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
}

/**
 * `POST /audit` (backend services only: the scaffolder module records cluster requests) and `GET /audit` (members of
 * the platform team), newest first with a cursor.
 */
export function createAuditRouter(options: AuditRouterOptions): express.Router {
  const { store, httpAuth, userInfo, platformTeam } = options;
  const router = Router();
  router.use(express.json({ limit: '64kb' }));

  router.post('/audit', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['service'] });
    const record = await store.add(
      parse(recordSchema, req.body, 'audit record field'),
    );
    res.status(201).json(record);
  });

  router.get('/audit', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const info = await userInfo.getUserInfo(credentials);
    const team = platformTeam.toLocaleLowerCase('en-US');
    if (
      !info.ownershipEntityRefs.some(r => r.toLocaleLowerCase('en-US') === team)
    ) {
      throw new NotAllowedError(
        `Only members of ${platformTeam} may read the Shipyard audit log`,
      );
    }
    const query = parse(querySchema, req.query, 'query parameter');
    const limit = query.limit ?? 50;
    const items = await store.list({
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
