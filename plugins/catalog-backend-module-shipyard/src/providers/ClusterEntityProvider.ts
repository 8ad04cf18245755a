import { createHash } from 'node:crypto';
import {
  LoggerService,
  SchedulerServiceTaskRunner,
} from '@backstage/backend-plugin-api';
import type { MetricsService } from '@backstage/backend-plugin-api/alpha';
import { Entity } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import {
  DeferredEntity,
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { EventParams, EventsService } from '@backstage/plugin-events-node';
import {
  ANNOTATION_PROCESSING_WARNINGS,
  ClusterChange,
  ClusterKey,
  FleetChangeEvent,
  ManagementClusterStatus,
  SHIPYARD_FLEET_EVENTS_TOPIC,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import { ShipyardFleetReader } from '../client/ShipyardApiClient';
import { ShipyardCatalogConfig } from '../config';
import {
  ClusterEntityInput,
  buildClusterEntity,
  buildManagementClusterEntity,
  clusterEntityRef,
  toClusterEntityInput,
} from '../entities/clusterEntities';
import { ProfileIndex } from '../profiles/ProfileIndex';
import { Backoff } from '@shipyard/plugin-shipyard-node';
import {
  FullSync,
  FullSyncRetryOptions,
  FullSyncRun,
  carryOver,
} from './fullSync';
import { ProviderMetrics } from './metrics';
import { ShipyardProviderDeps, providerWiring } from './providerDeps';
import { SerialQueue } from './SerialQueue';

/** Counters of a {@link ClusterEntityProvider}, for metrics, logs and tests. */
export interface ClusterEntityProviderStats {
  /** Full mutations applied (one per successful full sync). */
  fullMutations: number;
  /** Delta mutations applied (each with at least one added or removed entity). */
  deltaMutations: number;
  /** Fleet change events received. */
  eventsReceived: number;
  /** Changes skipped because the backend flagged them as not entity-relevant (health and status churn). */
  changesIgnored: number;
  /** Entity-relevant changes whose rebuilt entity was identical (no mutation). */
  changesUnchanged: number;
  /** Clusters kept by the last full sync although missing from the listing, because their source is not connected. */
  carriedOver: number;
  /** Cluster entities currently provided. */
  clusters: number;
  /** Management cluster entities currently provided. */
  managementClusters: number;
  lastFullSyncAt?: string;
  lastError?: string;
}

/**
 * What the provider keeps of a cluster between syncs: what its entity is built from and a hash of the entity, not
 * the entity (at 10,000 clusters the entities are 20 MB that a rebuild from the input gives back).
 */
interface ClusterRecord {
  input: ClusterEntityInput;
  hash: string;
  /** The entity's processing warnings annotation, when it has one. */
  warnings?: string;
}

/** A fleet change received and not yet applied, with the number of the event that brought it. */
interface PendingChange {
  change: ClusterChange;
  /** Counts the fleet change events received: a listing asked for after this event reflects the change. */
  event: number;
}

/** A cluster's entity as just built, and its record. */
interface BuiltCluster {
  record: ClusterRecord;
  entity: Entity;
}

interface ManagementClusterRecord {
  status: Pick<
    ManagementClusterStatus,
    'name' | 'url' | 'capiVersion' | 'state' | 'cluster'
  >;
  entity: Entity;
}

/** Options of {@link ClusterEntityProvider}. */
export interface ClusterEntityProviderOptions {
  config: ShipyardCatalogConfig;
  reader: ShipyardFleetReader;
  logger: LoggerService;
  /** Runs the full sync; without it, call {@link ClusterEntityProvider.refresh} yourself. */
  taskRunner?: SchedulerServiceTaskRunner;
  /** Delivers fleet change events (topic `shipyard.fleet`) for delta mutations. */
  events?: EventsService;
  /** Resolves the profile a cluster depends on (shared with the ClusterProfileEntityProvider). */
  profiles?: ProfileIndex;
  /** Records mutation and change counters. */
  metrics?: MetricsService;
  /**
   * When a full sync fails or stalls, when to try again (default after 2 s, doubling up to 60 s; stalled after
   * `stallTimeoutMs` of the configuration without progress).
   */
  fullSyncRetry?: FullSyncRetryOptions;
  /**
   * The first full sync after the provider starts writes its entities in delta mutations of this many (default 500;
   * 0: none) while it reads the listing, then reconciles with its full mutation: the catalog starts processing
   * within seconds of a cold start and fills as it goes, instead of after one mutation of the whole fleet.
   */
  coldSyncChunkSize?: number;
}

/** Entities built for a full mutation between two turns of the event loop. */
const BUILD_SLICE = 500;

function hashOf(entity: Entity): string {
  return createHash('sha1').update(JSON.stringify(entity)).digest('base64url');
}

function isClusterChange(value: unknown): value is ClusterChange {
  if (!value || typeof value !== 'object') return false;
  const c = value as Record<string, unknown>;
  return (
    typeof c.managementCluster === 'string' &&
    typeof c.namespace === 'string' &&
    typeof c.name === 'string' &&
    (c.type === 'upserted' || c.type === 'deleted') &&
    typeof c.entityChanged === 'boolean'
  );
}

function isFleetChangeEvent(value: unknown): value is FleetChangeEvent {
  if (!value || typeof value !== 'object') return false;
  const e = value as Record<string, unknown>;
  return (
    typeof e.revision === 'number' &&
    Array.isArray(e.changes) &&
    e.changes.every(isClusterChange)
  );
}

async function mapBounded<T, R>(
  items: T[],
  concurrency: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from(
    { length: Math.min(concurrency, items.length) },
    async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]);
      }
    },
  );
  await Promise.all(workers);
  return results;
}

