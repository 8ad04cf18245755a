import {
  AuthService,
  DiscoveryService,
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskRunner,
} from '@backstage/backend-plugin-api';
import type { MetricsService } from '@backstage/backend-plugin-api/alpha';
import { Config } from '@backstage/config';
import { ShipyardApiClient } from '../client/ShipyardApiClient';
import { ShipyardCatalogConfig, readShipyardCatalogConfig } from '../config';

/** What the entity providers' `fromConfig` take of the backend's services. */
export interface ShipyardProviderDeps {
  logger: LoggerService;
  discovery: DiscoveryService;
  auth: AuthService;
  /** Runs the provider's full sync on its schedule of `catalog.providers.shipyard`. */
  scheduler?: SchedulerService;
  metrics?: MetricsService;
}

/**
 * What both entity providers are made of from `catalog.providers.shipyard`: the configuration, the client of the
 * Shipyard backend (with the catalog's service credentials), the runner of the schedule of `schedule`, the logger and
 * the metrics.
 */
export function providerWiring(
  rootConfig: Config,
  deps: ShipyardProviderDeps,
  schedule: 'clusters' | 'profiles',
): {
  config: ShipyardCatalogConfig;
  client: ShipyardApiClient;
  logger: LoggerService;
  taskRunner?: SchedulerServiceTaskRunner;
  metrics?: MetricsService;
} {
  const config = readShipyardCatalogConfig(rootConfig);
  return {
    config,
    client: ShipyardApiClient.fromCatalogConfig(config, deps),
    logger: deps.logger,
    taskRunner: deps.scheduler?.createScheduledTaskRunner(
      config[schedule].schedule,
    ),
    metrics: deps.metrics,
  };
}
