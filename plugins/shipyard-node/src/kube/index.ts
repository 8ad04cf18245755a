export { KubeClient, SERVER_SIDE_APPLY } from './KubeClient';
export type {
  KubeClientOptions,
  KubeEndpoint,
  KubeListOptions,
  KubeRequestOptions,
  KubeResponse,
  KubeWatchOptions,
  KubeWriteOptions,
} from './KubeClient';
export { KubeApiError } from './errors';
export type { KubeStatus, KubeTransportReason } from './errors';
export { OpenConnections, createKubeAgent } from './agent';
export type { KubeAgentOptions, KubeTlsOptions } from './agent';
export { KubeCredentials, decodePem, pemFrom } from './credentials';
export type { KubeCredentialOptions } from './credentials';
export {
  KubeconfigError,
  parseKubeconfig,
  readInClusterConfig,
  readKubeconfigFile,
} from './kubeconfig';
export type { KubeconfigEndpoint } from './kubeconfig';
export {
  listKubeconfigSecrets,
  readKubeconfigSecret,
} from './kubeconfigSecrets';
export type { ManagementClusterConnection } from '../extensions';
export { ManagementClusterClients } from './managementClusterClients';
export type { ManagementClusterClientsOptions } from './managementClusterClients';
export type {
  ManagementClusterAuthConfig,
  ManagementClusterConfig,
} from '../connections/managementClusters';
export { parseWatchLine } from './types';
export type { KubeListPage, KubeObject, KubeWatchEvent } from './types';
