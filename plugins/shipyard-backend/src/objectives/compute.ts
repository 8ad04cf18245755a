import {
  BudgetState,
  BurnRateAlert,
  BurnRates,
  HealthStatus,
} from '@shipyard/plugin-shipyard-common';
import {
  BURN_RATE_CONDITIONS,
  BurnRateCondition,
  DAY,
  HOUR,
  MINUTE,
  Objective,
  OUT_OF_SERVICE,
} from './config';

export { BURN_RATE_CONDITIONS };
export type { BurnRateCondition };

/*
 * Availability objectives from the health history, exact and time-weighted: the history is a step function (each
 * status holds from its time until the next one), and every figure is a sum of the lengths of its steps clipped to a
 * range, never a count of samples.
 *
 * Time in a range falls into one of four parts:
 * - no data: before the cluster's first recorded status;
 * - excluded: out of service by design (provisioning, deleting), maintenance when excluded, and `unknown` when it is
 *   not a bad state (no evidence either way);
 * - bad: a bad state (by default unhealthy and unknown);
 * - good: everything else.
 * Availability = good / (good + bad). The error budget of a window is (1 − target) × (good + bad) of that window, so
 * that the budget left is ≥ 0 exactly when the availability meets the target. A burn rate over a lookback is the bad
 * fraction of that lookback divided by (1 − target): 1 spends the budget exactly over the window.
 *
 * A burn-rate condition fires only once the cluster's history covers its long lookback in service (recorded, neither
 * before the first record nor provisioning or deleting): the first records of a cluster, or of a portal started on an
 * empty database, are a few seconds of counted time, and one bad second among them is a burn rate of 1,000× at
 * 99.9 %. Paging on that would page for every cluster whose first status is bad the moment it is first seen.
 */

/** One step of a cluster's health history: the status (and whether it was in maintenance) from `atMs` on. */
export interface HistoryStep {
  atMs: number;
  status: HealthStatus;
  /** A rollout step in progress or a paused cluster. */
  maintenance?: boolean;
}

/** What counts how. */
export interface CountingRules {
  badStates: ReadonlySet<HealthStatus>;
  excludeMaintenance: boolean;
}

/** Time (ms) of a range by part. */
export interface Tally {
  goodMs: number;
  badMs: number;
  excludedMs: number;
  noDataMs: number;
}

/**
 * A percentage or burn rate at the precision the API reports (six decimals: enough for four nines). Burn rates and
 * thresholds are kept at it, so that a condition fires exactly when its reported rates are above its reported
 * threshold (a rate that reads as its threshold does not fire).
 */
export const reported = (n: number) => Math.round(n * 1e6) / 1e6;

/** The threshold of a condition for a window: budgetFraction × window / long lookback, at least 1. */
export function burnRateThreshold(
  condition: BurnRateCondition,
  windowMs: number,
): number {
  return reported(
    Math.max(1, (condition.budgetFraction * windowMs) / condition.longMs),
  );
}

/** A cluster's objective computed at one time. */
export interface ObjectiveComputation extends Tally {
  objective: Objective;
  /** When it was computed (ms): the end of the window. */
  atMs: number;
  /** Start of the window (ms). */
  windowStartMs: number;
  /** Good over good + bad, in percent; undefined when no time counted. */
  availability?: number;
  /** The window's error budget: (1 − target) × (good + bad). */
  budgetMs: number;
  /** Budget minus bad time (negative when overspent). */
  remainingMs: number;
  /** remaining / budget in percent (100 when no time counted). */
  remainingPercent: number;
  burnRates: BurnRates;
  /** Every condition evaluated (the spec's `BurnRateAlert`). */
  alerts: BurnRateAlert[];
  /** Whether a page condition fires. */
  fastBurn: boolean;
  /** exhausted: no budget left; burning: a condition fires; ok otherwise. */
  state: BudgetState;
}

