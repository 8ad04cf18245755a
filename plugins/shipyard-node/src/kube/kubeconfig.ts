import fs from 'node:fs/promises';
import path from 'node:path';
import type * as ClientNode from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { KubeCredentials, decodePem, pemFrom } from './credentials';

/*
 * The one kubeconfig reader, for the two kinds of kubeconfig Shipyard meets:
 *
 * - Files the operator configured (`auth.type: kubeconfig`) and the in-cluster service account are read by
 *   `@kubernetes/client-node`'s `KubeConfig`: contexts, CA and client certificate files relative to the kubeconfig,
 *   tokens, `exec` credential plugins and auth providers, as kubectl reads them.
 * - Workload cluster kubeconfigs from CAPI `<cluster>-kubeconfig` Secrets are not the operator's: whoever can write a
 *   Secret on a management cluster writes them. `KubeConfig` would run their `exec` commands and read the local files
 *   they name (a `token-file` is read as soon as the document is loaded, and its content sent as a bearer token to
 *   the server the document names). So they are read by {@link parseKubeconfig}, which takes the server, the CA and
 *   a token or client certificate given inline, and nothing else; it also runs for every workload cluster on every
 *   credential refresh.
 */

type ClientNodeModule = typeof ClientNode;
let clientNode: ClientNodeModule | undefined;

/** client-node, loaded on first use: it is large (its generated API models), and most processes read no kubeconfig file. */
function loadClientNode(): ClientNodeModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  clientNode ??= require('@kubernetes/client-node') as ClientNodeModule;
  return clientNode;
}

/** Why a kubeconfig cannot be used. Messages never quote the document. */
export class KubeconfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeconfigError';
  }
}

/**
 * Reads a kubeconfig from a Secret (YAML or JSON) down to what a client needs: server, CA, and a bearer token or
 * client certificate of the current context (or of the only one). Exec and auth-provider users, and anything that
 * names a local file, are refused or ignored (see the header of this file).
 */
export function parseKubeconfig(text: string): KubeCredentials {
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
  const cert = decodePem(user['client-certificate-data']);
  const key = decodePem(user['client-key-data']);
  const token = typeof user.token === 'string' ? user.token : undefined;
  if (!token && !(cert && key)) {
    throw new KubeconfigError(
      'kubeconfig user has neither a token nor client certificate data',
    );
  }
  const serverName = cluster['tls-server-name'];
  return new KubeCredentials(server, {
    ca: pemFrom(cluster['certificate-authority-data']),
    token,
    cert,
    key,
    skipTLSVerify: cluster['insecure-skip-tls-verify'] === true,
    serverName:
      typeof serverName === 'string' && serverName ? serverName : undefined,
  });
}

/** How to reach the API server of a kubeconfig context (files read, data base64 as in a kubeconfig). */
export interface KubeconfigEndpoint {
  /** The context's cluster server (without a trailing slash); empty when there is none. */
  server: string;
  /** Base64 PEM CA bundle. */
  caData?: string;
  /** Base64 PEM client certificate and key. */
  clientCertData?: string;
  clientKeyData?: string;
  skipTLSVerify: boolean;
  tlsServerName?: string;
  /** The bearer token for the next request: fixed, read from a file, or from an exec plugin or auth provider. */
  getToken(): Promise<string | undefined>;
}

/**
 * Reads a kubeconfig file with client-node's `KubeConfig`: the given context or the current one, files relative to
 * the kubeconfig's folder, and its user's token, token file, exec plugin or auth provider.
 */
export async function readKubeconfigFile(
  file: string,
  context?: string,
): Promise<KubeconfigEndpoint> {
  const text = await fs.readFile(file, 'utf8');
  const { KubeConfig } = loadClientNode();
  const kc = new KubeConfig();
  try {
    kc.loadFromString(text);
  } catch (error) {
    throw new KubeconfigError(
      `kubeconfig ${file} cannot be read: ${(error as Error).message}`,
    );
  }
  kc.makePathsAbsolute(path.dirname(file));
  const contextName = context ?? kc.getCurrentContext();
  if (!contextName || !kc.getContextObject(contextName)) {
    throw new KubeconfigError(
      `kubeconfig ${file} has no context "${contextName ?? ''}"`,
    );
  }
  kc.setCurrentContext(contextName);
  const user = kc.getCurrentUser();
  // kubectl writes a token file as `tokenFile`; client-node only knows `token-file`
  const tokenFile =
    user && !user.token ? kubectlTokenFile(text, user.name) : undefined;
  return endpointOf(
    kc,
    tokenFile && path.resolve(path.dirname(file), tokenFile),
  );
}

/** The in-cluster service account (`KubeConfig.loadFromCluster`): its API server, CA and rotating token. */
export async function readInClusterConfig(): Promise<KubeconfigEndpoint> {
  const { KubeConfig } = loadClientNode();
  const kc = new KubeConfig();
  kc.loadFromCluster();
  const endpoint = await endpointOf(kc, undefined, { optionalFiles: true });
  return process.env.KUBERNETES_SERVICE_HOST
    ? endpoint
    : { ...endpoint, server: '' };
}

function kubectlTokenFile(text: string, userName: string): string | undefined {
  try {
    const doc = parseYaml(text);
    const users: any[] = Array.isArray(doc?.users) ? doc.users : [];
    const value = users.find(u => u?.name === userName)?.user?.tokenFile;
    return typeof value === 'string' && value ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A placeholder cluster: the user's authentication is applied against it, never sent to it. */
const AUTH_ONLY_CLUSTER = {
  name: 'shipyard-auth',
  server: 'https://authentication.invalid',
  skipTLSVerify: false,
};

async function endpointOf(
  kc: ClientNode.KubeConfig,
  tokenFile: string | undefined,
  options: { optionalFiles?: boolean } = {},
): Promise<KubeconfigEndpoint> {
  const { bufferFromFileOrString, KubeConfig } = loadClientNode();
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  const base64 = (file?: string, data?: string) => {
    try {
      return bufferFromFileOrString(file, data)?.toString('base64');
    } catch (error) {
      if (options.optionalFiles) return undefined;
      throw error;
    }
  };
  let getToken: () => Promise<string | undefined>;
  if (user?.exec || user?.authProvider) {
    // exec plugins and auth providers: client-node runs and caches them; a KubeConfig of this user alone (no files)
    const auth = new KubeConfig();
    auth.loadFromClusterAndUser(AUTH_ONLY_CLUSTER, {
      name: user.name,
      exec: user.exec,
      authProvider: user.authProvider,
    });
    getToken = async () => {
      const opts: { headers: Record<string, string | number | string[]> } = {
        headers: {},
      };
      await auth.applyToHTTPSOptions(opts);
      const header = String(opts.headers.Authorization ?? '');
      return header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    };
  } else if (user?.token) {
    const token = user.token.trim();
    getToken = async () => token;
  } else if (tokenFile) {
    // read on every request: projected tokens rotate
    getToken = async () => (await fs.readFile(tokenFile, 'utf8')).trim();
  } else {
    getToken = async () => undefined;
  }
  return {
    server: cluster?.server ?? '',
    caData: base64(cluster?.caFile, cluster?.caData),
    clientCertData: base64(user?.certFile, user?.certData),
    clientKeyData: base64(user?.keyFile, user?.keyData),
    skipTLSVerify: cluster?.skipTLSVerify === true,
    tlsServerName: cluster?.tlsServerName || undefined,
    getToken,
  };
}
