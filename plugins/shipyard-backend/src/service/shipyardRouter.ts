import {
  HttpAuthService,
  LoggerService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { MetricsService } from '@backstage/backend-plugin-api/alpha';
import { PermissionRuleset } from '@backstage/plugin-permission-node';
import { ClusterSummary } from '@shipyard/plugin-shipyard-common';
import { ClusterPermissionQuery } from '@shipyard/plugin-shipyard-node';
import { AuditStore } from '../stores/AuditStore';
import { createAuditRouter } from '../audit/auditRouter';
import { HealthService } from '../health/HealthService';
import { createLifecycleRouter } from '../lifecycle/lifecycleRouter';
import { createObjectivesRouter } from '../objectives/objectivesRouter';
import { ProfileVersions } from '../lifecycle/ProfileVersions';
import { VersionLifecycle } from '../lifecycle/VersionLifecycle';
import { VersionSupportRefresher } from '../lifecycle/VersionSupportRefresher';
import {
  createOperationsRouter,
  OperationServices,
} from '../operations/operationsRouter';
import { RolloutService, createRolloutsRouter } from '../rollouts';
import { createApiRouter, ShipyardApiRouter } from './apiRouter';
import { createClusterClassesRouter } from './clusterClassesRouter';
import { FleetService } from './FleetService';
import { createHistoryRouter } from './historyRouter';
import { createRouter, RouterOptions } from './router';
import { ClusterReadDecider, SharedReadAccess } from './clusterReadAccess';

/** What the routes of `/api/shipyard` read and check. */
export interface ShipyardRouterOptions {
  fleet: FleetService;
  health: HealthService;
  auditStore: AuditStore;
  logger: LoggerService;
  /** Counts audit records that could not be stored. */
  metrics?: MetricsService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  userInfo: UserInfoService;
  ruleset: PermissionRuleset<ClusterSummary, ClusterPermissionQuery>;
  /** Entity ref of the group whose members may read the audit log. */
  platformTeam: string;
  /** Limits of `GET /events` streams. */
  events?: RouterOptions['events'];
  /** The support calendars in force (`GET /version-support`). */
  lifecycle: VersionLifecycle;
  versionSupportRefresher?: VersionSupportRefresher;
  /** The cluster profiles' versions and upgrade paths (`GET /clusters/:mc/:ns/:name/lifecycle`). */
  profiles: ProfileVersions;
  /** Day-2 operations on one cluster (`POST /clusters/:mc/:ns/:name/pause`, …). */
  operations: OperationServices;
  /** Fleet rollouts (`/rollouts…`). */
  rollouts: RolloutService;
}

/**
 * The whole `/api/shipyard` API: one router of the spec's operations (`src/schema/openapi.yaml`, validated by the
 * generated `createOpenApiRouter`), to which each file adds its routes.
 */
export async function createShipyardRouter(
  options: ShipyardRouterOptions,
): Promise<ShipyardApiRouter> {
  const { fleet, health, logger, httpAuth, permissions, ruleset } = options;
  const router = createApiRouter();
  // one decision per token for the fleet page's reads that come together (table, summary, version debt)
  const access = new SharedReadAccess({
    httpAuth,
    reads: new ClusterReadDecider(permissions, ruleset),
  });
  await createRouter({
    fleet,
    logger,
    httpAuth,
    permissions,
    ruleset,
    events: options.events,
    access,
    router,
  });
  createHistoryRouter({
    index: fleet.index,
    health,
    httpAuth,
    permissions,
    ruleset,
    router,
  });
  createClusterClassesRouter({ fleet, httpAuth, permissions, router });
  createObjectivesRouter({
    objectives: health.objectives,
    index: fleet.index,
    httpAuth,
    permissions,
    ruleset,
    router,
  });
  createLifecycleRouter({
    lifecycle: options.lifecycle,
    refresher: options.versionSupportRefresher,
    httpAuth,
    index: fleet.index,
    permissions,
    ruleset,
    profiles: options.profiles,
    access,
    router,
  });
  createAuditRouter({
    store: options.auditStore,
    httpAuth,
    userInfo: options.userInfo,
    platformTeam: options.platformTeam,
    logger,
    metrics: options.metrics,
    router,
  });
  createOperationsRouter({
    services: options.operations,
    httpAuth,
    router,
  });
  createRolloutsRouter({ service: options.rollouts, httpAuth, router });
  return router;
}
