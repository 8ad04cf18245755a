import type {
  ClusterFacets,
  ClusterListItem,
  ClusterSummary,
  ListClustersResponse as ListClustersPage,
  operations,
} from '../schema/openapi/generated/models';
import {
  pathsClustersGetParametersQueryFieldsValues,
  pathsClustersGetParametersQuerySortValues,
} from '../schema/openapi/generated/models/schema';
import { enumValues } from '../schema/enumValues';

/*
 * REST API types of the Shipyard backend (`/api/shipyard`): queries of the fleet (`GET /clusters`, facets, sorting)
 * and the fleet summary. The shapes are the models generated from `plugins/shipyard-backend/src/schema/openapi.yaml`;
 * this file names their parts and holds the values that code needs at run time.
 */

export type {
  ClusterFacets,
  ClusterListItem,
  FacetCount,
  FleetSummary,
} from '../schema/openapi/generated/models';

/** The query parameters of `GET /clusters` as they travel. */
type ListClustersQuery = NonNullable<
  operations['listClusters']['parameters']['query']
>;

/** The fields of the spec's `ClusterListItem`, in the order of the summary; the record holds them to the spec. */
const LIST_ITEM_FIELDS: Record<keyof ClusterListItem, true> = {
  managementCluster: true,
  namespace: true,
  name: true,
  title: true,
  owner: true,
  system: true,
  lifecycle: true,
  profile: true,
  profileVersion: true,
  clusterClass: true,
  provider: true,
  distribution: true,
  kubernetesVersion: true,
  observedKubernetesVersion: true,
  kubernetesMinor: true,
  phase: true,
  health: true,
  healthReasons: true,
  controlPlane: true,
  workers: true,
  machineCount: true,
  createdAt: true,
  deletingSince: true,
  lastChangedAt: true,
  source: true,
  versionSupport: true,
  paused: true,
  drift: true,
  budget: true,
};

/** Fields of a {@link ClusterSummary} that a list item of `GET /clusters?fields=list` keeps. */
export const CLUSTER_LIST_ITEM_FIELDS: ReadonlyArray<keyof ClusterListItem> =
  Object.keys(LIST_ITEM_FIELDS) as Array<keyof ClusterListItem>;

/** A value of the `fields` query parameter of `GET /clusters`: `full` summaries (default) or slim `list` items. */
export type ClusterListFields = NonNullable<ListClustersQuery['fields']>;

/** Representation of the items of `GET /clusters`: `full` summaries (default) or slim `list` items. */
export const CLUSTER_LIST_FIELDS = enumValues<ClusterListFields>(
  pathsClustersGetParametersQueryFieldsValues,
);

/** Name of a facet (and of the filter query parameter of the same name). */
export type ClusterFacet = keyof ClusterFacets;

/** The facets, each of which must also be a query parameter of `GET /clusters` (else none is, and the record fails). */
type FacetParameter = ClusterFacet extends keyof ListClustersQuery
  ? ClusterFacet
  : never;

/** The facets of `GET /clusters`, in the order they are shown; the record holds them to the spec's `ClusterFacets`. */
const FACETS: Record<FacetParameter, true> = {
  owner: true,
  profile: true,
  provider: true,
  distribution: true,
  kubernetesMinor: true,
  health: true,
  phase: true,
  managementCluster: true,
  label: true,
  versionSupport: true,
  drift: true,
  budget: true,
};

/** The facets of `GET /clusters`. Each facet has a query parameter of the same name. */
export const CLUSTER_FACETS: readonly ClusterFacet[] = Object.keys(
  FACETS,
) as ClusterFacet[];

/** A column that `GET /clusters` can sort on. */
export type ClusterSortField = NonNullable<ListClustersQuery['sort']>;

/** Columns that `GET /clusters` can sort on. */
export const CLUSTER_SORT_FIELDS = enumValues<ClusterSortField>(
  pathsClustersGetParametersQuerySortValues,
);

/** Sort direction. */
export type SortOrder = NonNullable<ListClustersQuery['order']>;

/**
 * Query of `GET /clusters`: its query parameters, with `facets` as a boolean. Filters are ANDed across facets and
 * ORed within one facet (repeat the parameter: `owner=group:default/a&owner=group:default/b`). `label` values are
 * `key=value` or just `key` (label present).
 */
export type ListClustersRequest = Omit<ListClustersQuery, 'facets'> & {
  /** Omit facet counts from the response (cheaper). */
  facets?: boolean;
};

/** Response of `GET /clusters`; items are {@link ClusterListItem}s with `fields=list`. */
export type ListClustersResponse<
  TItem extends ClusterListItem = ClusterSummary,
> = Omit<ListClustersPage, 'items'> & { items: TItem[] };
