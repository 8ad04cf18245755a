import { managementChain } from './blastRadius';
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ClusterDetails,
  ClusterKey,
  ClusterTreeNode,
  ManagementClusterStatus,
  noObjectCounts,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import {
  ManagementClusterConnection,
  ManagementClusterSource,
  redactInternals,
} from '@shipyard/plugin-shipyard-node';
import { ShipyardBackendConfig } from '../config/config';
import { createConnection } from '../config/connections';
import { OwnershipResolver } from '../config/ownership';
import { CapiHealthEvaluator, ClusterHealthEvaluator } from '../health';
import { FleetIndex, FleetSink } from '../index/FleetIndex';
import { FleetStore } from '../stores/FleetStore';
import { ManagementClusterReconciler } from '../reconcile/ManagementClusterReconciler';
import { ListWorkers } from '../reconcile/ListWorkers';
import { WatchWorker } from '../reconcile/WatchWorker';
import { FleetRecords } from '../records/FleetRecords';
import { ClusterClassRecord } from '../records/types';
import type { InventoryConsumeConfig } from '../inventory/config';
import type { InventorySecretRef } from '../inventory/consume';
import { InventorySource } from '../inventory/InventorySource';

/** Options of {@link FleetService}. */
export interface FleetServiceOptions {
  config: ShipyardBackendConfig;
  logger: LoggerService;
  /** Persistence; without it the fleet lives in memory only. */
  store?: FleetStore;
  /** Sources of management clusters beyond the configured ones. */
  sources?: ManagementClusterSource[];
  health?: ClusterHealthEvaluator;
  index?: FleetIndex;
  /** Longest wait for the first list of every kind before folding anyway (ms). */
  initialSyncGraceMs?: number;
  /** Called for every watch event of a Cluster object with its fleet key, as it arrives (for measurements). */
  onClusterEvent?: (key: string) => void;
  /**
   * The second kind of source: inventory ClusterProfiles other cluster managers published
   * (`shipyard.inventory.consume`), read through the connection of a management cluster.
   */
  inventory?: { clusterManager: string; sources: InventoryConsumeConfig[] };
}

/**
 * The fleet: the index, one reconciler per management cluster, and persistence. Read paths go through the index;
 * nothing here fans out to management clusters per request.
 */
export class FleetService {
  readonly index: FleetIndex;
  /** The trimmed Cluster API objects (object trees, ClusterClasses), written by the reconcilers. */
  readonly records = new FleetRecords();
  private readonly reconcilers = new Map<string, ManagementClusterReconciler>();
  private readonly inventorySources = new Map<string, InventorySource>();
  private readonly connections = new Map<string, ManagementClusterConnection>();
  private readonly failed = new Map<string, ManagementClusterStatus>();
  private restored = new Map<string, ManagementClusterStatus>();
  private readonly ownership: OwnershipResolver;
  private readonly health: ClusterHealthEvaluator;
  /** Where the reconcilers write: the index, or the health evaluation before it ({@link writeThrough}). */
  private sink: FleetSink;
  /** The threads that read the reconcilers' lists (`shipyard.sync.listWorkers`), when there are any. */
  readonly listWorkers?: ListWorkers;
  /** The thread that reads the reconcilers' watches (`shipyard.sync.watchWorker`), when there is one. */
  readonly watchWorker?: WatchWorker;

  constructor(private readonly options: FleetServiceOptions) {
    this.index = options.index ?? new FleetIndex();
    this.sink = this.index;
    this.ownership = new OwnershipResolver(options.config.ownership);
    this.health = options.health ?? new CapiHealthEvaluator();
    const threads = options.config.sync.listWorkers;
    if (threads > 0) {
      this.listWorkers = new ListWorkers({ threads, logger: options.logger });
    }
    if (options.config.sync.watchWorker) {
      this.watchWorker = new WatchWorker({ logger: options.logger });
    }
  }

  /**
   * Sends what the reconcilers fold (and what is restored) through a stage before the index: the health evaluation,
   * which passes everything on to the index. Call before {@link start}.
   */
  writeThrough(stage: FleetSink): void {
    this.sink = stage;
  }