/** Index of the last step at or before `t` (-1 when none). */
function stepAt(steps: readonly HistoryStep[], t: number): number {
  let lo = 0;
  let hi = steps.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (steps[mid].atMs <= t) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

function partOf(
  step: HistoryStep,
  rules: CountingRules,
): 'good' | 'bad' | 'excluded' {
  if (OUT_OF_SERVICE.has(step.status)) return 'excluded';
  if (step.maintenance && rules.excludeMaintenance) return 'excluded';
  if (rules.badStates.has(step.status)) return 'bad';
  if (step.status === 'unknown') return 'excluded';
  return 'good';
}

/** Time of [fromMs, toMs) by part. `steps` must be in time order. */
export function tally(
  steps: readonly HistoryStep[],
  fromMs: number,
  toMs: number,
  rules: CountingRules,
): Tally {
  const m = measure(steps, fromMs, toMs, rules);
  return {
    goodMs: m.goodMs,
    badMs: m.badMs,
    excludedMs: m.excludedMs,
    noDataMs: m.noDataMs,
  };
}

/** {@link tally}, with the part of the excluded time that was out of service (provisioning, deleting). */
function measure(
  steps: readonly HistoryStep[],
  fromMs: number,
  toMs: number,
  rules: CountingRules,
): Tally & { outOfServiceMs: number } {
  const out = {
    goodMs: 0,
    badMs: 0,
    excludedMs: 0,
    noDataMs: 0,
    outOfServiceMs: 0,
  };
  if (toMs <= fromMs) return out;
  let i = stepAt(steps, fromMs);
  let t = fromMs;
  if (i < 0) {
    const first = steps.length > 0 ? Math.min(steps[0].atMs, toMs) : toMs;
    out.noDataMs += first - fromMs;
    t = first;
    i = 0;
  }
  for (; i < steps.length && t < toMs; i++) {
    const end = Math.min(i + 1 < steps.length ? steps[i + 1].atMs : toMs, toMs);
    if (end <= t) continue;
    const part = partOf(steps[i], rules);
    if (part === 'good') out.goodMs += end - t;
    else if (part === 'bad') out.badMs += end - t;
    else {
      out.excludedMs += end - t;
      if (OUT_OF_SERVICE.has(steps[i].status)) out.outOfServiceMs += end - t;
    }
    t = end;
  }
  return out;
}

function burnRate(t: Tally, target: number): number {
  const counted = t.goodMs + t.badMs;
  if (counted === 0) return 0;
  return reported(t.badMs / counted / (1 - target / 100));
}

/**
 * A cluster's objective at `nowMs` from its history (steps in time order; the one in force at the window's start
 * included), with the burn-rate alert conditions `conditions` (the workbook's four by default).
 */
export function computeObjective(
  steps: readonly HistoryStep[],
  objective: Objective,
  rules: CountingRules,
  nowMs: number,
  conditions: readonly BurnRateCondition[] = BURN_RATE_CONDITIONS,
): ObjectiveComputation {
  const windowMs = objective.windowDays * DAY;
  const windowStartMs = nowMs - windowMs;
  const whole = tally(steps, windowStartMs, nowMs, rules);
  const counted = whole.goodMs + whole.badMs;
  const budgetMs = (1 - objective.target / 100) * counted;
  const remainingMs = budgetMs - whole.badMs;
  const rate = (lookbackMs: number) =>
    burnRate(tally(steps, nowMs - lookbackMs, nowMs, rules), objective.target);
  const alerts = conditions.map(c => {
    const threshold = burnRateThreshold(c, windowMs);
    const long = measure(steps, nowMs - c.longMs, nowMs, rules);
    const longBurnRate = burnRate(long, objective.target);
    const shortBurnRate = rate(c.shortMs);
    const covered = long.noDataMs + long.outOfServiceMs === 0;
    return {
      name: c.name,
      severity: c.severity,
      longWindowMinutes: c.longMs / MINUTE,
      shortWindowMinutes: c.shortMs / MINUTE,
      threshold,
      longBurnRate,
      shortBurnRate,
      covered,
      firing: covered && longBurnRate > threshold && shortBurnRate > threshold,
    };
  });
  const fastBurn = alerts.some(a => a.firing && a.severity === 'page');
  let state: BudgetState = 'ok';
  if (whole.badMs > 0 && remainingMs <= 0) state = 'exhausted';
  else if (alerts.some(a => a.firing)) state = 'burning';
  const result: ObjectiveComputation = {
    objective,
    atMs: nowMs,
    windowStartMs,
    ...whole,
    budgetMs,
    remainingMs,
    remainingPercent: budgetMs > 0 ? (remainingMs / budgetMs) * 100 : 100,
    burnRates: {
      oneHour: rate(HOUR),
      sixHours: rate(6 * HOUR),
      window: burnRate(whole, objective.target),
    },
    alerts,
    fastBurn,
    state,
  };
  if (counted > 0) result.availability = (whole.goodMs / counted) * 100;
  return result;
}

/** Objectives of several clusters summed by time. */
export interface ObjectiveRollup {
  clusters: number;
  goodMs: number;
  badMs: number;
  budgetMs: number;
  remainingMs: number;
  /** Σ good over Σ (good + bad), in percent; undefined when no time counted. */
  availability?: number;
  remainingPercent: number;
  byState: Record<BudgetState, number>;
}

/**
 * Rolls objectives up by time, not by averaging percentages: a cluster counts by the time it was counted (each over
 * its own window), and the budget left is the sum of the budgets minus the sum of the bad time.
 */
export function rollUp(items: Iterable<ObjectiveComputation>): ObjectiveRollup {
  const out: ObjectiveRollup = {
    clusters: 0,
    goodMs: 0,
    badMs: 0,
    budgetMs: 0,
    remainingMs: 0,
    remainingPercent: 100,
    byState: { exhausted: 0, burning: 0, ok: 0 },
  };
  for (const item of items) {
    out.clusters++;
    out.goodMs += item.goodMs;
    out.badMs += item.badMs;
    out.budgetMs += item.budgetMs;
    out.byState[item.state]++;
  }
  out.remainingMs = out.budgetMs - out.badMs;
  if (out.budgetMs > 0)
    out.remainingPercent = (out.remainingMs / out.budgetMs) * 100;
  const counted = out.goodMs + out.badMs;
  if (counted > 0) out.availability = (out.goodMs / counted) * 100;
  return out;
}

/** Availability per bucket of [fromMs, toMs) (for a chart): each bucket's tally. */
export function series(
  steps: readonly HistoryStep[],
  fromMs: number,
  toMs: number,
  bucketMs: number,
  rules: CountingRules,
): Array<Tally & { startMs: number }> {
  const out: Array<Tally & { startMs: number }> = [];
  for (let t = fromMs; t < toMs; t += bucketMs) {
    out.push({
      startMs: t,
      ...tally(steps, t, Math.min(t + bucketMs, toMs), rules),
    });
  }
  return out;
}
