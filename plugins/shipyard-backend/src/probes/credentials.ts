import { inspect } from 'node:util';
import { parse as parseYaml } from 'yaml';

const REDACTED = '[workload credentials]';

/**
 * How to reach one workload cluster. Lives in backend memory only: it serialises and prints as a placeholder, so a
 * stray `JSON.stringify` or log call cannot leak it.
 */
export class WorkloadCredentials {
  /** Identity of everything that needs a new connection pool when it changes (not the token). */
  readonly transportKey: string;

  constructor(
    readonly server: string,
    readonly options: {
      /** PEM CA bundle. */
      ca?: string;
      token?: string;
      /** PEM client certificate and key. */
      cert?: string;
      key?: string;
      skipTLSVerify?: boolean;
    } = {},
  ) {
    this.transportKey = [
      server,
      options.ca?.length ?? 0,
      options.ca?.slice(-64) ?? '',
      options.cert?.slice(-64) ?? '',
      options.skipTLSVerify ? 'insecure' : '',
    ].join('|');
    Object.defineProperty(this, 'options', { enumerable: false });
  }

  toJSON(): string {
    return REDACTED;
  }

  toString(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/** Why a kubeconfig cannot be used. */
export class KubeconfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeconfigError';
  }
}

const interned = new Map<string, string>();

/** Shares identical PEM bundles between clusters (every cluster of a management cluster often has the same CA). */
function intern(pem: string): string {
  const existing = interned.get(pem);
  if (existing) return existing;
  if (interned.size > 10_000) interned.clear();
  interned.set(pem, pem);
  return pem;
}

function decodePem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return undefined;
  if (value.includes('-----BEGIN')) return value;
  return Buffer.from(value, 'base64').toString('utf8');
}

/**
 * Parses a kubeconfig (YAML or JSON) down to what a probe needs: server, CA, and a bearer token or client
 * certificate of the current context. Exec and auth-provider users are not supported (use a
 * `WorkloadCredentialProvider`). Error messages never quote the document.
 */
export function parseKubeconfig(text: string): WorkloadCredentials {
  let doc: any;
  try {
    doc = parseYaml(text);
  } catch {
    throw new KubeconfigError('kubeconfig is not valid YAML');
  }
  if (!doc || typeof doc !== 'object') {
    throw new KubeconfigError('kubeconfig is empty');
  }
  const contexts: any[] = Array.isArray(doc.contexts) ? doc.contexts : [];
  const contextName = doc['current-context'];
  const context =
    contexts.find(c => c?.name === contextName)?.context ??
    (contexts.length === 1 ? contexts[0]?.context : undefined);
  const clusters: any[] = Array.isArray(doc.clusters) ? doc.clusters : [];
  const users: any[] = Array.isArray(doc.users) ? doc.users : [];
  const cluster =
    clusters.find(c => c?.name === context?.cluster)?.cluster ??
    (clusters.length === 1 ? clusters[0]?.cluster : undefined);
  const user =
    users.find(u => u?.name === context?.user)?.user ??
    (users.length === 1 ? users[0]?.user : undefined) ??
    {};
  const server = cluster?.server;
  if (typeof server !== 'string' || !/^https?:\/\//.test(server)) {
    throw new KubeconfigError('kubeconfig has no usable cluster server');
  }
  if (user.exec || user['auth-provider']) {
    throw new KubeconfigError(
      'kubeconfig user authenticates with exec or an auth provider; add a WorkloadCredentialProvider for it',
    );
  }
  const ca = decodePem(cluster['certificate-authority-data']);
  const cert = decodePem(user['client-certificate-data']);
  const key = decodePem(user['client-key-data']);
  const token = typeof user.token === 'string' ? user.token : undefined;
  if (!token && !(cert && key)) {
    throw new KubeconfigError(
      'kubeconfig user has neither a token nor client certificate data',
    );
  }
  return new WorkloadCredentials(server, {
    ca: ca ? intern(ca) : undefined,
    token,
    cert,
    key,
    skipTLSVerify: cluster['insecure-skip-tls-verify'] === true,
  });
}

/** Accepts a CA given as PEM or as base64 of PEM. */
export function pemFrom(value: string | undefined): string | undefined {
  const pem = decodePem(value);
  return pem ? intern(pem) : undefined;
}
