import { Worker } from 'node:worker_threads';
import { LoggerService } from '@backstage/backend-plugin-api';
import type { ManagementClusterConnection } from '@shipyard/plugin-shipyard-node';
import {
  KubeApiError,
  KubeClient,
  KubeClientOptions,
} from '@shipyard/plugin-shipyard-node/kube';
import { startWorker, stopWorker } from '../service/workerScript';
import type { WatchTarget } from './discovery';
import { ListedObject, adoptListed, listedObject } from './listed';
import {
  ListWorkerConnection,
  ListWorkerData,
  ListWorkerMessage,
  ListWorkerReply,
  listWorkerFile,
} from './listWorkerThread';

/** Options of {@link ListWorkers}. */
export interface ListWorkersOptions {
  /** How many threads read, parse and project list pages. */
  threads: number;
  logger: LoggerService;
  /** How often threads that ended unexpectedly are started again, before lists are read in this thread (default 3). */
  maxRestarts?: number;
  /** The workers' script (default: `listWorkerThread` of this package, from sources or from the build). */
  file?: string;
}

/** One page of a list as a reconciler applies it. */
export interface ListedPage {
  items: ListedObject[];
  resourceVersion: string;
  continueToken?: string;
}

type PageRequest = Extract<ListWorkerMessage, { type: 'page' }>;

interface Pending {
  request: PageRequest;
  /** The reconciler's own client, which reads the page when no thread can. */
  fallback: () => Promise<ListedPage>;
  thread?: Thread;
  resolve(page: ListedPage): void;
  reject(error: unknown): void;
}

interface Thread {
  worker: Worker;
  /** Pages requested from it and not yet answered. */
  busy: number;
}

/** The {@link KubeApiError} a thread sent, as the reconciler's own client would have thrown it. */
function kubeError(
  error: Extract<ListWorkerReply, { type: 'error' }>['error'],
): KubeApiError {
  return new KubeApiError(
    error.message,
    error.statusCode,
    error.reason,
    error.status,
  );
}

/** A management cluster's connection as it crosses to a worker thread (see {@link ListWorkerConnection}). */
export function describeConnection(
  id: number,
  connection: ManagementClusterConnection,
  clientOptions: KubeClientOptions,
  annotationKeys: ReadonlySet<string>,
): ListWorkerConnection {
  return {
    id,
    name: connection.name,
    url: connection.url,
    caData: connection.caData,
    skipTLSVerify: connection.skipTLSVerify,
    tlsServerName: connection.tlsServerName,
    clientCertData: connection.clientCertData,
    clientKeyData: connection.clientKeyData,
    client: clientOptions,
    annotationKeys: [...annotationKeys],
  };
}

/** Reads one management cluster's collections through {@link ListWorkers}. */
export class ManagementClusterLister {
  constructor(
    private readonly workers: ListWorkers,
    private readonly connection: ListWorkerConnection,
    private readonly getToken: () => Promise<string | undefined>,
    private readonly readHere: (
      target: WatchTarget,
      pageSize: number,
      continueToken: string | undefined,
      signal: AbortSignal,
    ) => Promise<ListedPage>,
  ) {}

  /**
   * Lists a collection page by page, as `KubeClient.list` does, with its objects projected; the next page is
   * requested as soon as a page arrives, so that it is read while this one is applied.
   */
  async *list(
    target: WatchTarget,
    options: { pageSize: number; signal: AbortSignal },
  ): AsyncGenerator<ListedPage> {
    const { pageSize, signal } = options;
    const request = (continueToken: string | undefined) =>
      this.requestPage(target, pageSize, continueToken, signal);
    let next: Promise<ListedPage> | undefined = request(undefined);
    try {
      while (next) {
        const page: ListedPage = await next;
        next = page.continueToken ? request(page.continueToken) : undefined;
        // a request that fails while this page is applied throws when it is awaited, not before
        next?.catch(() => {});
        yield page;
      }
    } finally {
      // the consumer stopped early (an error, the signal): a page requested ahead is of no use
      if (next) next.catch(() => {});
    }
  }

  /** Closes this connection's clients in the threads. */
  close(): void {
    this.workers.forget(this.connection.id);
  }

  private async requestPage(
    target: WatchTarget,
    pageSize: number,
    continueToken: string | undefined,
    signal: AbortSignal,
  ): Promise<ListedPage> {
    const fallback = () =>
      this.readHere(target, pageSize, continueToken, signal);
    if (this.workers.readsHere) return fallback();
    // the token of the moment, asked for as the reconciler's own client asks for it before each request
    const token = await this.getToken();
    return this.workers.page(
      { connection: this.connection, token, target, pageSize, continueToken },
      fallback,
      signal,
    );
  }
}

