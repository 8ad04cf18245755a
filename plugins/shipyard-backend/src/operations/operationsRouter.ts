import {
  HttpAuthService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import express from 'express';
import { createApiRouter, ShipyardApiRouter } from '../service/apiRouter';
import { clusterKeyOf } from '../service/clusterPath';
import { ClusterKey, ClusterSummary } from '@shipyard/plugin-shipyard-common';
import { EndpointMap } from '../schema/openapi';
import { OperationActor } from './ClusterOperations';
import { pauseCluster, resumeCluster, resumeExpiredPauses } from './pause';
import {
  approveDecommission,
  cancelDecommission,
  decommissionCluster,
  runPendingDecommissions,
} from './decommission';
import { moveProfileVersion } from './profileVersion';
import { scaleCluster } from './scale';
import { OperationServices } from './services';

export type { OperationServices };

/** The operations of one cluster in the spec: `POST /clusters/{managementCluster}/{namespace}/{name}/<operation>`. */
type OperationEndpoints = {
  [P in keyof EndpointMap as P extends `#post|/clusters/{managementCluster}/{namespace}/{name}/${infer Operation}`
    ? Operation
    : never]: EndpointMap[P];
};
type OperationName = keyof OperationEndpoints;

/** How an operation is carried out; its answer without the cluster's summary is the route's response. */
type OperationPerformer<Body> = (
  actor: OperationActor,
  key: ClusterKey,
  body: Body,
) => Promise<{ summary: ClusterSummary }>;

/** A performer for every operation of the spec, each taking the body the spec gives it (`{}` for an optional one left out). */
type OperationPerformers = {
  [Operation in OperationName]: OperationPerformer<
    NonNullable<OperationEndpoints[Operation]['body']>
  >;
};

/** Options of {@link createOperationsRouter}. */
export interface OperationsRouterOptions {
  services: OperationServices;
  httpAuth: HttpAuthService;
  /** The router to add the routes to (the plugin's one router of the spec); a new one by default. */
  router?: ShipyardApiRouter;
}

/**
 * The day-2 operations of one cluster: `POST /clusters/:mc/:ns/:name/{pause,resume,scale,decommission,profile-version}` and the operations
 * followed for it (`GET /clusters/:mc/:ns/:name/operations`).
 */
export function createOperationsRouter(
  options: OperationsRouterOptions,
): express.Router {
  const { services, httpAuth } = options;
  const { operations } = services;
  const router = options.router ?? createApiRouter();
  const actorOf = async (req: express.Request) =>
    operations.actorOf(
      await httpAuth.credentials(req, { allow: ['user', 'service'] }),
    );

  const performers: OperationPerformers = {
    pause: (actor, key, body) => pauseCluster(operations, actor, key, body),
    resume: (actor, key, body) => resumeCluster(operations, actor, key, body),
    scale: (actor, key, body) => scaleCluster(services, actor, key, body),
    decommission: (actor, key, body) =>
      decommissionCluster(services, actor, key, body),
    'decommission/approve': (actor, key, body) =>
      approveDecommission(services, actor, key, body),
    'decommission/cancel': (actor, key, body) =>
      cancelDecommission(services, actor, key, body),
    'profile-version': (actor, key, body) =>
      moveProfileVersion(services, actor, key, body),
  };
  for (const operation of Object.keys(performers) as OperationName[]) {
    const perform = performers[operation] as OperationPerformer<unknown>;
    // the path is the spec's (the validator has checked the body against it, a required one is present)
    (router as unknown as express.Router).post(
      `/clusters/:managementCluster/:namespace/:name/${operation}`,
      async (req, res) => {
        const { summary, ...answer } = await perform(
          await actorOf(req),
          clusterKeyOf(req.params),
          req.body ?? {},
        );
        res.json(answer);
      },
    );
  }

  router.get(
    '/clusters/:managementCluster/:namespace/:name/operations',
    async (req, res) => {
      const key = clusterKeyOf(req.params);
      const credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      // not found unless the caller may read the cluster (a deleted cluster's operations stay readable to the platform)
      const actor =
        credentials.principal.type === 'user'
          ? await operations.actorOf(credentials)
          : undefined;
      if (
        actor &&
        operations.index.get(
          `${key.managementCluster}/${key.namespace}/${key.name}`,
        )
      ) {
        await operations.resolve(actor, key);
      }
      const items = await services.tracker.store.ofCluster(key);
      res.setHeader('Cache-Control', 'no-cache');
      res.json({
        items: items.map(op => ({
          id: op.id,
          action: op.action,
          actor: op.actor,
          state: op.state,
          target: op.target,
          startedAt: op.startedAt,
          deadlineAt: op.deadlineAt,
          updatedAt: op.updatedAt,
          message:
            (op.state === 'running' || op.state === 'stalled') &&
            !op.target.guard
              ? services.tracker.progressOf(op).message
              : op.message ?? '',
        })),
      });
    },
  );
  return router;
}

/**
 * Schedules the resumption of expired pauses, the following of resizes and decommissions, and the pending
 * production decommissions (carried out when their delay passed, lapsed when not approved in time) as `global`
 * tasks (one replica at a time).
 */
export async function scheduleOperations(options: {
  services: OperationServices;
  scheduler: SchedulerService;
  logger: LoggerService;
}): Promise<void> {
  const { services } = options;
  const tasks: Array<[id: string, everyMs: number, fn: () => Promise<void>]> = [
    [
      'shipyard:operations:follow',
      services.config.trackIntervalMs,
      async () => {
        await runPendingDecommissions(services);
        await services.tracker.check();
      },
    ],
    [
      'shipyard:operations:pause-expiry',
      services.config.pauseExpiryCheckMs,
      async () => {
        const resumed = await resumeExpiredPauses(services.operations);
        if (resumed > 0) {
          options.logger.info(
            `Shipyard: resumed ${resumed} clusters whose pause expired`,
          );
        }
      },
    ],
  ];
  for (const [id, everyMs, fn] of tasks) {
    await options.scheduler.scheduleTask({
      id,
      scope: 'global',
      frequency: { milliseconds: everyMs },
      timeout: { minutes: 5 },
      fn,
    });
  }
}
