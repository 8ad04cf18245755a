import {
  LoggerService,
  SchedulerServiceTaskRunner,
} from '@backstage/backend-plugin-api';
import type { MetricsService } from '@backstage/backend-plugin-api/alpha';
import { Entity } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import {
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { ClusterClassSummary } from '@shipyard/plugin-shipyard-common';
import {
  ClusterClassSource,
  ShipyardFleetReader,
} from '../client/ShipyardApiClient';
import { ShipyardCatalogConfig } from '../config';
import { buildGeneratedProfileEntity } from '../entities/profileEntities';
import { ProfileIndex } from '../profiles/ProfileIndex';
import { FullSync, FullSyncRetryOptions, carryOver } from './fullSync';
import { ProviderMetrics } from './metrics';
import { ShipyardProviderDeps, providerWiring } from './providerDeps';
import { SerialQueue } from './SerialQueue';

/** Counters of a {@link ClusterProfileEntityProvider}. */
export interface ClusterProfileEntityProviderStats {
  fullMutations: number;
  /** Generated profiles currently provided. */
  profiles: number;
  /** ClusterClasses skipped because a YAML profile claims them. */
  claimedByCatalog: number;
  /** Profiles kept although their ClusterClass was not listed, because their management cluster is not connected. */
  carriedOver: number;
  /** True when the backend does not serve ClusterClasses (nothing generated, nothing removed). */
  sourceUnavailable: boolean;
  lastSyncAt?: string;
  lastError?: string;
}

/** Options of {@link ClusterProfileEntityProvider}. */
export interface ClusterProfileEntityProviderOptions {
  config: ShipyardCatalogConfig;
  classes: ClusterClassSource;
  /** Used to tell unreachable management clusters (whose profiles are kept) from confirmed deletions. */
  reader: Pick<ShipyardFleetReader, 'listManagementClusters'>;
  profiles: ProfileIndex;
  logger: LoggerService;
  taskRunner?: SchedulerServiceTaskRunner;
  metrics?: MetricsService;
  /** When a full sync fails, when to try again (default after 2 s, doubling up to 60 s). */
  fullSyncRetry?: FullSyncRetryOptions;
}

interface GeneratedRecord {
  cc: ClusterClassSummary;
  entity: Entity;
}

/**
 * Provides one `ClusterProfile` per ClusterClass found on the management clusters, whose `variables` schema becomes
 * the request form. A YAML profile in the catalog that names the same ClusterClass (on that management cluster)
 * takes precedence: no profile is generated for it.
 */
export class ClusterProfileEntityProvider implements EntityProvider {
  private readonly config: ShipyardCatalogConfig;
  private readonly classes: ClusterClassSource;
  private readonly reader: Pick<ShipyardFleetReader, 'listManagementClusters'>;
  private readonly profiles: ProfileIndex;
  private readonly logger: LoggerService;
  private readonly taskRunner?: SchedulerServiceTaskRunner;
  private readonly fullSync: FullSync;
  private readonly metrics: ProviderMetrics;
  private connection?: EntityProviderConnection;
  private generated = new Map<string, GeneratedRecord>();
  private warnedUnavailable = false;
  private readonly stats: ClusterProfileEntityProviderStats = {
    fullMutations: 0,
    profiles: 0,
    claimedByCatalog: 0,
    carriedOver: 0,
    sourceUnavailable: false,
  };

  /** Creates the provider from `catalog.providers.shipyard`, reading the backend with service credentials. */
  static fromConfig(
    rootConfig: Config,
    deps: ShipyardProviderDeps & {
      profiles: ProfileIndex;
      classes?: ClusterClassSource;
    },
  ): ClusterProfileEntityProvider {
    const { client, ...wiring } = providerWiring(rootConfig, deps, 'profiles');
    return new ClusterProfileEntityProvider({
      ...wiring,
      classes: deps.classes ?? client,
      reader: client,
      profiles: deps.profiles,
    });
  }

  constructor(options: ClusterProfileEntityProviderOptions) {
    this.config = options.config;
    this.classes = options.classes;
    this.reader = options.reader;
    this.profiles = options.profiles;
    this.logger = options.logger.child({
      provider: 'ClusterProfileEntityProvider',
    });
    this.taskRunner = options.taskRunner;
    this.metrics = new ProviderMetrics(this.getProviderName(), options.metrics);
    this.fullSync = new FullSync({
      providerName: this.getProviderName(),
      queue: new SerialQueue(),
      sync: () => this.sync(),
      title: 'Sync of generated cluster profiles',
      logger: this.logger,
      retry: {
        stallMs: this.config.stallTimeoutMs,
        ...options.fullSyncRetry,
      },
    });
  }

  getProviderName(): string {
    return 'ClusterProfileEntityProvider';
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
    await this.fullSync.schedule(this.taskRunner);
  }

  getStats(): ClusterProfileEntityProviderStats {
    return { ...this.stats };
  }

  /** Runs a full sync now (or joins the one waiting to run). */
  async refresh(): Promise<void> {
    await this.fullSync.request();
  }

  private async sync(): Promise<void> {
    const connection = this.connection;
    if (!connection) {
      throw new Error('ClusterProfileEntityProvider is not connected');
    }
    try {
      if (!this.config.profiles.enabled) {
        await connection.applyMutation({ type: 'full', entities: [] });
        this.generated = new Map();
        this.profiles.setGenerated([]);
        this.stats.fullMutations++;
        this.metrics.mutation('full');
        this.stats.profiles = 0;
        return;
      }
      const classes = await this.classes.listClusterClasses();
      if (classes === undefined) {
        this.stats.sourceUnavailable = true;
        if (!this.warnedUnavailable) {
          this.warnedUnavailable = true;
          this.logger.info(
            'The Shipyard backend serves no ClusterClasses (GET /cluster-classes); no profiles are generated',
          );
        }
        return;
      }
      this.stats.sourceUnavailable = false;
      const statuses = await this.reader.listManagementClusters();
      await this.profiles.refreshCatalogProfiles(true);

      const next = new Map<string, GeneratedRecord>();
      let claimed = 0;
      for (const cc of classes) {
        if (
          this.profiles.claimOf(cc.managementCluster, cc.namespace, cc.name)
        ) {
          claimed++;
          continue;
        }
        next.set(`${cc.managementCluster}/${cc.namespace}/${cc.name}`, {
          cc,
          entity: buildGeneratedProfileEntity(cc, this.config),
        });
      }
      const carried = carryOver(
        this.generated,
        next,
        statuses,
        r => r.cc.managementCluster,
        ({ cc }) =>
          !this.profiles.claimOf(cc.managementCluster, cc.namespace, cc.name),
      );

      await connection.applyMutation({
        type: 'full',
        entities: [...next.values()].map(r => ({
          entity: r.entity,
          locationKey: `shipyard:${this.getProviderName()}`,
        })),
      });
      this.generated = next;
      this.profiles.setGenerated(
        [...next.values()].map(r => [
          r.cc.managementCluster,
          r.cc.namespace,
          r.cc.name,
        ]),
      );
      this.stats.fullMutations++;
      this.metrics.mutation('full');
      this.stats.profiles = next.size;
      this.stats.claimedByCatalog = claimed;
      this.stats.carriedOver = carried;
      this.stats.lastSyncAt = new Date().toISOString();
      this.stats.lastError = undefined;
      this.logger.info(
        `Provided ${next.size} generated cluster profiles (${claimed} ClusterClasses claimed by catalog profiles, ${carried} kept from unreachable management clusters)`,
      );
    } catch (error) {
      this.stats.lastError = String(error);
      throw error;
    }
  }
}
