import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { PermissionRuleset } from '@backstage/plugin-permission-node';
import {
  ClusterHistoryResponse,
  ClusterSummary,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import { ClusterPermissionQuery } from '@shipyard/plugin-shipyard-node';
import express from 'express';
import { z } from 'zod';
import { FleetIndex } from '../index/FleetIndex';
import { HealthService } from '../health/HealthService';
import { createApiRouter, ShipyardApiRouter } from './apiRouter';
import { clusterKeyOf } from './clusterPath';
import { ClusterReadDecider, visibleCluster } from './clusterReadAccess';

/** Options of {@link createHistoryRouter}. */
export interface HistoryRouterOptions {
  index: FleetIndex;
  health: HealthService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  ruleset: PermissionRuleset<ClusterSummary, ClusterPermissionQuery>;
  /** The router to add the route to (the plugin's one router of the spec); a new one by default. */
  router?: ShipyardApiRouter;
}

const querySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).optional(),
    cursor: z
      .string()
      .regex(/^\d{1,18}$/, 'invalid cursor')
      .optional(),
  })
  .strict();

/** `GET /clusters/:managementCluster/:namespace/:name/history`: health transitions of a cluster, newest first. */
export function createHistoryRouter(
  options: HistoryRouterOptions,
): express.Router {
  const { index, health, httpAuth, permissions } = options;
  const reads = new ClusterReadDecider(permissions, options.ruleset);
  const router = options.router ?? createApiRouter();

  router.get(
    '/clusters/:managementCluster/:namespace/:name/history',
    async (req, res) => {
      const cluster = clusterKeyOf(req.params);
      const parsed = querySchema.safeParse(req.query);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const field =
          issue.code === 'unrecognized_keys'
            ? issue.keys[0]
            : String(issue.path[0] ?? 'query');
        throw new InputError(
          `Invalid query parameter ${field}: ${issue.message}`,
        );
      }
      visibleCluster(
        index,
        await reads.require(await httpAuth.credentials(req)),
        cluster,
      );
      const key = stringifyClusterKey(cluster);
      const limit = parsed.data.limit ?? 100;
      const page = await health.history(key, {
        limit,
        before: parsed.data.cursor ? Number(parsed.data.cursor) : undefined,
      });
      const body: ClusterHistoryResponse = { items: page.items };
      if (page.nextBefore !== undefined)
        body.nextCursor = String(page.nextBefore);
      res.setHeader('Cache-Control', 'no-cache');
      res.json(body);
    },
  );
  return router;
}
