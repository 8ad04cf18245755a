import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { readShipyardConfig } from '../config/config';
import { readHealthConfig } from '../health/config';
import { HealthService } from '../health/HealthService';
import { readVersionSupportConfig } from '../lifecycle/config';
import { VersionLifecycle } from '../lifecycle/VersionLifecycle';
import { FleetService } from '../service/FleetService';

/**
 * A fleet service and a health service wired as the plugin wires them (the fleet writes through health into the index, probes
 * through the fleet's connections), both started. Stop them with `stop()`.
 */
export async function startFleetWithHealth(
  config: Config,
  logger: LoggerService,
): Promise<{
  fleet: FleetService;
  health: HealthService;
  stop: () => Promise<void>;
}> {
  const fleet = new FleetService({
    config: readShipyardConfig(config),
    logger,
  });
  const health = new HealthService({
    config: readHealthConfig(config),
    logger,
    index: fleet.index,
    connectionOf: name => fleet.connectionOf(name),
    lifecycle: new VersionLifecycle({
      config: readVersionSupportConfig(config),
    }),
  });
  fleet.writeThrough(health.aggregator);
  await health.start();
  await fleet.start();
  return {
    fleet,
    health,
    stop: async () => {
      await health.stop();
      await fleet.stop();
    },
  };
}
