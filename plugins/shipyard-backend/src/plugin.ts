import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  actionsRegistryServiceRef,
  metricsServiceRef,
} from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import Router from 'express-promise-router';
import {
  SHIPYARD_FLEET_EVENTS_TOPIC,
  shipyardClusterChangePermissions,
  shipyardClusterCreatePermission,
  shipyardClusterReadPermission,
  shipyardRolloutPermissions,
} from '@shipyard/plugin-shipyard-common';
import {
  ManagementClusterSource,
  WorkloadCredentialProvider,
  clusterPermissionResourceRef,
  clusterPermissionRules,
  shipyardSourcesExtensionPoint,
} from '@shipyard/plugin-shipyard-node';
import { registerFleetActions } from './actions/fleetActions';
import { AuditStore } from './stores/AuditStore';
import { DRIFT_PROFILE_FIELDS, DriftProfiles, DriftStage } from './drift';
import { scheduleAuditRetention } from './audit/retention';
import { readShipyardConfig } from './config/config';
import { readHealthConfig } from './health/config';
import { readObjectivesConfig } from './objectives/config';
import { FastBurnNotifier } from './objectives/FastBurnNotifier';
import { readInventoryConfig, startInventoryPublisher } from './inventory';
import { HealthService } from './health/HealthService';
import { HealthStore } from './stores/HealthStore';
import { readVersionSupportConfig } from './lifecycle/config';
import {
  LIFECYCLE_PROFILE_FIELDS,
  ProfileVersions,
} from './lifecycle/ProfileVersions';
import { CatalogProfileSource } from './profiles/CatalogProfileSource';
import { VersionLifecycle } from './lifecycle/VersionLifecycle';
import { VersionSupportRefresher } from './lifecycle/VersionSupportRefresher';
import { VersionSupportStore } from './stores/VersionSupportStore';
import { ClusterOperations } from './operations/ClusterOperations';
import { readOperationsConfig } from './operations/config';
import {
  OperationServices,
  scheduleOperations,
} from './operations/operationsRouter';
import { OperationStore } from './operations/OperationStore';
import { OperationTracker } from './operations/OperationTracker';
import { CatalogProfileSizes } from './operations/profiles';
import { FleetStore } from './stores/FleetStore';
import { setUpRollouts } from './rollouts';
import { rolloutClockServiceRef } from './rollouts/clock';
import { FleetService } from './service/FleetService';
import { createShipyardRouter } from './service/shipyardRouter';
import { userFacingErrors } from './service/userFacingErrors';

