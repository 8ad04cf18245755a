import { LoggerService } from '@backstage/backend-plugin-api';
import { ClusterKey } from '@shipyard/plugin-shipyard-common';
import { ManagementClusterConfig } from '@shipyard/plugin-shipyard-node';
import {
  KubeCredentials,
  ManagementClusterClients,
  listKubeconfigSecrets,
} from '@shipyard/plugin-shipyard-node/kube';

interface NamespaceEntry {
  listedAt: number;
  /** Cluster name → credentials (clusters whose kubeconfig cannot be used are absent). */
  clusters: Map<string, KubeCredentials>;
}

/** Options of {@link KubeconfigSecrets}. */
export interface KubeconfigSecretsOptions {
  managementClusters: ManagementClusterConfig[];
  logger: LoggerService;
  /** How long a namespace's listed Secrets are trusted (ms). */
  refreshMs: number;
  requestTimeoutMs?: number;
}

/**
 * The credentials of workload clusters, from their Cluster API `<cluster>-kubeconfig` Secrets (key `value`), read on
 * the management clusters of `shipyard.managementClusters` with the reader the Shipyard backend's prober uses
 * (`listKubeconfigSecrets` of `@shipyard/plugin-shipyard-node/kube`): the Secrets of a namespace are listed at once,
 * each kubeconfig is parsed into server, CA and token or client certificate and the Secret is dropped. A cluster whose
 * kubeconfig cannot be used is left out, with a warning. The credentials live in this process only
 * (`KubeCredentials` print and serialise as a placeholder); this cache of them is the module's own, as the Kubernetes
 * plugin asks for one cluster at a time rather than in probing rounds.
 */
export class KubeconfigSecrets {
  private readonly clients: ManagementClusterClients;
  private readonly namespaces = new Map<string, NamespaceEntry>();
  private readonly listing = new Map<string, Promise<NamespaceEntry>>();
  private readonly warned = new Set<string>();

  constructor(private readonly options: KubeconfigSecretsOptions) {
    this.clients = new ManagementClusterClients({
      managementClusters: options.managementClusters,
      requestTimeoutMs: options.requestTimeoutMs ?? 15_000,
      onConnectError: (managementCluster, error) =>
        this.warnOnce(
          `connect:${managementCluster}`,
          `Shipyard: cannot connect to management cluster ${managementCluster}: ${error}`,
        ),
    });
  }

  /** The credentials of a cluster, or undefined when it has no usable kubeconfig Secret. */
  async credentialsOf(
    key: ClusterKey,
    options: { fresh?: boolean } = {},
  ): Promise<KubeCredentials | undefined> {
    const entry = await this.namespace(
      key.managementCluster,
      key.namespace,
      options.fresh,
    );
    return entry.clusters.get(key.name);
  }

  /** Forgets a cluster's credentials (they were rejected): its namespace is listed again on the next use. */
  invalidate(key: ClusterKey): void {
    this.namespaces.delete(`${key.managementCluster}/${key.namespace}`);
  }

  async close(): Promise<void> {
    await this.clients.close();
    this.namespaces.clear();
  }

  private async namespace(
    managementCluster: string,
    namespace: string,
    fresh = false,
  ): Promise<NamespaceEntry> {
    const nsKey = `${managementCluster}/${namespace}`;
    const now = Date.now();
    const known = this.namespaces.get(nsKey);
    if (known && !fresh && now - known.listedAt < this.options.refreshMs)
      return known;
    let pending = this.listing.get(nsKey);
    if (!pending) {
      pending = this.list(managementCluster, namespace, known).finally(() =>
        this.listing.delete(nsKey),
      );
      this.listing.set(nsKey, pending);
    }
    const entry = await pending;
    this.namespaces.set(nsKey, entry);
    return entry;
  }

  private async list(
    managementCluster: string,
    namespace: string,
    previous: NamespaceEntry | undefined,
  ): Promise<NamespaceEntry> {
    const listedAt = Date.now();
    const client = await this.clients.get(managementCluster);
    if (!client) return { listedAt, clusters: previous?.clusters ?? new Map() };
    const clusters = new Map<string, KubeCredentials>();
    try {
      const read = await listKubeconfigSecrets(client, namespace);
      for (const [clusterName, credentials] of read) {
        if (credentials instanceof KubeCredentials) {
          clusters.set(clusterName, credentials);
        } else {
          this.warnOnce(
            `parse:${managementCluster}/${namespace}/${clusterName}`,
            `Shipyard: the kubeconfig of ${managementCluster}/${namespace}/${clusterName} cannot be used: ${credentials.message}`,
          );
        }
      }
      return { listedAt, clusters };
    } catch (error) {
      this.warnOnce(
        `list:${managementCluster}/${namespace}`,
        `Shipyard: cannot list kubeconfig Secrets in ${managementCluster}/${namespace}: ${
          (error as Error).message
        }`,
      );
      // keep what was known; try again after the refresh interval
      return { listedAt, clusters: previous?.clusters ?? new Map() };
    }
  }

  private warnOnce(id: string, message: string) {
    if (this.warned.has(id)) return;
    if (this.warned.size > 1000) this.warned.clear();
    this.warned.add(id);
    this.options.logger.warn(message);
  }
}
