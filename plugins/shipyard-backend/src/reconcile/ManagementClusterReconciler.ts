import { LoggerService } from '@backstage/backend-plugin-api';
import pLimit from 'p-limit';
import {
  capiApiVersion,
  ManagementClusterStatus,
} from '@shipyard/plugin-shipyard-common';
import {
  Backoff,
  type ManagementClusterConnection,
  redactInternals,
  sleep,
} from '@shipyard/plugin-shipyard-node';
import {
  KubeApiError,
  KubeClient,
  KubeWatchOptions,
} from '@shipyard/plugin-shipyard-node/kube';
import { SyncConfig } from '../config/config';
import { OwnershipResolver } from '../config/ownership';
import { ClusterHealthEvaluator } from '../health';
import { FleetSink } from '../index/FleetIndex';
import { WatchTarget, discoverTargets } from './discovery';
import { ClusterFolder } from './ClusterFolder';
import { KindObjects } from './KindObjects';
import { ConnectionState } from './ConnectionState';
import { ADDONS_GROUP } from './addons';
import { ManagementClusterRecords } from '../records/ManagementClusterRecords';
import {
  KindState,
  applyProjection,
  kindStatusesOf,
  objectCountsOf,
} from './kinds';
import {
  ListedObject,
  UNNAMED,
  WatchedEvent,
  deletedEvent,
  keyOfListed,
  listedObject,
} from './listed';
import { ListWorkers, ManagementClusterLister } from './ListWorkers';
import {
  ManagementClusterWatcher,
  WatchWorker,
  watchHere,
} from './WatchWorker';

/** Options of {@link ManagementClusterReconciler}. */
export interface ManagementClusterReconcilerOptions {
  connection: ManagementClusterConnection;
  /** Where summaries, deletions and the connection state go: the index, or the health evaluation before it. */
  sink: FleetSink;
  ownership: OwnershipResolver;
  health: ClusterHealthEvaluator;
  sync: SyncConfig;
  logger: LoggerService;
  /** Longest wait for the first list of every kind before folding anyway (ms). */
  initialSyncGraceMs?: number;
  /** Folding before every kind is listed once (past the grace period): how often what changed is folded (ms). */
  earlyFoldIntervalMs?: number;
  /** Called for every watch event of a Cluster object with its fleet key, as it arrives (for measurements). */
  onClusterEvent?: (key: string) => void;
  /** Where the trimmed objects are kept (default: records of its own). */
  records?: ManagementClusterRecords;
  /** Worker threads that read, parse and project list pages (default: lists are read in this thread). */
  listWorkers?: ListWorkers;
  /** The thread that reads, parses and projects the watch events (default: watches are read in this thread). */
  watchWorker?: WatchWorker;
}

/**
 * Lists and watches the CAPI objects of one management cluster (one stream per kind), keeps trimmed records, and
 * folds them into cluster summaries in the fleet index. Its failures stay its own. The loops are here; the connection
 * state (failures, heartbeat, staleness) is a {@link ConnectionState}, the folding of changed clusters a
 * {@link ClusterFolder}.
 */
export class ManagementClusterReconciler {
  readonly name: string;
  private readonly client: KubeClient;
  private readonly abort = new AbortController();
  /** The trimmed objects of this management cluster (this reconciler is their only writer). */
  readonly records: ManagementClusterRecords;
  private readonly kinds = new Map<string, KindState>();
  private readonly connectionState: ConnectionState;
  private readonly folder: ClusterFolder;
  private running?: Promise<void>;
  private capiVersion?: string;
  private graceTimer?: NodeJS.Timeout;
  private readonly syncWaiters: Array<() => void> = [];
  /** Where the clusters whose summary an object changes go. */
  private readonly markDirty: (clusterKey: string) => void;
  /** The annotations a Cluster's record keeps. */
  private readonly annotationKeys: ReadonlySet<string>;
  /** Reads lists in worker threads, when there are any. */
  private readonly lister?: ManagementClusterLister;
  /** Reads watches in the watch thread, when there is one. */
  private readonly watcher?: ManagementClusterWatcher;
  /**
   * Runs at most `sync.listConcurrency` lists of this management cluster at once: every kind's list at the same
   * moment can be more than a busy server answers within the request deadline, and they would fail and retry together.
   */
  private readonly listSlots: pLimit.Limit;