  /** Restores persisted state, then connects to every management cluster. */
  async start(): Promise<void> {
    const { logger, store } = this.options;
    if (store) {
      const persisted = await store.load();
      for (const { summary, lastSeenAt } of persisted.clusters) {
        this.sink.upsert(summary, { restored: true, lastSeenAt });
      }
      for (const status of persisted.managementClusters) {
        this.restored.set(status.name, status);
      }
      if (persisted.clusters.length > 0) {
        logger.info(
          `Shipyard restored ${persisted.clusters.length} clusters from the database`,
        );
      }
      store.attach(this.index, () => this.managementClusters());
    }

    // the threads start while the management clusters are connected and discovered
    this.listWorkers?.start();
    const connections: ManagementClusterConnection[] = [];
    for (const mc of this.options.config.managementClusters) {
      try {
        connections.push(await createConnection(mc));
      } catch (error) {
        this.recordFailure(mc.name, mc.url ?? '', error as Error);
      }
    }
    for (const source of this.options.sources ?? []) {
      try {
        connections.push(...(await source.getManagementClusters()));
      } catch (error) {
        logger.error(
          `Shipyard: management-cluster source ${source.name} failed: ${error}`,
        );
      }
    }
    for (const connection of connections) {
      if (this.reconcilers.has(connection.name)) {
        logger.warn(
          `Shipyard: management cluster ${connection.name} is defined twice; using the first`,
        );
        continue;
      }
      this.connections.set(connection.name, connection);
      const reconciler = new ManagementClusterReconciler({
        connection,
        sink: this.sink,
        ownership: this.ownership,
        health: this.health,
        sync: this.options.config.sync,
        logger: logger.child({ managementCluster: connection.name }),
        initialSyncGraceMs: this.options.initialSyncGraceMs,
        onClusterEvent: this.options.onClusterEvent,
        records: this.records.of(connection.name),
        listWorkers: this.listWorkers,
        watchWorker: this.watchWorker,
      });
      this.reconcilers.set(connection.name, reconciler);
      reconciler.start();
    }
    logger.info(
      `Shipyard watches ${this.reconcilers.size} management cluster(s)`,
    );
    this.startInventorySources();
  }

  private startInventorySources(): void {
    const { logger, inventory } = this.options;
    for (const source of inventory?.sources ?? []) {
      if (this.reconcilers.has(source.name)) {
        logger.error(
          `Shipyard: inventory source ${source.name} has the name of a management cluster; not reading it`,
        );
        continue;
      }
      const connection = this.connections.get(source.managementCluster);
      if (!connection) {
        logger.error(
          `Shipyard: inventory source ${source.name}: no connected management cluster ${source.managementCluster}`,
        );
        this.sink.setSourceState(source.name, {
          state: 'stale',
          staleSince: new Date().toISOString(),
        });
        continue;
      }
      const reader = new InventorySource({
        config: source,
        connection,
        clusterManager: inventory!.clusterManager,
        sink: this.sink,
        ownership: this.ownership,
        sync: this.options.config.sync,
        logger: logger.child({ inventorySource: source.name }),
      });
      this.inventorySources.set(source.name, reader);
      reader.start();
    }
    if (this.inventorySources.size > 0) {
      logger.info(
        `Shipyard reads ${this.inventorySources.size} cluster inventory source(s)`,
      );
    }
  }

  /**
   * For a cluster read from an inventory source: the connection of the management cluster that holds its
   * inventory ClusterProfile and the kubeconfig Secret its access provider names there, when it names one.
   */
  inventorySecretOf(
    key: string,
  ):
    | { connection: ManagementClusterConnection; ref: InventorySecretRef }
    | undefined {
    const sourceName = key.slice(0, key.indexOf('/'));
    const source = this.inventorySources.get(sourceName);
    const ref = source?.secretRefOf(key);
    if (!source || !ref) return undefined;
    const config = this.options.inventory?.sources.find(
      s => s.name === sourceName,
    );
    const connection = config && this.connections.get(config.managementCluster);
    return connection ? { connection, ref } : undefined;
  }

