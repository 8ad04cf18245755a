import { LoggerService } from '@backstage/backend-plugin-api';
import {
  capiApiVersion,
  ManagementClusterStatus,
  SourceState,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import {
  type ManagementClusterConnection,
  redactInternals,
} from '@shipyard/plugin-shipyard-node';
import {
  KubeApiError,
  KubeClient,
  KubeObject,
} from '@shipyard/plugin-shipyard-node/kube';
import { SyncConfig } from '../config/config';
import { OwnershipResolver } from '../config/ownership';
import { ClusterHealthEvaluator } from '../health';
import { FleetSink } from '../index/FleetIndex';
import { Backoff, sleep } from './backoff';
import { WatchTarget, discoverTargets } from './discovery';
import { foldClusterSummary } from './fold';
import { ManagementClusterRecords } from '../records/ManagementClusterRecords';
import { malformedReason, objectKeyOf } from './validate';
import {
  KindState,
  applyObject,
  kindStatusesOf,
  objectCountsOf,
} from './kinds';

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
  /** Called for every watch event of a Cluster object with its fleet key, as it arrives (for measurements). */
  onClusterEvent?: (key: string) => void;
  /** Where the trimmed objects are kept (default: records of its own). */
  records?: ManagementClusterRecords;
}

const UNNAMED = '(unnamed)';

/**
 * Lists and watches the CAPI objects of one management cluster (one stream per kind), keeps trimmed records, and
 * folds them into cluster summaries in the fleet index. Its failures stay its own.
 */
export class ManagementClusterReconciler {
  readonly name: string;
  private readonly client: KubeClient;
  private readonly abort = new AbortController();
  /** The trimmed objects of this management cluster (this reconciler is their only writer). */
  readonly records: ManagementClusterRecords;
  private readonly kinds = new Map<string, KindState>();
  private readonly dirty = new Set<string>();
  private flushScheduled = false;
  private foldingEnabled = false;
  private running?: Promise<void>;
  private capiVersion?: string;
  private discoveryError?: string;
  private discoveryFailingSince?: number;
  private lastSeenAt?: string;
  /** When the management cluster last said anything, on any stream or request. */
  private lastHeardMs = Date.now();
  /** Set while the management cluster gives no answer to the heartbeat: since when it was last heard. */
  private silentSince?: number;
  private silentError?: string;
  private heartbeatTimer?: NodeJS.Timeout;
  private heartbeatRunning = false;
  private lastSyncAt?: string;
  private lastErrorAt?: string;
  private staleSince?: string;
  private lastState?: SourceState;
  private readonly startedAt = Date.now();
  private staleTimer?: NodeJS.Timeout;
  private graceTimer?: NodeJS.Timeout;
  private readonly syncWaiters: Array<() => void> = [];

  constructor(private readonly options: ManagementClusterReconcilerOptions) {
    this.name = options.connection.name;
    this.records =
      options.records ?? new ManagementClusterRecords(options.connection.name);
    this.client = new KubeClient(options.connection, {
      requestTimeoutMs: options.sync.requestTimeoutMs,
      idleTimeoutMs: options.sync.idleTimeoutMs,
      maxResponseBytes: options.sync.maxResponseBytes,
    });
  }

  /** Starts listing and watching in the background. */
  start(): void {
    if (this.running) return;
    this.publishState();
    this.graceTimer = setTimeout(() => {
      this.enableFolding();
    }, this.options.initialSyncGraceMs ?? 15_000);
    this.graceTimer.unref?.();
    this.heartbeatTimer = setInterval(
      () => this.heartbeat(),
      Math.max(100, Math.floor(this.options.sync.heartbeatMs / 4)),
    );
    this.heartbeatTimer.unref?.();
    this.running = this.run().catch(error => {
      this.options.logger.error(
        `Shipyard reconciler for ${this.name} stopped: ${error}`,
      );
    });
  }

