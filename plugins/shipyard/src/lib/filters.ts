import {
  BUDGET_STATES,
  CLUSTER_FACETS,
  CLUSTER_SORT_FIELDS,
  ClusterFacet,
  ClusterSortField,
  DEFAULT_CLUSTER_PAGE_SIZE,
  DRIFT_KINDS,
  DRIFT_NONE,
  DriftFacetValue,
  HealthStatus,
  ListClustersRequest,
  SortOrder,
  VERSION_SUPPORT_STATUSES,
  VersionSupportStatus,
} from '@shipyard/plugin-shipyard-common';
import { isHealthStatus } from './health';

/** A facet the fleet page filters on: every facet of `GET /clusters` but labels (free-form `key=value`). */
export type FilterFacet = Exclude<ClusterFacet, 'label'>;

/** The facets that the fleet page filters on, in display order (the order of `GET /clusters`' facets). */
export const FILTER_FACETS = CLUSTER_FACETS.filter(
  (f): f is FilterFacet => f !== 'label',
);

export const FACET_LABELS: Record<FilterFacet, string> = {
  owner: 'Owner',
  profile: 'Profile',
  provider: 'Provider',
  distribution: 'Distribution',
  kubernetesMinor: 'Kubernetes',
  health: 'Health',
  phase: 'Phase',
  managementCluster: 'Management cluster',
  versionSupport: 'Version support',
  drift: 'Drift',
  budget: 'Error budget',
};

/** The fleet page's query, as kept in the URL. */
export interface FleetQuery {
  filters: Partial<Record<FilterFacet, string[]>>;
  q: string;
  sort: ClusterSortField;
  order: SortOrder;
  columns?: string[];
}

/** Reads the fleet query from the page's search params. */
export function readFleetQuery(params: URLSearchParams): FleetQuery {
  const filters: FleetQuery['filters'] = {};
  for (const facet of FILTER_FACETS) {
    const values = params.getAll(facet).filter(v => v.length > 0);
    let valid = values;
    if (facet === 'health') valid = values.filter(v => isHealthStatus(v));
    if (facet === 'versionSupport') {
      valid = values.filter(v =>
        (VERSION_SUPPORT_STATUSES as readonly string[]).includes(v),
      );
    }
    if (facet === 'drift') {
      valid = values.filter(v =>
        ([...DRIFT_KINDS, DRIFT_NONE] as readonly string[]).includes(v),
      );
    }
    if (facet === 'budget') {
      valid = values.filter(v =>
        (BUDGET_STATES as readonly string[]).includes(v),
      );
    }
    if (valid.length > 0) filters[facet] = [...new Set(valid)];
  }
  const sortParam = params.get('sort') ?? 'name';
  const sort = (CLUSTER_SORT_FIELDS as readonly string[]).includes(sortParam)
    ? (sortParam as ClusterSortField)
    : 'name';
  const order: SortOrder = params.get('order') === 'desc' ? 'desc' : 'asc';
  const columnsParam = params.get('columns');
  return {
    filters,
    q: params.get('q') ?? '',
    sort,
    order,
    columns: columnsParam ? columnsParam.split(',').filter(Boolean) : undefined,
  };
}

/** Writes the fleet query to search params (defaults are left out to keep links short). */
export function writeFleetQuery(query: FleetQuery): URLSearchParams {
  const params = new URLSearchParams();
  for (const facet of FILTER_FACETS) {
    for (const v of query.filters[facet] ?? []) params.append(facet, v);
  }
  if (query.q) params.set('q', query.q);
  if (query.sort !== 'name') params.set('sort', query.sort);
  if (query.order !== 'asc') params.set('order', query.order);
  if (query.columns) params.set('columns', query.columns.join(','));
  return params;
}

/**
 * What the cluster table asks `GET /clusters` for: one page of slim list items (a cluster's page reads its details).
 * The fleet page's loader asks for the same ahead of the table (`readFleetTableAhead`).
 */
export function toTableRequest(
  query: FleetQuery,
  cursor?: string,
): ListClustersRequest & { fields: 'list' } {
  return { ...toListRequest(query, cursor), fields: 'list' };
}

/** The `GET /clusters` request of a fleet query. */
export function toListRequest(
  query: FleetQuery,
  cursor?: string,
): ListClustersRequest {
  const f = query.filters;
  return {
    owner: f.owner,
    profile: f.profile,
    provider: f.provider,
    distribution: f.distribution,
    kubernetesMinor: f.kubernetesMinor,
    health: f.health as HealthStatus[] | undefined,
    phase: f.phase,
    managementCluster: f.managementCluster,
    versionSupport: f.versionSupport as VersionSupportStatus[] | undefined,
    drift: f.drift as DriftFacetValue[] | undefined,
    q: query.q.trim() || undefined,
    sort: query.sort,
    order: query.order,
    limit: DEFAULT_CLUSTER_PAGE_SIZE,
    cursor,
  };
}