  /** The connection of a management cluster (for reading workload kubeconfig Secrets); never served. */
  connectionOf(name: string): ManagementClusterConnection | undefined {
    return this.connections.get(name);
  }

  /** Stops every reconciler and writes pending state. */
  async stop(): Promise<void> {
    await Promise.all([
      ...[...this.reconcilers.values()].map(r => r.stop()),
      ...[...this.inventorySources.values()].map(s => s.stop()),
    ]);
    await this.listWorkers?.close();
    await this.watchWorker?.close();
    await this.options.store?.stop();
  }

  /** Resolves when every management cluster has been listed once. */
  async waitForInitialSync(): Promise<void> {
    await Promise.all(
      [...this.reconcilers.values()].map(r => r.waitForInitialSync()),
    );
  }

  /** States of all management clusters (configured ones, including those that failed to be set up). */
  managementClusters(): ManagementClusterStatus[] {
    const out: ManagementClusterStatus[] = [];
    const chain = managementChain(this.index.all());
    for (const r of this.reconcilers.values()) {
      const status = r.status();
      const own = chain.clusterOf(r.name);
      if (own) status.cluster = own;
      status.blastRadius = chain.blastRadius(r.name);
      if (status.state === 'stale')
        status.staleMessage = chain.staleMessage(r.name);
      const restored = this.restored.get(r.name);
      if (restored && !status.lastSyncAt) {
        status.lastSyncAt = restored.lastSyncAt;
        if (!status.lastSeenAt && restored.lastSeenAt) {
          status.lastSeenAt = restored.lastSeenAt;
        }
      }
      out.push(status);
    }
    out.push(...this.failed.values());
    return out.sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** The ClusterClasses of every management cluster (or of one), from the records. */
  clusterClasses(
    managementCluster?: string,
  ): Array<{ managementCluster: string; record: ClusterClassRecord }> {
    return this.records.clusterClasses(managementCluster);
  }

  /** A cluster with its object tree, or undefined. */
  describe(key: ClusterKey): ClusterDetails | undefined {
    const found = this.index.get(stringifyClusterKey(key));
    if (!found) return undefined;
    const tree = this.records.describe(key) ?? treeFromSummary(found.summary);
    return { summary: found.summary, tree, revision: this.index.revision };
  }

  private recordFailure(name: string, url: string, error: Error) {
    this.options.logger.error(
      `Shipyard: cannot set up management cluster ${name}: ${error.message}`,
    );
    this.failed.set(name, {
      name,
      url,
      state: 'stale',
      resynced: false,
      lastError: redactInternals(error.message),
      lastErrorAt: new Date().toISOString(),
      objectCounts: noObjectCounts(),
      kinds: [],
    });
    this.sink.setSourceState(name, {
      state: 'stale',
      staleSince: new Date().toISOString(),
    });
  }
}

/** The coarse tree of a cluster known only from its summary (restored, not yet re-synced). */
function treeFromSummary(summary: ClusterDetails['summary']): ClusterTreeNode {
  const available = summary.conditions.find(
    c => c.type === 'Available' || c.type === 'Ready',
  );
  return {
    kind: 'Cluster',
    name: summary.name,
    ready: available?.status ?? 'Unknown',
    phase: summary.phase,
    conditions: summary.conditions,
    children: [
      {
        kind: 'ControlPlane',
        name: summary.controlPlaneKind ?? 'ControlPlane',
        ready: 'Unknown',
        replicas: summary.controlPlane,
      },
      {
        kind: 'Workers',
        name: 'Workers',
        ready: 'Unknown',
        children: summary.machineDeployments.map(md => ({
          kind: 'MachineDeployment',
          name: md.name,
          ready: 'Unknown',
          replicas: md.replicas,
          ...(md.phase ? { phase: md.phase } : {}),
          ...(md.version ? { version: md.version } : {}),
        })),
      },
    ],
  };
}
