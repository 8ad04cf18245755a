import { LoggerService } from '@backstage/backend-plugin-api';
import type {
  ManagementClusterConnection,
  WorkloadCredentialProvider,
} from '@shipyard/plugin-shipyard-node';
import {
  KubeClient,
  KubeCredentials,
  KubeconfigError,
  listKubeconfigSecrets,
  pemFrom,
  readKubeconfigSecret,
} from '@shipyard/plugin-shipyard-node/kube';
import { ProbeTarget } from './types';

/** Credentials of a cluster, or why there are none. */
export type CredentialLookup =
  | { credentials: KubeCredentials }
  | { missing: 'no-credentials' | 'bad-credentials'; message: string };

/** Where a prober gets credentials from. */
export interface CredentialSource {
  /** Prepares the credentials of these targets (called once per round). */
  refresh(targets: ProbeTarget[], now?: number): Promise<void>;
  resolve(
    target: ProbeTarget,
    apiServerUrl?: string,
  ): Promise<CredentialLookup>;
  /** The credentials of a cluster were rejected. */
  invalidate(key: string): void;
  /** Only these targets remain of interest. */
  retain(targets: ProbeTarget[]): void;
}

interface NamespaceEntry {
  listedAt: number;
  /** Cluster name → credentials or the reason its kubeconfig is unusable. */
  clusters: Map<string, KubeCredentials | KubeconfigError>;
  error?: string;
}

/** Options of {@link CredentialResolver}. */
export interface CredentialResolverOptions {
  logger: LoggerService;
  /** The connection of a management cluster (to read kubeconfig Secrets from). */
  connectionOf(
    managementCluster: string,
  ): ManagementClusterConnection | undefined;
  /**
   * For a cluster that is not a Cluster API cluster (read from an inventory source): the kubeconfig Secret its
   * access provider names, and the connection of the management cluster that holds it.
   */
  secretOf?(key: string):
    | {
        connection: ManagementClusterConnection;
        ref: { namespace: string; name: string; key: string };
      }
    | undefined;
  providers?: WorkloadCredentialProvider[];
  /** How long listed kubeconfig Secrets are trusted (ms). */
  refreshMs: number;
  /** Timeout of one list request (ms). */
  requestTimeoutMs?: number;
  /** Namespaces listed at once. */
  concurrency?: number;
}

/**
 * Finds the credentials of workload clusters: first from `WorkloadCredentialProvider`s, then from the CAPI
 * `<cluster>-kubeconfig` Secret (key `value`). Secrets are listed per namespace with the
 * `cluster.x-k8s.io/cluster-name` label, page by page; each kubeconfig is parsed at once into server, CA and token or
 * client certificate, and the Secret objects are dropped. Lists are repeated after `refreshMs`, when a cluster is
 * new, or when a cluster's credentials were rejected.
 */
export class CredentialResolver implements CredentialSource {
  private readonly clients = new Map<string, KubeClient>();
  private readonly namespaces = new Map<string, NamespaceEntry>();
  /** Cluster key → the credentials read from the Secret an inventory cluster's access provider names. */
  private readonly referenced = new Map<
    string,
    {
      readAt: number;
      secret: string;
      credentials?: KubeCredentials | KubeconfigError;
      error?: string;
    }
  >();
  private readonly invalid = new Set<string>();
  private readonly warned = new Set<string>();

  constructor(private readonly options: CredentialResolverOptions) {}

  /** Re-reads the kubeconfig Secrets of the namespaces of `targets` that need it. */
  async refresh(targets: ProbeTarget[], now = Date.now()): Promise<void> {
    const due = new Map<
      string,
      { managementCluster: string; namespace: string }
    >();
    const referenced: Array<() => Promise<void>> = [];
    for (const t of targets) {
      const found = this.options.secretOf?.(t.key);
      if (found) {
        const known = this.referenced.get(t.key);
        const secret = `${found.connection.name}/${found.ref.namespace}/${found.ref.name}/${found.ref.key}`;
        if (
          !known ||
          known.secret !== secret ||
          now - known.readAt >= this.options.refreshMs ||
          this.invalid.has(t.key)
        ) {
          referenced.push(() =>
            this.readReferenced(t.key, found.connection, found.ref, now),
          );
        }
        continue;
      }
      const nsKey = `${t.managementCluster}/${t.namespace}`;
      if (due.has(nsKey)) continue;
      const entry = this.namespaces.get(nsKey);
      const stale =
        !entry ||
        now - entry.listedAt >= this.options.refreshMs ||
        this.invalid.has(t.key) ||
        // a cluster the last list did not know about: list again, but not on every round
        (!entry.clusters.has(t.name) && now - entry.listedAt >= 30_000);
      if (stale)
        due.set(nsKey, {
          managementCluster: t.managementCluster,
          namespace: t.namespace,
        });
    }
    const queue: Array<() => Promise<void>> = [
      ...[...due.entries()].map(
        ([nsKey, ns]) =>
          () =>
            this.listNamespace(nsKey, ns.managementCluster, ns.namespace, now),
      ),
      ...referenced,
    ];
    const workers = Array.from(
      { length: Math.min(this.options.concurrency ?? 8, queue.length) },
      async () => {
        for (;;) {
          const next = queue.shift();
          if (!next) return;
          await next();
        }
      },
    );
    await Promise.all(workers);
    for (const t of targets) this.invalid.delete(t.key);
  }

  /** Marks a cluster's credentials as rejected: its namespace is listed again before the next probe. */
  invalidate(key: string): void {
    this.invalid.add(key);
  }

