import { createExtensionPoint } from '@backstage/backend-plugin-api';

/** How the backend reaches one management cluster. Credentials stay inside the backend. */
export interface ManagementClusterConnection {
  /** Unique, stable name of the management cluster (used in cluster keys and entity names). */
  name: string;
  /** Base URL of its Kubernetes API server. */
  url: string;
  /** PEM CA bundle (base64) used to verify the API server, if not publicly trusted. */
  caData?: string;
  /** Skip TLS verification; only when explicitly configured. */
  skipTLSVerify?: boolean;
  /** The name to verify the API server's certificate against, when it differs from the URL's host. */
  tlsServerName?: string;
  /** Base64 PEM client certificate, for kubeconfigs that authenticate with one. */
  clientCertData?: string;
  /** Base64 PEM client key belonging to `clientCertData`. */
  clientKeyData?: string;
  /** Returns the bearer token to use for the next request. */
  getToken(): Promise<string | undefined>;
}

/** Supplies management clusters beyond those in `shipyard.managementClusters`. */
export interface ManagementClusterSource {
  /** A short name for logs. */
  readonly name: string;
  getManagementClusters(): Promise<ManagementClusterConnection[]>;
}

/** Supplies credentials for a workload cluster (for managed clusters that use cloud auth). */
export interface WorkloadCredentialProvider {
  /** Returns a token or undefined when this provider does not handle the cluster. */
  getCredentials(cluster: {
    managementCluster: string;
    namespace: string;
    name: string;
    provider?: string;
  }): Promise<{ token?: string; caData?: string; url?: string } | undefined>;
}

/** Extension point for management-cluster sources. */
export interface ShipyardSourcesExtensionPoint {
  addManagementClusterSource(source: ManagementClusterSource): void;
  addWorkloadCredentialProvider(provider: WorkloadCredentialProvider): void;
}

/** Extension point through which backend modules add management-cluster sources and credential providers. */
export const shipyardSourcesExtensionPoint =
  createExtensionPoint<ShipyardSourcesExtensionPoint>({
    id: 'shipyard.sources',
  });
