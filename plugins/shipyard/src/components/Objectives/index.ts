export { BudgetChip, BUDGET_CHIP_COLORS } from './BudgetChip';
export {
  ObjectiveCard,
  ObjectiveDetails,
  ObjectiveDays,
} from './ObjectiveCard';
export { TeamObjectives } from './TeamObjectives';
