import type {
  ClusterFacets,
  ClusterListItem,
  ClusterSummary,
  ClusterVersionSupport,
  ClusterVersionSupportBrief,
  HealthReason,
  ListClustersResponse as ListClustersPage,
  ReplicaCounters,
  ReplicaCountersBrief,
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
  ClusterVersionSupportBrief,
  FacetCount,
  ReplicaCountersBrief,
  FleetSummary,
} from '../schema/openapi/generated/models';

/** The query parameters of `GET /clusters` as they travel. */
type ListClustersQuery = NonNullable<
  operations['listClusters']['parameters']['query']
>;

/** The fields of a list item but `lastChangedAt` and `source` (which end it), in order; the record holds them to the spec. */
const LIST_ITEM_FIELDS: Record<
  Exclude<keyof ClusterListItem, 'lastChangedAt' | 'source'>,
  true
> = {
  managementCluster: true,
  namespace: true,
  name: true,
  title: true,
  owner: true,
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
  healthReason: true,
  healthReasonCount: true,
  controlPlane: true,
  workers: true,
  machineCount: true,
  createdAt: true,
  deletingSince: true,
  versionSupport: true,
  paused: true,
  drift: true,
  budget: true,
};
type ListItemField = keyof typeof LIST_ITEM_FIELDS;
const LIST_ITEM_FIELD_ORDER = Object.keys(LIST_ITEM_FIELDS) as ListItemField[];

/**
 * The health reason a cluster shows first (a fleet table's health cell, the headline of a list item): the first whose
 * severity is not `info`, else the first; undefined without reasons.
 */
export function headlineHealthReason<T extends Pick<HealthReason, 'severity'>>(
  reasons: readonly T[],
): T | undefined {
  return reasons.find(r => r.severity !== 'info') ?? reasons[0];
}

/** What a list item carries of a cluster's version support: its status and end of life. */
export function briefVersionSupport(
  support: ClusterVersionSupport,
): ClusterVersionSupportBrief {
  return support.endOfLife === undefined
    ? { status: support.status }
    : { status: support.status, endOfLife: support.endOfLife };
}

/** What a list item carries of replica counters: desired, current and ready (a table shows ready of desired). */
export function briefReplicaCounters(
  counters: ReplicaCounters,
): ReplicaCountersBrief {
  const brief: ReplicaCountersBrief = {};
  if (counters.desired !== undefined) brief.desired = counters.desired;
  if (counters.current !== undefined) brief.current = counters.current;
  if (counters.ready !== undefined) brief.ready = counters.ready;
  return brief;
}

/**
 * The slim list item of a cluster summary (an item of `GET /clusters?fields=list`): the fields a fleet table shows,
 * with the headline health reason ({@link headlineHealthReason}) and the count of reasons instead of the reasons,
 * desired, current and ready replicas, and the version support's status and end of life instead of all of it. The fields end with `lastChangedAt`, then
 * `source` when the summary has one; undefined fields are left out.
 */
export function clusterListItemOf(summary: ClusterSummary): ClusterListItem;
/** The slim list item of a summary without `source` (as the index stores it): the item without `source`. */
export function clusterListItemOf(
  summary: Omit<ClusterSummary, 'source'>,
): Omit<ClusterListItem, 'source'>;
export function clusterListItemOf(
  summary: Omit<ClusterSummary, 'source'> & {
    source?: ClusterSummary['source'];
  },
): Omit<ClusterListItem, 'source'> & { source?: ClusterListItem['source'] } {
  const item: Record<string, unknown> = {};
  for (const field of LIST_ITEM_FIELD_ORDER) {
    let value: unknown;
    if (field === 'healthReason') {
      value = headlineHealthReason(summary.healthReasons);
    } else if (field === 'healthReasonCount') {
      value = summary.healthReasons.length || undefined;
    } else if (field === 'controlPlane' || field === 'workers') {
      value = briefReplicaCounters(summary[field]);
    } else if (field === 'versionSupport') {
      value =
        summary.versionSupport && briefVersionSupport(summary.versionSupport);
    } else {
      value = summary[field];
    }
    if (value !== undefined) item[field] = value;
  }
  item.lastChangedAt = summary.lastChangedAt;
  if (summary.source !== undefined) item.source = summary.source;
  return item as Omit<ClusterListItem, 'source'>;
}

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
  TItem extends ClusterListItem | ClusterSummary = ClusterSummary,
> = Omit<ListClustersPage, 'items'> & { items: TItem[] };
