import {
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { retryTransient } from '@shipyard/plugin-shipyard-node';
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
  unlessAborted,
} from '@shipyard/plugin-shipyard-common';

/** Options of one read of the Shipyard backend. */
export interface ShipyardReadOptions {
  /** Gives the read up (its request, its next try). */
  signal?: AbortSignal;
}

/** What the entity providers read from the Shipyard backend. */
export interface ShipyardFleetReader {
  /** Pages of every cluster of the fleet. */
  listClusterPages(
    options?: ShipyardReadOptions,
  ): AsyncIterable<ListClustersResponse>;
  /** One cluster's summary, or undefined when it does not exist (404). */
  getCluster(
    key: ClusterKey,
    options?: ShipyardReadOptions,
  ): Promise<ClusterSummary | undefined>;
  listManagementClusters(
    options?: ShipyardReadOptions,
  ): Promise<ManagementClusterStatus[]>;
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
  /**
   * A request that fails with a transient error (a 5xx, 429 or 401 answer, a timeout, a reset connection) is sent
   * again, up to `attempts` times in all (default 5), after `firstDelayMs` (default 1 s) doubling up to `maxDelayMs`
   * (default 8 s); a page of a listing is asked for again from its cursor, the pages read before it are kept.
   */
  retry?: { attempts?: number; firstDelayMs?: number; maxDelayMs?: number };
  /** Logs each request sent again. */
  logger?: LoggerService;
}

/**
 * Reads the Shipyard backend (`/api/shipyard`) through the client generated from its OpenAPI spec, adding the
 * catalog's own service token and the request timeout to every request, another try after a transient failure,
 * cursor paging to the end (a repeated cursor is an error), a missing cluster as `undefined`, and "not available" for
 * a backend without `GET /cluster-classes`.
 */
export class ShipyardApiClient
  implements ShipyardFleetReader, ClusterClassSource
{
  private readonly auth: AuthService;
  private readonly pageSize: number;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly firstDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly logger?: LoggerService;
  private readonly api: ShipyardOpenApi.DefaultApiClient;

  /** A client with the page size and request timeout of `catalog.providers.shipyard`. */
  static fromCatalogConfig(
    config: Pick<ShipyardCatalogConfig, 'clusters' | 'requestTimeoutMs'>,
    deps: {
      discovery: DiscoveryService;
      auth: AuthService;
      logger?: LoggerService;
    },
  ): ShipyardApiClient {
    return new ShipyardApiClient({
      discovery: deps.discovery,
      auth: deps.auth,
      pageSize: config.clusters.pageSize,
      timeoutMs: config.requestTimeoutMs,
      logger: deps.logger,
    });
  }

  constructor(options: ShipyardApiClientOptions) {
    this.auth = options.auth;
    this.pageSize = options.pageSize;
    this.timeoutMs = options.timeoutMs;
    this.attempts = Math.max(1, options.retry?.attempts ?? 5);
    this.firstDelayMs = options.retry?.firstDelayMs ?? 1_000;
    this.maxDelayMs = options.retry?.maxDelayMs ?? 8_000;
    this.logger = options.logger;
    this.api = new ShipyardOpenApi.DefaultApiClient({
      discoveryApi: options.discovery,
    });
  }

  /**
   * Sends a request (`call`, which reads the answer's body too) with a fresh token, and again after a transient
   * failure, until it succeeds, fails otherwise, the tries are used up or `signal` gives it up. Each try, its token
   * included, is given up at the request timeout (a `TimeoutError`, transient) or when `signal` aborts, whether or not
   * the request and its body settle then (`unlessAborted`).
   */
  private read<T>(
    what: string,
    call: (options: ShipyardOpenApi.RequestOptions) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    const oneTry = async () => {
      const timeout = AbortSignal.timeout(this.timeoutMs);
      const deadline = signal ? AbortSignal.any([signal, timeout]) : timeout;
      const { token } = await unlessAborted(
        this.auth.getPluginRequestToken({
          onBehalfOf: await this.auth.getOwnServiceCredentials(),
          targetPluginId: SHIPYARD_PLUGIN_ID,
        }),
        deadline,
      );
      return unlessAborted(call({ token, signal: deadline }), deadline);
    };
    return retryTransient(oneTry, {
      attempts: this.attempts,
      firstDelayMs: this.firstDelayMs,
      maxDelayMs: this.maxDelayMs,
      unauthorized: true,
      signal,
      onRetry: ({ attempt, attempts, delayMs, error }) =>
        this.logger?.warn(
          `${what} failed (try ${attempt} of ${attempts}), asking again in ${delayMs} ms: ${error}`,
        ),
    });
  }

  async *listClusterPages(
    options: ShipyardReadOptions = {},
  ): AsyncIterable<ListClustersResponse> {
    let cursor: string | undefined;
    const seen = new Set<string>();
    let pages = 0;
    do {
      const query = toListClustersQuery({
        limit: this.pageSize,
        facets: false,
        sort: 'name',
        ...(cursor ? { cursor } : {}),
      });
      pages++;
      // without fields=list the items are full cluster summaries
      const page = await this.read(
        `Reading page ${pages} of the clusters`,
        async requestOptions =>
          (await responseBody(
            await this.api.listClusters({ query }, requestOptions),
          )) as ListClustersResponse,
        options.signal,
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

  async getCluster(
    key: ClusterKey,
    options: ShipyardReadOptions = {},
  ): Promise<ClusterSummary | undefined> {
    return this.read(
      'Reading a cluster',
      async requestOptions => {
        const response = await this.api.getCluster(
          { path: key },
          requestOptions,
        );
        if (response.status === 404) {
          await response.body?.cancel();
          return undefined;
        }
        const details: ClusterDetails = await responseBody(response);
        return details.summary;
      },
      options.signal,
    );
  }

  async listManagementClusters(
    options: ShipyardReadOptions = {},
  ): Promise<ManagementClusterStatus[]> {
    return this.read(
      'Reading the management clusters',
      async requestOptions =>
        (
          await responseBody(
            await this.api.listManagementClusters({}, requestOptions),
          )
        ).items,
      options.signal,
    );
  }

  async listClusterClasses(): Promise<ClusterClassSummary[] | undefined> {
    const items: ClusterClassSummary[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.clusterClassesPage(cursor);
      if (!page) return undefined;
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  }

  /** A page of ClusterClasses; undefined when the backend does not serve them (404 for the first page). */
  private clusterClassesPage(
    cursor?: string,
  ): Promise<ListClusterClassesResponse | undefined> {
    return this.read('Reading the ClusterClasses', async requestOptions => {
      const response = await this.api.listClusterClasses(
        { query: { limit: this.pageSize, cursor } },
        requestOptions,
      );
      if (response.status === 404 && !cursor) {
        await response.body?.cancel();
        return undefined;
      }
      // a variable's schema is JSON (the spec: an object with any properties)
      return (await responseBody(response)) as ListClusterClassesResponse;
    });
  }
}
