import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';

/** The TLS side of an API server endpoint. PEM strings. */
export interface KubeTlsOptions {
  /** CA bundle that verifies the API server (default: the system's trusted CAs). */
  ca?: string;
  /** Client certificate and its key, for endpoints that authenticate with one. */
  cert?: string;
  key?: string;
  /** Skip verifying the server's certificate; only when explicitly configured. */
  skipTLSVerify?: boolean;
  /** The name to verify the server's certificate against, when it differs from the URL's host. */
  serverName?: string;
}

/** Connection pooling of one endpoint. */
export interface KubeAgentOptions {
  /** Most sockets open at once. */
  maxSockets: number;
  /** Most idle sockets kept open (default: `maxSockets`). */
  maxFreeSockets?: number;
  /** Idle keep-alive sockets close after this long (ms; default: Node's, kept until the server closes them). */
  keepAliveMs?: number;
  /** Cached TLS sessions (default: Node's). */
  maxCachedSessions?: number;
  /** Counts the connections the agent holds open, together with those of every agent given the same count. */
  connections?: OpenConnections;
}

/**
 * The connections open at once over a group of agents (each one socket, so one file descriptor, while open): a
 * client of many endpoints keeps its connections within what its process may open with it.
 */
export class OpenConnections {
  /** Connections open now. */
  open = 0;
}

const secureContexts = new Map<string, tls.SecureContext>();

/** Connections each agent opened (each a TLS handshake for an HTTPS endpoint), see {@link connectionsOpened}. */
const opened = new WeakMap<http.Agent, number>();

/** How many connections an agent of {@link createKubeAgent} has opened so far. */
export function connectionsOpened(agent: http.Agent): number {
  return opened.get(agent) ?? 0;
}

/** Counts the connections the agent opens from now on (and those open in `connections`, when given). */
function counted<T extends http.Agent>(
  agent: T,
  connections?: OpenConnections,
): T {
  opened.set(agent, 0);
  const create = agent.createConnection.bind(agent);
  agent.createConnection = (...args: Parameters<typeof create>) => {
    opened.set(agent, (opened.get(agent) ?? 0) + 1);
    const socket = create(...args);
    if (connections && socket) {
      connections.open++;
      socket.once('close', () => {
        connections.open--;
      });
    }
    return socket;
  };
  return agent;
}

/**
 * One TLS context per distinct CA / client certificate, shared by every endpoint that uses it: parsing a CA bundle
 * for each connection costs far more CPU and memory than the handshake itself (every workload cluster of a
 * management cluster often has the same CA).
 */
function sharedSecureContext(options: KubeTlsOptions): tls.SecureContext {
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

/**
 * The keep-alive agent of one API server endpoint: a plain HTTP agent for `http:` URLs, else an HTTPS agent with the
 * endpoint's CA, client certificate and verification setting (the TLS context shared with every endpoint that has the
 * same ones). LIFO scheduling, so that the sockets beyond what the load needs go idle and close.
 */
export function createKubeAgent(
  url: string,
  tlsOptions: KubeTlsOptions,
  options: KubeAgentOptions,
): http.Agent {
  const common: http.AgentOptions = {
    keepAlive: true,
    maxSockets: options.maxSockets,
    maxFreeSockets: options.maxFreeSockets ?? options.maxSockets,
    scheduling: 'lifo',
    ...(options.keepAliveMs !== undefined
      ? { timeout: options.keepAliveMs }
      : {}),
  };
  if (!url.startsWith('https:'))
    return counted(new http.Agent(common), options.connections);
  return counted(
    new https.Agent({
      ...common,
      secureContext: sharedSecureContext(tlsOptions),
      rejectUnauthorized: !tlsOptions.skipTLSVerify,
      ...(tlsOptions.serverName ? { servername: tlsOptions.serverName } : {}),
      ...(options.maxCachedSessions !== undefined
        ? { maxCachedSessions: options.maxCachedSessions }
        : {}),
    }),
    options.connections,
  );
}
