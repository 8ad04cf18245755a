import {
  HttpAuthService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import express from 'express';
import { createApiRouter, ShipyardApiRouter } from '../service/apiRouter';
import { clusterKeyOf } from '../service/clusterPath';
import {
  ClusterKey,
  ClusterSummary,
  PauseClusterRequest,
  ResumeClusterRequest,
} from '@shipyard/plugin-shipyard-common';
import { ClusterOperations, OperationActor } from './ClusterOperations';
import { OperationsConfig } from './config';
import { OperationTracker } from './OperationTracker';
import { pauseCluster, resumeCluster, resumeExpiredPauses } from './pause';
import { ProfileSizes } from './profiles';
import {
  ApproveDecommissionRequest,
  CancelDecommissionRequest,
  DecommissionClusterRequest,
  approveDecommission,
  cancelDecommission,
  decommissionCluster,
  runPendingDecommissions,
} from './decommission';
import {
  MoveProfileVersionRequest,
  moveProfileVersion,
} from './profileVersion';
import { ScaleClusterRequest, scaleCluster } from './scale';

/** What the operation routes use. */
export interface OperationServices {
  operations: ClusterOperations;
  tracker: OperationTracker;
  profiles: ProfileSizes;
  config: OperationsConfig;
  /** Entity ref of the platform team (approves production decommissions). */
  platformTeam: string;
}

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

  /** A route of one operation: its answer without the cluster's summary. */
  const operationRoute =
    <Body>(
      perform: (
        actor: OperationActor,
        key: ClusterKey,
        body: Body,
      ) => Promise<{ summary: ClusterSummary }>,
    ) =>
    async (req: express.Request<any, any, Body>, res: express.Response) => {
      const key = clusterKeyOf(req.params);
      const { summary, ...answer } = await perform(
        await actorOf(req),
        key,
        req.body,
      );
      res.json(answer);
    };

  router.post(
    '/clusters/:managementCluster/:namespace/:name/pause',
    operationRoute((actor, key, body: PauseClusterRequest) =>
      pauseCluster(operations, actor, key, body),
    ),
  );
  router.post(
    '/clusters/:managementCluster/:namespace/:name/resume',
    operationRoute((actor, key, body: ResumeClusterRequest | undefined) =>
      resumeCluster(operations, actor, key, body ?? {}),
    ),
  );
  router.post(
    '/clusters/:managementCluster/:namespace/:name/scale',
    operationRoute((actor, key, body: ScaleClusterRequest) =>
      scaleCluster(services, actor, key, body),
    ),
  );
  router.post(
    '/clusters/:managementCluster/:namespace/:name/decommission',
    operationRoute((actor, key, body: DecommissionClusterRequest) =>
      decommissionCluster(services, actor, key, body),
    ),
  );
  router.post(
    '/clusters/:managementCluster/:namespace/:name/decommission/approve',
    operationRoute((actor, key, body: ApproveDecommissionRequest) =>
      approveDecommission(services, actor, key, body),
    ),
  );
  router.post(
    '/clusters/:managementCluster/:namespace/:name/decommission/cancel',
    operationRoute((actor, key, body: CancelDecommissionRequest | undefined) =>
      cancelDecommission(services, actor, key, body ?? {}),
    ),
  );
  router.post(
    '/clusters/:managementCluster/:namespace/:name/profile-version',
    operationRoute((actor, key, body: MoveProfileVersionRequest | undefined) =>
      moveProfileVersion(services, actor, key, body ?? {}),
    ),
  );

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
  await options.scheduler.scheduleTask({
    id: 'shipyard:operations:follow',
    scope: 'global',
    frequency: { milliseconds: services.config.trackIntervalMs },
    timeout: { minutes: 5 },
    fn: async () => {
      await runPendingDecommissions(services);
      await services.tracker.check();
    },
  });
  await options.scheduler.scheduleTask({
    id: 'shipyard:operations:pause-expiry',
    scope: 'global',
    frequency: { milliseconds: services.config.pauseExpiryCheckMs },
    timeout: { minutes: 5 },
    fn: async () => {
      const resumed = await resumeExpiredPauses(services.operations);
      if (resumed > 0) {
        options.logger.info(
          `Shipyard: resumed ${resumed} clusters whose pause expired`,
        );
      }
    },
  });
}