/**
 * Provides workload clusters (`Resource`, type `kubernetes-cluster`) and management clusters (`Resource`, type
 * `kubernetes-management-cluster`) from the Shipyard backend.
 *
 * - Full mutation on a schedule, from paged reads of `GET /api/shipyard/clusters` and `GET /management-clusters`.
 * - Delta mutations on `shipyard.fleet` events, for changes flagged `entityChanged` only; a rebuilt entity identical
 *   to the current one is not written, so health and status churn never touch the catalog.
 * - A cluster is removed only on a confirmed deletion: a `deleted` change, or absence from the listing while its
 *   management cluster is connected. Clusters of an unreachable (stale) management cluster are kept.
 */
export class ClusterEntityProvider implements EntityProvider {
  private readonly config: ShipyardCatalogConfig;
  private readonly reader: ShipyardFleetReader;
  private readonly logger: LoggerService;
  private readonly taskRunner?: SchedulerServiceTaskRunner;
  private readonly events?: EventsService;
  private readonly profiles?: ProfileIndex;
  private readonly queue = new SerialQueue();
  private readonly metrics: ProviderMetrics;
  private connection?: EntityProviderConnection;
  private clusters = new Map<string, ClusterRecord>();
  private managementClusters = new Map<string, ManagementClusterRecord>();
  /** The cluster record of each management cluster that is a Cluster API cluster itself (the management chain). */
  private chain = new Map<string, ClusterKey>();
  private synced = false;
  /** Entity-relevant changes received and not yet applied, the last one of each cluster. */
  private readonly pending = new Map<string, PendingChange>();
  /** Fleet change events received with entity-relevant changes. */
  private eventsApplicable = 0;
  /** Whether a job that applies the pending changes is queued and not yet started. */
  private drainQueued = false;
  /** The wait before the pending changes are looked at again (a spaced full sync, a retry), and its end. */
  private drainTimer?: ReturnType<typeof setTimeout>;
  private drainWait?: Promise<void>;
  private readonly drainBackoff = new Backoff(1_000, 60_000, { jitter: false });
  private readonly fullSync: FullSync;
  private readonly coldSyncChunkSize: number;
  private readonly stats: ClusterEntityProviderStats = {
    fullMutations: 0,
    deltaMutations: 0,
    eventsReceived: 0,
    changesIgnored: 0,
    changesUnchanged: 0,
    carriedOver: 0,
    clusters: 0,
    managementClusters: 0,
  };

