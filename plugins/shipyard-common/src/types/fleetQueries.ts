import { DriftFacetValue } from '../drift';
import { BudgetState } from '../objectives';
import { VersionSupportStatus } from '../versionSupport';
import { ClusterSummary, HealthStatus } from './cluster';

/*
 * REST API types of the Shipyard backend (`/api/shipyard`). The OpenAPI document in
 * `plugins/shipyard-backend/src/schema/openapi.yaml` describes the same shapes.
 *
 * This file: queries of the fleet (`GET /clusters`, facets, sorting) and the fleet summary.
 */

/** Fields of a {@link ClusterSummary} that a list item of `GET /clusters?fields=list` keeps. */
export const CLUSTER_LIST_ITEM_FIELDS = [
  'managementCluster',
  'namespace',
  'name',
  'title',
  'owner',
  'system',
  'lifecycle',
  'profile',
  'profileVersion',
  'clusterClass',
  'provider',
  'distribution',
  'kubernetesVersion',
  'observedKubernetesVersion',
  'kubernetesMinor',
  'phase',
  'health',
  'healthReasons',
  'controlPlane',
  'workers',
  'machineCount',
  'createdAt',
  'deletingSince',
  'lastChangedAt',
  'source',
  'versionSupport',
  'paused',
  'drift',
  'budget',
] as const satisfies ReadonlyArray<keyof ClusterSummary>;

/**
 * A cluster as a slim list item (`GET /clusters?fields=list`): what a fleet table shows, without the uid, labels,
 * CAPI conditions, MachineDeployments, MachinePools, machine phase counts, nodes and probe details of the full
 * {@link ClusterSummary} (fetch `GET /clusters/:managementCluster/:namespace/:name` for those).
 */
export type ClusterListItem = Pick<
  ClusterSummary,
  (typeof CLUSTER_LIST_ITEM_FIELDS)[number]
>;

/** Representation of the items of `GET /clusters`: `full` summaries (default) or slim `list` items. */
export const CLUSTER_LIST_FIELDS = ['full', 'list'] as const;

/** A value of the `fields` query parameter of `GET /clusters`. */
export type ClusterListFields = (typeof CLUSTER_LIST_FIELDS)[number];

/** The facets of `GET /clusters`. Each facet has a query parameter of the same name. */
export const CLUSTER_FACETS = [
  'owner',
  'profile',
  'provider',
  'distribution',
  'kubernetesMinor',
  'health',
  'phase',
  'managementCluster',
  'label',
  'versionSupport',
  'drift',
  'budget',
] as const;

/** Name of a facet (and of the filter query parameter of the same name). */
export type ClusterFacet = (typeof CLUSTER_FACETS)[number];

/** Columns that `GET /clusters` can sort on. */
export const CLUSTER_SORT_FIELDS = [
  'name',
  'namespace',
  'managementCluster',
  'owner',
  'profile',
  'provider',
  'distribution',
  'kubernetesVersion',
  'health',
  'phase',
  'createdAt',
  'lastChangedAt',
  'machineCount',
] as const;

/** A column that `GET /clusters` can sort on. */
export type ClusterSortField = (typeof CLUSTER_SORT_FIELDS)[number];

/** Sort direction. */
export type SortOrder = 'asc' | 'desc';

/**
 * Query of `GET /clusters`. Filters are ANDed across facets and ORed within one facet (repeat the parameter:
 * `owner=group:default/a&owner=group:default/b`). `label` values are `key=value` or just `key` (label present).
 */
export interface ListClustersRequest {
  owner?: string[];
  profile?: string[];
  provider?: string[];
  distribution?: string[];
  kubernetesMinor?: string[];
  health?: HealthStatus[];
  phase?: string[];
  managementCluster?: string[];
  label?: string[];
  versionSupport?: VersionSupportStatus[];
  /** Drift kinds (a cluster with any of them), or `none` for clusters that match their profile version. */
  drift?: DriftFacetValue[];
  /** Error budget states. */
  budget?: BudgetState[];
  /** Case-insensitive text search on name, title and namespace. */
  q?: string;
  /** Column to sort on (default `name`). */
  sort?: ClusterSortField;
  /** Sort direction (default `asc`). */
  order?: SortOrder;
  /** Page size, 1–500 (default 50). */
  limit?: number;
  /** Opaque cursor from a previous response's `nextCursor`. */
  cursor?: string;
  /** Omit facet counts from the response (cheaper). */
  facets?: boolean;
  /** Item representation: `full` {@link ClusterSummary} (default) or slim `list` {@link ClusterListItem}. */
  fields?: ClusterListFields;
}

/** One value of a facet with the number of clusters that have it. */
export interface FacetCount {
  value: string;
  count: number;
}

/**
 * Facet counts for the current query. Counts of a facet ignore that facet's own filter (but apply all other
 * filters), so a value's count equals the `totalCount` of filtering by that value.
 */
export type ClusterFacets = Record<ClusterFacet, FacetCount[]>;

/** Response of `GET /clusters`; items are {@link ClusterListItem}s with `fields=list`. */
export interface ListClustersResponse<
  TItem extends ClusterListItem = ClusterSummary,
> {
  items: TItem[];
  /** Number of clusters matching the filters (over all pages). */
  totalCount: number;
  facets?: ClusterFacets;
  /** Cursor of the next page; absent on the last page. */
  nextCursor?: string;
  /** Fleet revision the page was computed at. */
  revision: number;
}

/** Response of `GET /summary`: counts over the whole (visible) fleet. */
export interface FleetSummary {
  totalCount: number;
  byHealth: Record<string, number>;
  byPhase: Record<string, number>;
  byProvider: Record<string, number>;
  byDistribution: Record<string, number>;
  byKubernetesMinor: Record<string, number>;
  byOwner: Record<string, number>;
  byManagementCluster: Record<string, number>;
  /** Counts by version support status (`supported`, `nearing-end-of-life`, `end-of-life`, `unknown`). */
  byVersionSupport: Record<string, number>;
  /** Counts by drift kind (a cluster counts once per kind it has) and `none`; clusters not compared are not counted. */
  byDrift: Record<string, number>;
  /** Clusters with at least one drift finding. */
  driftedCount: number;
  /** Clusters whose management cluster is stale or not yet re-synced. */
  staleCount: number;
  revision: number;
}
