import { inspect } from 'node:util';

const REDACTED = '[kubernetes credentials]';

/** What {@link KubeCredentials} hold besides the server URL. PEM strings. */
export interface KubeCredentialOptions {
  /** CA bundle. */
  ca?: string;
  token?: string;
  /** Client certificate and key. */
  cert?: string;
  key?: string;
  skipTLSVerify?: boolean;
  /** The name to verify the server's certificate against, when it differs from the URL's host. */
  serverName?: string;
}

/**
 * How to reach one API server with fixed credentials (a workload cluster's kubeconfig Secret, a credential
 * provider's answer). Lives in backend memory only: it serialises and prints as a placeholder, so a stray
 * `JSON.stringify` or log call cannot leak it.
 */
export class KubeCredentials {
  /** Identity of everything that needs a new connection pool when it changes (not the token). */
  readonly transportKey: string;

  constructor(
    readonly server: string,
    readonly options: KubeCredentialOptions = {},
  ) {
    this.transportKey = [
      server,
      options.ca?.length ?? 0,
      options.ca?.slice(-64) ?? '',
      options.cert?.slice(-64) ?? '',
      options.skipTLSVerify ? 'insecure' : '',
      options.serverName ?? '',
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

const interned = new Map<string, string>();

/** Shares identical PEM bundles between clusters (every cluster of a management cluster often has the same CA). */
function intern(pem: string): string {
  const existing = interned.get(pem);
  if (existing) return existing;
  if (interned.size > 10_000) interned.clear();
  interned.set(pem, pem);
  return pem;
}

/** PEM from a value given as PEM or as base64 of PEM; undefined when empty. */
export function decodePem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return undefined;
  return value.includes('-----BEGIN')
    ? value
    : Buffer.from(value, 'base64').toString('utf8');
}

/** A CA bundle given as PEM or as base64 of PEM, shared with every equal one. */
export function pemFrom(value: unknown): string | undefined {
  const pem = decodePem(value);
  return pem ? intern(pem) : undefined;
}
