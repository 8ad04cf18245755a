import { EventLoopUtilization } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { LoggerService } from '@backstage/backend-plugin-api';
import { KubeCredentials } from '@shipyard/plugin-shipyard-node/kube';
import {
  ProbeConnections,
  ProbeConnectionsOptions,
  ProbeExecutor,
  ProbeRequest,
  sameTransport,
} from './ProbeConnections';
import {
  ProbeWorkerData,
  ProbeWorkerMessage,
  ProbeWorkerReply,
  probeWorkerFile,
} from './probeWorkerThread';
import { ProbeResult } from './types';
import { startWorker, stopWorker } from '../service/workerScript';

/** Options of {@link ProbeWorker}. */
export interface ProbeWorkerOptions
  extends Pick<ProbeConnectionsOptions, 'keepAliveMs' | 'maxConnections'> {
  logger: LoggerService;
  /** How often the thread is started again after it ended unexpectedly, before probes run in this thread (default 3). */
  maxRestarts?: number;
  /** The worker's script (default: `probeWorkerThread` of this package, from sources or from the build). */
  file?: string;
}

interface Pending {
  request: ProbeRequest;
  resolve(result: ProbeResult): void;
  reject(error: Error): void;
}

/** The result of a probe that the prober's closing ended. */
function stoppedResult(request: ProbeRequest): ProbeResult {
  return {
    key: request.target.key,
    at: new Date().toISOString(),
    ok: false,
    latencyMs: 0,
    failure: 'unreachable',
    error: 'probing stopped',
    consecutiveFailures: 0,
  };
}

/**
 * Runs probes in a worker thread, so that the connections to workload clusters (TLS handshakes), their requests and
 * the parsing of their answers do not compete with the backend's requests: the thread holds a
 * {@link ProbeConnections}, the same code that probes in this thread, and answers each probe with its compact
 * result. Credentials cross to the thread (in the same process) only when a cluster's differ from those its client
 * was built with; nothing of them is logged.
 *
 * The thread starts with the first probe. When it cannot start (or ends unexpectedly more than `maxRestarts`
 * times), probes run in this thread and a warning says so; probes that were in flight when it ended run again.
 */
export class ProbeWorker implements ProbeExecutor {
  private worker?: Worker;
  private starting?: Promise<Worker | undefined>;
  private readonly pending = new Map<number, Pending>();
  /** The credentials each cluster's client in the worker was built with. */
  private readonly sent = new Map<string, KubeCredentials>();
  private nextId = 1;
  private restarts = 0;
  private inThread?: ProbeConnections;
  private closed = false;

  constructor(private readonly options: ProbeWorkerOptions) {}

  /** The worker's thread id while it runs (undefined before the first probe, and when probes run in this thread). */
  get threadId(): number | undefined {
    return this.worker?.threadId;
  }

  /** The event loop utilisation of the worker thread so far (undefined while there is none). */
  eventLoopUtilization(): EventLoopUtilization | undefined {
    return this.worker?.performance.eventLoopUtilization();
  }

  /** Busy time of the worker thread so far (ms); undefined while probes do not run in it. */
  busyMs(): number | undefined {
    return this.eventLoopUtilization()?.active;
  }

  /** The heap in use by the worker thread (bytes; undefined while there is none). */
  async heapUsed(): Promise<number | undefined> {
    const stats = await this.worker?.getHeapStatistics();
    return stats?.used_heap_size;
  }

  async ready(): Promise<void> {
    if (!this.worker) await this.start();
  }

