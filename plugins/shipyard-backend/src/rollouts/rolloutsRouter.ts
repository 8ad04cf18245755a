import { HttpAuthService } from '@backstage/backend-plugin-api';
import { createApiRouter, ShipyardApiRouter } from '../service/apiRouter';
import { RolloutService } from './RolloutService';

/**
 * The rollout routes of the spec: `POST /rollouts/plan`, `GET|POST /rollouts`, `GET /rollouts/:id`,
 * `POST /rollouts/:id/approve` and `POST /rollouts/:id/(pause|resume|abort)`. Users only (a rollout is someone's
 * decision); the spec's validator has checked the shapes, the service checks the content and the permissions.
 */
export function createRolloutsRouter(options: {
  service: RolloutService;
  httpAuth: HttpAuthService;
  router?: ShipyardApiRouter;
}): ShipyardApiRouter {
  const router = options.router ?? createApiRouter();
  const { service, httpAuth } = options;
  const user = (req: Parameters<HttpAuthService['credentials']>[0]) =>
    httpAuth.credentials(req, { allow: ['user'] });

  router.post('/rollouts/plan', async (req, res) => {
    res.json(await service.plan(req.body, await user(req)));
  });
  router.get('/rollouts', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    res.setHeader('Cache-Control', 'no-cache');
    res.json({ items: await service.list(req.query ?? {}, credentials) });
  });
  router.post('/rollouts', async (req, res) => {
    res.status(201).json(await service.create(req.body, await user(req)));
  });
  router.get('/rollouts/:id', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    res.setHeader('Cache-Control', 'no-cache');
    res.json(await service.get(req.params.id, credentials));
  });
  router.post('/rollouts/:id/approve', async (req, res) => {
    res.json(await service.approve(req.params.id, req.body, await user(req)));
  });
  router.post('/rollouts/:id/:operation', async (req, res) => {
    res.json(
      await service.operate(
        req.params.id,
        req.params.operation,
        req.body,
        await user(req),
      ),
    );
  });
  return router;
}
