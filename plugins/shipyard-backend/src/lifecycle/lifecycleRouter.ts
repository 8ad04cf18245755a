import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { PermissionRuleset } from '@backstage/plugin-permission-node';
import {
  BUNDLED_VERSION_SUPPORT,
  ClusterLifecycleResponse,
  ClusterSummary,
  VersionDebtResponse,
  VersionSupportCalendarEntry,
  VersionSupportCalendarInfo,
  VersionSupportResponse,
  dayOf,
  daysUntil,
  planClusterUpgrades,
} from '@shipyard/plugin-shipyard-common';
import { ClusterPermissionQuery } from '@shipyard/plugin-shipyard-node';
import express from 'express';
import { z } from 'zod';
import { FleetIndex, StoredClusterSummary } from '../index/FleetIndex';
import { createApiRouter, ShipyardApiRouter } from '../service/apiRouter';
import { queryError, selectionQuerySchema } from '../service/selectionQuery';
import {
  ClusterReadDecider,
  SharedReadAccess,
  requestedCluster,
} from '../service/clusterReadAccess';
import { ProfileVersions } from './ProfileVersions';
import { VersionLifecycle } from './VersionLifecycle';
import { VersionSupportRefresher } from './VersionSupportRefresher';
import { computeVersionDebt } from './versionDebt';

/** The filters of `GET /clusters` (no sort or page) and the months to project. */
const debtQuerySchema = selectionQuerySchema.extend({
  months: z.coerce.number().int().min(1).max(24).optional(),
});

/** One distribution's calendar with every record's status at a time, and the age of a refreshed calendar. */
function calendarEntry(
  lifecycle: VersionLifecycle,
  info: VersionSupportCalendarInfo,
  now: number,
): VersionSupportCalendarEntry {
  const entry: VersionSupportCalendarEntry = { ...info, records: [] };
  if (info.refreshedAt) {
    entry.ageSeconds = Math.max(
      0,
      Math.round((now - Date.parse(info.refreshedAt)) / 1000),
    );
  }
  for (const record of lifecycle.calendar.records(info.name)) {
    const vs = lifecycle.evaluate(
      { distribution: info.name, kubernetesMinor: record.minor },
      now,
    );
    entry.records.push({
      ...record,
      status: vs.status,
      ...(vs.nextBoundary
        ? {
            nextBoundary: vs.nextBoundary,
            daysToNextBoundary: daysUntil(vs.nextBoundary.date, now),
          }
        : {}),
    });
  }
  return entry;
}

const querySchema = z
  .object({
    distribution: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a distribution name')
      .max(63)
      .optional(),
  })
  .strict();

/**
 * The support calendars in force with the status of every record on the day asked, where each came from (the data
 * file, a refreshed calendar with its URL and age, or configuration) and the state of the refresh sources.
 */
export async function describeVersionSupport(
  lifecycle: VersionLifecycle,
  refresher: VersionSupportRefresher | undefined,
  options: { distribution?: string } = {},
): Promise<VersionSupportResponse> {
  const now = lifecycle.now();
  const calendar = lifecycle.calendar;
  const distributions: VersionSupportCalendarEntry[] = [];
  for (const info of calendar.distributions()) {
    if (options.distribution && info.name !== options.distribution) continue;
    distributions.push(calendarEntry(lifecycle, info, now));
  }
  return {
    evaluatedAt: new Date(now).toISOString(),
    dataFile: {
      schemaVersion: BUNDLED_VERSION_SUPPORT.schemaVersion,
      updatedAt: BUNDLED_VERSION_SUPPORT.updatedAt,
      ageDays: Math.max(
        0,
        Math.floor(
          (Date.parse(`${dayOf(now)}T00:00:00Z`) -
            Date.parse(`${BUNDLED_VERSION_SUPPORT.updatedAt}T00:00:00Z`)) /
            86_400_000,
        ),
      ),
    },
    nearingEndOfLifeDays: lifecycle.config.nearingEndOfLifeDays,
    refresh: {
      enabled: refresher?.enabled ?? false,
      sources: (await refresher?.status()) ?? [],
    },
    distributions,
  };
}

/**
 * One cluster's calendar, support status, days to its next boundary, available upgrades and path back into support
 * (the answer of `GET /clusters/:managementCluster/:namespace/:name/lifecycle` and of the `cluster-lifecycle` action).
 */
