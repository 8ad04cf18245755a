import { LoggerService } from '@backstage/backend-plugin-api';
import { ManagementClusterConfig } from '@shipyard/plugin-shipyard-node';
import { ManagementClusterClients } from '@shipyard/plugin-shipyard-node/kube';

/** Write clients of the management clusters in `shipyard.managementClusters`, created on first use. */
export class ManagementClusterConnections extends ManagementClusterClients {
  constructor(
    configs: ManagementClusterConfig[],
    options: {
      logger: LoggerService;
      requestTimeoutMs: number;
    },
  ) {
    super({
      managementClusters: configs,
      requestTimeoutMs: options.requestTimeoutMs,
      onConnectError: (name, error) =>
        options.logger.error(
          `Shipyard: cannot set up management cluster ${name}: ${error}`,
        ),
    });
  }
}
