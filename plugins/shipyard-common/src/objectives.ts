/** How a cluster's error budget stands (the `budget` facet of `GET /clusters`). */
export const BUDGET_STATES = ['exhausted', 'burning', 'ok'] as const;

/** How a cluster's error budget stands: none left in its window, a burn-rate condition fires, or neither. */
export type BudgetState = (typeof BUDGET_STATES)[number];

// the objectives' API shapes, as the spec defines them
export type {
  ClusterObjectiveResponse,
  ClusterObjective,
  ObjectivesResponse,
  ObjectiveRollup,
  ClusterObjectiveItem,
} from './schema/openapi/generated/models';
