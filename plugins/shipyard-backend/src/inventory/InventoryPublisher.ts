import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ClusterSummary,
  INVENTORY_CLUSTER_PROFILE_RESOURCE,
  INVENTORY_FIELD_MANAGER,
  INVENTORY_LABELS,
  ManagementClusterStatus,
  parseClusterKey,
  resourcePath,
} from '@shipyard/plugin-shipyard-common';
import { clusterEntityName } from '@shipyard/plugin-shipyard-node';
import {
  KubeApiError,
  KubeClient,
  KubeObject,
} from '@shipyard/plugin-shipyard-node/kube';
import { FleetIndex } from '../index/FleetIndex';
import { InventoryPublishConfig } from './config';
import {
  InventoryCondition,
  InventoryProjection,
  inventoryObject,
  inventoryStatus,
  projectInventory,
  projectionText,
  readPublished,
} from './project';

/** Options of {@link InventoryPublisher}. */
export interface InventoryPublisherOptions {
  /** The fleet index, read only (the publisher follows its change stream). */
  index: FleetIndex;
  /** A client of the management cluster that holds the inventory namespace. */
  client: KubeClient;
  config: InventoryPublishConfig;
  clusterManager: string;
  /** The states of the management clusters (a missing cluster is deleted only when its own was listed since start). */
  managementClusters: () => ManagementClusterStatus[];
  /** Whether a summary describes a Cluster API cluster (only those are published). */
  publishes?: (summary: ClusterSummary) => boolean;
  logger: LoggerService;
  now?: () => Date;
  /** Delay before writes that failed are tried again (ms, default 5000). */
  retryDelayMs?: number;
}

interface Published {
  text: string;
  /** Condition type → its status and the time it took that status. */
  transitions: Map<string, { status: string; at: string }>;
}

/**
 * Publishes the fleet as the cluster inventory API: one inventory ClusterProfile (`multicluster.x-k8s.io/v1alpha1`)
 * per Cluster API cluster, in one namespace of one management cluster. It reads the fleet index only (its change
 * stream, then the summaries of the changed clusters) and writes what changed, with server-side apply (object,
 * then status subresource). An object is deleted only when its cluster left the index (a confirmed deletion), or,
 * found by a resync, when its management cluster has been listed since start without it.
 */
export class InventoryPublisher {
  private readonly published = new Map<string, Published>();
  /** Fleet keys to look at. */
  private readonly dirty = new Set<string>();
  private running?: Promise<void>;
  private retryTimer?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  private stopped = false;
  private readonly warned = new Set<string>();
  private readonly now: () => Date;
  private readonly collection: string;

  constructor(private readonly options: InventoryPublisherOptions) {
    this.now = options.now ?? (() => new Date());
    this.collection = resourcePath(INVENTORY_CLUSTER_PROFILE_RESOURCE, {
      namespace: options.config.namespace,
    });
  }

  /**
   * Follows the index's changes and publishes every cluster it holds, after reading what was published before (a
   * failing first read is logged; the resync tries again).
   */
  start(): void {
    this.unsubscribe = this.options.index.subscribe(event => {
      for (const c of event.changes) {
        this.dirty.add(`${c.managementCluster}/${c.namespace}/${c.name}`);
      }
      this.kick();
    });
    this.resync().catch(error => {
      this.options.logger.warn(
        `Shipyard: reading the published inventory ClusterProfiles in ${this.options.config.managementCluster}/${this.options.config.namespace} failed: ${error}`,
      );
      this.markAll();
      this.kick();
    });
  }

