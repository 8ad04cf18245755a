import { BudgetState } from '@shipyard/plugin-shipyard-common';

const BUDGET_LABELS: Record<BudgetState, string> = {
  exhausted: 'Budget exhausted',
  burning: 'Burning budget',
  ok: 'Budget ok',
};

/** Display text of an error budget state. */
export function budgetLabel(value: BudgetState | string): string {
  return BUDGET_LABELS[value as BudgetState] ?? value;
}

/** A colour of the theme's palette for a budget state. */
export function budgetColor(
  value: BudgetState | undefined,
): 'error' | 'warning' | 'success' | 'default' {
  if (value === 'exhausted') return 'error';
  if (value === 'burning') return 'warning';
  if (value === 'ok') return 'success';
  return 'default';
}

/** A percentage with as many decimals as a target of a few nines needs (99.95 %, 99.999 %). */
export function formatPercent(value: number | undefined, digits = 3): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return `${Number(value.toFixed(digits))} %`;
}

/** Minutes as `1 h 5 min`, `43.2 min`, `-6.8 min`. */
export function formatMinutes(value: number): string {
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  if (abs >= 120) {
    const h = Math.floor(abs / 60);
    const m = Math.round(abs - h * 60);
    return `${sign}${h} h${m ? ` ${m} min` : ''}`;
  }
  return `${sign}${Number(abs.toFixed(1))} min`;
}
