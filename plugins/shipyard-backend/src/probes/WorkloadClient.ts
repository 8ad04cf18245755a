import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { WorkloadCredentials } from './credentials';

/** A response of a workload API server. */
export interface WorkloadResponse {
  status: number;
  contentType: string;
  body: string;
}

/** A request that got no HTTP response. `kind` is what a health reason can say about it. */
export class WorkloadRequestError extends Error {
  constructor(
    message: string,
    readonly kind: 'timeout' | 'unreachable' | 'tls' | 'too-large',
  ) {
    super(message);
    this.name = 'WorkloadRequestError';
  }
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;

const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_NOT_YET_VALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

const secureContexts = new Map<string, tls.SecureContext>();

/**
 * One TLS context per distinct CA / client certificate, shared by every cluster that uses it: parsing a CA bundle
 * for each connection costs far more CPU and memory than the handshake itself.
 */
function sharedSecureContext(options: {
  ca?: string;
  cert?: string;
  key?: string;
}): tls.SecureContext {
  const id = crypto
    .createHash('sha256')
    .update(options.ca ?? '')
    .update('\0')
    .update(options.cert ?? '')
    .update('\0')
    .update(options.key ?? '')
    .digest('base64');
  let context = secureContexts.get(id);
  if (!context) {
    if (secureContexts.size > 20_000) secureContexts.clear();
    context = tls.createSecureContext({
      ca: options.ca,
      cert: options.cert,
      key: options.key,
    });
    secureContexts.set(id, context);
  }
  return context;
}

/** Turns a transport error into a short message that names no credential. */
function describeTransportError(
  error: NodeJS.ErrnoException,
): WorkloadRequestError {
  const code = error.code ?? '';
  if (TLS_CODES.has(code) || /certificate|ssl|tls/i.test(code)) {
    return new WorkloadRequestError(`TLS error: ${code}`, 'tls');
  }
  switch (code) {
    case 'ECONNREFUSED':
      return new WorkloadRequestError('connection refused', 'unreachable');
    case 'ECONNRESET':
    case 'EPIPE':
      return new WorkloadRequestError('connection reset', 'unreachable');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new WorkloadRequestError('host not found', 'unreachable');
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new WorkloadRequestError('host unreachable', 'unreachable');
    case 'ETIMEDOUT':
      return new WorkloadRequestError('connect timed out', 'timeout');
    default:
      return new WorkloadRequestError(
        code ? `request failed: ${code}` : 'request failed',
        'unreachable',
      );
  }
}

/**
 * The HTTP client of one workload cluster: one keep-alive connection (more only while the server answers slowly,
 * see {@link WorkloadClient.setParallel}), idle ones closed after `keepAliveMs`, JSON/text GETs bounded by an abort
 * signal. Built from {@link WorkloadCredentials}; it exposes none of them.
 *
 * One connection per cluster, as client-go keeps one (HTTP/2) connection per API server: a prober of 10,000
 * clusters then holds 10,000 sockets rather than a multiple of that (file descriptors, memory, TLS handshakes), and
 * the few requests of a probe, queued on that connection, cost a few round trips.
 */
export class WorkloadClient {
  private readonly agent: http.Agent;
  private readonly transport: typeof http | typeof https;
  private readonly target: { protocol: string; hostname: string; port: string };
  private readonly basePath: string;
  private readonly token?: string;
  private readonly maxSockets: number;
  /** Request headers by `accept`, built once: they are the same for every probe. */
  private readonly headers = new Map<string, http.OutgoingHttpHeaders>();
  readonly transportKey: string;

  constructor(
    credentials: WorkloadCredentials,
    options: { keepAliveMs: number; maxSockets?: number },
  ) {
    this.transportKey = credentials.transportKey;
    const base = new URL(credentials.server);
    this.target = {
      protocol: base.protocol,
      // an IPv6 literal without its brackets, as http.request wants it
      hostname: base.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: base.port,
    };
    this.basePath = base.pathname.replace(/\/$/, '');
    this.token = credentials.options.token;
    this.maxSockets = Math.max(1, options.maxSockets ?? 3);
    const common = {
      keepAlive: true,
      maxSockets: 1,
      maxFreeSockets: 1,
      // idle keep-alive sockets are closed after this long
      timeout: options.keepAliveMs,
      scheduling: 'lifo' as const,
    };
    if (base.protocol === 'https:') {
      this.transport = https;
      this.agent = new https.Agent({
        ...common,
        secureContext: sharedSecureContext(credentials.options),
        rejectUnauthorized: !credentials.options.skipTLSVerify,
        maxCachedSessions: 2,
      });
    } else {
      this.transport = http;
      this.agent = new http.Agent(common);
    }
  }

  /**
   * Whether the next requests may run side by side on several connections (up to `maxSockets`). Worth it only
   * when the server is slow to answer: queued on one connection, the requests of a probe would add up their delays
   * and could together miss the probe's deadline. Only one idle connection is kept: the others close once their
   * requests are done, so that slow clusters do not add up to more open sockets than clusters.
   */
  setParallel(parallel: boolean): void {
    this.agent.maxSockets = parallel ? this.maxSockets : 1;
  }

  /** Whether a token is sent (for messages). */
  get authenticates(): boolean {
    return Boolean(this.token);
  }

  /** Closes every connection. */
  close(): void {
    this.agent.destroy();
  }

  private headersFor(accept: string): http.OutgoingHttpHeaders {
    let headers = this.headers.get(accept);
    if (!headers) {
      headers = {
        accept,
        'user-agent': 'shipyard-health-probe',
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      };
      this.headers.set(accept, headers);
    }
    return headers;
  }

  /** GETs a path. Rejects with {@link WorkloadRequestError} when no response arrives before `signal` aborts. */
  get(
    path: string,
    signal: AbortSignal,
    accept = 'application/json',
  ): Promise<WorkloadResponse> {
    const headers = this.headersFor(accept);
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(new WorkloadRequestError('timeout', 'timeout'));
        return;
      }
      let req: http.ClientRequest | undefined = undefined;
      const onAbort = () =>
        req?.destroy(new WorkloadRequestError('timeout', 'timeout'));
      req = this.transport.request(
        {
          ...this.target,
          path: this.basePath + path,
          method: 'GET',
          agent: this.agent,
          headers,
        },
        res => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_BODY_BYTES) {
              req?.destroy(
                new WorkloadRequestError('response too large', 'too-large'),
              );
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () => {
            signal.removeEventListener('abort', onAbort);
            resolve({
              status: res.statusCode ?? 0,
              contentType: String(res.headers['content-type'] ?? ''),
              body: Buffer.concat(chunks).toString('utf8'),
            });
          });
          res.on('error', () => undefined);
        },
      );
      signal.addEventListener('abort', onAbort, { once: true });
      req.on('error', error => {
        signal.removeEventListener('abort', onAbort);
        reject(
          error instanceof WorkloadRequestError
            ? error
            : describeTransportError(error as NodeJS.ErrnoException),
        );
      });
      req.end();
    });
  }
}