  /** Creates the provider from `catalog.providers.shipyard`, reading the backend with service credentials. */
  static fromConfig(
    rootConfig: Config,
    deps: ShipyardProviderDeps & {
      events?: EventsService;
      profiles?: ProfileIndex;
    },
  ): ClusterEntityProvider {
    const { client, ...wiring } = providerWiring(rootConfig, deps, 'clusters');
    return new ClusterEntityProvider({
      ...wiring,
      reader: client,
      events: deps.events,
      profiles: deps.profiles,
    });
  }

  constructor(options: ClusterEntityProviderOptions) {
    this.config = options.config;
    this.reader = options.reader;
    this.logger = options.logger.child({ provider: 'ClusterEntityProvider' });
    this.taskRunner = options.taskRunner;
    this.events = options.events;
    this.profiles = options.profiles;
    this.metrics = new ProviderMetrics(this.getProviderName(), options.metrics);
    this.fullSync = new FullSync({
      providerName: this.getProviderName(),
      queue: this.queue,
      sync: run => this.sync(run),
      title: 'Full sync of clusters',
      logger: this.logger,
      retry: {
        stallMs: this.config.stallTimeoutMs,
        ...options.fullSyncRetry,
      },
    });
    this.coldSyncChunkSize = options.coldSyncChunkSize ?? 500;
    this.profiles?.onChange(() => {
      if (this.synced) {
        this.queue
          .run(() => this.rebuild())
          .catch(error =>
            this.logger.warn(`Rebuilding cluster entities failed: ${error}`),
          );
      }
    });
  }

  getProviderName(): string {
    return 'ClusterEntityProvider';
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
    await this.fullSync.schedule(this.taskRunner);
    if (this.events) {
      await this.events.subscribe({
        id: this.getProviderName(),
        topics: [SHIPYARD_FLEET_EVENTS_TOPIC],
        onEvent: params => this.onEvent(params),
      });
    }
  }

  /** A copy of the counters. */
  getStats(): ClusterEntityProviderStats {
    return { ...this.stats };
  }

  /** Resolves when every queued sync and event has been applied (also those waiting for a spaced full sync). */
  async idle(): Promise<void> {
    do {
      await this.drainWait;
      await this.queue.idle();
    } while (this.drainWait);
  }

  /**
   * Runs a full sync (serialised with event handling). A request made while another full sync waits in the queue
   * joins that one: a burst of requests costs one listing of the fleet.
   */
  async refresh(): Promise<void> {
    await this.fullSync.request();
  }

  private locationKey(): string {
    return `shipyard:${this.getProviderName()}`;
  }

  private deferred(entity: Entity): DeferredEntity {
    return { entity, locationKey: this.locationKey() };
  }

  /** Builds a cluster's entity and record; a new or changed processing warning is logged unless `quiet`. */
  private build(input: ClusterEntityInput, quiet = false): BuiltCluster {
    const entity = buildClusterEntity(input, {
      config: this.config,
      resolveProfileRef: s => this.profiles?.resolve(s),
      isMissing: ref => this.profiles?.isMissing(ref) ?? false,
      clusterOfManagementCluster: name => this.chain.get(name),
    });
    // a processing warning is logged when it appears or changes, not at every sync
    const warnings =
      entity.metadata.annotations?.[ANNOTATION_PROCESSING_WARNINGS];
    const key = stringifyClusterKey(input);
    if (!quiet && warnings && warnings !== this.clusters.get(key)?.warnings) {
      this.logger.warn(
        `Shipyard: cluster ${key}: ${(JSON.parse(warnings) as string[]).join(
          '; ',
        )}`,
      );
    }
    return {
      record: {
        input,
        hash: hashOf(entity),
        ...(warnings ? { warnings } : {}),
      },
      entity,
    };
  }

