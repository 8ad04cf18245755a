import { Worker } from 'node:worker_threads';
import { LoggerService } from '@backstage/backend-plugin-api';
import type { ManagementClusterConnection } from '@shipyard/plugin-shipyard-node';
import {
  KubeApiError,
  KubeClient,
  KubeClientOptions,
  KubeWatchOptions,
} from '@shipyard/plugin-shipyard-node/kube';
import { startWorker, stopWorker } from '../service/workerScript';
import type { WatchTarget } from './discovery';
import { WatchedEvent, adoptListed, watchedEvent } from './listed';
import { describeConnection } from './ListWorkers';
import type { ListWorkerConnection } from './listWorkerThread';
import {
  WatchWorkerData,
  WatchWorkerMessage,
  WatchWorkerReply,
  watchWorkerFile,
} from './watchWorkerThread';

/** Options of {@link WatchWorker}. */
export interface WatchWorkerOptions {
  logger: LoggerService;
  /** How often the thread is started again after it ended unexpectedly, before watches are read here (default 3). */
  maxRestarts?: number;
  /** The thread's script (default: `watchWorkerThread` of this package, from sources or from the build). */
  file?: string;
}

/** One watch read in the thread, as its reader in this thread sees it. */
interface ActiveWatch {
  worker: Worker;
  target: WatchTarget;
  onOpen?: () => void;
  /** Events arrived and not yet taken. */
  events: WatchedEvent[];
  /** The watch ended (the server ended it, or it failed: `error`). */
  ended: boolean;
  error?: Error;
  /** The reader waiting for the next reply, if it waits. */
  wake?: () => void;
}

