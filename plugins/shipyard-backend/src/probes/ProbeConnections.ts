import {
  KubeClient,
  KubeCredentials,
  OpenConnections,
} from '@shipyard/plugin-shipyard-node/kube';
import {
  MAX_PROBE_RESPONSE_BYTES,
  PARALLEL_SOCKETS,
  probeCluster,
} from './probeCluster';
import { ProbeResult, ProbeTarget } from './types';

/** One probe of one workload cluster, as a round asks for it. */
export interface ProbeRequest {
  target: ProbeTarget;
  /** The cluster's credentials (resolved by the round, in the backend). */
  credentials: KubeCredentials;
  timeoutMs: number;
  maxNodes: number;
  kubeSystemChecks: boolean;
  /** Read `/apis` for distribution detection. */
  discovery: boolean;
  /** What the last probe found out by discovery (kept when this one does not read `/apis`). */
  previous?: Pick<ProbeResult, 'apiGroups' | 'apiGroupsAt'>;
  /** Whether a slow server may get more connections (see {@link ProbeOptions.hedge}; default true). */
  hedge?: boolean;
}

/**
 * Where the network part of probes runs: the connections to workload clusters, the requests and the parsing of their
 * answers. Either this thread ({@link ProbeConnections}) or a worker thread running the same code
 * (`ProbeWorker`); the rounds, backoff and health evaluation stay with the caller.
 */
export interface ProbeExecutor {
  /** Resolves when probes can start (a worker thread has started, or probes will run in this thread). */
  ready(): Promise<void>;
  /** Probes one cluster. Never rejects: a probe that cannot be made is a failed result. */
  probe(request: ProbeRequest): Promise<ProbeResult>;
  /** Closes the connections of these clusters (no longer probed, or without usable credentials). */
  forget(keys: string[]): void;
  /** Closes every connection (and the worker thread, if any). */
  close(): Promise<void>;
  /**
   * How long the thread the probes run on has been busy so far (ms; event loop utilisation), when that thread runs
   * nothing else: what a CPU budget paces. Undefined where probes share their thread (not paced).
   */
  busyMs?(): number | undefined;
}

/** Options of {@link ProbeConnections}. */
export interface ProbeConnectionsOptions {
  /** Idle keep-alive connections are closed after this long (ms). */
  keepAliveMs: number;
  /**
   * Most connections open at once before a probe's connection is closed at its end rather than kept for the next
   * round (default: no limit; see {@link ProbeConnections}).
   */
  maxConnections?: number;
  /** Clock (ms). */
  now?: () => number;
}

/**
 * The connections to workload clusters and the probes made over them, in the thread that holds this object: one
 * keep-alive client per cluster, rebuilt only when its server, CA, client certificate or token change.
 *
 * Every open connection is a file descriptor of the process, which shares its limit of open files with everything
 * else it does. Past `maxConnections` open at once, a probe's connection is closed when the probe ends instead of
 * being kept for the next round: a fleet larger than the limit allows then reconnects (resuming its TLS sessions) for
 * the clusters beyond it, rather than failing probes with `EMFILE` — the connections that stay are those of the
 * clusters a round probes first, the same ones from round to round, so they stay warm.
 */
export class ProbeConnections implements ProbeExecutor {
  private readonly clients = new Map<
    string,
    { client: KubeClient; token?: string }
  >();
  private readonly connections = new OpenConnections();

  constructor(private readonly options: ProbeConnectionsOptions) {}

  async ready(): Promise<void> {}

  /** Whether a cluster has a client (its credentials were given and it was not forgotten since). */
  has(key: string): boolean {
    return this.clients.has(key);
  }

  /**
   * Probes one cluster. Without `credentials`, over the client built with the ones given before (see
   * {@link ProbeConnections.has}).
   */
  async probe(
    request: Omit<ProbeRequest, 'credentials'> & {
      credentials?: KubeCredentials;
    },
  ): Promise<ProbeResult> {
    const client = this.clientFor(request.target.key, request.credentials);
    const openedBefore = client.connectionsOpened;
    const result = await probeCluster(
      request.target,
      client,
      {
        timeoutMs: request.timeoutMs,
        maxNodes: request.maxNodes,
        kubeSystemChecks: request.kubeSystemChecks,
        discovery: request.discovery,
        hedge: request.hedge,
        now: this.options.now,
      },
      request.previous,
    );
    const opened = client.connectionsOpened - openedBefore;
    if (opened > 0) result.connectionsOpened = opened;
    if (this.connections.open > (this.options.maxConnections ?? Infinity))
      client.closeIdleConnections();
    return result;
  }

  forget(keys: string[]): void {
    for (const key of keys) {
      this.clients.get(key)?.client.close();
      this.clients.delete(key);
    }
  }

  async close(): Promise<void> {
    for (const { client } of this.clients.values()) client.close();
    this.clients.clear();
  }

  /**
   * The client of one workload cluster: one keep-alive connection (more only while the server answers slowly, see
   * {@link PARALLEL_SOCKETS}), the idle one closed after `keepAliveMs`, requests bounded by the probe's deadline.
   * One connection per cluster, as client-go keeps one (HTTP/2) connection per API server: a prober of 10,000
   * clusters then holds 10,000 sockets rather than a multiple of that (file descriptors, memory, TLS handshakes),
   * and the few requests of a probe, queued on that connection, cost a few round trips.
   */
  private clientFor(key: string, credentials?: KubeCredentials): KubeClient {
    const known = this.clients.get(key);
    if (!credentials) {
      if (!known) throw new Error(`no credentials for ${key}`);
      return known.client;
    }
    const token = credentials.options.token;
    if (
      known &&
      known.client.transportKey === credentials.transportKey &&
      known.token === token
    ) {
      return known.client;
    }
    known?.client.close();
    const client = new KubeClient(credentials, {
      // the probe's deadline (its abort signal) bounds every request
      requestTimeoutMs: 0,
      maxResponseBytes: MAX_PROBE_RESPONSE_BYTES,
      maxSockets: PARALLEL_SOCKETS,
      maxFreeSockets: 1,
      keepAliveMs: this.options.keepAliveMs,
      maxCachedSessions: 2,
      connections: this.connections,
      userAgent: 'shipyard-health-probe',
    });
    client.setMaxSockets(1);
    this.clients.set(key, { client, token });
    return client;
  }
}

/** Whether two credentials use the same client (the same server, TLS material and token). */
export function sameTransport(a: KubeCredentials, b: KubeCredentials): boolean {
  return (
    a === b ||
    (a.transportKey === b.transportKey && a.options.token === b.options.token)
  );
}
