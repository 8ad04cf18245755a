import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { metricsServiceRef } from '@backstage/backend-plugin-api/alpha';
import {
  catalogProcessingExtensionPoint,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { readShipyardCatalogConfig } from './config';
import { ClusterProfileProcessor } from './processors/ClusterProfileProcessor';
import {
  CatalogServiceProfileSource,
  ProfileIndex,
} from './profiles/ProfileIndex';
import { ClusterEntityProvider } from './providers/ClusterEntityProvider';
import { ClusterProfileEntityProvider } from './providers/ClusterProfileEntityProvider';

/**
 * Catalog module of Shipyard: the `ClusterProfile` kind, clusters and management clusters as `Resource` entities,
 * and profiles generated from ClusterClasses.
 */
export const catalogModuleShipyard = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'shipyard',
  register(env) {
    env.registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        scheduler: coreServices.scheduler,
        events: eventsServiceRef,
        catalogService: catalogServiceRef,
        metrics: metricsServiceRef,
      },
      async init({
        catalog,
        config,
        logger,
        discovery,
        auth,
        scheduler,
        events,
        catalogService,
        metrics,
      }) {
        const shipyardConfig = readShipyardCatalogConfig(config);
        const profiles = new ProfileIndex({
          config: shipyardConfig,
          source: new CatalogServiceProfileSource(catalogService, auth),
          logger,
        });
        catalog.addProcessor(
          new ClusterProfileProcessor({
            managementClusterNamespace: shipyardConfig.entityNamespace,
          }),
        );
        catalog.addEntityProvider(
          ClusterEntityProvider.fromConfig(config, {
            logger,
            discovery,
            auth,
            scheduler,
            events,
            profiles,
            metrics,
          }),
          ClusterProfileEntityProvider.fromConfig(config, {
            logger,
            discovery,
            auth,
            scheduler,
            profiles,
            metrics,
          }),
        );
      },
    });
  },
});