  /** Writes entities added or changed and removes entities as one delta mutation, and counts it. */
  private async applyDelta(
    added: DeferredEntity[],
    removed: Array<{ entityRef: string; locationKey: string }> = [],
  ): Promise<void> {
    const connection = this.connection;
    if (!connection) return;
    await connection.applyMutation({ type: 'delta', added, removed });
    this.stats.deltaMutations++;
    this.metrics.mutation('delta');
  }

  private async sync({ signal, progress, step }: FullSyncRun): Promise<void> {
    const connection = this.connection;
    if (!connection) {
      throw new Error('ClusterEntityProvider is not connected');
    }
    const started = Date.now();
    // what the listing below reads is at least as new as every change received so far: the upserts it covers are
    // dropped (a deletion stays, as the listing keeps the clusters of an unreachable management cluster)
    for (const [key, { change }] of this.pending) {
      if (change.type === 'upserted') this.pending.delete(key);
    }
    try {
      step('reading the management clusters');
      const statuses = await this.reader.listManagementClusters({ signal });
      step('reading the catalog profiles');
      await this.profiles?.refreshCatalogProfiles();
      signal.throwIfAborted();
      progress();
      this.chain = new Map(
        statuses.flatMap(s =>
          s.cluster ? [[s.name, s.cluster] as const] : [],
        ),
      );

      const mcs = new Map<string, ManagementClusterRecord>();
      for (const status of statuses) {
        mcs.set(status.name, {
          status,
          entity: buildManagementClusterEntity(status, this.config),
        });
      }

      // the first sync of a cold start: the entities in chunks while the listing is read, deletions wait for the
      // full mutation below
      const chunkSize = this.synced ? 0 : this.coldSyncChunkSize;
      const chunk: DeferredEntity[] =
        chunkSize > 0
          ? [...mcs.values()].map(r => this.deferred(r.entity))
          : [];
      // what each listed cluster's entity is built from: the entities of the full mutation are built after the
      // listing, so that they are not all held while it is read (a chunk's are written and let go)
      const listed = new Map<string, ClusterEntityInput>();
      let pages = 0;
      let chunks = 0;
      const listing = this.reader
        .listClusterPages({ signal })
        [Symbol.asyncIterator]();
      for (;;) {
        // a change received before a page is asked for is in that page: the upserts of its clusters are covered
        const asOf = this.eventsApplicable;
        step(`reading page ${pages + 1} of the clusters`);
        const { value: page, done } = await listing.next();
        if (done) break;
        signal.throwIfAborted();
        progress();
        pages++;
        for (const summary of page.items) {
          const key = stringifyClusterKey(summary);
          const pending = this.pending.get(key);
          if (pending?.change.type === 'upserted' && pending.event <= asOf) {
            this.pending.delete(key);
          }
          const input = toClusterEntityInput(summary);
          listed.set(key, input);
          if (chunkSize === 0) continue;
          chunk.push(this.deferred(this.build(input).entity));
          if (chunk.length >= chunkSize) {
            step(
              `writing chunk ${chunks + 1} (${
                chunk.length
              } entities) to the catalog`,
            );
            await this.applyDelta(chunk.splice(0));
            signal.throwIfAborted();
            progress();
            chunks++;
          }
        }
      }

      // the entities of this sync, for its full mutation; the records keep none
      const entities: DeferredEntity[] = [...mcs.values()].map(r =>
        this.deferred(r.entity),
      );
      const next = new Map<string, ClusterRecord>();
      let built = 0;
      for (const [key, input] of listed) {
        // a warning of a chunk's entity was logged when it was built
        const { record, entity } = this.build(input, chunkSize > 0);
        next.set(key, record);
        entities.push(this.deferred(entity));
        if (++built % BUILD_SLICE === 0) {
          await new Promise(resolve => setImmediate(resolve));
          signal.throwIfAborted();
        }
      }
      const carried = carryOver(
        this.clusters,
        next,
        statuses,
        r => r.input.managementCluster,
      );
      // the clusters kept from an unreachable management cluster: their entities built again from what is kept
      for (const [key, previous] of next) {
        if (listed.has(key)) continue;
        const { record, entity } = this.build(previous.input);
        next.set(key, record);
        entities.push(this.deferred(entity));
      }

      signal.throwIfAborted();
      step(`writing the full mutation (${entities.length} entities)`);
      await connection.applyMutation({ type: 'full', entities });
      this.clusters = next;
      this.managementClusters = mcs;
      this.synced = true;
      this.stats.fullMutations++;
      this.metrics.mutation('full');
      this.stats.carriedOver = carried;
      this.stats.clusters = next.size;
      this.stats.managementClusters = mcs.size;
      this.stats.lastFullSyncAt = new Date().toISOString();
      this.stats.lastError = undefined;
      this.logger.info(
        `Provided ${next.size} clusters and ${
          mcs.size
        } management clusters (${pages} pages, ${
          chunks ? `${chunks} chunks before the full mutation, ` : ''
        }${carried} kept from unreachable management clusters) in ${
          Date.now() - started
        } ms${
          this.pending.size
            ? `; ${this.pending.size} changes received meanwhile to apply`
            : ''
        }`,
      );
      // the changes received while the listing was read that it does not cover
      if (this.pending.size) this.queueDrain();
    } catch (error) {
      this.stats.lastError = String(error);
      throw error;
    }
  }

