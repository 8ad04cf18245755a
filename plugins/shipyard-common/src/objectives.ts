import type {
  BudgetState,
  BurnRateAlert,
} from './schema/openapi/generated/models';
import {
  budgetStateValues,
  burnRateAlertSeverityValues,
} from './schema/openapi/generated/models/schema';
import { enumValues } from './schema/enumValues';

/** How a cluster's error budget stands (the `budget` facet of `GET /clusters`). */
export const BUDGET_STATES = enumValues<BudgetState>(budgetStateValues);

/** How urgent a burn-rate alert is: `page` (a fast burn: notify the owner now) or `ticket` (a slow burn). */
export type BurnRateSeverity = BurnRateAlert['severity'];

/** Every burn-rate alert severity, as the spec lists them. */
export const BURN_RATE_SEVERITIES = enumValues<BurnRateSeverity>(
  burnRateAlertSeverityValues,
);

// the objectives' API shapes, as the spec defines them
export type {
  AvailabilityObjective,
  BudgetState,
  BurnRateAlert,
  BurnRates,
  ClusterObjectiveResponse,
  ClusterObjective,
  ObjectivesResponse,
  ObjectiveRollup,
  ClusterObjectiveItem,
} from './schema/openapi/generated/models';
