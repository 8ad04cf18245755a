import {
  AuthService,
  BackstageCredentials,
  BackstageUserPrincipal,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  AuthMetadata,
  AuthenticationStrategy,
  ClusterDetails,
  KubernetesClustersSupplier,
  KubernetesCredential,
} from '@backstage/plugin-kubernetes-node';
import {
  ClusterKey,
  SHIPYARD_PLUGIN_ID,
  ShipyardOpenApi,
  parseClusterKey,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import { clusterEntityName } from '@shipyard/plugin-shipyard-node';
import { KubeconfigSecrets } from './KubeconfigSecrets';

/** The auth provider name of Shipyard's clusters in the Kubernetes plugin. */
export const SHIPYARD_AUTH_PROVIDER = 'shipyard';
/** The auth metadata key that names a cluster (`managementCluster/namespace/name`): no credential, only the key. */
export const SHIPYARD_CLUSTER_METADATA = 'shipyard.io/cluster';

const PAGE_SIZE = 500;

/** Options of {@link ShipyardClusterSupplier}. */
export interface ShipyardClusterSupplierOptions {
  discovery: DiscoveryService;
  auth: AuthService;
  logger: LoggerService;
  secrets: KubeconfigSecrets;
  /** How long the fleet's list of clusters is served before it is read again (ms). */
  refreshMs: number;
  /** How long what a user may see is reused (ms). */
  visibilityMs?: number;
}

interface Listed {
  at: number;
  clusters: ClusterDetails[];
}

/**
 * The Kubernetes plugin's clusters: every Shipyard cluster with a usable kubeconfig Secret, named as its catalog
 * entity (so that the `catalogRelation` service locator finds the clusters a component `dependsOn`), with its API
 * server URL and CA from that Secret. Its credentials stay in {@link KubeconfigSecrets}: the cluster's auth metadata
 * holds its key only, and the `shipyard` auth strategy resolves the credentials when the plugin calls the cluster.
 * The fleet is read from the Shipyard backend (its generated client); a user is given the clusters the Shipyard
 * backend lets them read (with `restrictReadToOwners`, their teams' clusters only).
 */
export class ShipyardClusterSupplier implements KubernetesClustersSupplier {
  private readonly api: ShipyardOpenApi.DefaultApiClient;
  private listed?: Listed;
  private refreshing?: Promise<Listed>;
  private readonly visible = new Map<
    string,
    { at: number; keys: Promise<Set<string>> }
  >();

  constructor(private readonly options: ShipyardClusterSupplierOptions) {
    this.api = new ShipyardOpenApi.DefaultApiClient({
      discoveryApi: options.discovery,
    });
  }

  async getClusters(
    options: { credentials?: BackstageCredentials } = {},
  ): Promise<ClusterDetails[]> {
    const all = await this.all();
    const credentials = options.credentials;
    if (!credentials || !this.options.auth.isPrincipal(credentials, 'user')) {
      return all.clusters;
    }
    const keys = await this.visibleTo(credentials);
    return all.clusters.filter(c =>
      keys.has(String(c.authMetadata[SHIPYARD_CLUSTER_METADATA])),
    );
  }

  private async all(): Promise<Listed> {
    const now = Date.now();
    if (this.listed && now - this.listed.at < this.options.refreshMs) {
      return this.listed;
    }
    this.refreshing ??= this.read()
      .then(listed => {
        this.listed = listed;
        return listed;
      })
      .catch(error => {
        this.options.logger.warn(
          `Shipyard: cannot list the fleet's clusters for the Kubernetes plugin: ${error}`,
        );
        // serve what was known; try again on the next request
        return this.listed ?? { at: 0, clusters: [] };
      })
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }

  private async token(onBehalfOf?: BackstageCredentials): Promise<string> {
    const { auth } = this.options;
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: onBehalfOf ?? (await auth.getOwnServiceCredentials()),
      targetPluginId: SHIPYARD_PLUGIN_ID,
    });
    return token;
  }

  /** Every cluster key the token may read, page by page. */
  private async keys(token: string): Promise<ClusterKey[]> {
    const out: ClusterKey[] = [];
    let cursor: string | undefined;
    do {
      const res = await this.api.listClusters(
        {
          query: {
            fields: 'list',
            facets: 'false',
            limit: PAGE_SIZE,
            ...(cursor ? { cursor } : {}),
          },
        },
        { token },
      );
      if (!res.ok) throw await ResponseError.fromResponse(res as Response);
      const page = await res.json();
      for (const item of page.items) {
        out.push({
          managementCluster: item.managementCluster,
          namespace: item.namespace,
          name: item.name,
        });
      }
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  }

  private async read(): Promise<Listed> {
    const at = Date.now();
    const keys = await this.keys(await this.token());
    const clusters: ClusterDetails[] = [];
    for (const key of keys) {
      const credentials = await this.options.secrets.credentialsOf(key);
      if (!credentials) continue;
      const ca = credentials.options.ca;
      clusters.push({
        name: clusterEntityName(key),
        title: stringifyClusterKey(key),
        url: credentials.server,
        ...(ca ? { caData: Buffer.from(ca, 'utf8').toString('base64') } : {}),
        ...(credentials.options.skipTLSVerify ? { skipTLSVerify: true } : {}),
        skipMetricsLookup: true,
        authMetadata: {
          'kubernetes.io/auth-provider': SHIPYARD_AUTH_PROVIDER,
          [SHIPYARD_CLUSTER_METADATA]: stringifyClusterKey(key),
        },
      });
    }
    return { at, clusters };
  }

  private visibleTo(
    credentials: BackstageCredentials<BackstageUserPrincipal>,
  ): Promise<Set<string>> {
    const user = credentials.principal.userEntityRef;
    const now = Date.now();
    const cached = this.visible.get(user);
    if (cached && now - cached.at < (this.options.visibilityMs ?? 10_000)) {
      return cached.keys;
    }
    if (this.visible.size > 1000) this.visible.clear();
    const keys = this.token(credentials)
      .then(token => this.keys(token))
      .then(list => new Set(list.map(stringifyClusterKey)))
      .catch(error => {
        this.visible.delete(user);
        throw error;
      });
    this.visible.set(user, { at: now, keys });
    return keys;
  }
}