  /** Stops all streams. */
  async stop(): Promise<void> {
    this.abort.abort();
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.staleTimer);
    clearTimeout(this.graceTimer);
    await this.running;
    this.client.close();
  }

  /** Resolves once every kind has been listed once (or the reconciler stops). */
  waitForInitialSync(): Promise<void> {
    if (this.foldingEnabled && this.allListed()) return Promise.resolve();
    return new Promise(resolve => this.syncWaiters.push(resolve));
  }

  /** The state of this management cluster for `GET /management-clusters`. */
  status(): ManagementClusterStatus {
    const lastError =
      this.discoveryError ??
      this.silentError ??
      [...this.kinds.values()].find(k => k.lastError)?.lastError;
    const status: ManagementClusterStatus = {
      name: this.name,
      url: this.options.connection.url,
      state: this.lastState ?? this.computeState(),
      resynced: this.lastSyncAt !== undefined,
      objectCounts: objectCountsOf(this.kinds.values()),
      kinds: kindStatusesOf(
        this.kinds.values(),
        this.options.sync.staleAfterMs,
      ),
    };
    if (this.lastSyncAt) status.lastSyncAt = this.lastSyncAt;
    if (this.staleSince) status.staleSince = this.staleSince;
    if (this.lastSeenAt) status.lastSeenAt = this.lastSeenAt;
    // the logs keep the full error; what the API serves names no address
    if (lastError) status.lastError = redactInternals(lastError);
    if (this.lastErrorAt) status.lastErrorAt = this.lastErrorAt;
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
        this.capiVersion = result.capiVersion;
        this.discoveryError = undefined;
        this.discoveryFailingSince = undefined;
        this.seen();
      } catch (error) {
        if (signal.aborted) return;
        this.discoveryError = `discovery: ${(error as Error).message}`;
        this.discoveryFailingSince ??= Date.now();
        this.noteError(this.discoveryError);
        await sleep(backoff.next(), signal);
      }
    }
    if (!targets || signal.aborted) return;
    for (const target of targets) {
      this.kinds.set(`${target.group}/${target.resourceKind}`, {
        target,
        state: 'syncing',
        listedOnce: false,
        objects: new Map(),
        malformed: new Map(),
      });
    }
    this.publishState();
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
          this.publishState();
          resourceVersion = await this.relist(kind, pageSize, signal);
          if (signal.aborted) return;
          kind.state = 'connected';
          kind.lastSyncAt = new Date().toISOString();
          kind.lastError = undefined;
          kind.failingSince = undefined;
          backoff.reset();
          this.afterList(kind);
        }
        for await (const event of this.client.watch(kind.target.path, {
          resourceVersion,
          timeoutSeconds: watchTimeoutSeconds,
          signal,
          onOpen: () => this.watchOpened(kind),
          // a partition: no response headers within the request timeout, or a stream that falls silent for
          // about two bookmark intervals (bookmarks are requested: a live server sends them on a quiet stream)
          responseTimeoutMs: this.options.sync.requestTimeoutMs,
          eventTimeoutMs: 2 * this.options.sync.bookmarkIntervalMs,
        })) {
          this.seen(kind);
          if (event.type === 'BOOKMARK') {
            if (event.resourceVersion) resourceVersion = event.resourceVersion;
            continue;
          }
          if (this.options.onClusterEvent && kind.target.kind === 'Cluster') {
            const key = objectKeyOf(event.object);
            if (key) this.options.onClusterEvent(`${this.name}/${key}`);
          }
          this.apply(kind, event.type === 'DELETED', event.object);
          const rv = event.object?.metadata?.resourceVersion;
          if (typeof rv === 'string' && rv) resourceVersion = rv;
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
        this.noteError(kind.lastError);
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
    const seenKeys = new Set<string>();
    let resourceVersion = '';
    for await (const page of this.client.list(kind.target.path, {
      pageSize,
      signal,
    })) {
      this.seen(kind);
      resourceVersion = page.resourceVersion || resourceVersion;
      for (const obj of page.items) {
        // a malformed object that has a name keeps what was known of it
        seenKeys.add(objectKeyOf(obj) ?? UNNAMED);
        this.apply(kind, false, obj);
      }
    }
    for (const key of [...kind.malformed.keys()]) {
      if (!seenKeys.has(key)) kind.malformed.delete(key);
    }
    for (const [key] of [...kind.objects]) {
      if (seenKeys.has(key)) continue;
      const [namespace, name] = key.split('/');
      this.apply(kind, true, {
        metadata: { namespace, name },
      });
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
    this.seen(kind);
    if (kind.failingSince !== undefined || kind.state !== 'connected') {
      kind.failingSince = undefined;
      kind.lastError = undefined;
      kind.state = 'connected';
      this.publishState();
    }
  }

  private afterList(kind: KindState) {
    if (kind.target.kind === 'Cluster') {
      // clusters known from persisted state that the management cluster no longer has are gone
      for (const key of this.options.sink.keysOf(this.name)) {
        const [, namespace, name] = key.split('/');
        if (!this.records.clusters.get(`${namespace}/${name}`)?.cluster) {
          this.dirty.delete(`${namespace}/${name}`);
          this.options.sink.remove(key);
        }
      }
    }
    if (this.allListed()) {
      this.lastSyncAt = new Date().toISOString();
      this.enableFolding();
    }
    this.publishState();
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
    if (!this.foldingEnabled) {
      this.foldingEnabled = true;
      this.flush();
    }
    if (this.allListed()) {
      for (const resolve of this.syncWaiters.splice(0)) resolve();
    }
  }

  // ---- applying objects -----------------------------------------------------------------------------------

  /**
   * Applies one listed or watched object; a malformed one is skipped, counted, and logged with its reason once per
   * resourceVersion (a relist or a repeated event says nothing new).
   */
  private apply(kind: KindState, deleted: boolean, obj: KubeObject) {
    const key = objectKeyOf(obj) ?? UNNAMED;
    let reason = malformedReason(obj, kind.target, deleted);
    if (!reason) {
      try {
        applyObject(this.records, kind, deleted, obj, {
          annotationKeys: this.options.ownership.annotationKeys,
          markDirty: clusterKey => this.markDirty(clusterKey),
        });
        kind.malformed.delete(key);
        return;
      } catch (error) {
        reason = `cannot be read: ${(error as Error).message}`;
      }
    }
    if (deleted) {
      kind.malformed.delete(key);
      return;
    }
    const rv = obj?.metadata?.resourceVersion;
    const version = typeof rv === 'string' ? rv : '';
    if (version && kind.malformed.get(key) === version) return;
    kind.malformed.set(key, version);
    this.options.logger.warn(
      `Shipyard: management cluster ${this.name}: skipping ${kind.target.resourceKind} ${key}: ${reason}`,
    );
  }

  private markDirty(clusterKey: string) {
    this.dirty.add(clusterKey);
    if (!this.foldingEnabled || this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private flush() {
    this.flushScheduled = false;
    if (!this.foldingEnabled) return;
    const sink = this.options.sink;
    const lastSeenAt = this.lastSeenAt;
    for (const key of this.dirty) {
      const state = this.records.clusters.get(key);
      const [namespace, name] = key.split('/');
      const indexKey = stringifyClusterKey({
        managementCluster: this.name,
        namespace,
        name,
      });
      if (!state?.cluster) {
        sink.remove(indexKey);
        if (state?.isEmpty) this.records.clusters.delete(key);
        continue;
      }
      const c = state.cluster;
      const summary = foldClusterSummary(state, {
        managementCluster: this.name,
        ownership: this.options.ownership,
        health: this.options.health,
        controlPlane: this.records.controlPlaneOf(c),
      });
      if (summary) sink.upsert(summary, { lastSeenAt });
    }
    this.dirty.clear();
  }

  // ---- connection state -----------------------------------------------------------------------------------

  private seen(kind?: KindState) {
    const now = Date.now();
    this.lastHeardMs = now;
    if (kind) kind.lastHeardMs = now;
    this.lastSeenAt = new Date(now).toISOString();
    this.options.sink.touchSource(this.name, this.lastSeenAt);
    if (this.silentSince !== undefined) {
      this.silentSince = undefined;
      this.silentError = undefined;
      this.publishState();
    }
  }

  /**
   * The heartbeat: a management cluster that has said nothing for `heartbeatMs` (no event, no bookmark, no answer
   * on any stream) is asked for `/version`. No answer within the request's limits makes it failing since it was last
   * heard: a partition that leaves connections open shows as quickly as a refused connection.
   */
  private async heartbeat() {
    const { heartbeatMs } = this.options.sync;
    if (
      this.heartbeatRunning ||
      this.kinds.size === 0 ||
      this.abort.signal.aborted ||
      Date.now() - this.lastHeardMs < heartbeatMs
    ) {
      return;
    }
    this.heartbeatRunning = true;
    const lastHeard = this.lastHeardMs;
    try {
      await this.client.getJson('/version', this.abort.signal);
      this.seen();
    } catch (error) {
      if (this.abort.signal.aborted || this.lastHeardMs !== lastHeard) return;
      if (error instanceof KubeApiError && error.statusCode > 0) {
        // an error status is an answer: the server is there
        this.seen();
        return;
      }
      this.silentSince ??= lastHeard;
      this.silentError = `no answer to the heartbeat (GET /version) after ${Math.round(
        (Date.now() - lastHeard) / 1000,
      )} s of silence: ${(error as Error).message}`;
      this.noteError(this.silentError);
    } finally {
      this.heartbeatRunning = false;
    }
  }

  private noteError(message: string) {
    this.lastErrorAt = new Date().toISOString();
    this.options.logger.warn(
      `Shipyard: management cluster ${this.name}: ${message}`,
    );
    this.publishState();
  }

  /** When each failure began: discovery, the heartbeat, every kind's stream. */
  private failureStarts(): number[] {
    return [
      this.discoveryFailingSince,
      this.silentSince,
      ...[...this.kinds.values()].map(k => k.failingSince),
    ].filter((x): x is number => x !== undefined);
  }

  /** Publishes the state again when the oldest failure turns the source stale. */
  private scheduleStaleCheck() {
    if (this.staleTimer) return;
    const starts = this.failureStarts();
    if (starts.length === 0) return;
    const due = Math.min(...starts) + this.options.sync.staleAfterMs;
    this.staleTimer = setTimeout(() => {
      this.staleTimer = undefined;
      this.publishState();
    }, Math.max(0, due - Date.now()) + 10);
    this.staleTimer.unref?.();
  }

  private computeState(): SourceState {
    const now = Date.now();
    const staleAfter = this.options.sync.staleAfterMs;
    const failingSince = this.failureStarts();
    if (failingSince.length > 0) {
      const oldest = Math.min(...failingSince);
      if (now - oldest >= staleAfter) return 'stale';
    }
    if (this.kinds.size === 0) {
      return now - this.startedAt >= staleAfter && this.discoveryFailingSince
        ? 'stale'
        : 'syncing';
    }
    for (const k of this.kinds.values()) {
      if (k.state !== 'connected') return 'syncing';
    }
    return 'connected';
  }

  private publishState() {
    const state = this.computeState();
    if (state === 'stale' && this.lastState !== 'stale') {
      this.staleSince = new Date(
        Math.min(...this.failureStarts()),
      ).toISOString();
    } else if (state === 'connected') {
      this.staleSince = undefined;
    }
    // stale only improves on success; otherwise look again when the oldest failure makes it stale
    if (state !== 'stale') this.scheduleStaleCheck();
    this.lastState = state;
    this.options.sink.setSourceState(this.name, {
      state,
      staleSince: this.staleSince,
      lastSeenAt: this.lastSeenAt,
    });
  }
}
