import Chip from '@material-ui/core/Chip';
import { BudgetState } from '@shipyard/plugin-shipyard-common';
import { budgetLabel } from '../../lib/budget';

/** Text colours of the budget states. */
export const BUDGET_CHIP_COLORS: Record<BudgetState, string> = {
  exhausted: '#c62828',
  burning: '#b26a00',
  ok: '#2e7d32',
};

/** A cluster's error budget state as a small chip. */
export const BudgetChip = (props: { state: BudgetState }) => (
  <Chip
    size="small"
    variant="outlined"
    label={budgetLabel(props.state)}
    data-testid={`budget-${props.state}`}
    style={{
      color: BUDGET_CHIP_COLORS[props.state],
      borderColor: BUDGET_CHIP_COLORS[props.state],
    }}
  />
);
