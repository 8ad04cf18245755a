import fs from 'node:fs/promises';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { ManagementClusterConnection } from '../extensions';
import { readInClusterConfig, readKubeconfigFile } from '../kube/kubeconfig';

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

async function readBase64(file: string): Promise<string> {
  return (await fs.readFile(file)).toString('base64');
}

/**
 * Turns a configured management cluster into a connection: a fixed token, the in-cluster service account, or a
 * kubeconfig file (read by the one kubeconfig reader, `kube/kubeconfig.ts`). `url`, `caData`/`caFile` and
 * `skipTLSVerify` of the configuration win over what the kubeconfig says.
 */
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
    case 'inCluster':
    case 'kubeconfig': {
      const endpoint =
        auth.type === 'inCluster'
          ? await readInClusterConfig()
          : await readKubeconfigFile(auth.file, auth.context);
      const url = config.url ?? endpoint.server;
      if (!url && auth.type === 'kubeconfig') {
        throw new Error(`kubeconfig ${auth.file}: its cluster has no server`);
      }
      return {
        name: config.name,
        url,
        caData: caData ?? endpoint.caData,
        skipTLSVerify: config.skipTLSVerify || endpoint.skipTLSVerify,
        tlsServerName: endpoint.tlsServerName,
        clientCertData: endpoint.clientCertData,
        clientKeyData: endpoint.clientKeyData,
        getToken: endpoint.getToken,
      };
    }
    default:
      throw new Error('unsupported auth type');
  }
}