  /** The credentials of a cluster. */
  async resolve(
    target: ProbeTarget,
    apiServerUrl?: string,
  ): Promise<CredentialLookup> {
    const reference = this.referenced.get(target.key);
    const fromSecret = reference
      ? reference.credentials
      : this.namespaces
          .get(`${target.managementCluster}/${target.namespace}`)
          ?.clusters.get(target.name);
    for (const provider of this.options.providers ?? []) {
      let provided;
      try {
        provided = await provider.getCredentials({
          managementCluster: target.managementCluster,
          namespace: target.namespace,
          name: target.name,
          provider: target.provider,
        });
      } catch (error) {
        this.warnOnce(
          `provider:${target.key}`,
          `Shipyard: a workload credential provider failed for ${target.key}: ${
            (error as Error).name
          }`,
        );
        continue;
      }
      if (!provided) continue;
      const base =
        fromSecret instanceof KubeCredentials ? fromSecret : undefined;
      const server = provided.url ?? base?.server ?? apiServerUrl;
      if (!server) {
        return {
          missing: 'bad-credentials',
          message: 'the credential provider gave no API server URL',
        };
      }
      return {
        credentials: new KubeCredentials(server, {
          ca: pemFrom(provided.caData) ?? base?.options.ca,
          token: provided.token ?? base?.options.token,
          cert: provided.token ? undefined : base?.options.cert,
          key: provided.token ? undefined : base?.options.key,
        }),
      };
    }
    if (fromSecret instanceof KubeCredentials)
      return { credentials: fromSecret };
    if (fromSecret instanceof KubeconfigError) {
      return { missing: 'bad-credentials', message: fromSecret.message };
    }
    if (reference) {
      return {
        missing: 'no-credentials',
        message: reference.error
          ? `cannot read the kubeconfig Secret its access provider names: ${reference.error}`
          : 'the kubeconfig Secret its access provider names does not exist',
      };
    }
    const nsError = this.namespaces.get(
      `${target.managementCluster}/${target.namespace}`,
    )?.error;
    return {
      missing: 'no-credentials',
      message: nsError
        ? `cannot read kubeconfig Secrets: ${nsError}`
        : `no Secret ${target.name}-kubeconfig and no credential provider`,
    };
  }

  /** Forgets everything about management clusters and namespaces no longer in use. */
  retain(targets: ProbeTarget[]): void {
    const keep = new Set(
      targets.map(t => `${t.managementCluster}/${t.namespace}`),
    );
    for (const nsKey of this.namespaces.keys()) {
      if (!keep.has(nsKey)) this.namespaces.delete(nsKey);
    }
    const keys = new Set(targets.map(t => t.key));
    for (const key of this.referenced.keys()) {
      if (!keys.has(key)) this.referenced.delete(key);
    }
    const mcs = new Set(targets.map(t => t.managementCluster));
    for (const t of targets) {
      const found = this.options.secretOf?.(t.key);
      if (found) mcs.add(found.connection.name);
    }
    for (const [name, client] of this.clients) {
      if (!mcs.has(name)) {
        client.close();
        this.clients.delete(name);
      }
    }
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
    this.namespaces.clear();
  }

  private client(
    managementCluster: string,
    given?: ManagementClusterConnection,
  ): KubeClient | undefined {
    let client = this.clients.get(managementCluster);
    if (!client) {
      const connection = given ?? this.options.connectionOf(managementCluster);
      if (!connection) return undefined;
      client = new KubeClient(connection, {
        requestTimeoutMs: this.options.requestTimeoutMs ?? 15_000,
        maxSockets: 4,
      });
      this.clients.set(managementCluster, client);
    }
    return client;
  }

  /** Reads the kubeconfig Secret an inventory cluster's access provider names (one `get`). */
  private async readReferenced(
    key: string,
    connection: ManagementClusterConnection,
    ref: { namespace: string; name: string; key: string },
    now: number,
  ): Promise<void> {
    const secret = `${connection.name}/${ref.namespace}/${ref.name}/${ref.key}`;
    const client = this.client(connection.name, connection);
    try {
      const credentials = await readKubeconfigSecret(client!, ref);
      if (!credentials) {
        this.referenced.set(key, { readAt: now, secret });
        return;
      }
      this.referenced.set(key, { readAt: now, secret, credentials });
    } catch (error) {
      const message = (error as Error).message;
      this.warnOnce(
        `ref:${secret}:${message}`,
        `Shipyard: cannot read the kubeconfig Secret ${secret} of ${key}: ${message}`,
      );
      const previous = this.referenced.get(key);
      this.referenced.set(key, {
        readAt: now,
        secret,
        credentials: previous?.credentials,
        error: message,
      });
    }
  }

  private async listNamespace(
    nsKey: string,
    managementCluster: string,
    namespace: string,
    now: number,
  ): Promise<void> {
    const previous = this.namespaces.get(nsKey);
    const client = this.client(managementCluster);
    if (!client) {
      this.namespaces.set(nsKey, {
        listedAt: now,
        clusters: previous?.clusters ?? new Map(),
        error: 'management cluster not connected',
      });
      return;
    }
    try {
      const clusters = await listKubeconfigSecrets(client, namespace);
      this.namespaces.set(nsKey, { listedAt: now, clusters });
    } catch (error) {
      const message = (error as Error).message;
      this.warnOnce(
        `list:${nsKey}:${message}`,
        `Shipyard: cannot list kubeconfig Secrets in ${nsKey}: ${message}`,
      );
      // keep what was known; try again after the refresh interval
      this.namespaces.set(nsKey, {
        listedAt: now,
        clusters: previous?.clusters ?? new Map(),
        error: message,
      });
    }
  }

  private warnOnce(id: string, message: string) {
    if (this.warned.has(id)) return;
    if (this.warned.size > 1000) this.warned.clear();
    this.warned.add(id);
    this.options.logger.warn(message);
  }
}