  private async onEvent(params: EventParams): Promise<void> {
    if (params.topic !== SHIPYARD_FLEET_EVENTS_TOPIC) return;
    const payload = params.eventPayload;
    if (!isFleetChangeEvent(payload)) {
      this.logger.warn('Ignoring a malformed fleet change event');
      return;
    }
    this.stats.eventsReceived++;
    const relevant = payload.changes.filter(c => c.entityChanged);
    this.stats.changesIgnored += payload.changes.length - relevant.length;
    this.metrics.change('ignored', payload.changes.length - relevant.length);
    if (relevant.length === 0 || !this.connection) return;
    // the last change of a cluster wins; the changes of a burst of events are applied together
    const event = ++this.eventsApplicable;
    for (const c of relevant) {
      this.pending.set(stringifyClusterKey(c), { change: c, event });
    }
    this.queueDrain();
  }

  /** Queues a job that applies the pending changes, unless one is queued or a wait before it runs. */
  private queueDrain(): void {
    if (this.drainQueued || this.drainTimer) return;
    this.drainQueued = true;
    this.queue
      .run(() => {
        this.drainQueued = false;
        return this.drain();
      })
      .catch(error =>
        this.logger.warn(`Applying fleet changes failed: ${error}`),
      );
  }

  /** Looks at the pending changes again after `ms`. */
  private drainAfter(ms: number): void {
    if (this.drainTimer) return;
    this.drainWait = new Promise(resolve => {
      this.drainTimer = setTimeout(() => {
        this.drainTimer = undefined;
        this.drainWait = undefined;
        this.queueDrain();
        resolve();
      }, ms);
      this.drainTimer.unref?.();
    });
  }

  /**
   * Applies the pending changes: as one delta mutation when they are few enough to read cluster by cluster, else by
   * a full sync, one at a time and not back to back (a full sync asked for by changes waits as long as the last one
   * took); changes whose application failed are tried again with backoff.
   */
  private async drain(): Promise<void> {
    if (this.pending.size === 0) return;
    let upserts = 0;
    for (const { change } of this.pending.values()) {
      if (change.type === 'upserted') upserts++;
    }
    if (upserts > this.config.clusters.deltaFetchLimit) {
      // a full sync that runs, waits in the queue or will be tried again covers them, or leaves them to its end
      if (this.fullSync.busy()) return;
      const wait = this.fullSync.spacingMs();
      if (wait > 0) {
        this.drainAfter(wait);
        return;
      }
      // queued after this job; its failure logs and schedules the next try itself
      this.fullSync.request().catch(() => undefined);
      return;
    }
    const changes = new Map(this.pending);
    this.pending.clear();
    try {
      await this.applyChanges(
        new Map([...changes].map(([k, p]) => [k, p.change])),
      );
      this.drainBackoff.reset();
    } catch (error) {
      // back to the pending changes, unless a newer change of the same cluster came meanwhile
      for (const [key, p] of changes) {
        if (!this.pending.has(key)) this.pending.set(key, p);
      }
      const delay = this.drainBackoff.next();
      this.logger.warn(
        `Applying ${changes.size} fleet changes failed; trying again in ${delay} ms: ${error}`,
      );
      this.drainAfter(delay);
    }
  }

