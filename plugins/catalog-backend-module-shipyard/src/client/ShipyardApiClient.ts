import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type { ShipyardCatalogConfig } from '../config';
import {
  ClusterClassSummary,
  ClusterDetails,
  ClusterKey,
  ClusterSummary,
  ListClusterClassesResponse,
  ListClustersResponse,
  ListManagementClustersResponse,
  ManagementClusterStatus,
  SHIPYARD_PLUGIN_ID,
  toListClustersQueryString,
} from '@shipyard/plugin-shipyard-common';

/** What the entity providers read from the Shipyard backend. */
export interface ShipyardFleetReader {
  /** Pages of every cluster of the fleet. */
  listClusterPages(): AsyncIterable<ListClustersResponse>;
  /** One cluster's summary, or undefined when it does not exist (404). */
  getCluster(key: ClusterKey): Promise<ClusterSummary | undefined>;
  listManagementClusters(): Promise<ManagementClusterStatus[]>;
}

/**
 * Where ClusterClasses come from. `undefined` means "not available" (for example a backend without the
 * `GET /cluster-classes` endpoint), which is different from "there are none": nothing is removed then.
 */
export interface ClusterClassSource {
  listClusterClasses(): Promise<ClusterClassSummary[] | undefined>;
}

/** Options of {@link ShipyardApiClient}. */
export interface ShipyardApiClientOptions {
  discovery: DiscoveryService;
  auth: AuthService;
  pageSize: number;
  timeoutMs: number;
}

/**
 * Reads the Shipyard backend (`/api/shipyard`) with the catalog's own service credentials.
 */
export class ShipyardApiClient
  implements ShipyardFleetReader, ClusterClassSource
{
  private readonly discovery: DiscoveryService;
  private readonly auth: AuthService;
  private readonly pageSize: number;
  private readonly timeoutMs: number;

  /** A client with the page size and request timeout of `catalog.providers.shipyard`. */
  static fromCatalogConfig(
    config: Pick<ShipyardCatalogConfig, 'clusters' | 'requestTimeoutMs'>,
    deps: { discovery: DiscoveryService; auth: AuthService },
  ): ShipyardApiClient {
    return new ShipyardApiClient({
      discovery: deps.discovery,
      auth: deps.auth,
      pageSize: config.clusters.pageSize,
      timeoutMs: config.requestTimeoutMs,
    });
  }

  constructor(options: ShipyardApiClientOptions) {
    this.discovery = options.discovery;
    this.auth = options.auth;
    this.pageSize = options.pageSize;
    this.timeoutMs = options.timeoutMs;
  }

  private async request(path: string): Promise<Response> {
    const baseUrl = await this.discovery.getBaseUrl(SHIPYARD_PLUGIN_ID);
    const { token } = await this.auth.getPluginRequestToken({
      onBehalfOf: await this.auth.getOwnServiceCredentials(),
      targetPluginId: SHIPYARD_PLUGIN_ID,
    });
    return fetch(`${baseUrl}${path}`, {
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
      signal: AbortSignal.timeout(this.timeoutMs),
    });
  }

  private async getJson<T>(path: string): Promise<T> {
    const response = await this.request(path);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }

  async *listClusterPages(): AsyncIterable<ListClustersResponse> {
    let cursor: string | undefined;
    const seen = new Set<string>();
    do {
      const query = toListClustersQueryString({
        limit: this.pageSize,
        facets: false,
        sort: 'name',
        ...(cursor ? { cursor } : {}),
      });
      const page = await this.getJson<ListClustersResponse>(
        `/clusters?${query}`,
      );
      yield page;
      cursor = page.nextCursor;
      if (cursor !== undefined) {
        if (seen.has(cursor)) {
          throw new Error(
            `Shipyard returned the cursor ${cursor} twice while listing clusters`,
          );
        }
        seen.add(cursor);
      }
    } while (cursor);
  }

  async getCluster(key: ClusterKey): Promise<ClusterSummary | undefined> {
    const path = `/clusters/${[key.managementCluster, key.namespace, key.name]
      .map(encodeURIComponent)
      .join('/')}`;
    const response = await this.request(path);
    if (response.status === 404) return undefined;
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    const details = (await response.json()) as ClusterDetails;
    return details.summary;
  }

  async listManagementClusters(): Promise<ManagementClusterStatus[]> {
    const body = await this.getJson<ListManagementClustersResponse>(
      '/management-clusters',
    );
    return body.items;
  }

  async listClusterClasses(): Promise<ClusterClassSummary[] | undefined> {
    const items: ClusterClassSummary[] = [];
    let cursor: string | undefined;
    do {
      const params = new URLSearchParams({ limit: String(this.pageSize) });
      if (cursor) params.set('cursor', cursor);
      const response = await this.request(`/cluster-classes?${params}`);
      if (response.status === 404 && items.length === 0 && !cursor) {
        // The backend does not serve ClusterClasses (yet).
        await response.body?.cancel();
        return undefined;
      }
      if (!response.ok) {
        throw await ResponseError.fromResponse(response);
      }
      const page = (await response.json()) as ListClusterClassesResponse;
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  }
}
