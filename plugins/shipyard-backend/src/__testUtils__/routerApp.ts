// this folder serves the test suites only: the test utilities are dev dependencies
// eslint-disable-next-line @backstage/no-undeclared-imports
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
// eslint-disable-next-line @backstage/no-undeclared-imports
import { mockServices } from '@backstage/backend-test-utils';
import express from 'express';

/**
 * An express app serving the given routers, with the error handler the backend puts behind every plugin: an error
 * answers as it does in production (InputError 400, AuthenticationError 401, NotAllowedError 403, NotFoundError 404,
 * ConflictError 409, anything else 500, with `{ error: { name, message } }`).
 */
export function routerApp(
  routers: express.Handler | express.Handler[],
  options: { showStackTraces?: boolean } = {},
): express.Express {
  const app = express();
  for (const router of [routers].flat()) app.use(router);
  app.use(
    MiddlewareFactory.create({
      config: mockServices.rootConfig(),
      logger: mockServices.logger.mock(),
    }).error(options),
  );
  return app;
}
