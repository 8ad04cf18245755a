import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ManagementClusterConfig,
  createManagementClusterConnection,
} from '@shipyard/plugin-shipyard-node';
import { KubeClient } from '@shipyard/plugin-shipyard-node/kube';

/** Write clients of the management clusters in `shipyard.managementClusters`, created on first use. */
export class ManagementClusterConnections {
  private readonly clients = new Map<string, Promise<KubeClient | undefined>>();

  constructor(
    private readonly configs: ManagementClusterConfig[],
    private readonly options: {
      logger: LoggerService;
      requestTimeoutMs: number;
    },
  ) {}

  get(name: string): Promise<KubeClient | undefined> {
    let client = this.clients.get(name);
    if (!client) {
      const config = this.configs.find(c => c.name === name);
      client = config
        ? createManagementClusterConnection(config).then(
            connection =>
              new KubeClient(connection, {
                requestTimeoutMs: this.options.requestTimeoutMs,
                maxSockets: 4,
              }),
            error => {
              this.options.logger.error(
                `Shipyard: cannot set up management cluster ${name}: ${error}`,
              );
              this.clients.delete(name);
              return undefined;
            },
          )
        : Promise.resolve(undefined);
      this.clients.set(name, client);
    }
    return client;
  }

  async close(): Promise<void> {
    for (const client of this.clients.values()) (await client)?.close();
    this.clients.clear();
  }
}