/** What `promise` resolves to, or undefined as soon as `signal` aborts. */
function untilAborted<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
): Promise<T | undefined> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise<T | undefined>((resolve, reject) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      value => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      error => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** A watch read in this thread, its events parsed and projected here (no thread, or none any more). */
export async function* watchHere(
  client: KubeClient,
  target: WatchTarget,
  options: KubeWatchOptions,
  annotationKeys: ReadonlySet<string>,
): AsyncGenerator<WatchedEvent[]> {
  for await (const event of client.watch(target.path, options)) {
    yield [watchedEvent(target, event, annotationKeys)];
  }
}

/** Reads one management cluster's watches through the {@link WatchWorker}. */
export class ManagementClusterWatcher {
  constructor(
    private readonly workers: WatchWorker,
    private readonly connection: ListWorkerConnection,
    private readonly getToken: () => Promise<string | undefined>,
    private readonly client: KubeClient,
    private readonly annotationKeys: ReadonlySet<string>,
  ) {}

  /**
   * Watches a collection, as `KubeClient.watch` does, with its events parsed and projected ({@link WatchedEvent}), in
   * the batches they arrived in: in the thread when there is one, else here. Throws the same {@link KubeApiError}s;
   * ends quietly when `signal` aborts.
   */
  watch(
    target: WatchTarget,
    options: KubeWatchOptions,
  ): AsyncGenerator<WatchedEvent[]> {
    return this.workers.watch(
      this.connection,
      this.getToken,
      target,
      options,
      () => watchHere(this.client, target, options, this.annotationKeys),
    );
  }

  /** Closes this connection's client in the thread. */
  close(): void {
    this.workers.forget(this.connection.id);
  }
}

/**
 * Reads the reconcilers' watches in a worker thread, so that the watch streams' TLS, HTTP and JSON parsing and the
 * projection of their objects (more than a third of what a change of the fleet cost the backend's thread) run beside
 * the backend's thread, which then only applies the projected records ({@link WatchedEvent}s, a few hundred bytes
 * each, where the objects were kilobytes). The thread reads a watch through the same Kubernetes client, with the same
 * limits, as the reconciler does; the events of one read cross in one message, and a failure comes back as the same
 * {@link KubeApiError}. The connection's address and TLS material cross to the thread by value (in the same process);
 * the token is asked for in the backend's thread for every watch, as it is there.
 *
 * The thread starts with the first watch. When it cannot start (or ends unexpectedly more than `maxRestarts` times),
 * watches are read in the backend's thread and a warning says so. The watches of a thread that ended fail (reason
 * `Unavailable`): their reconcilers watch again from where they were, as after any broken stream.
 */
export class WatchWorker {
  private worker?: Worker;
  private starting?: Promise<Worker | undefined>;
  private readonly open = new Map<number, ActiveWatch>();
  /**
   * Watches opened so far in the thread and in the backend's thread, and the events of the thread's that crossed as
   * `UNCHANGED` (their object's record was the one sent last).
   */
  readonly watched = { inThread: 0, here: 0, unchanged: 0 };
  private nextId = 1;
  private nextConnectionId = 1;
  private restarts = 0;
  /** Set once watches are read in the backend's thread. */
  private inThread = false;
  private closed = false;

  constructor(private readonly options: WatchWorkerOptions) {}

  /** The thread's id while it runs (for measurements and tests). */
  get threadId(): number | undefined {
    return this.worker?.threadId;
  }

  /** Whether watches are read in this thread (the thread could not start, ended too often, or was closed). */
  get readsHere(): boolean {
    return this.closed || this.inThread;
  }

  /**
   * The watcher of one management cluster. `client` is the reconciler's own client of the same connection, which
   * reads the watches when no thread can.
   */
  watcher(
    connection: ManagementClusterConnection,
    clientOptions: KubeClientOptions,
    annotationKeys: ReadonlySet<string>,
    client: KubeClient,
  ): ManagementClusterWatcher {
    return new ManagementClusterWatcher(
      this,
      describeConnection(
        this.nextConnectionId++,
        connection,
        clientOptions,
        annotationKeys,
      ),
      () => connection.getToken(),
      client,
      annotationKeys,
    );
  }

  /**
   * Ends the thread; watches still open there end quietly. A thread still starting is not waited for: it is ended as
   * soon as it is ready (a backend stopped early does not wait for the thread it had just begun to start).
   */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    for (const w of this.open.values()) this.end(w);
    this.open.clear();
    if (worker) await stopWorker(worker);
  }

  /** The connection's client in the thread is closed. */
  forget(connectionId: number): void {
    this.worker?.postMessage({
      type: 'forget',
      connectionId,
    } satisfies WatchWorkerMessage);
  }

  /** One watch: in the thread when there is one, else `here`. */
  async *watch(
    connection: ListWorkerConnection,
    getToken: () => Promise<string | undefined>,
    target: WatchTarget,
    options: KubeWatchOptions,
    here: () => AsyncGenerator<WatchedEvent[]>,
  ): AsyncGenerator<WatchedEvent[]> {
    const { signal } = options;
    // a reconciler stopped while the thread starts does not wait for it
    const worker = this.readsHere
      ? undefined
      : await untilAborted(this.start(), signal);
    if (signal?.aborted) return;
    if (!worker) {
      this.watched.here++;
      yield* here();
      return;
    }
    // the token of the moment, asked for as the reconciler's own client asks for it before each request
    const token = await getToken();
    if (signal?.aborted) return;
    const id = this.nextId++;
    this.watched.inThread++;
    const w: ActiveWatch = {
      worker,
      target,
      onOpen: options.onOpen,
      events: [],
      ended: false,
    };
    this.open.set(id, w);
    if (this.open.size === 1) worker.ref();
    const onAbort = () => w.wake?.();
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.postMessage({
      type: 'watch',
      id,
      connection,
      token,
      target,
      options: {
        resourceVersion: options.resourceVersion,
        timeoutSeconds: options.timeoutSeconds,
        responseTimeoutMs: options.responseTimeoutMs,
        eventTimeoutMs: options.eventTimeoutMs,
      },
    } satisfies WatchWorkerMessage);
    try {
      for (;;) {
        if (w.events.length > 0) {
          const events = w.events;
          w.events = [];
          if (signal?.aborted) return;
          yield events;
          continue;
        }
        if (signal?.aborted) return;
        if (w.error) throw w.error;
        if (w.ended) return;
        await new Promise<void>(resolve => {
          w.wake = resolve;
        });
        w.wake = undefined;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      // a watch its reader left (aborted, or a failure applying it) is stopped in the thread
      if (this.open.delete(id)) {
        if (!w.ended) {
          worker.postMessage({ type: 'stop', id } satisfies WatchWorkerMessage);
        }
        if (this.open.size === 0) worker.unref();
      }
    }
  }

  /** Marks a watch ended (with `error`, when it failed) and wakes its reader. */
  private end(w: ActiveWatch, error?: Error): void {
    w.ended = true;
    w.error ??= error;
    w.wake?.();
  }

  /** The thread, started when there is none (undefined: watches are read here). */
  private start(): Promise<Worker | undefined> {
    if (this.worker) return Promise.resolve(this.worker);
    this.starting ??= startWorker<WatchWorkerReply>(
      this.options.file ?? watchWorkerFile,
      { shipyardWatchWorker: true } satisfies WatchWorkerData,
      {
        onReply: reply => this.onReply(reply),
        onLost: (worker, reason) => this.lost(worker, reason),
      },
    ).then(
      worker => {
        this.starting = undefined;
        if (this.closed || this.inThread) {
          worker.terminate().catch(() => {});
          return undefined;
        }
        this.worker = worker;
        worker.unref();
        return worker;
      },
      (error: Error) => {
        this.starting = undefined;
        if (!this.closed && !this.inThread) {
          this.inThread = true;
          this.options.logger.warn(
            `Shipyard: the watch thread did not start (${error.message}); reading watches on the backend's thread`,
          );
        }
        return undefined;
      },
    );
    return this.starting;
  }

  /** Events of a watch arrived: its reader takes them. */
  private take(w: ActiveWatch, events: WatchedEvent[]): void {
    // the records share their strings with this thread's records, as when projected here
    for (const event of events) {
      if (event.type === 'ADDED' || event.type === 'MODIFIED') {
        adoptListed(w.target, [event.listed]);
      } else if (event.type === 'UNCHANGED') {
        this.watched.unchanged++;
      }
    }
    if (w.events.length === 0) w.events = events;
    else w.events.push(...events);
    w.wake?.();
  }

  private onReply(reply: WatchWorkerReply): void {
    if (reply.type === 'ready') return;
    if (reply.type === 'read') {
      for (const [id, events] of reply.watches) {
        const w = this.open.get(id);
        if (w && !w.ended) this.take(w, events);
      }
      return;
    }
    const w = this.open.get(reply.id);
    if (!w || w.ended) return;
    switch (reply.type) {
      case 'open':
        w.onOpen?.();
        return;
      case 'end':
        this.end(w);
        return;
      case 'error':
        this.end(
          w,
          new KubeApiError(
            reply.error.message,
            reply.error.statusCode,
            reply.error.reason,
            reply.error.status,
          ),
        );
        return;
      default:
        this.end(
          w,
          new KubeApiError(
            `watch ${w.target.path} failed: ${reply.message}`,
            0,
          ),
        );
    }
  }

  /** The thread ended while in use: its watches fail (and are watched again), in a new thread or here. */
  private lost(worker: Worker, reason: string): void {
    if (this.closed || this.worker !== worker) return;
    this.worker = undefined;
    this.restarts++;
    const giveUp = this.restarts > (this.options.maxRestarts ?? 3);
    if (giveUp) this.inThread = true;
    this.options.logger.error(
      `Shipyard: the watch thread ended (${reason}); ${
        giveUp
          ? "reading watches on the backend's thread from now on"
          : 'starting it again with the next watch'
      }`,
    );
    for (const w of this.open.values()) {
      if (w.worker !== worker) continue;
      this.end(
        w,
        new KubeApiError(
          `watch ${w.target.path}: the watch thread ended (${reason})`,
          0,
          'Unavailable',
        ),
      );
    }
  }
}
