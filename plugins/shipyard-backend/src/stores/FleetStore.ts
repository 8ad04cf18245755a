import { DatabaseService, LoggerService } from '@backstage/backend-plugin-api';
import {
  ManagementClusterStatus,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import { Knex } from 'knex';
import { FleetIndex, StoredClusterSummary } from '../index/FleetIndex';
import { migratedClient, migrateStore } from './migrations';

const BATCH_SIZE = 100;

interface ClusterRow {
  cluster_key: string;
  management_cluster: string;
  summary: string;
  last_seen_at: string | null;
  updated_at: number | string;
}

interface StatusRow {
  name: string;
  status: string;
  updated_at: number;
}

/** What {@link FleetStore.load} restores. */
export interface PersistedFleet {
  clusters: Array<{ summary: StoredClusterSummary; lastSeenAt?: string }>;
  managementClusters: ManagementClusterStatus[];
}

/**
 * Persists cluster summaries and management-cluster states (write-behind, batched) and restores them at startup.
 * Works on SQLite and PostgreSQL. Time-dependent fields (version support) are not stored.
 */
export class FleetStore {
  private readonly dirty = new Set<string>();
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  private unsubscribe?: () => void;
  private index?: FleetIndex;
  private statusProvider?: () => ManagementClusterStatus[];
  /** The JSON of each management cluster's state as last written. */
  private readonly writtenStatuses = new Map<string, string>();

  static async create(options: {
    database: DatabaseService;
    logger: LoggerService;
    intervalMs: number;
  }): Promise<FleetStore> {
    return new FleetStore(
      await migratedClient(options.database, 'fleet'),
      options.logger,
      options.intervalMs,
    );
  }

  /** Runs this store's migrations (its own migrations table). */
  static async migrate(knex: Knex): Promise<void> {
    await migrateStore(knex, 'fleet');
  }

  constructor(
    private readonly knex: Knex,
    private readonly logger: LoggerService,
    private readonly intervalMs: number,
  ) {}

  /** Reads the persisted fleet. */
  async load(): Promise<PersistedFleet> {
    const rows = await this.knex<ClusterRow>('shipyard_clusters').select();
    const clusters: PersistedFleet['clusters'] = [];
    for (const row of rows) {
      try {
        const summary = JSON.parse(row.summary) as StoredClusterSummary;
        clusters.push({
          summary,
          lastSeenAt: row.last_seen_at ?? undefined,
        });
      } catch {
        this.logger.warn(
          `Shipyard: ignoring unreadable persisted summary ${row.cluster_key}`,
        );
      }
    }
    const mcRows = await this.knex('shipyard_management_clusters').select();
    const managementClusters: ManagementClusterStatus[] = [];
    for (const row of mcRows) {
      try {
        managementClusters.push(JSON.parse(row.status));
        this.writtenStatuses.set(row.name, row.status);
      } catch {
        // ignore
      }
    }
    return { clusters, managementClusters };
  }

  /** Follows an index: every change is written within the interval. */
  attach(
    index: FleetIndex,
    statusProvider: () => ManagementClusterStatus[],
  ): void {
    this.index = index;
    this.statusProvider = statusProvider;
    this.unsubscribe = index.subscribe(event => {
      for (const change of event.changes) {
        this.dirty.add(stringifyClusterKey(change));
      }
      this.schedule();
    });
  }

  private schedule() {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch(error =>
        this.logger.error(`Shipyard: persisting the fleet failed: ${error}`),
      );
    }, this.intervalMs);
    this.timer.unref?.();
  }

  /** Writes everything pending now. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (!this.index) return;
    const index = this.index;
    const keys = [...this.dirty];
    this.dirty.clear();
    this.flushing = (async () => {
      const now = Date.now();
      try {
        // rows are built one batch at a time: after a cold sync every cluster is dirty, and the text of 10,000
        // summaries held at once until the last batch is written was ~30 MB of heap while the catalog filled
        for (let i = 0; i < keys.length; i += BATCH_SIZE) {
          const upserts: ClusterRow[] = [];
          const deletes: string[] = [];
          for (const key of keys.slice(i, i + BATCH_SIZE)) {
            const summary = index.getStored(key);
            if (!summary) {
              deletes.push(key);
              continue;
            }
            if (index.isResynced(key) === false) continue;
            // version support depends on the day it is read: evaluated again on restore, never stored
            const { versionSupport: _versionSupport, ...persisted } = summary;
            upserts.push({
              cluster_key: key,
              management_cluster: summary.managementCluster,
              summary: JSON.stringify(persisted),
              last_seen_at: index.lastSeenAtOf(key) ?? null,
              updated_at: now,
            });
          }
          if (upserts.length) {
            await this.knex('shipyard_clusters')
              .insert(upserts)
              .onConflict('cluster_key')
              .merge();
          }
          if (deletes.length) {
            await this.knex('shipyard_clusters')
              .whereIn('cluster_key', deletes)
              .delete();
          }
        }
        // the management clusters' states in one statement, only those that changed since they were last written
        const statuses: StatusRow[] = [];
        for (const status of this.statusProvider?.() ?? []) {
          const text = JSON.stringify(status);
          if (this.writtenStatuses.get(status.name) === text) continue;
          statuses.push({ name: status.name, status: text, updated_at: now });
        }
        if (statuses.length) {
          await this.knex('shipyard_management_clusters')
            .insert(statuses)
            .onConflict('name')
            .merge();
          for (const row of statuses) {
            this.writtenStatuses.set(row.name, row.status);
          }
        }
      } catch (error) {
        // keep the keys for the next attempt (a state not written is not remembered as written)
        for (const key of keys) this.dirty.add(key);
        this.schedule();
        throw error;
      }
    })();
    try {
      await this.flushing;
    } finally {
      this.flushing = undefined;
    }
  }

  /** Stops following the index after writing what is pending. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush().catch(error =>
      this.logger.error(`Shipyard: persisting the fleet failed: ${error}`),
    );
  }
}
