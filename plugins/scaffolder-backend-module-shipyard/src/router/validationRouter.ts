import { HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { ClusterRequestService } from '../service/ClusterRequestService';

/** The body of `POST /shipyard/cluster-requests/validate`: the input of `shipyard:cluster:create`. */
const requestSchema = z
  .object({
    profile: z.string().min(1),
    name: z.string().max(253),
    owner: z.string().min(1),
    managementCluster: z.string().min(1).optional(),
    namespace: z.string().min(1).optional(),
    size: z.string().min(1).optional(),
    controlPlaneReplicas: z.number().int().min(0).max(7).optional(),
    workerReplicas: z.number().int().min(0).optional(),
    kubernetesVersion: z.string().min(1).optional(),
    variables: z.record(z.any()).optional(),
    labels: z.record(z.string()).optional(),
  })
  .strict();

/**
 * `POST /shipyard/cluster-requests/validate` (under the scaffolder's API): runs every check of a cluster request
 * that needs no write, as the signed-in user, and answers all problems at once (`{ problems: [{ field, message }] }`,
 * empty when the request would be accepted). The request form calls it before submit.
 */
export function createValidationRouter(options: {
  requests: Pick<ClusterRequestService, 'checkCreate' | 'requester'>;
  httpAuth: HttpAuthService;
}): express.Router {
  const router = Router();
  router.use(express.json({ limit: '256kb' }));
  router.post('/shipyard/cluster-requests/validate', async (req, res) => {
    const parsed = requestSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new InputError(
        `Invalid request: ${issue.path.join('.') || 'body'} ${issue.message}`,
      );
    }
    const credentials = await options.httpAuth.credentials(req, {
      allow: ['user'],
    });
    const requester = await options.requests.requester(credentials);
    const { problems } = await options.requests.checkCreate(
      parsed.data,
      requester,
    );
    res.json({
      problems: problems.map(p => ({ field: p.field, message: p.message })),
    });
  });
  return router;
}
