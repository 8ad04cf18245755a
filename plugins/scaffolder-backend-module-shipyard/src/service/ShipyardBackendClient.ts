import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { InputError, ResponseError } from '@backstage/errors';
import {
  ClusterAuditRecordInput,
  ClusterClassSummary,
  ClusterDetails,
  ClusterKey,
  ClusterSummary,
  ListClusterClassesResponse,
  ManagementClusterStatus,
  ShipyardOpenApi,
  stringifyClusterKey,
  responseBody,
} from '@shipyard/plugin-shipyard-common';
import { ShipyardApiAccess } from './shipyardApi';

/** What the actions read from (and record to) the Shipyard backend. */
export interface ShipyardBackend {
  getCluster(key: ClusterKey): Promise<ClusterSummary | undefined>;
  /** Number of clusters the team owns across the fleet. */
  countClustersOwnedBy(owner: string): Promise<number>;
  listManagementClusters(): Promise<ManagementClusterStatus[]>;
  listClusterClasses(managementCluster: string): Promise<ClusterClassSummary[]>;
  recordAudit(record: ClusterAuditRecordInput): Promise<void>;
}

/**
 * What the actions need of `/api/shipyard`, through the client generated from the backend's OpenAPI spec: the
 * scaffolder plugin's own service token on every request, a missing cluster as `undefined`, a key the backend
 * refuses as an `InputError` (the input is wrong, not the backend), every other failure as a `ResponseError`, and
 * the pages of ClusterClasses read to the end.
 */
export class ShipyardBackendClient implements ShipyardBackend {
  private readonly access: ShipyardApiAccess;

  constructor(options: { discovery: DiscoveryService; auth: AuthService }) {
    this.access = new ShipyardApiAccess(options);
  }

  private get api(): ShipyardOpenApi.DefaultApiClient {
    return this.access.api;
  }

  async getCluster(key: ClusterKey): Promise<ClusterSummary | undefined> {
    const res = await this.api.getCluster(
      { path: key },
      { token: await this.token() },
    );
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    if (res.status === 400) {
      // the backend refuses the key itself (not a valid namespace or name): the input is wrong, not the backend
      const error = await ResponseError.fromResponse(res as Response);
      throw new InputError(
        `${key.managementCluster}/${key.namespace}/${
          key.name
        } is not a valid cluster: ${
          error.body?.error?.message ?? error.message
        }`,
      );
    }
    const details: Partial<ClusterDetails> | undefined = await responseBody(
      res,
    );
    if (!details?.summary) {
      throw new Error(
        `Shipyard answered ${stringifyClusterKey(
          key,
        )} without a cluster summary`,
      );
    }
    return details.summary;
  }

  async countClustersOwnedBy(owner: string): Promise<number> {
    const body = await responseBody(
      await this.api.listClusters(
        { query: { owner: [owner], limit: 1, facets: 'false' } },
        { token: await this.token() },
      ),
    );
    return body.totalCount;
  }

  async listManagementClusters(): Promise<ManagementClusterStatus[]> {
    return (
      await responseBody(
        await this.api.listManagementClusters(
          {},
          { token: await this.token() },
        ),
      )
    ).items;
  }

  async listClusterClasses(
    managementCluster: string,
  ): Promise<ClusterClassSummary[]> {
    const items: ClusterClassSummary[] = [];
    let cursor: string | undefined;
    do {
      // a variable's schema is JSON (the spec: an object with any properties)
      const page = (await responseBody(
        await this.api.listClusterClasses(
          { query: { managementCluster, limit: 500, cursor } },
          { token: await this.token() },
        ),
      )) as ListClusterClassesResponse;
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  }

  async recordAudit(record: ClusterAuditRecordInput): Promise<void> {
    const res = await this.api.createAuditRecord(
      { body: record },
      { token: await this.token() },
    );
    if (!res.ok) throw await ResponseError.fromResponse(res as Response);
    await res.body?.cancel();
  }

  private token(): Promise<string> {
    return this.access.token();
  }
}
