import {
  HttpAuthService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { ClusterKey } from '@shipyard/plugin-shipyard-common';
import express from 'express';
import { createApiRouter, ShipyardApiRouter } from '../service/apiRouter';
import { ClusterOperations } from './ClusterOperations';
import { pauseCluster, resumeCluster, resumeExpiredPauses } from './pause';

const NAME_SEGMENT = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** The cluster of a route's path, each segment checked. */
export function clusterKeyOf(params: Record<string, string>): ClusterKey {
  const { managementCluster, namespace, name } = params;
  for (const [field, value] of Object.entries({
    managementCluster,
    namespace,
    name,
  })) {
    if (!NAME_SEGMENT.test(value ?? '')) {
      throw new InputError(`Invalid path parameter ${field}: "${value}"`);
    }
  }
  return { managementCluster, namespace, name };
}

/** Options of {@link createOperationsRouter}. */
export interface OperationsRouterOptions {
  operations: ClusterOperations;
  httpAuth: HttpAuthService;
  /** The router to add the routes to (the plugin's one router of the spec); a new one by default. */
  router?: ShipyardApiRouter;
}

/** The day-2 operations of one cluster: `POST /clusters/:mc/:ns/:name/{pause,resume}`. */
export function createOperationsRouter(
  options: OperationsRouterOptions,
): express.Router {
  const { operations, httpAuth } = options;
  const router = options.router ?? createApiRouter();
  const actorOf = async (req: express.Request) =>
    operations.actorOf(
      await httpAuth.credentials(req, { allow: ['user', 'service'] }),
    );

  router.post(
    '/clusters/:managementCluster/:namespace/:name/pause',
    async (req, res) => {
      const key = clusterKeyOf(req.params);
      const { summary, ...answer } = await pauseCluster(
        operations,
        await actorOf(req),
        key,
        req.body,
      );
      res.json(answer);
    },
  );

  router.post(
    '/clusters/:managementCluster/:namespace/:name/resume',
    async (req, res) => {
      const key = clusterKeyOf(req.params);
      const { summary, ...answer } = await resumeCluster(
        operations,
        await actorOf(req),
        key,
        req.body ?? {},
      );
      res.json(answer);
    },
  );
  return router;
}

/** Schedules the resumption of expired pauses as a `global` task (one replica at a time). */
export async function scheduleOperations(options: {
  operations: ClusterOperations;
  scheduler: SchedulerService;
  logger: LoggerService;
  frequencyMs?: number;
}): Promise<void> {
  await options.scheduler.scheduleTask({
    id: 'shipyard:operations:pause-expiry',
    scope: 'global',
    frequency: { milliseconds: options.frequencyMs ?? 30_000 },
    timeout: { minutes: 5 },
    fn: async () => {
      const resumed = await resumeExpiredPauses(options.operations);
      if (resumed > 0) {
        options.logger.info(
          `Shipyard: resumed ${resumed} clusters whose pause expired`,
        );
      }
    },
  });
}