  /** Stops following the index; resolves when writes in flight are done. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.running;
    this.options.client.close();
  }

  /** Resolves when nothing is left to write (for tests and the resync). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /**
   * Compares the published objects with the fleet: objects edited or deleted by someone else are written again,
   * objects of clusters that were deleted while Shipyard did not watch are removed (only when their management
   * cluster has been listed since start), clusters without an object get one.
   */
  async resync(): Promise<void> {
    const { client, clusterManager, index } = this.options;
    const listed = new Map<string, Published>();
    const orphans: Array<{ name: string; managementCluster: string }> = [];
    for await (const page of client.list<KubeObject>(this.collection, {
      labelSelector: `${INVENTORY_LABELS.clusterManager}=${clusterManager}`,
      pageSize: 500,
    })) {
      for (const object of page.items) {
        const read = readPublished(object, clusterManager);
        if (!read) continue;
        const key = read.projection.key;
        if (index.getStored(key) === undefined) {
          orphans.push({
            name: object.metadata.name,
            managementCluster:
              read.projection.labels[INVENTORY_LABELS.managementCluster],
          });
          continue;
        }
        listed.set(object.metadata.name, {
          text: projectionText(read.projection),
          transitions: read.transitions,
        });
      }
    }
    // what the server holds is what was published: differences are written again
    for (const name of [...this.published.keys()]) {
      if (!listed.has(name)) this.published.delete(name);
    }
    for (const [name, state] of listed) this.published.set(name, state);
    const listedSince = new Set(
      this.options
        .managementClusters()
        .filter(mc => mc.resynced && mc.state === 'connected')
        .map(mc => mc.name),
    );
    for (const orphan of orphans) {
      if (!listedSince.has(orphan.managementCluster)) continue;
      await this.deleteObject(orphan.name);
    }
    this.markAll();
    this.kick();
    await this.idle();
  }

  private markAll(): void {
    for (const summary of this.options.index.all()) {
      this.dirty.add(
        `${summary.managementCluster}/${summary.namespace}/${summary.name}`,
      );
    }
  }

  private kick(): void {
    if (this.running || this.stopped) return;
    this.running = this.drain().finally(() => {
      this.running = undefined;
    });
  }

  private async drain(): Promise<void> {
    const failed = new Set<string>();
    const workers = Array.from(
      { length: this.options.config.concurrency },
      async () => {
        for (;;) {
          if (this.stopped) return;
          const next = this.dirty.values().next();
          if (next.done) return;
          const key = next.value;
          this.dirty.delete(key);
          try {
            await this.publish(key);
          } catch (error) {
            failed.add(key);
            this.warnOnce(
              `${(error as Error).message}`,
              `Shipyard: publishing the inventory ClusterProfile of ${key} failed: ${
                (error as Error).message
              }`,
            );
          }
        }
      },
    );
    await Promise.all(workers);
    if (failed.size > 0 && !this.stopped) {
      for (const key of failed) this.dirty.add(key);
      if (this.retryTimer) clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.kick();
      }, this.options.retryDelayMs ?? 5000);
      this.retryTimer.unref?.();
    }
  }

  /** Writes or deletes the object of one cluster, as the index holds it now. */
  private async publish(key: string): Promise<void> {
    const found = this.options.index.get(key);
    if (!found) {
      // gone from the index: a confirmed deletion (of an object this publisher wrote or listed as its own)
      const name = clusterEntityName(parseClusterKey(key));
      if (this.published.has(name)) await this.deleteObject(name);
      return;
    }
    if (this.options.publishes && !this.options.publishes(found.summary))
      return;
    const projection = projectInventory(found.summary, {
      clusterManager: this.options.clusterManager,
      accessProvider: this.options.config.accessProvider,
    });
    const text = projectionText(projection);
    const previous = this.published.get(projection.name);
    if (previous?.text === text) return;
    await this.write(projection, text, previous);
  }

  private async write(
    projection: InventoryProjection,
    text: string,
    previous: Published | undefined,
  ): Promise<void> {
    const { client, config } = this.options;
    const path = `${this.collection}/${encodeURIComponent(projection.name)}`;
    const options = { fieldManager: INVENTORY_FIELD_MANAGER, force: true };
    await client.apply(
      path,
      inventoryObject(projection, config.namespace),
      options,
    );
    const now = this.now()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
    const transitions = new Map<string, { status: string; at: string }>();
    const timeOf = (c: InventoryCondition) => {
      const before = previous?.transitions.get(c.type);
      const at = before && before.status === c.status ? before.at : now;
      transitions.set(c.type, { status: c.status, at });
      return at;
    };
    await client.apply(
      `${path}/status`,
      inventoryStatus(projection, config.namespace, timeOf),
      options,
    );
    this.published.set(projection.name, { text, transitions });
  }

  private async deleteObject(name: string): Promise<void> {
    try {
      await this.options.client.delete(
        `${this.collection}/${encodeURIComponent(name)}`,
        { propagationPolicy: 'Background' },
      );
    } catch (error) {
      if (!(error instanceof KubeApiError && error.isNotFound)) throw error;
    }
    this.published.delete(name);
  }

  private warnOnce(id: string, message: string): void {
    if (this.warned.has(id)) return;
    if (this.warned.size > 100) this.warned.clear();
    this.warned.add(id);
    this.options.logger.warn(message);
  }
}
