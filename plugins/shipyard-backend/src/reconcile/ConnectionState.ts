import { LoggerService } from '@backstage/backend-plugin-api';
import { SourceState } from '@shipyard/plugin-shipyard-common';
import { KubeApiError } from '@shipyard/plugin-shipyard-node/kube';
import { SyncConfig } from '../config/config';
import { FleetSink } from '../index/FleetIndex';
import { KindState } from './kinds';

/** Options of {@link ConnectionState}. */
export interface ConnectionStateOptions {
  /** The management cluster's name. */
  name: string;
  /** The streams of the management cluster's kinds (their failures count). */
  kinds: ReadonlyMap<string, KindState>;
  sink: FleetSink;
  sync: SyncConfig;
  logger: LoggerService;
  /** Asks the management cluster for something small (`GET /version`); an answer of any status means it is there. */
  ping: (signal: AbortSignal) => Promise<unknown>;
}

/**
 * The connection state of one management cluster: when it was last heard, which failures are open and since when
 * (discovery, the heartbeat, each kind's stream), and when they make it stale. Every change is published to the sink
 * (`setSourceState`, `touchSource`).
 */
export class ConnectionState {
  readonly startedAt = Date.now();
  lastSeenAt?: string;
  lastSyncAt?: string;
  lastErrorAt?: string;
  staleSince?: string;
  discoveryError?: string;
  discoveryFailingSince?: number;
  /** Set while the management cluster gives no answer to the heartbeat. */
  silentError?: string;
  private lastState?: SourceState;
  /** When the management cluster last said anything, on any stream or request. */
  private lastHeardMs = Date.now();
  /** Set while the management cluster gives no answer to the heartbeat: since when it was last heard. */
  private silentSince?: number;
  private heartbeatTimer?: NodeJS.Timeout;
  private heartbeatRunning = false;
  private staleTimer?: NodeJS.Timeout;

  constructor(private readonly options: ConnectionStateOptions) {}

  /** Starts the heartbeat (see {@link ConnectionState.heartbeat}). */
  startHeartbeat(signal: AbortSignal): void {
    this.heartbeatTimer = setInterval(
      () => this.heartbeat(signal),
      Math.max(100, Math.floor(this.options.sync.heartbeatMs / 4)),
    );
    this.heartbeatTimer.unref?.();
  }

  stop(): void {
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.staleTimer);
  }

  /** The management cluster said something (on the stream of `kind`, if given). */
  seen(kind?: KindState): void {
    const now = Date.now();
    this.lastHeardMs = now;
    if (kind) kind.lastHeardMs = now;
    this.lastSeenAt = new Date(now).toISOString();
    this.options.sink.touchSource(this.options.name, this.lastSeenAt);
    if (this.silentSince !== undefined) {
      this.silentSince = undefined;
      this.silentError = undefined;
      this.publish();
    }
  }

  /** A failure: logged, its time kept, the state published. */
  noteError(message: string): void {
    this.lastErrorAt = new Date().toISOString();
    this.options.logger.warn(
      `Shipyard: management cluster ${this.options.name}: ${message}`,
    );
    this.publish();
  }

  /** The state as it was last published (computed when nothing was published yet). */
  current(): SourceState {
    return this.lastState ?? this.compute();
  }

  /** Computes the state and publishes it to the sink. */
  publish(): void {
    const state = this.compute();
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
    this.options.sink.setSourceState(this.options.name, {
      state,
      staleSince: this.staleSince,
      lastSeenAt: this.lastSeenAt,
    });
  }

  /**
   * The heartbeat: a management cluster that has said nothing for `heartbeatMs` (no event, no bookmark, no answer
   * on any stream) is pinged. No answer within the request's limits makes it failing since it was last heard: a
   * partition that leaves connections open shows as quickly as a refused connection.
   */
  private async heartbeat(signal: AbortSignal) {
    const { heartbeatMs } = this.options.sync;
    if (
      this.heartbeatRunning ||
      this.options.kinds.size === 0 ||
      signal.aborted ||
      Date.now() - this.lastHeardMs < heartbeatMs
    ) {
      return;
    }
    this.heartbeatRunning = true;
    const lastHeard = this.lastHeardMs;
    try {
      await this.options.ping(signal);
      this.seen();
    } catch (error) {
      if (signal.aborted || this.lastHeardMs !== lastHeard) return;
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

  /** When each failure began: discovery, the heartbeat, every kind's stream. */
  private failureStarts(): number[] {
    return [
      this.discoveryFailingSince,
      this.silentSince,
      ...[...this.options.kinds.values()].map(k => k.failingSince),
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
      this.publish();
    }, Math.max(0, due - Date.now()) + 10);
    this.staleTimer.unref?.();
  }

  private compute(): SourceState {
    const now = Date.now();
    const staleAfter = this.options.sync.staleAfterMs;
    const failingSince = this.failureStarts();
    if (failingSince.length > 0) {
      const oldest = Math.min(...failingSince);
      if (now - oldest >= staleAfter) return 'stale';
    }
    const { kinds } = this.options;
    if (kinds.size === 0) {
      return now - this.startedAt >= staleAfter && this.discoveryFailingSince
        ? 'stale'
        : 'syncing';
    }
    for (const k of kinds.values()) {
      if (k.state !== 'connected') return 'syncing';
    }
    return 'connected';
  }
}
