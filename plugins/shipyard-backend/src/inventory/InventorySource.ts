import { LoggerService } from '@backstage/backend-plugin-api';
import {
  INVENTORY_CLUSTER_PROFILE_RESOURCE,
  SourceState,
  resourcePath,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import {
  Backoff,
  ManagementClusterConnection,
  sleep,
} from '@shipyard/plugin-shipyard-node';
import {
  KubeApiError,
  KubeClient,
  KubeObject,
} from '@shipyard/plugin-shipyard-node/kube';
import { SyncConfig } from '../config/config';
import { OwnershipResolver } from '../config/ownership';
import { FleetSink } from '../index/FleetIndex';
import { InventoryConsumeConfig } from './config';
import {
  InventorySecretRef,
  inventoryClusterSummary,
  isPublishedBy,
} from './consume';

/** Options of {@link InventorySource}. */
export interface InventorySourceOptions {
  config: InventoryConsumeConfig;
  /** The connection of the management cluster that holds the inventory ClusterProfiles. */
  connection: ManagementClusterConnection;
  /** Shipyard's own cluster manager name: its objects are skipped. */
  clusterManager: string;
  /** Where the summaries go (the same stages as the Cluster API reconcilers': drift, health, index). */
  sink: FleetSink;
  ownership: OwnershipResolver;
  sync: SyncConfig;
  logger: LoggerService;
}

/**
 * The second kind of source: the inventory ClusterProfiles (`multicluster.x-k8s.io/v1alpha1`) that other cluster
 * managers published on one management cluster (in one namespace, or all), listed and watched (resumed from the last
 * resourceVersion, relisted after 410, backoff with jitter). Each becomes a summary of origin `inventory`, keyed
 * `<source name>/<namespace>/<name>`; Shipyard's own published objects are skipped. A cluster leaves the fleet only
 * when its object is deleted (a watch event, or a complete list without it); an unreachable source keeps its
 * clusters, marked stale.
 */
export class InventorySource {
  readonly name: string;
  private readonly client: KubeClient;
  private readonly abort = new AbortController();
  /** Keys of the clusters written → their kubeconfig Secret reference, when resolvable. */
  private readonly clusters = new Map<string, InventorySecretRef | undefined>();
  private readonly path: string;
  private running?: Promise<void>;
  private failingSince?: number;
  private staleTimer?: NodeJS.Timeout;
  private state: SourceState = 'syncing';
  private staleSince?: string;
  private lastSeenAt?: string;
  private listedOnce = false;
  private readonly syncWaiters: Array<() => void> = [];

  constructor(private readonly options: InventorySourceOptions) {
    this.name = options.config.name;
    this.client = new KubeClient(options.connection, {
      name: options.connection.name,
      requestTimeoutMs: options.sync.requestTimeoutMs,
      idleTimeoutMs: options.sync.idleTimeoutMs,
      maxResponseBytes: options.sync.maxResponseBytes,
      maxSockets: 2,
    });
    this.path = resourcePath(
      INVENTORY_CLUSTER_PROFILE_RESOURCE,
      options.config.namespace ? { namespace: options.config.namespace } : {},
    );
  }

  start(): void {
    this.publishState();
    this.running = this.run().catch(error =>
      this.options.logger.error(
        `Shipyard: inventory source ${this.name} stopped: ${error}`,
      ),
    );
  }

  async stop(): Promise<void> {
    this.abort.abort();
    clearTimeout(this.staleTimer);
    await this.running;
    this.client.close();
  }

  /** Resolves once the inventory ClusterProfiles have been listed completely. */
  waitForInitialSync(): Promise<void> {
    if (this.listedOnce) return Promise.resolve();
    return new Promise(resolve => this.syncWaiters.push(resolve));
  }

  /** The kubeconfig Secret (on the source's management cluster) an inventory cluster's access provider names. */
  secretRefOf(key: string): InventorySecretRef | undefined {
    return this.clusters.get(key);
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    const { sync } = this.options;
    const backoff = new Backoff(
      sync.backoff.initialDelayMs,
      sync.backoff.maxDelayMs,
    );
    let resourceVersion: string | undefined;
    while (!signal.aborted) {
      try {
        if (!resourceVersion) {
          resourceVersion = await this.relist(signal);
          if (signal.aborted) return;
          this.succeeded();
          backoff.reset();
        }
        for await (const event of this.client.watch(this.path, {
          resourceVersion,
          timeoutSeconds: sync.watchTimeoutSeconds,
          signal,
          onOpen: () => this.succeeded(),
          responseTimeoutMs: sync.requestTimeoutMs,
          eventTimeoutMs: 2 * sync.bookmarkIntervalMs,
        })) {
          this.seen();
          if (event.type === 'BOOKMARK') {
            if (event.resourceVersion) resourceVersion = event.resourceVersion;
            continue;
          }
          this.apply(event.object, event.type === 'DELETED');
          const rv = event.object?.metadata?.resourceVersion;
          if (typeof rv === 'string' && rv) resourceVersion = rv;
        }
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof KubeApiError && error.isExpired) {
          resourceVersion = undefined;
          continue;
        }
        this.failed(error as Error);
        await sleep(backoff.next(), signal);
      }
    }
  }

  /** Lists every inventory ClusterProfile and removes the clusters whose object is gone. */
  private async relist(signal: AbortSignal): Promise<string> {
    const seen = new Set<string>();
    let resourceVersion = '';
    for await (const page of this.client.list(this.path, {
      pageSize: this.options.sync.pageSize,
      signal,
    })) {
      this.seen();
      resourceVersion = page.resourceVersion || resourceVersion;
      for (const object of page.items) {
        const key = this.apply(object, false);
        if (key) seen.add(key);
      }
    }
    for (const key of [...this.clusters.keys()]) {
      if (!seen.has(key)) this.removeCluster(key);
    }
    // clusters known before (restored from the database) whose object no longer exists
    for (const key of this.options.sink.keysOf(this.name)) {
      if (!seen.has(key)) this.removeCluster(key);
    }
    if (!this.listedOnce) {
      this.listedOnce = true;
      for (const resolve of this.syncWaiters.splice(0)) resolve();
    }
    if (!resourceVersion) {
      throw new KubeApiError('inventory list returned no resourceVersion', 0);
    }
    return resourceVersion;
  }

  /** Writes (or removes) the cluster of one object; returns its key when it is one of the fleet's. */
  private apply(object: KubeObject, deleted: boolean): string | undefined {
    if (!object?.metadata?.name) return undefined;
    const key = stringifyClusterKey({
      managementCluster: this.name,
      namespace: object.metadata.namespace ?? 'default',
      name: object.metadata.name,
    });
    if (deleted || isPublishedBy(object, this.options.clusterManager)) {
      this.removeCluster(key);
      return undefined;
    }
    const read = inventoryClusterSummary(object, {
      source: this.name,
      managementCluster: this.options.connection.name,
      ownership: this.options.ownership,
    });
    if (!read) return undefined;
    this.clusters.set(key, read.secretRef);
    this.options.sink.upsert(read.summary, { lastSeenAt: this.lastSeenAt });
    return key;
  }

  private removeCluster(key: string): void {
    this.clusters.delete(key);
    this.options.sink.remove(key);
  }

  private seen(): void {
    this.lastSeenAt = new Date().toISOString();
    this.options.sink.touchSource(this.name, this.lastSeenAt);
  }

  private succeeded(): void {
    this.seen();
    this.failingSince = undefined;
    clearTimeout(this.staleTimer);
    this.staleTimer = undefined;
    if (this.state !== 'connected') {
      this.state = 'connected';
      this.staleSince = undefined;
      this.publishState();
    }
  }

  private failed(error: Error): void {
    this.options.logger.warn(
      `Shipyard: inventory source ${this.name} (${this.options.connection.name}): ${error.message}`,
    );
    if (this.failingSince !== undefined) return;
    this.failingSince = Date.now();
    const since = this.failingSince;
    this.staleTimer = setTimeout(() => {
      if (this.failingSince !== since) return;
      this.state = 'stale';
      this.staleSince = new Date(since).toISOString();
      this.publishState();
    }, this.options.sync.staleAfterMs);
    this.staleTimer.unref?.();
  }

  private publishState(): void {
    this.options.sink.setSourceState(this.name, {
      state: this.state,
      staleSince: this.staleSince,
      lastSeenAt: this.lastSeenAt,
    });
  }
}
