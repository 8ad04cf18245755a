/*
 * ClusterClasses of the fleet, as served by `GET /api/shipyard/cluster-classes` (paged like `GET /clusters`).
 * The catalog module turns each into a generated `ClusterProfile`; the scaffolder turns `variables` into a form.
 * The shapes are the spec's models, with one refinement: the spec can only say that a variable's schema is an object,
 * as a recursive JSON value cannot be a generated type, so here its values are typed as JSON.
 */
import type { ProfileJsonValue } from './profile';
import type {
  ClusterClassSummary as ClusterClassSummaryModel,
  operations,
} from './schema/openapi/generated/models';

/** One variable of a ClusterClass (`spec.variables[]`, or `status.variables[].definitions[0]`). */
export type ClusterClassVariableSummary = Omit<
  ClusterClassSummaryModel['variables'][number],
  'schema'
> & {
  /** `schema.openAPIV3Schema` of the variable. */
  schema: { [key: string]: ProfileJsonValue };
};

/** A ClusterClass on one management cluster. */
export type ClusterClassSummary = Omit<
  ClusterClassSummaryModel,
  'variables'
> & {
  variables: ClusterClassVariableSummary[];
};

/** Response of `GET /cluster-classes` (`limit`, `cursor` and `managementCluster` query parameters). */
export type ListClusterClassesResponse = Omit<
  operations['listClusterClasses']['responses'][200]['content']['application/json'],
  'items'
> & { items: ClusterClassSummary[] };
