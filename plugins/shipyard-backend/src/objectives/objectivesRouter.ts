import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { PermissionRuleset } from '@backstage/plugin-permission-node';
import {
  ClusterObjective,
  ClusterObjectiveItem,
  ClusterObjectiveResponse,
  ClusterSummary,
  ObjectiveRollup as ObjectiveRollupBody,
  ObjectivesResponse,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import { ClusterPermissionQuery } from '@shipyard/plugin-shipyard-node';
import express from 'express';
import { z } from 'zod';
import { FleetIndex, StoredClusterSummary } from '../index/FleetIndex';
import { createApiRouter, ShipyardApiRouter } from '../service/apiRouter';
import { queryError, selectionQuerySchema } from '../service/selectionQuery';
import {
  ClusterReadDecider,
  requestedCluster,
} from '../service/clusterReadAccess';
import {
  ObjectiveComputation,
  ObjectiveRollup,
  reported,
  rollUp,
  series,
} from './compute';
import { ObjectiveTracker } from './ObjectiveTracker';
import { DAY, MINUTE } from './config';

/** Options of {@link createObjectivesRouter}. */
export interface ObjectivesRouterOptions {
  objectives: ObjectiveTracker;
  index: FleetIndex;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  ruleset: PermissionRuleset<ClusterSummary, ClusterPermissionQuery>;
  /** The router to add the routes to (the plugin's one router of the spec); a new one by default. */
  router?: ShipyardApiRouter;
}

/** The filters of `GET /clusters` (no sort or page) and how many clusters to list. */
const objectivesQuerySchema = selectionQuerySchema.extend({
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

/** Minutes, rounded to the millisecond. */
const minutes = (ms: number) => Math.round(ms) / MINUTE;

function budgetOf(r: {
  budgetMs: number;
  remainingMs: number;
  remainingPercent: number;
}) {
  return {
    totalMinutes: minutes(r.budgetMs),
    remainingMinutes: minutes(r.remainingMs),
    remainingPercent: reported(r.remainingPercent),
  };
}

function rollupBody(r: ObjectiveRollup): ObjectiveRollupBody {
  const body: ObjectiveRollupBody = {
    clusters: r.clusters,
    goodMinutes: minutes(r.goodMs),
    badMinutes: minutes(r.badMs),
    budget: budgetOf(r),
    byState: r.byState,
  };
  if (r.availability !== undefined)
    body.availability = reported(r.availability);
  return body;
}

/** Least budget left first, then by key. */
function worstFirst<T extends { remainingPercent: number; key: string }>(
  a: T,
  b: T,
) {
  return (
    a.remainingPercent - b.remainingPercent ||
    (a.key < b.key ? -1 : Number(a.key > b.key))
  );
}

/**
 * `GET /clusters/:managementCluster/:namespace/:name/objective` (one cluster's objective, with its days) and `GET
 * /objectives` (rollups per team and per profile, and the clusters least budget left first). Read permission,
 * conditional on the cluster as for `GET /clusters`.
 */
export function createObjectivesRouter(
  options: ObjectivesRouterOptions,
): express.Router {
  const { objectives, index, httpAuth, permissions } = options;
  const router = options.router ?? createApiRouter();
  const reads = new ClusterReadDecider(permissions, options.ruleset);

  /** The caller's read access; refused when denied. */
  const accessOf = async (req: Parameters<HttpAuthService['credentials']>[0]) =>
    reads.require(await httpAuth.credentials(req));

  const rules = () => ({
    badStates: [...objectives.countingRules.badStates],
    excludeMaintenance: objectives.countingRules.excludeMaintenance,
  });

  router.get(
    '/clusters/:managementCluster/:namespace/:name/objective',
    async (req, res) => {
      const stored = await requestedCluster(req, { httpAuth, reads, index });
      const key = stringifyClusterKey(stored);
      const r = objectives.compute(stored);
      const computedAt = new Date(r ? r.atMs : Date.now()).toISOString();
      const body: ClusterObjectiveResponse = { computedAt, rules: rules() };
      if (r) {
        const objective: ClusterObjective = {
          objective: r.objective,
          state: r.state,
          windowStart: new Date(r.windowStartMs).toISOString(),
          minutes: {
            good: minutes(r.goodMs),
            bad: minutes(r.badMs),
            excluded: minutes(r.excludedMs),
            noData: minutes(r.noDataMs),
          },
          budget: budgetOf(r),
          // burn rates and thresholds are computed at the reported precision
          burnRates: r.burnRates,
          alerts: r.alerts,
          fastBurn: r.fastBurn,
          days: series(
            objectives.stepsOf(key),
            r.windowStartMs,
            r.atMs,
            DAY,
            objectives.countingRules,
          ).map(day => {
            const counted = day.goodMs + day.badMs;
            return {
              start: new Date(day.startMs).toISOString(),
              badMinutes: minutes(day.badMs),
              ...(counted > 0
                ? { availability: reported((day.goodMs / counted) * 100) }
                : {}),
            };
          }),
        };
        if (r.availability !== undefined)
          objective.availability = reported(r.availability);
        if (r.overrideError) objective.overrideError = r.overrideError;
        body.objective = objective;
      }
      res.setHeader('Cache-Control', 'no-cache');
      res.json(body);
    },
  );

  router.get('/objectives', async (req, res) => {
    const parsed = objectivesQuerySchema.safeParse(req.query);
    if (!parsed.success) throw queryError(parsed.error.issues[0]);
    const { limit = 100, ...filters } = parsed.data;
    const { visibility, fingerprint } = await accessOf(req);
    const clusters = index.matching(filters, {
      visibility,
      visibilityKey: fingerprint,
    });
    const computed: Array<{
      key: string;
      summary: StoredClusterSummary;
      result: ObjectiveComputation;
      remainingPercent: number;
    }> = [];
    let withoutObjective = 0;
    const byOwner = new Map<string, ObjectiveComputation[]>();
    const byProfile = new Map<string, ObjectiveComputation[]>();
    for (const summary of clusters) {
      const result = objectives.compute(summary);
      if (!result) {
        withoutObjective++;
        continue;
      }
      computed.push({
        key: stringifyClusterKey(summary),
        summary,
        result,
        remainingPercent: result.remainingPercent,
      });
      const owned = byOwner.get(summary.owner) ?? [];
      owned.push(result);
      byOwner.set(summary.owner, owned);
      const profile = summary.profile ?? 'none';
      const profiled = byProfile.get(profile) ?? [];
      profiled.push(result);
      byProfile.set(profile, profiled);
    }
    computed.sort(worstFirst);
    const groups = <K extends string>(
      map: Map<string, ObjectiveComputation[]>,
      field: K,
    ) =>
      [...map]
        .map(([value, items]) => ({ value, rollup: rollUp(items) }))
        .sort(
          (a, b) =>
            a.rollup.remainingPercent - b.rollup.remainingPercent ||
            (a.value < b.value ? -1 : 1),
        )
        .map(({ value, rollup }) => ({
          ...rollupBody(rollup),
          [field]: value,
        })) as Array<ObjectiveRollupBody & Record<K, string>>;
    const body: ObjectivesResponse = {
      computedAt: new Date().toISOString(),
      rules: rules(),
      total: rollupBody(rollUp(computed.map(c => c.result))),
      byOwner: groups(byOwner, 'owner'),
      byProfile: groups(byProfile, 'profile'),
      clusters: computed.slice(0, limit).map(({ summary, result }) => {
        const item: ClusterObjectiveItem = {
          managementCluster: summary.managementCluster,
          namespace: summary.namespace,
          name: summary.name,
          title: summary.title,
          owner: summary.owner,
          health: summary.health,
          objective: result.objective,
          state: result.state,
          budget: budgetOf(result),
          burnRates: result.burnRates,
          fastBurn: result.fastBurn,
        };
        if (summary.profile) item.profile = summary.profile;
        if (summary.lifecycle) item.lifecycle = summary.lifecycle;
        if (result.availability !== undefined)
          item.availability = reported(result.availability);
        return item;
      }),
      withoutObjective,
    };
    res.setHeader('Cache-Control', 'no-cache');
    res.json(body);
  });

  return router;
}
