import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { InputError, ResponseError } from '@backstage/errors';
import {
  ClusterAuditRecordInput,
  ClusterClassSummary,
  ClusterDetails,
  ClusterKey,
  ClusterSummary,
  ListClusterClassesResponse,
  ListClustersResponse,
  ListManagementClustersResponse,
  ManagementClusterStatus,
  SHIPYARD_PLUGIN_ID,
} from '@shipyard/plugin-shipyard-common';

/** One encoded path segment; `.` and `..` too, which URL parsing would otherwise resolve away. */
function pathSegment(value: string): string {
  return encodeURIComponent(value).replace(/\./g, '%2E');
}

/** What the actions read from (and record to) the Shipyard backend. */
export interface ShipyardBackend {
  getCluster(key: ClusterKey): Promise<ClusterSummary | undefined>;
  /** Number of clusters the team owns across the fleet. */
  countClustersOwnedBy(owner: string): Promise<number>;
  listManagementClusters(): Promise<ManagementClusterStatus[]>;
  listClusterClasses(managementCluster: string): Promise<ClusterClassSummary[]>;
  recordAudit(record: ClusterAuditRecordInput): Promise<void>;
}

/** Client of `/api/shipyard` with the scaffolder plugin's own service credentials. */
export class ShipyardBackendClient implements ShipyardBackend {
  constructor(
    private readonly options: {
      discovery: DiscoveryService;
      auth: AuthService;
    },
  ) {}

  async getCluster(key: ClusterKey): Promise<ClusterSummary | undefined> {
    const path = `/clusters/${[key.managementCluster, key.namespace, key.name]
      .map(pathSegment)
      .join('/')}`;
    const res = await this.fetch(path);
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    if (res.status === 400) {
      // the backend refuses the key itself (not a valid namespace or name): the input is wrong, not the backend
      const error = await ResponseError.fromResponse(res);
      throw new InputError(
        `${key.managementCluster}/${key.namespace}/${
          key.name
        } is not a valid cluster: ${
          error.body?.error?.message ?? error.message
        }`,
      );
    }
    if (!res.ok) throw await ResponseError.fromResponse(res);
    const details = (await res.json()) as Partial<ClusterDetails> | undefined;
    if (!details?.summary) {
      throw new Error(`Shipyard answered ${path} without a cluster summary`);
    }
    return details.summary;
  }

  async countClustersOwnedBy(owner: string): Promise<number> {
    const params = new URLSearchParams({ owner, limit: '1', facets: 'false' });
    const body = await this.json<ListClustersResponse>(`/clusters?${params}`);
    return body.totalCount;
  }

  async listManagementClusters(): Promise<ManagementClusterStatus[]> {
    return (
      await this.json<ListManagementClustersResponse>('/management-clusters')
    ).items;
  }

  async listClusterClasses(
    managementCluster: string,
  ): Promise<ClusterClassSummary[]> {
    const items: ClusterClassSummary[] = [];
    let cursor: string | undefined;
    do {
      const params = new URLSearchParams({ managementCluster, limit: '500' });
      if (cursor) params.set('cursor', cursor);
      const page = await this.json<ListClusterClassesResponse>(
        `/cluster-classes?${params}`,
      );
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  }

  async recordAudit(record: ClusterAuditRecordInput): Promise<void> {
    const res = await this.fetch('/audit', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(record),
    });
    if (!res.ok) throw await ResponseError.fromResponse(res);
    await res.body?.cancel();
  }

  private async json<T>(path: string): Promise<T> {
    const res = await this.fetch(path);
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return (await res.json()) as T;
  }

  private async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const { discovery, auth } = this.options;
    const [baseUrl, { token }] = await Promise.all([
      discovery.getBaseUrl(SHIPYARD_PLUGIN_ID),
      auth.getPluginRequestToken({
        onBehalfOf: await auth.getOwnServiceCredentials(),
        targetPluginId: SHIPYARD_PLUGIN_ID,
      }),
    ]);
    return fetch(`${baseUrl}${path}`, {
      ...init,
      headers: { ...(init.headers ?? {}), authorization: `Bearer ${token}` },
    });
  }
}
