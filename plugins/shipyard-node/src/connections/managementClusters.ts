import fs from 'node:fs/promises';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { parse as parseYaml } from 'yaml';
import { ManagementClusterConnection } from '../extensions';

/** How to authenticate to a management cluster. */
export type ManagementClusterAuthConfig =
  | { type: 'serviceAccountToken'; token: string }
  | { type: 'kubeconfig'; file: string; context?: string }
  | { type: 'inCluster' };

/** One entry of `shipyard.managementClusters`. */
export interface ManagementClusterConfig {
  name: string;
  url?: string;
  caData?: string;
  caFile?: string;
  skipTLSVerify: boolean;
  auth: ManagementClusterAuthConfig;
}

const NAME_PATTERN = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Reads `shipyard.managementClusters` (shared by the backend, which watches them, and the scaffolder module, which
 * writes to them). Throws an `InputError` naming the offending key.
 */
export function readManagementClustersConfig(
  config: Config,
): ManagementClusterConfig[] {
  const managementClusters: ManagementClusterConfig[] = [];
  const seen = new Set<string>();
  const entries =
    config.getOptionalConfigArray('shipyard.managementClusters') ?? [];
  entries.forEach((entry, i) => {
    const at = `shipyard.managementClusters[${i}]`;
    const name = entry.getString('name');
    if (!NAME_PATTERN.test(name)) {
      throw new InputError(
        `${at}.name "${name}" must be a DNS label (lowercase letters, digits and '-')`,
      );
    }
    if (seen.has(name)) {
      throw new InputError(`${at}.name "${name}" is used twice`);
    }
    seen.add(name);
    const authType = entry.getString('auth.type');
    let auth: ManagementClusterAuthConfig;
    switch (authType) {
      case 'serviceAccountToken':
        auth = { type: authType, token: entry.getString('auth.token') };
        break;
      case 'kubeconfig':
        auth = {
          type: authType,
          file: entry.getString('auth.file'),
          context: entry.getOptionalString('auth.context'),
        };
        break;
      case 'inCluster':
        auth = { type: authType };
        break;
      default:
        throw new InputError(
          `${at}.auth.type must be serviceAccountToken, kubeconfig or inCluster, got "${authType}"`,
        );
    }
    const url = entry.getOptionalString('url');
    if (!url && auth.type === 'serviceAccountToken') {
      throw new InputError(
        `${at}.url is required with serviceAccountToken auth`,
      );
    }
    managementClusters.push({
      name,
      url,
      caData: entry.getOptionalString('caData'),
      caFile: entry.getOptionalString('caFile'),
      skipTLSVerify: entry.getOptionalBoolean('skipTLSVerify') ?? false,
      auth,
    });
  });
  return managementClusters;
}

const IN_CLUSTER_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

async function readBase64(file: string): Promise<string> {
  return (await fs.readFile(file)).toString('base64');
}

/** Turns a configured management cluster into a connection (reading CA, kubeconfig and token files). */
export async function createManagementClusterConnection(
  config: ManagementClusterConfig,
): Promise<ManagementClusterConnection> {
  const caData =
    config.caData ??
    (config.caFile ? await readBase64(config.caFile) : undefined);
  const auth = config.auth;
  switch (auth.type) {
    case 'serviceAccountToken':
      return {
        name: config.name,
        url: config.url ?? '',
        caData,
        skipTLSVerify: config.skipTLSVerify,
        getToken: async () => auth.token,
      };
    case 'inCluster': {
      const host = process.env.KUBERNETES_SERVICE_HOST;
      const port = process.env.KUBERNETES_SERVICE_PORT ?? '443';
      const url =
        config.url ??
        (host
          ? `https://${host.includes(':') ? `[${host}]` : host}:${port}`
          : '');
      const inClusterCa =
        caData ??
        (await readBase64(`${IN_CLUSTER_DIR}/ca.crt`).catch(() => undefined));
      return {
        name: config.name,
        url,
        caData: inClusterCa,
        skipTLSVerify: config.skipTLSVerify,
        // projected tokens rotate: read the file on every request
        getToken: async () =>
          (await fs.readFile(`${IN_CLUSTER_DIR}/token`, 'utf8')).trim(),
      };
    }
    case 'kubeconfig': {
      const doc = parseYaml(await fs.readFile(auth.file, 'utf8')) ?? {};
      const contextName: string | undefined =
        auth.context ?? doc['current-context'];
      const context = (doc.contexts ?? []).find(
        (c: any) => c?.name === contextName,
      )?.context;
      if (!context) {
        throw new Error(
          `kubeconfig ${auth.file} has no context "${contextName ?? ''}"`,
        );
      }
      const cluster = (doc.clusters ?? []).find(
        (c: any) => c?.name === context.cluster,
      )?.cluster;
      const user =
        (doc.users ?? []).find((u: any) => u?.name === context.user)?.user ??
        {};
      if (!cluster?.server && !config.url) {
        throw new Error(
          `kubeconfig ${auth.file}: cluster "${context.cluster}" has no server`,
        );
      }
      const kubeCa =
        caData ??
        cluster?.['certificate-authority-data'] ??
        (cluster?.['certificate-authority']
          ? await readBase64(cluster['certificate-authority'])
          : undefined);
      const clientCertData =
        user['client-certificate-data'] ??
        (user['client-certificate']
          ? await readBase64(user['client-certificate'])
          : undefined);
      const clientKeyData =
        user['client-key-data'] ??
        (user['client-key'] ? await readBase64(user['client-key']) : undefined);
      const token: string | undefined = user.token;
      const tokenFile: string | undefined = user.tokenFile;
      return {
        name: config.name,
        url: config.url ?? cluster.server,
        caData: kubeCa,
        skipTLSVerify:
          config.skipTLSVerify ||
          cluster?.['insecure-skip-tls-verify'] === true,
        clientCertData,
        clientKeyData,
        getToken: async () =>
          token ??
          (tokenFile
            ? (await fs.readFile(tokenFile, 'utf8')).trim()
            : undefined),
      };
    }
    default:
      throw new Error('unsupported auth type');
  }
}