  constructor(private readonly options: ManagementClusterReconcilerOptions) {
    this.name = options.connection.name;
    this.records =
      options.records ?? new ManagementClusterRecords(options.connection.name);
    const clientOptions = {
      requestTimeoutMs: options.sync.requestTimeoutMs,
      idleTimeoutMs: options.sync.idleTimeoutMs,
      maxResponseBytes: options.sync.maxResponseBytes,
    };
    this.client = new KubeClient(options.connection, clientOptions);
    this.annotationKeys = options.ownership.annotationKeys;
    this.lister = options.listWorkers?.lister(
      options.connection,
      clientOptions,
      this.annotationKeys,
      this.client,
    );
    this.watcher = options.watchWorker?.watcher(
      options.connection,
      clientOptions,
      this.annotationKeys,
      this.client,
    );
    this.connectionState = new ConnectionState({
      name: this.name,
      kinds: this.kinds,
      sink: options.sink,
      sync: options.sync,
      logger: options.logger,
      ping: signal => this.client.getJson('/version', signal),
    });
    this.folder = new ClusterFolder({
      name: this.name,
      records: this.records,
      sink: options.sink,
      ownership: options.ownership,
      health: options.health,
      lastSeenAt: () => this.connectionState.lastSeenAt,
      earlyIntervalMs: options.earlyFoldIntervalMs,
    });
    this.markDirty = clusterKey => this.folder.markDirty(clusterKey);
    this.listSlots = pLimit(Math.max(1, options.sync.listConcurrency));
  }

  /** Starts listing and watching in the background. */
  start(): void {
    if (this.running) return;
    this.connectionState.publish();
    this.graceTimer = setTimeout(() => {
      this.enableFolding();
    }, this.options.initialSyncGraceMs ?? 15_000);
    this.graceTimer.unref?.();
    this.connectionState.startHeartbeat(this.abort.signal);
    this.running = this.run().catch(error => {
      this.options.logger.error(
        `Shipyard reconciler for ${this.name} stopped: ${error}`,
      );
    });
  }

  /** Stops all streams. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.connectionState.stop();
    clearTimeout(this.graceTimer);
    this.folder.stop();
    await this.running;
    this.lister?.close();
    this.watcher?.close();
    this.client.close();
  }

  /** Resolves once every kind has been listed once (or the reconciler stops). */
  waitForInitialSync(): Promise<void> {
    if (this.folder.isEnabled && this.allListed()) return Promise.resolve();
    return new Promise(resolve => this.syncWaiters.push(resolve));
  }

  /** The state of this management cluster for `GET /management-clusters`. */
  status(): ManagementClusterStatus {
    const conn = this.connectionState;
    const lastError =
      conn.discoveryError ??
      conn.silentError ??
      [...this.kinds.values()].find(k => k.lastError)?.lastError;
    const status: ManagementClusterStatus = {
      name: this.name,
      url: this.options.connection.url,
      state: conn.current(),
      resynced: conn.lastSyncAt !== undefined,
      objectCounts: objectCountsOf(this.kinds.values()),
      kinds: kindStatusesOf(
        this.kinds.values(),
        this.options.sync.staleAfterMs,
      ),
    };
    if (conn.lastSyncAt) status.lastSyncAt = conn.lastSyncAt;
    if (conn.staleSince) status.staleSince = conn.staleSince;
    if (conn.lastSeenAt) status.lastSeenAt = conn.lastSeenAt;
    // the logs keep the full error; what the API serves names no address
    if (lastError) status.lastError = redactInternals(lastError);
    if (conn.lastErrorAt) status.lastErrorAt = conn.lastErrorAt;
    if (this.capiVersion) status.capiVersion = capiApiVersion(this.capiVersion);
    return status;
  }