/**
 * The `shipyard` auth strategy: the credentials of a Shipyard cluster, resolved on the backend from its kubeconfig
 * Secret when the Kubernetes plugin calls the cluster. Nothing of them is presented to the frontend.
 */
export class ShipyardAuthStrategy implements AuthenticationStrategy {
  constructor(private readonly secrets: KubeconfigSecrets) {}

  async getCredential(
    clusterDetails: ClusterDetails,
  ): Promise<KubernetesCredential> {
    const value = clusterDetails.authMetadata[SHIPYARD_CLUSTER_METADATA];
    let key: ClusterKey | undefined;
    try {
      key = value ? parseClusterKey(value) : undefined;
    } catch {
      key = undefined;
    }
    if (!key) {
      throw new Error(
        `Cluster ${clusterDetails.name} names no Shipyard cluster (${SHIPYARD_CLUSTER_METADATA})`,
      );
    }
    const credentials = await this.secrets.credentialsOf(key);
    if (!credentials) {
      throw new Error(
        `Cluster ${clusterDetails.name} has no usable kubeconfig Secret`,
      );
    }
    const { token, cert, key: privateKey } = credentials.options;
    if (token) return { type: 'bearer token', token };
    if (cert && privateKey) {
      return { type: 'x509 client certificate', cert, key: privateKey };
    }
    return { type: 'anonymous' };
  }

  validateCluster(authMetadata: AuthMetadata): Error[] {
    return authMetadata[SHIPYARD_CLUSTER_METADATA]
      ? []
      : [new Error(`${SHIPYARD_CLUSTER_METADATA} is missing`)];
  }

  presentAuthMetadata(): AuthMetadata {
    return {};
  }
}