/**
 * Reads, parses and projects the pages of the reconcilers' lists in worker threads, so that a cold sync's JSON
 * parsing (most of its CPU) runs beside the backend's thread, which then only applies the projected records.
 * A thread reads a page through the same Kubernetes client, with the same limits, as the reconciler does, and
 * answers with the page's projected records ({@link ListedObject}: not the objects); a failure of the request
 * comes back as the same {@link KubeApiError}. The connection's address and TLS material cross to the threads by
 * value (in the same process); the token is asked for in the backend's thread for every request, as it is there.
 *
 * Watches stay in the backend's thread. While no thread is ready (they start, or one starts again), pages are read
 * in the backend's thread; so are they when the threads cannot start, or end unexpectedly more than `maxRestarts`
 * times (a warning says so). A page in flight when its thread ended is read again.
 */
export class ListWorkers {
  private threads: Thread[] = [];
  private starting?: Promise<void>;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private nextConnectionId = 1;
  private restarts = 0;
  /** Set once pages are read in the backend's thread. */
  private inThread = false;
  private closed = false;
  private readonly cpuWaiters: Array<(ms: number) => void> = [];
  /** Threads that ended before they were taken into use. */
  private readonly ended = new WeakSet<Worker>();
  /** Pages read so far: in the threads, and in the backend's thread. */
  readonly pages = { inThreads: 0, here: 0 };

  constructor(private readonly options: ListWorkersOptions) {}

  /** Starts the threads (else the first page does). */
  start(): Promise<void> {
    if (this.closed || this.inThread || this.threads.length > 0) {
      return Promise.resolve();
    }
    this.starting ??= Promise.allSettled(
      Array.from({ length: Math.max(1, this.options.threads) }, () =>
        this.spawn(),
      ),
    ).then(results => {
      this.starting = undefined;
      const workers: Worker[] = [];
      for (const r of results)
        if (r.status === 'fulfilled') workers.push(r.value);
      if (this.closed) {
        for (const worker of workers) worker.terminate().catch(() => {});
        return;
      }
      const failed = results.find(
        (r): r is PromiseRejectedResult => r.status === 'rejected',
      );
      if (failed) {
        this.options.logger.warn(
          `Shipyard: ${results.length - workers.length} of ${
            results.length
          } list worker threads did not start (${
            (failed.reason as Error)?.message
          })${
            workers.length === 0
              ? "; reading lists on the backend's thread"
              : ''
          }`,
        );
      }
      if (workers.length === 0) {
        this.inThread = true;
        return;
      }
      this.threads = workers
        .filter(worker => !this.ended.has(worker))
        .map(worker => ({ worker, busy: 0 }));
      this.idle();
    });
    return this.starting;
  }

  /** Whether pages are read in this thread (the threads could not start, ended too often, or were closed). */
  get readsHere(): boolean {
    return this.closed || this.inThread;
  }

  /** The thread ids of the workers (for measurements and tests). */
  get threadIds(): number[] {
    return this.threads.map(t => t.worker.threadId);
  }

  /** The CPU time the worker threads used so far (ms; for measurements). */
  async cpuMs(): Promise<number> {
    const threads = this.threads;
    const answers = await Promise.all(
      threads.map(
        ({ worker }) =>
          new Promise<number>(resolve => {
            this.cpuWaiters.push(resolve);
            worker.postMessage({ type: 'cpu' } satisfies ListWorkerMessage);
          }),
      ),
    );
    return answers.reduce((a, b) => a + b, 0);
  }

  /**
   * The lister of one management cluster: its collections read page by page through the threads. `client` is the
   * reconciler's own client of the same connection, which reads a page when no thread can.
   */
  lister(
    connection: ManagementClusterConnection,
    clientOptions: KubeClientOptions,
    annotationKeys: ReadonlySet<string>,
    client: KubeClient,
  ): ManagementClusterLister {
    return new ManagementClusterLister(
      this,
      describeConnection(
        this.nextConnectionId++,
        connection,
        clientOptions,
        annotationKeys,
      ),
      () => connection.getToken(),
      (target, pageSize, continueToken, signal) =>
        client
          .listPage(target.path, { pageSize, signal }, continueToken)
          .then(page => {
            this.pages.here++;
            return {
              items: page.items.map(obj =>
                listedObject(target, obj, annotationKeys),
              ),
              resourceVersion: page.resourceVersion,
              continueToken: page.continueToken,
            };
          }),
    );
  }

  /** Ends the threads; pages in flight are read in the backend's thread. */
  async close(): Promise<void> {
    this.closed = true;
    await this.starting;
    const threads = this.threads;
    this.threads = [];
    await Promise.all(threads.map(t => stopWorker(t.worker)));
    for (const waiter of this.cpuWaiters.splice(0)) waiter(0);
    for (const id of [...this.pending.keys()]) this.runInThread(id);
  }