export async function describeClusterLifecycle(
  lifecycle: VersionLifecycle,
  stored: StoredClusterSummary,
  profileVersions: ProfileVersions | undefined,
): Promise<ClusterLifecycleResponse> {
  const { managementCluster, namespace, name } = stored;
  const now = lifecycle.now();
  const support = lifecycle.evaluate(stored, now);
  const calendarName = support.calendar ?? 'upstream';
  const info =
    lifecycle.calendar
      .distributions()
      .find(d => d.name === (stored.distribution ?? calendarName)) ??
    lifecycle.calendar.distributions().find(d => d.name === calendarName);
  const profiles = (await profileVersions?.get()) ?? {
    nodes: [],
    available: false,
  };
  const version =
    stored.observedKubernetesVersion ??
    stored.kubernetesVersion ??
    stored.kubernetesMinor;
  const extendedSupport = lifecycle.extendedSupportOf(stored);
  return {
    cluster: {
      managementCluster,
      namespace,
      name,
      ...(stored.distribution ? { distribution: stored.distribution } : {}),
      ...(version ? { kubernetesVersion: version } : {}),
      ...(stored.profile ? { profile: stored.profile } : {}),
      ...(stored.profileVersion
        ? { profileVersion: stored.profileVersion }
        : {}),
    },
    evaluatedAt: new Date(now).toISOString(),
    support: {
      ...support,
      ...(support.nextBoundary
        ? { daysToNextBoundary: daysUntil(support.nextBoundary.date, now) }
        : {}),
    },
    calendar: info
      ? calendarEntry(lifecycle, info, now)
      : {
          name: calendarName,
          title: calendarName,
          source: 'configuration',
          origin: 'bundled',
          records: [],
        },
    upgrades: planClusterUpgrades({
      calendar: lifecycle.calendar,
      now,
      distribution: stored.distribution,
      kubernetesVersion: version,
      ...(extendedSupport === undefined ? {} : { extendedSupport }),
      profile: stored.profile,
      profileVersion: stored.profileVersion,
      profiles: profiles.nodes,
    }),
    profilesAvailable: profiles.available,
  };
}

/** Options of {@link createLifecycleRouter}. */
export interface LifecycleRouterOptions {
  lifecycle: VersionLifecycle;
  refresher?: VersionSupportRefresher;
  httpAuth: HttpAuthService;
  /** With these, `GET /clusters/:managementCluster/:namespace/:name/lifecycle` is served too. */
  index?: FleetIndex;
  permissions?: PermissionsService;
  ruleset?: PermissionRuleset<ClusterSummary, ClusterPermissionQuery>;
  profiles?: ProfileVersions;
  /**
   * The read access shared with the API's other read routes (`GET /version-support/debt` asks through it); one of
   * this router's own by default.
   */
  access?: SharedReadAccess;
  /** The router to add the routes to (the plugin's one router of the spec); a new one by default. */
  router?: ShipyardApiRouter;
}

/**
 * `GET /version-support`: the support calendars in force and where they come from; `GET
 * /clusters/:managementCluster/:namespace/:name/lifecycle`: one cluster's calendar, status, days to its next boundary,
 * available upgrades and path back into support (read permission, conditional on the cluster as for the summary).
 */
export function createLifecycleRouter(
  options: LifecycleRouterOptions,
): express.Router {
  const router = options.router ?? createApiRouter();
  const { lifecycle, httpAuth } = options;

  router.get('/version-support', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const parsed = querySchema.safeParse(req.query);
    if (!parsed.success) throw queryError(parsed.error.issues[0]);
    res.setHeader('Cache-Control', 'no-cache');
    res.json(
      await describeVersionSupport(lifecycle, options.refresher, parsed.data),
    );
  });

  const { index, permissions, ruleset } = options;
  if (!index || !permissions || !ruleset) return router;

  const reads = new ClusterReadDecider(permissions, ruleset);
  const shared = options.access ?? new SharedReadAccess({ httpAuth, reads });

  // answers per fleet revision, day, calendars, caller visibility and filters (the fleet page asks on every change)
  const debtCache = new Map<string, VersionDebtResponse>();
  router.get('/version-support/debt', async (req, res) => {
    const parsed = debtQuerySchema.safeParse(req.query);
    if (!parsed.success) throw queryError(parsed.error.issues[0]);
    const { visibility, fingerprint } = await shared.require(req);
    const { months, ...filters } = parsed.data;
    const now = lifecycle.now();
    const cacheKey = JSON.stringify([
      index.revision,
      dayOf(now),
      lifecycle.generation,
      fingerprint,
      filters,
      months,
    ]);
    let body = cacheKey ? debtCache.get(cacheKey) : undefined;
    if (!body) {
      const clusters = index.matching(filters, {
        visibility,
        visibilityKey: fingerprint,
      });
      body = computeVersionDebt(clusters, lifecycle, { now, months });
      if (cacheKey) {
        if (debtCache.size >= 32) debtCache.clear();
        debtCache.set(cacheKey, body);
      }
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.json(body);
  });

  router.get(
    '/clusters/:managementCluster/:namespace/:name/lifecycle',
    async (req, res) => {
      const stored = await requestedCluster(req, { httpAuth, reads, index });
      const body = await describeClusterLifecycle(
        lifecycle,
        stored,
        options.profiles,
      );
      res.setHeader('Cache-Control', 'no-cache');
      res.json(body);
    },
  );
  return router;
}