/** The Shipyard backend plugin. */
export const shipyardPlugin = createBackendPlugin({
  pluginId: 'shipyard',
  register(env) {
    const sources: ManagementClusterSource[] = [];
    const credentialProviders: WorkloadCredentialProvider[] = [];
    env.registerExtensionPoint(shipyardSourcesExtensionPoint, {
      addManagementClusterSource: source => sources.push(source),
      addWorkloadCredentialProvider: provider =>
        credentialProviders.push(provider),
    });
    env.registerInit({
      deps: {
        logger: coreServices.logger,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        database: coreServices.database,
        config: coreServices.rootConfig,
        lifecycle: coreServices.lifecycle,
        scheduler: coreServices.scheduler,
        events: eventsServiceRef,
        userInfo: coreServices.userInfo,
        metrics: metricsServiceRef,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
        actionsRegistry: actionsRegistryServiceRef,
        rolloutClock: rolloutClockServiceRef,
        notifications: notificationService,
      },
      async init({
        logger,
        httpRouter,
        httpAuth,
        permissions,
        permissionsRegistry,
        database,
        config,
        lifecycle,
        scheduler,
        events,
        userInfo,
        metrics,
        auth,
        catalog,
        actionsRegistry,
        rolloutClock,
        notifications,
      }) {
        const shipyardConfig = readShipyardConfig(config);
        const inventoryConfig = readInventoryConfig(
          config,
          shipyardConfig.managementClusters.map(mc => mc.name),
        );
        const store = await FleetStore.create({
          database,
          logger,
          intervalMs: shipyardConfig.sync.persistIntervalMs,
        });
        const fleet = new FleetService({
          config: shipyardConfig,
          logger,
          store,
          sources,
          inventory: {
            clusterManager: inventoryConfig.clusterManager,
            sources: inventoryConfig.consume,
          },
        });
        const versionSupportConfig = readVersionSupportConfig(config);
        const versionLifecycle = new VersionLifecycle({
          config: versionSupportConfig,
        });
        const versionSupportRefresher = new VersionSupportRefresher({
          lifecycle: versionLifecycle,
          store: await VersionSupportStore.create(database),
          config: versionSupportConfig.refresh,
          logger: logger.child({ component: 'version-support' }),
        });
        // calendars refreshed earlier (by any replica) are in force before anything is evaluated
        await versionSupportRefresher
          .reload()
          .catch(error =>
            logger.warn(
              `Shipyard: reading refreshed support calendars failed, using the data file: ${error}`,
            ),
          );
        const health = new HealthService({
          config: readHealthConfig(config),
          objectives: readObjectivesConfig(config),
          lifecycle: versionLifecycle,
          logger: logger.child({ component: 'health' }),
          index: fleet.index,
          store: await HealthStore.create(database),
          connectionOf: name => fleet.connectionOf(name),
          inventorySecretOf: key => fleet.inventorySecretOf(key),
          credentialProviders,
        });
        // one direction: reconcile → fold → drift → health evaluation → index
        const drift = new DriftStage({
          next: health.aggregator,
          inputsOf: summary => ({
            variables: fleet.records.variablesOf(summary),
          }),
        });
        fleet.writeThrough(drift);
        const driftProfiles = new DriftProfiles({
          source: new CatalogProfileSource(catalog, auth, DRIFT_PROFILE_FIELDS),
          stage: drift,
          logger: logger.child({ component: 'drift' }),
          intervalMs:
            (config.getOptionalNumber('shipyard.drift.profileRefreshSeconds') ??
              30) * 1000,
        });

        permissionsRegistry.addResourceType({
          resourceRef: clusterPermissionResourceRef,
          permissions: [
            shipyardClusterReadPermission,
            ...shipyardClusterChangePermissions,
            ...shipyardRolloutPermissions,
          ],
          rules: Object.values(clusterPermissionRules),
          getResources: async refs =>
            refs.map(ref => {
              try {
                return fleet.index.get(ref)?.summary;
              } catch {
                return undefined;
              }
            }),
        });
        permissionsRegistry.addPermissions([shipyardClusterCreatePermission]);

        // entity-relevant changes for the catalog module
        fleet.index.subscribe(event => {
          const changes = event.changes.filter(c => c.entityChanged);
          if (changes.length === 0) return;
          events
            .publish({
              topic: SHIPYARD_FLEET_EVENTS_TOPIC,
              eventPayload: { revision: event.revision, changes },
            })
            .catch(error =>
              logger.warn(
                `Shipyard: publishing fleet changes failed: ${error}`,
              ),
            );
        });

        // the owning team hears of a fast burn of its error budget when it starts, once the backend has started
        // (the notifications backend answers only then), gathered per team and objective
        const fastBurns = new FastBurnNotifier({
          objectives: health.objectives,
          notifications,
          logger: logger.child({ component: 'objectives' }),
          summaryOf: key => fleet.index.getStored(key),
        });
        lifecycle.addStartupHook(() => fastBurns.start());
        await health.start();
        await fleet.start();
        await health.schedule(scheduler);
        await versionSupportRefresher.schedule(scheduler);
        driftProfiles.start();
        // a reader of the index: the fleet as cluster inventory API objects (inventory ClusterProfiles)
        const stopInventoryPublisher = await startInventoryPublisher({
          config: inventoryConfig,
          fleet,
          configuredManagementClusters: shipyardConfig.managementClusters.map(
            mc => mc.name,
          ),
          requestTimeoutMs: shipyardConfig.sync.requestTimeoutMs,
          scheduler,
          logger: logger.child({ component: 'inventory' }),
        });
        lifecycle.addShutdownHook(async () => {
          await stopInventoryPublisher?.();
          driftProfiles.stop();
          fastBurns.stop();
          await health.stop();
          await fleet.stop();
        });

        const auditStore = await AuditStore.create(database);
        await scheduleAuditRetention({
          scheduler,
          store: auditStore,
          logger,
          retentionDays: shipyardConfig.audit.retentionDays,
        });
        const profiles = new ProfileVersions({
          source: new CatalogProfileSource(
            catalog,
            auth,
            LIFECYCLE_PROFILE_FIELDS,
          ),
          logger: logger.child({ component: 'version-support' }),
        });
        const ruleset = permissionsRegistry.getPermissionRuleset(
          clusterPermissionResourceRef,
        );
        // the fleet's read operations for agents (the rollouts register theirs below)
        registerFleetActions(actionsRegistry, {
          fleet,
          permissions,
          ruleset,
          lifecycle: versionLifecycle,
          profiles,
        });
        // day-2 operations on one cluster (pause/resume, resize, decommission, profile version)
        const operations = new ClusterOperations({
          index: fleet.index,
          connectionOf: name => fleet.connectionOf(name),
          permissions,
          userInfo,
          ruleset,
          audit: auditStore,
          logger: logger.child({ component: 'operations' }),
          requestTimeoutMs: shipyardConfig.sync.requestTimeoutMs,
        });
        const rollouts = await setUpRollouts({
          database,
          scheduler,
          logger,
          permissions,
          userInfo,
          ruleset,
          index: fleet.index,
          auditStore,
          lifecycle: versionLifecycle,
          profiles,
          connectionOf: name => fleet.connectionOf(name),
          credentialProviders,
          actionsRegistry,
          tickSeconds: config.getOptionalNumber(
            'shipyard.rollouts.tickSeconds',
          ),
          unhealthyGraceMs:
            (config.getOptionalNumber(
              'shipyard.rollouts.unhealthyGraceSeconds',
            ) ?? 60) * 1000,
          now: () => rolloutClock.now(),
        });
        lifecycle.addShutdownHook(() => rollouts.close());
        const operationServices: OperationServices = {
          operations,
          tracker: new OperationTracker({
            store: await OperationStore.create(database),
            operations,
            logger: logger.child({ component: 'operations' }),
          }),
          profiles: new CatalogProfileSizes(catalog, auth),
          config: readOperationsConfig(config),
          platformTeam: shipyardConfig.platformTeam,
        };
        httpRouter.use(
          await createShipyardRouter({
            fleet,
            health,
            auditStore,
            logger,
            metrics,
            httpAuth,
            permissions,
            userInfo,
            ruleset,
            platformTeam: shipyardConfig.platformTeam,
            events: shipyardConfig.events,
            lifecycle: versionLifecycle,
            versionSupportRefresher,
            profiles,
            operations: operationServices,
            rollouts: rollouts.service,
          }),
        );
        lifecycle.addShutdownHook(() => operations.close());
        await scheduleOperations({
          services: operationServices,
          scheduler,
          logger,
        });
        // last: whatever a route throws reaches users without stack frames, file paths or cluster addresses
        httpRouter.use(Router().use(userFacingErrors(logger)));
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
        logger.info('Shipyard backend started');
      },
    });
  },
});