  /** Reads one page (in a thread when there is one). */
  page(
    request: Omit<PageRequest, 'type' | 'id'>,
    fallback: () => Promise<ListedPage>,
    signal: AbortSignal,
  ): Promise<ListedPage> {
    return new Promise<ListedPage>((resolve, reject) => {
      const id = this.nextId++;
      const onAbort = () => {
        const entry = this.pending.get(id);
        if (!entry) return;
        this.settle(id);
        entry.thread?.worker.postMessage({
          type: 'abort',
          id,
        } satisfies ListWorkerMessage);
        reject(new KubeApiError('aborted', 0, 'Aborted'));
      };
      if (signal.aborted) {
        // as the client does: an aborted request is not sent
        fallback().then(resolve, reject);
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        request: { type: 'page', id, ...request },
        fallback,
        resolve: page => {
          signal.removeEventListener('abort', onAbort);
          resolve(page);
        },
        reject: error => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      });
      this.dispatch(id);
    });
  }

  /** The connection's client in every thread is closed. */
  forget(connectionId: number): void {
    for (const { worker } of this.threads) {
      worker.postMessage({
        type: 'forget',
        connectionId,
      } satisfies ListWorkerMessage);
    }
  }

  private dispatch(id: number): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    if (this.closed || this.inThread) {
      this.runInThread(id);
      return;
    }
    if (this.threads.length === 0) {
      // no thread yet (they start, or one starts again): this page is not kept waiting for one
      this.start();
      this.runInThread(id);
      return;
    }
    // the thread with the fewest pages in flight
    let thread = this.threads[0];
    for (const t of this.threads) if (t.busy < thread.busy) thread = t;
    thread.busy++;
    if (thread.busy === 1) thread.worker.ref();
    entry.thread = thread;
    thread.worker.postMessage(entry.request);
  }

  private runInThread(id: number): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.settle(id);
    entry.fallback().then(entry.resolve, entry.reject);
  }

  private settle(id: number): Pending | undefined {
    const entry = this.pending.get(id);
    this.pending.delete(id);
    const thread = entry?.thread;
    if (thread) {
      thread.busy--;
      if (thread.busy === 0) thread.worker.unref();
    }
    return entry;
  }

  /** Threads with nothing in flight do not keep the process alive. */
  private idle(): void {
    for (const t of this.threads) if (t.busy === 0) t.worker.unref();
  }

  /** Starts a thread; once it is ready, its answers and its end are this pool's. */
  private spawn(): Promise<Worker> {
    const data: ListWorkerData = { shipyardListWorker: true };
    return startWorker<ListWorkerReply>(
      this.options.file ?? listWorkerFile,
      data,
      {
        onReply: reply => this.onReply(reply),
        onLost: (worker, reason) => this.lost(worker, reason),
      },
    );
  }

  private onReply(reply: ListWorkerReply): void {
    if (reply.type === 'cpu') {
      this.cpuWaiters.shift()?.(reply.ms);
      return;
    }
    if (reply.type === 'ready') return;
    const entry = this.pending.get(reply.id);
    if (!entry) return;
    switch (reply.type) {
      case 'page': {
        this.settle(reply.id);
        this.pages.inThreads++;
        adoptListed(entry.request.target, reply.items);
        entry.resolve({
          items: reply.items,
          resourceVersion: reply.resourceVersion,
          continueToken: reply.continueToken,
        });
        return;
      }
      case 'error':
        this.settle(reply.id);
        entry.reject(kubeError(reply.error));
        return;
      default:
        // not a failure of the request: the page is read here
        this.options.logger.warn(
          `Shipyard: a list worker thread could not read a page (${reply.message}); reading it on the backend's thread`,
        );
        this.runInThread(reply.id);
    }
  }

  /** A thread ended while in use: its pages are read again, in a new thread or (too many restarts) here. */
  private lost(worker: Worker, reason: string): void {
    if (this.closed) return;
    const index = this.threads.findIndex(t => t.worker === worker);
    if (index < 0) {
      this.ended.add(worker);
      return;
    }
    const thread = this.threads[index];
    this.threads.splice(index, 1);
    this.restarts++;
    const giveUp = this.restarts > (this.options.maxRestarts ?? 3);
    this.options.logger.error(
      `Shipyard: a list worker thread ended (${reason}); ${
        giveUp
          ? "reading lists on the backend's thread from now on"
          : 'starting it again'
      }`,
    );
    const orphans = [...this.pending.values()].filter(p => p.thread === thread);
    for (const p of orphans) p.thread = undefined;
    if (giveUp) {
      this.inThread = true;
      const others = this.threads;
      this.threads = [];
      for (const t of others) stopWorker(t.worker);
      for (const id of [...this.pending.keys()]) this.runInThread(id);
      return;
    }
    const respawn = this.spawn().then(
      fresh => {
        if (this.closed || this.inThread || this.ended.has(fresh)) {
          fresh.terminate().catch(() => {});
          return;
        }
        this.threads.push({ worker: fresh, busy: 0 });
        fresh.unref();
      },
      (error: Error) => {
        if (this.threads.length > 0) return;
        this.inThread = true;
        this.options.logger.warn(
          `Shipyard: a list worker thread did not start again (${error.message}); reading lists on the backend's thread`,
        );
      },
    );
    // no second thread is started meanwhile
    if (this.threads.length === 0) {
      this.starting = respawn.then(() => {
        this.starting = undefined;
      });
    }
    // its pages go to the other threads, or are read here while none runs
    for (const p of orphans) this.dispatch(p.request.id);
  }
}