  // ---- the loops ------------------------------------------------------------------------------------------

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    const backoff = new Backoff(
      this.options.sync.backoff.initialDelayMs,
      this.options.sync.backoff.maxDelayMs,
    );
    let targets: WatchTarget[] | undefined;
    while (!signal.aborted && !targets) {
      try {
        const result = await discoverTargets(this.client, signal);
        targets = result.targets;
        this.records.addonKindsServed = targets.some(
          t => t.group === ADDONS_GROUP,
        );
        this.capiVersion = result.capiVersion;
        this.connectionState.discoveryError = undefined;
        this.connectionState.discoveryFailingSince = undefined;
        this.connectionState.seen();
      } catch (error) {
        if (signal.aborted) return;
        const message = `discovery: ${(error as Error).message}`;
        this.connectionState.discoveryError = message;
        this.connectionState.discoveryFailingSince ??= Date.now();
        this.connectionState.noteError(message);
        await sleep(backoff.next(), signal);
      }
    }
    if (!targets || signal.aborted) return;
    for (const target of targets) {
      this.kinds.set(`${target.group}/${target.resourceKind}`, {
        target,
        state: 'syncing',
        listedOnce: false,
        objects: new KindObjects(),
        malformed: new Map(),
      });
    }
    this.connectionState.publish();
    await Promise.all(
      [...this.kinds.values()].map(kind => this.runKind(kind, signal)),
    );
  }

  private async runKind(kind: KindState, signal: AbortSignal): Promise<void> {
    const backoff = new Backoff(
      this.options.sync.backoff.initialDelayMs,
      this.options.sync.backoff.maxDelayMs,
    );
    const { pageSize, watchTimeoutSeconds } = this.options.sync;
    let resourceVersion: string | undefined;
    while (!signal.aborted) {
      try {
        if (!resourceVersion) {
          kind.state = 'syncing';
          this.connectionState.publish();
          resourceVersion = await this.listSlots(() =>
            this.relist(kind, pageSize, signal),
          );
          if (signal.aborted) return;
          kind.state = 'connected';
          kind.lastSyncAt = new Date().toISOString();
          kind.lastError = undefined;
          kind.failingSince = undefined;
          backoff.reset();
          this.afterList(kind);
        }
        for await (const events of this.watch(kind, {
          resourceVersion,
          timeoutSeconds: watchTimeoutSeconds,
          signal,
          onOpen: () => this.watchOpened(kind),
          // a partition: no response headers within the request timeout, or a stream that falls silent for
          // about two bookmark intervals (bookmarks are requested: a live server sends them on a quiet stream)
          responseTimeoutMs: this.options.sync.requestTimeoutMs,
          eventTimeoutMs: 2 * this.options.sync.bookmarkIntervalMs,
        })) {
          this.connectionState.seen(kind);
          for (const event of events) {
            if (event.type === 'BOOKMARK') {
              if (event.resourceVersion) {
                resourceVersion = event.resourceVersion;
              }
              continue;
            }
            if (
              this.options.onClusterEvent &&
              kind.target.kind === 'Cluster' &&
              event.key
            ) {
              this.options.onClusterEvent(`${this.name}/${event.key}`);
            }
            // an object whose record stays the one applied last changes nothing
            if (event.type !== 'UNCHANGED') this.apply(kind, event);
            if (event.version) resourceVersion = event.version;
          }
        }
        // the server ended the watch (timeout): watch again from where we are
        if (kind.failingSince === undefined) backoff.reset();
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof KubeApiError && error.isExpired) {
          this.options.logger.info(
            `Shipyard: ${this.name} ${kind.target.resourceKind} watch expired, relisting`,
          );
          resourceVersion = undefined;
          continue;
        }
        kind.lastError = `${kind.target.resourceKind}: ${
          (error as Error).message
        }`;
        // a stream that stopped answering has been failing since it was last heard, not since that was noticed
        kind.failingSince ??=
          error instanceof KubeApiError && error.reason === 'Timeout'
            ? Math.min(Date.now(), kind.lastHeardMs ?? Date.now())
            : Date.now();
        this.connectionState.noteError(kind.lastError);
        await sleep(backoff.next(), signal);
      }
    }
  }

  /** Lists a kind completely, applies every object, and removes what is gone. Returns the list resourceVersion. */
  private async relist(
    kind: KindState,
    pageSize: number,
    signal: AbortSignal,
  ): Promise<string> {
    // what was held before the list and is not listed is gone; nothing held (a cold sync): nothing to look for
    const seenKeys =
      kind.objects.size > 0 || kind.malformed.size > 0
        ? new Set<string>()
        : undefined;
    let resourceVersion = '';
    // pages projected in list worker threads, or the objects themselves, projected here one by one
    const projected = this.lister !== undefined;
    const pages: AsyncIterable<{ items: unknown[]; resourceVersion: string }> =
      this.lister
        ? this.lister.list(kind.target, { pageSize, signal })
        : this.client.list(kind.target.path, { pageSize, signal });
    const { annotationKeys } = this;
    // Until every kind is listed once, the clusters a list changes are handed to the folder when the list is
    // through (or fails), not page by page: folding early (a first sync longer than the grace period), the folder
    // would fold every cluster a page touched again every few seconds while the list goes on, and a cluster's
    // Machines, MachineSets and MachineDeployments come in lists of their own.
    const listChanged = this.allListed() ? undefined : new Set<string>();
    const markDirty = listChanged
      ? (clusterKey: string) => {
          listChanged.add(clusterKey);
        }
      : this.markDirty;
    try {
      for await (const page of pages) {
        this.connectionState.seen(kind);
        resourceVersion = page.resourceVersion || resourceVersion;
        const items = page.items;
        for (let i = 0; i < items.length; i++) {
          const listed = projected
            ? (items[i] as ListedObject)
            : listedObject(kind.target, items[i], annotationKeys);
          // an object applied is let go at once: a garbage collection while the page is applied copies only the
          // objects not yet applied (the cold sync's collections copied whole pages of parsed objects)
          items[i] = undefined;
          // a malformed object that has a name keeps what was known of it
          seenKeys?.add(keyOfListed(listed));
          this.applyListed(kind, listed, '', markDirty);
        }
      }
    } finally {
      if (listChanged) {
        for (const clusterKey of listChanged) this.markDirty(clusterKey);
      }
    }
    if (seenKeys) {
      for (const key of [...kind.malformed.keys()]) {
        if (!seenKeys.has(key)) kind.malformed.delete(key);
      }
      const gone: Array<[string, string]> = [];
      for (const [namespace, name] of kind.objects.keys()) {
        if (!seenKeys.has(`${namespace}/${name}`)) {
          gone.push([namespace, name]);
        }
      }
      for (const [namespace, name] of gone) {
        this.apply(
          kind,
          deletedEvent(kind.target, { metadata: { namespace, name } }),
        );
      }
    }
    kind.listedOnce = true;
    if (!resourceVersion) {
      throw new KubeApiError(
        `${kind.target.resourceKind}: list returned no resourceVersion`,
        0,
      );
    }
    return resourceVersion;
  }

  private watchOpened(kind: KindState) {
    this.connectionState.seen(kind);
    if (kind.failingSince !== undefined || kind.state !== 'connected') {
      kind.failingSince = undefined;
      kind.lastError = undefined;
      kind.state = 'connected';
      this.connectionState.publish();
    }
  }

  private afterList(kind: KindState) {
    if (kind.target.kind === 'Cluster') {
      // clusters known from persisted state that the management cluster no longer has are gone
      for (const key of this.options.sink.keysOf(this.name)) {
        const [, namespace, name] = key.split('/');
        if (!this.records.clusters.get(`${namespace}/${name}`)?.cluster) {
          this.folder.forget(`${namespace}/${name}`);
          this.options.sink.remove(key);
        }
      }
    }
    if (this.allListed()) {
      this.connectionState.lastSyncAt = new Date().toISOString();
      this.enableFolding();
    }
    this.connectionState.publish();
  }

  private allListed(): boolean {
    if (this.kinds.size === 0) return false;
    for (const k of this.kinds.values()) {
      if (!k.listedOnce) return false;
    }
    return true;
  }

  private enableFolding() {
    clearTimeout(this.graceTimer);
    const listed = this.allListed();
    // before every kind is listed (the grace period passed): what changes is folded every few seconds
    this.folder.enable(!listed);
    if (listed) {
      for (const resolve of this.syncWaiters.splice(0)) resolve();
    }
  }

  // ---- applying objects -----------------------------------------------------------------------------------

  /**
   * The watch of a kind, its events in the batches they were read in: read in the watch thread when there is one
   * (its events come parsed and projected), else here.
   */
  private watch(
    kind: KindState,
    options: KubeWatchOptions,
  ): AsyncIterable<WatchedEvent[]> {
    if (this.watcher) return this.watcher.watch(kind.target, options);
    return watchHere(this.client, kind.target, options, this.annotationKeys);
  }

  /** Applies one watched object (or one gone since the last list). */
  private apply(
    kind: KindState,
    event: Exclude<WatchedEvent, { type: 'BOOKMARK' | 'UNCHANGED' }>,
  ) {
    if (event.type !== 'DELETED') {
      this.applyListed(kind, event.listed, event.version);
      return;
    }
    if (event.removed) {
      try {
        applyProjection(
          this.records,
          kind,
          event.removed.namespace,
          event.removed.name,
          undefined,
          this.markDirty,
        );
      } catch {
        // as a malformed object's: what was skipped of it is forgotten
      }
    }
    if (kind.malformed.size > 0) {
      kind.malformed.delete(event.key ?? UNNAMED);
    }
  }

  /**
   * Applies one listed or watched object; a malformed one is skipped, counted, and logged with its reason once per
   * resourceVersion (a relist or a repeated event says nothing new). `version`: the object's resourceVersion, when
   * known (a watched object's); `markDirty`: where the clusters it changes go (default: the folder).
   */
  private applyListed(
    kind: KindState,
    listed: ListedObject,
    version = '',
    markDirty = this.markDirty,
  ) {
    let reason = listed.reason;
    if (listed.reason === undefined) {
      try {
        applyProjection(
          this.records,
          kind,
          listed.namespace,
          listed.name,
          listed,
          markDirty,
        );
        if (kind.malformed.size > 0) kind.malformed.delete(keyOfListed(listed));
        return;
      } catch (error) {
        reason = `cannot be read: ${(error as Error).message}`;
      }
    }
    const key = keyOfListed(listed);
    const logged = listed.reason === undefined ? version : listed.version;
    if (logged && kind.malformed.get(key) === logged) return;
    kind.malformed.set(key, logged);
    this.options.logger.warn(
      `Shipyard: management cluster ${this.name}: skipping ${kind.target.resourceKind} ${key}: ${reason}`,
    );
  }
}
