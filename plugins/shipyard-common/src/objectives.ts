import type { BudgetState } from './schema/openapi/generated/models';
import { budgetStateValues } from './schema/openapi/generated/models/schema';
import { enumValues } from './schema/enumValues';

/** How a cluster's error budget stands (the `budget` facet of `GET /clusters`). */
export const BUDGET_STATES = enumValues<BudgetState>(budgetStateValues);

// the objectives' API shapes, as the spec defines them
export type {
  BudgetState,
  ClusterObjectiveResponse,
  ClusterObjective,
  ObjectivesResponse,
  ObjectiveRollup,
  ClusterObjectiveItem,
} from './schema/openapi/generated/models';