  probe(request: ProbeRequest): Promise<ProbeResult> {
    if (this.closed) return Promise.resolve(stoppedResult(request));
    return new Promise<ProbeResult>((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { request, resolve, reject });
      if (this.pending.size === 1) this.worker?.ref();
      this.dispatch(id, false);
    });
  }

  forget(keys: string[]): void {
    this.inThread?.forget(keys);
    // only clusters whose client the worker may hold
    const held = keys.filter(key => this.sent.delete(key));
    if (held.length > 0) this.post({ type: 'forget', keys: held });
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker ?? (await this.starting);
    this.worker = undefined;
    this.starting = undefined;
    this.sent.clear();
    await this.inThread?.close();
    // the worker closes its connections and exits, or is ended after a grace period
    if (worker) await stopWorker(worker);
    for (const [id, entry] of this.pending) {
      this.pending.delete(id);
      entry.resolve(stoppedResult(entry.request));
    }
  }

  private post(message: ProbeWorkerMessage) {
    this.worker?.postMessage(message);
  }

  private dispatch(id: number, withCredentials: boolean) {
    if (this.worker) {
      this.send(this.worker, id, withCredentials);
      return;
    }
    this.start().then(worker => {
      if (!this.pending.has(id)) return;
      if (worker) this.send(worker, id, withCredentials);
      // once closed, what is still pending ends with the close
      else if (!this.closed) this.runInThread(id);
    });
  }

  private send(worker: Worker, id: number, withCredentials: boolean) {
    const entry = this.pending.get(id);
    if (!entry) return;
    const { request } = entry;
    const key = request.target.key;
    const known = this.sent.get(key);
    const credentials =
      withCredentials || !known || !sameTransport(known, request.credentials)
        ? request.credentials
        : undefined;
    if (credentials) this.sent.set(key, credentials);
    worker.postMessage({
      type: 'probe',
      id,
      target: request.target,
      timeoutMs: request.timeoutMs,
      maxNodes: request.maxNodes,
      kubeSystemChecks: request.kubeSystemChecks,
      discovery: request.discovery,
      previous: request.previous,
      hedge: request.hedge,
      credentials: credentials && {
        server: credentials.server,
        options: { ...credentials.options },
      },
    } satisfies ProbeWorkerMessage);
  }

  private runInThread(id: number) {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.settle(id);
    this.inThread ??= new ProbeConnections(this.connectionOptions());
    this.inThread.probe(entry.request).then(entry.resolve, entry.reject);
  }

  /** How the connections are kept, in this thread or the worker's. */
  private connectionOptions(): ProbeConnectionsOptions {
    const { keepAliveMs, maxConnections } = this.options;
    return { keepAliveMs, maxConnections };
  }

  private settle(id: number) {
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker?.unref();
  }

  /** The running worker, started if need be; undefined when probes run in this thread. */
  private start(): Promise<Worker | undefined> {
    if (this.closed || this.inThread) return Promise.resolve(undefined);
    this.starting ??= this.spawn().then(
      worker => {
        this.starting = undefined;
        if (this.closed) {
          worker.terminate().catch(() => undefined);
          return undefined;
        }
        this.worker = worker;
        if (this.pending.size === 0) worker.unref();
        return worker;
      },
      (error: Error) => {
        this.starting = undefined;
        this.options.logger.warn(
          `Shipyard: the probe worker thread did not start (${error.message}); probing on the backend's thread`,
        );
        this.inThread ??= new ProbeConnections(this.connectionOptions());
        return undefined;
      },
    );
    return this.starting;
  }

  private spawn(): Promise<Worker> {
    const data: ProbeWorkerData = {
      shipyardProbeWorker: true,
      ...this.connectionOptions(),
    };
    return startWorker<ProbeWorkerReply>(
      this.options.file ?? probeWorkerFile,
      data,
      {
        onReply: reply => this.onReply(reply),
        onLost: (worker, reason) => this.lost(worker, reason),
      },
    );
  }

  private onReply(reply: ProbeWorkerReply) {
    switch (reply.type) {
      case 'result': {
        const entry = this.pending.get(reply.id);
        if (!entry) return;
        this.settle(reply.id);
        entry.resolve(reply.result);
        return;
      }
      case 'credentials':
        // the worker forgot the cluster's client after this probe was sent without credentials
        this.dispatch(reply.id, true);
        return;
      case 'failed': {
        const entry = this.pending.get(reply.id);
        if (!entry) return;
        this.settle(reply.id);
        entry.reject(new Error(reply.message));
        return;
      }
      default:
    }
  }

  /** The worker ended while in use: probes in flight run again, in a new worker or (too many restarts) here. */
  private lost(worker: Worker, reason: string) {
    if (this.worker !== worker || this.closed) return;
    this.worker = undefined;
    this.sent.clear();
    this.restarts++;
    const giveUp = this.restarts > (this.options.maxRestarts ?? 3);
    this.options.logger.error(
      `Shipyard: the probe worker thread ended (${reason}); ${
        giveUp
          ? "probing on the backend's thread from now on"
          : 'starting it again'
      }`,
    );
    if (giveUp) {
      this.inThread ??= new ProbeConnections(this.connectionOptions());
    }
    for (const id of [...this.pending.keys()]) this.dispatch(id, true);
  }
}
