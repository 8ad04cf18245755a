import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { KubeClient } from '@shipyard/plugin-shipyard-node/kube';
import type { FleetService } from '../service/FleetService';
import { InventoryConfig } from './config';
import { InventoryPublisher } from './InventoryPublisher';

export { readInventoryConfig } from './config';
export type {
  InventoryConfig,
  InventoryConsumeConfig,
  InventoryPublishConfig,
} from './config';
export { InventoryPublisher } from './InventoryPublisher';
export { InventorySource } from './InventorySource';

/**
 * Starts publishing the fleet as inventory ClusterProfiles when `shipyard.inventory.publish` is configured: the
 * publisher follows the index, and a `local` scheduled task resyncs it. Call after the fleet started. Returns a
 * function that stops it.
 */
export async function startInventoryPublisher(options: {
  config: InventoryConfig;
  fleet: FleetService;
  configuredManagementClusters: string[];
  requestTimeoutMs: number;
  scheduler: SchedulerService;
  logger: LoggerService;
}): Promise<(() => Promise<void>) | undefined> {
  const { config, fleet, logger } = options;
  const publish = config.publish;
  if (!publish) return undefined;
  const connection = fleet.connectionOf(publish.managementCluster);
  if (!connection) {
    if (
      !options.configuredManagementClusters.includes(publish.managementCluster)
    ) {
      throw new InputError(
        `shipyard.inventory.publish.managementCluster names no management cluster: ${publish.managementCluster}`,
      );
    }
    logger.error(
      `Shipyard: not publishing the inventory: management cluster ${publish.managementCluster} could not be set up`,
    );
    return undefined;
  }
  const publisher = new InventoryPublisher({
    index: fleet.index,
    client: new KubeClient(connection, {
      requestTimeoutMs: options.requestTimeoutMs,
      maxSockets: publish.concurrency,
    }),
    config: publish,
    clusterManager: config.clusterManager,
    managementClusters: () => fleet.managementClusters(),
    // clusters read from other cluster managers' inventories are theirs to publish
    publishes: summary => summary.origin !== 'inventory',
    logger,
  });
  publisher.start();
  await options.scheduler.scheduleTask({
    id: 'shipyard:inventory:resync',
    scope: 'local',
    frequency: { milliseconds: publish.resyncIntervalMs },
    initialDelay: { milliseconds: publish.resyncIntervalMs },
    timeout: { minutes: 10 },
    fn: () => publisher.resync(),
  });
  logger.info(
    `Shipyard publishes the fleet as inventory ClusterProfiles in ${publish.managementCluster}/${publish.namespace}`,
  );
  return () => publisher.stop();
}
