import {
  ManagementClusterConfig,
  createManagementClusterConnection,
} from '../connections/managementClusters';
import { KubeClient } from './KubeClient';

/** Options of {@link ManagementClusterClients}. */
export interface ManagementClusterClientsOptions {
  /** The management clusters of `shipyard.managementClusters`. */
  managementClusters: ManagementClusterConfig[];
  /** The clients' request timeout (ms). */
  requestTimeoutMs: number;
  /** Told when the connection of a management cluster cannot be set up; it is tried again at the next use. */
  onConnectError(managementCluster: string, error: unknown): void;
}

/**
 * A client of each configured management cluster, created at its first use (4 sockets at the most) and shared by
 * later uses; `undefined` for a management cluster that is not configured or whose connection cannot be set up.
 * The Kubernetes module reads kubeconfig Secrets through it, the scaffolder module writes requested clusters.
 */
export class ManagementClusterClients {
  private readonly clients = new Map<string, Promise<KubeClient | undefined>>();

  constructor(private readonly options: ManagementClusterClientsOptions) {}

  /** The client of a management cluster; undefined when it is not configured or its connection cannot be set up. */
  get(managementCluster: string): Promise<KubeClient | undefined> {
    let client = this.clients.get(managementCluster);
    if (!client) {
      const config = this.options.managementClusters.find(
        c => c.name === managementCluster,
      );
      client = config
        ? createManagementClusterConnection(config).then(
            connection =>
              new KubeClient(connection, {
                requestTimeoutMs: this.options.requestTimeoutMs,
                maxSockets: 4,
              }),
            error => {
              this.options.onConnectError(managementCluster, error);
              this.clients.delete(managementCluster);
              return undefined;
            },
          )
        : Promise.resolve(undefined);
      this.clients.set(managementCluster, client);
    }
    return client;
  }

  /** Closes every client created so far. */
  async close(): Promise<void> {
    for (const client of this.clients.values()) (await client)?.close();
    this.clients.clear();
  }
}
