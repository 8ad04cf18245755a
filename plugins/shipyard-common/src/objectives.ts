import type * as Models from './schema/openapi/generated/models';

/** How a cluster's error budget stands (the `budget` facet of `GET /clusters`). */
export const BUDGET_STATES = ['exhausted', 'burning', 'ok'] as const;

/** How a cluster's error budget stands: none left in its window, a burn-rate condition fires, or neither. */
export type BudgetState = (typeof BUDGET_STATES)[number];

/** Response of `GET /clusters/:managementCluster/:namespace/:name/objective`. */
export type ClusterObjectiveResponse = Models.ClusterObjectiveResponse;
/** A cluster's availability objective computed from its health history. */
export type ClusterObjective = Models.ClusterObjective;
/** Response of `GET /objectives`. */
export type ObjectivesResponse = Models.ObjectivesResponse;
/** Objectives of several clusters summed by time. */
export type ObjectiveRollup = Models.ObjectiveRollup;
/** One cluster of `GET /objectives`. */
export type ClusterObjectiveItem = Models.ClusterObjectiveItem;
