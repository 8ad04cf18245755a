import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import type { ShipyardCatalogConfig } from '../config';
import {
  ClusterClassSummary,
  ClusterDetails,
  ClusterKey,
  ClusterSummary,
  ListClusterClassesResponse,
  ListClustersResponse,
  ManagementClusterStatus,
  SHIPYARD_PLUGIN_ID,
  ShipyardOpenApi,
  toListClustersQuery,
  responseBody,
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
 * Reads the Shipyard backend (`/api/shipyard`) through the client generated from its OpenAPI spec, adding the
 * catalog's own service token and the request timeout to every request, cursor paging to the end (a repeated cursor
 * is an error), a missing cluster as `undefined`, and "not available" for a backend without `GET /cluster-classes`.
 */
export class ShipyardApiClient
  implements ShipyardFleetReader, ClusterClassSource
{
  private readonly auth: AuthService;
  private readonly pageSize: number;
  private readonly timeoutMs: number;
  private readonly api: ShipyardOpenApi.DefaultApiClient;

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
    this.auth = options.auth;
    this.pageSize = options.pageSize;
    this.timeoutMs = options.timeoutMs;
    this.api = new ShipyardOpenApi.DefaultApiClient({
      discoveryApi: options.discovery,
    });
  }

  private async requestOptions(): Promise<ShipyardOpenApi.RequestOptions> {
    const { token } = await this.auth.getPluginRequestToken({
      onBehalfOf: await this.auth.getOwnServiceCredentials(),
      targetPluginId: SHIPYARD_PLUGIN_ID,
    });
    return { token, signal: AbortSignal.timeout(this.timeoutMs) };
  }

  async *listClusterPages(): AsyncIterable<ListClustersResponse> {
    let cursor: string | undefined;
    const seen = new Set<string>();
    do {
      const query = toListClustersQuery({
        limit: this.pageSize,
        facets: false,
        sort: 'name',
        ...(cursor ? { cursor } : {}),
      });
      // without fields=list the items are full cluster summaries
      const page = (await responseBody(
        await this.api.listClusters({ query }, await this.requestOptions()),
      )) as ListClustersResponse;
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
    const response = await this.api.getCluster(
      { path: key },
      await this.requestOptions(),
    );
    if (response.status === 404) return undefined;
    const details: ClusterDetails = await responseBody(response);
    return details.summary;
  }

  async listManagementClusters(): Promise<ManagementClusterStatus[]> {
    const body = await responseBody(
      await this.api.listManagementClusters({}, await this.requestOptions()),
    );
    return body.items;
  }

  async listClusterClasses(): Promise<ClusterClassSummary[] | undefined> {
    const items: ClusterClassSummary[] = [];
    let cursor: string | undefined;
    do {
      const response = await this.api.listClusterClasses(
        { query: { limit: this.pageSize, cursor } },
        await this.requestOptions(),
      );
      if (response.status === 404 && items.length === 0 && !cursor) {
        // The backend does not serve ClusterClasses (yet).
        await response.body?.cancel();
        return undefined;
      }
      // a variable's schema is JSON (the spec: an object with any properties)
      const page = (await responseBody(response)) as ListClusterClassesResponse;
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  }
}