  private async applyChanges(byKey: Map<string, ClusterChange>): Promise<void> {
    if (!this.connection || byKey.size === 0) return;
    const removed: Array<{ entityRef: string; locationKey: string }> = [];
    const added: DeferredEntity[] = [];
    // what the provider keeps changes once the catalog took the mutation: a failed one is tried again as it was
    const records = new Map<string, ClusterRecord | undefined>();
    const newManagementClusters: ManagementClusterRecord[] = [];
    const upserts = [...byKey.values()].filter(c => c.type === 'upserted');
    for (const c of byKey.values()) {
      if (c.type !== 'deleted') continue;
      records.set(stringifyClusterKey(c), undefined);
      removed.push({
        entityRef: clusterEntityRef(this.config, c),
        locationKey: this.locationKey(),
      });
    }

    const summaries = await mapBounded(upserts, 8, c =>
      this.reader.getCluster(c),
    );
    // a management cluster's own cluster that appeared: its chain relations hold from now on (the entities of the
    // clusters it hosts or manages follow at the next full sync)
    for (const summary of summaries) {
      if (
        summary?.managementClusterOf &&
        !this.chain.has(summary.managementClusterOf)
      )
        this.chain.set(summary.managementClusterOf, {
          managementCluster: summary.managementCluster,
          namespace: summary.namespace,
          name: summary.name,
        });
    }
    let unknownManagementCluster = false;
    for (const summary of summaries) {
      if (!summary) continue; // gone again; its `deleted` change follows
      const key = stringifyClusterKey(summary);
      const { record, entity } = this.build(toClusterEntityInput(summary));
      const previous = this.clusters.get(key);
      if (previous && previous.hash === record.hash) {
        this.stats.changesUnchanged++;
        this.metrics.change('unchanged');
        continue;
      }
      records.set(key, record);
      added.push(this.deferred(entity));
      if (!this.managementClusters.has(summary.managementCluster)) {
        unknownManagementCluster = true;
      }
    }

    if (unknownManagementCluster) {
      for (const status of await this.reader.listManagementClusters()) {
        if (this.managementClusters.has(status.name)) continue;
        const entity = buildManagementClusterEntity(status, this.config);
        newManagementClusters.push({ status, entity });
        added.push(this.deferred(entity));
      }
    }

    if (added.length === 0 && removed.length === 0) return;
    await this.applyDelta(added, removed);
    for (const [key, record] of records) {
      if (record) this.clusters.set(key, record);
      else this.clusters.delete(key);
    }
    for (const mc of newManagementClusters) {
      this.managementClusters.set(mc.status.name, mc);
    }
    this.metrics.change('applied', added.length);
    this.metrics.change('removed', removed.length);
    this.stats.clusters = this.clusters.size;
    this.stats.managementClusters = this.managementClusters.size;
  }

  /** Rebuilds every entity from memory (after profiles changed) and writes the ones that changed. */
  private async rebuild(): Promise<void> {
    if (!this.connection) return;
    const added: DeferredEntity[] = [];
    for (const [key, previous] of this.clusters) {
      const { record, entity } = this.build(previous.input);
      if (record.hash === previous.hash) continue;
      this.clusters.set(key, record);
      added.push(this.deferred(entity));
    }
    if (added.length === 0) return;
    await this.applyDelta(added);
  }
}
