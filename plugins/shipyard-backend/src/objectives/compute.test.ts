import { HealthStatus } from '@shipyard/plugin-shipyard-common';
import {
  burnRateThreshold,
  BURN_RATE_CONDITIONS,
  computeObjective,
  CountingRules,
  HistoryStep,
  rollUp,
  series,
} from './compute';

/*
 * Every expected figure below was worked out by hand from the history it names (minutes unless said otherwise).
 */

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const now = Date.parse('2026-03-01T00:00:00Z');
const production = { name: 'production', target: 99.9, windowDays: 30 };
const development = { name: 'default', target: 99, windowDays: 7 };
const rules = (
  badStates: HealthStatus[] = ['unhealthy', 'unknown'],
  excludeMaintenance = true,
): CountingRules => ({ badStates: new Set(badStates), excludeMaintenance });

function steps(
  ...list: Array<[number, HealthStatus, boolean?]>
): HistoryStep[] {
  return list.map(([ago, status, maintenance]) => ({
    atMs: now - ago,
    status,
    ...(maintenance ? { maintenance } : {}),
  }));
}

describe('computeObjective', () => {
  it('counts only the part of an incident inside a window that starts mid-incident', () => {
    // unhealthy from 30 d + 10 min ago to 30 d − 20 min ago: 20 of its 30 minutes are in the window
    const history = steps(
      [40 * DAY, 'healthy'],
      [30 * DAY + 10 * MIN, 'unhealthy'],
      [30 * DAY - 20 * MIN, 'healthy'],
    );
    const r = computeObjective(history, production, rules(), now);
    expect(r.windowStartMs).toBe(now - 30 * DAY);
    expect(r.badMs).toBe(20 * MIN);
    expect(r.goodMs).toBe((43_200 - 20) * MIN);
    expect(r.noDataMs).toBe(0);
    expect(r.excludedMs).toBe(0);
    // 43 180 / 43 200
    expect(r.availability).toBeCloseTo(99.953_703_7, 6);
    // budget 0.1 % of 43 200 = 43.2 min, 23.2 left = 53.70 %
    expect(r.budgetMs / MIN).toBeCloseTo(43.2, 9);
    expect(r.remainingMs / MIN).toBeCloseTo(23.2, 9);
    expect(r.remainingPercent).toBeCloseTo(53.703_703_7, 6);
    // (20 / 43 200) / 0.001
    expect(r.burnRates.window).toBeCloseTo(0.462_963, 6);
    expect(r.burnRates.oneHour).toBe(0);
    expect(r.state).toBe('ok');
    expect(r.fastBurn).toBe(false);
  });

  it('is exhausted when the bad time inside the window passes the budget', () => {
    const history = steps(
      [40 * DAY, 'healthy'],
      [30 * DAY + 10 * MIN, 'unhealthy'],
      [30 * DAY - 50 * MIN, 'healthy'],
    );
    const r = computeObjective(history, production, rules(), now);
    expect(r.badMs).toBe(50 * MIN);
    // 43.2 − 50 = −6.8 min, −15.74 %
    expect(r.remainingMs / MIN).toBeCloseTo(-6.8, 9);
    expect(r.remainingPercent).toBeCloseTo(-15.740_740_7, 6);
    expect(r.state).toBe('exhausted');
  });

  it('leaves out the time before the first record and counts unknown as bad by default', () => {
    // history begins 5 d ago in a 7 d window: 2 d without data; unknown for 30 min; degraded for 60 min
    const history = steps(
      [5 * DAY, 'healthy'],
      [2 * DAY, 'unknown'],
      [2 * DAY - 30 * MIN, 'healthy'],
      [DAY, 'degraded'],
      [DAY - 60 * MIN, 'healthy'],
    );
    const r = computeObjective(history, development, rules(), now);
    expect(r.noDataMs).toBe(2 * DAY);
    expect(r.badMs).toBe(30 * MIN);
    expect(r.goodMs).toBe(7_170 * MIN);
    // 7 170 / 7 200; budget 1 % of 7 200 = 72 min, 42 left
    expect(r.availability).toBeCloseTo(99.583_333_3, 6);
    expect(r.budgetMs / MIN).toBeCloseTo(72, 9);
    expect(r.remainingMs / MIN).toBeCloseTo(42, 9);
    expect(r.remainingPercent).toBeCloseTo(58.333_333_3, 6);
    expect(r.burnRates.window).toBeCloseTo(0.416_666_7, 6);
  });

  it('leaves unknown time out when unknown is not a bad state, and counts degraded when it is', () => {
    const history = steps(
      [5 * DAY, 'healthy'],
      [2 * DAY, 'unknown'],
      [2 * DAY - 30 * MIN, 'healthy'],
      [DAY, 'degraded'],
      [DAY - 60 * MIN, 'healthy'],
    );
    const r = computeObjective(
      history,
      development,
      rules(['unhealthy', 'degraded']),
      now,
    );
    expect(r.excludedMs).toBe(30 * MIN);
    expect(r.badMs).toBe(60 * MIN);
    expect(r.goodMs).toBe(7_110 * MIN);
    // 7 110 / 7 170; budget 71.7 min, 11.7 left
    expect(r.availability).toBeCloseTo(99.163_179_9, 6);
    expect(r.budgetMs / MIN).toBeCloseTo(71.7, 9);
    expect(r.remainingMs / MIN).toBeCloseTo(11.7, 9);
    expect(r.remainingPercent).toBeCloseTo(16.317_991_6, 6);
  });

  it('leaves out maintenance overlapping an incident, and the burn conditions follow the lookbacks', () => {
    // unhealthy 3 h ago; maintenance from 2 h 50 to 1 h 10 ago (still unhealthy); healthy 1 h ago
    const history = steps(
      [40 * DAY, 'healthy'],
      [3 * HOUR, 'unhealthy'],
      [2 * HOUR + 50 * MIN, 'unhealthy', true],
      [HOUR + 10 * MIN, 'unhealthy'],
      [HOUR, 'healthy'],
    );
    const r = computeObjective(history, production, rules(), now);
    expect(r.badMs).toBe(20 * MIN);
    expect(r.excludedMs).toBe(100 * MIN);
    expect(r.goodMs).toBe((43_200 - 120) * MIN);
    // 43 080 / 43 100; budget 43.1 min, 23.1 left
    expect(r.availability).toBeCloseTo(99.953_596_3, 6);
    expect(r.remainingMs / MIN).toBeCloseTo(23.1, 9);
    expect(r.remainingPercent).toBeCloseTo(53.596_287_7, 6);
    // 1 h: healthy throughout
    expect(r.burnRates.oneHour).toBe(0);
    // 6 h: 20 bad of 260 counted (100 excluded) / 0.001
    expect(r.burnRates.sixHours).toBeCloseTo(76.923_076_9, 6);
    const byName = Object.fromEntries(r.alerts.map(a => [a.name, a]));
    // 6 h above 6× but the last 30 min are clean: no page
    expect(byName['fast-6h'].longBurnRate).toBeGreaterThan(6);
    expect(byName['fast-6h'].shortBurnRate).toBe(0);
    expect(byName['fast-6h'].firing).toBe(false);
    // 1 d: 20 of 1 340 = 14.93×; 2 h: 10 bad of 70 counted (50 in maintenance) = 142.86×; both above 3×
    expect(byName['slow-1d'].longBurnRate).toBeCloseTo(14.925_373_1, 6);
    expect(byName['slow-1d'].shortBurnRate).toBeCloseTo(142.857_142_9, 6);
    expect(byName['slow-1d'].firing).toBe(true);
    expect(r.fastBurn).toBe(false);
    expect(r.state).toBe('burning');
  });

  it('counts maintenance as bad time when it is not excluded', () => {
    const history = steps(
      [40 * DAY, 'healthy'],
      [3 * HOUR, 'unhealthy'],
      [2 * HOUR + 50 * MIN, 'unhealthy', true],
      [HOUR + 10 * MIN, 'unhealthy'],
      [HOUR, 'healthy'],
    );
    const r = computeObjective(
      history,
      production,
      rules(undefined, false),
      now,
    );
    expect(r.badMs).toBe(120 * MIN);
    expect(r.excludedMs).toBe(0);
    // 43.2 − 120
    expect(r.remainingMs / MIN).toBeCloseTo(-76.8, 9);
    expect(r.state).toBe('exhausted');
  });

  it('pages on an incident in progress (14.4× over 1 h and 5 min)', () => {
    const history = steps([40 * DAY, 'healthy'], [10 * MIN, 'unhealthy']);
    const r = computeObjective(history, production, rules(), now);
    // 1 h: 10 / 60 / 0.001 = 166.7; 5 min: 1 / 0.001 = 1000
    expect(r.burnRates.oneHour).toBeCloseTo(166.666_666_7, 6);
    const fast = r.alerts.find(a => a.name === 'fast-1h')!;
    expect(fast.threshold).toBeCloseTo(14.4, 9);
    expect(fast.shortBurnRate).toBeCloseTo(1000, 9);
    expect(fast.firing).toBe(true);
    expect(r.fastBurn).toBe(true);
    expect(r.state).toBe('burning');
  });

  it('does not page on the first records of a history: a condition fires once its long lookback is covered in service', () => {
    // a cluster first seen 30 s ago, unknown since, after provisioning since its creation 40 days ago
    const seen = steps([40 * DAY, 'provisioning'], [30_000, 'unknown']);
    const r = computeObjective(seen, production, rules(), now);
    const fast = r.alerts.find(a => a.name === 'fast-1h')!;
    // 30 s counted, all bad: 1 000× over 1 h and 5 min
    expect(fast.longBurnRate).toBeCloseTo(1000, 9);
    expect(fast.shortBurnRate).toBeCloseTo(1000, 9);
    expect(r.alerts.map(a => [a.name, a.covered, a.firing])).toEqual([
      ['fast-1h', false, false],
      ['fast-6h', false, false],
      ['slow-1d', false, false],
      ['slow-3d', false, false],
    ]);
    expect(r.fastBurn).toBe(false);

    // a history that begins 30 s ago, without a creation time: no data before it
    const fresh = computeObjective(
      steps([30_000, 'unhealthy']),
      production,
      rules(),
      now,
    );
    expect(fresh.noDataMs).toBe(30 * DAY - 30_000);
    expect(fresh.fastBurn).toBe(false);

    // an hour after it was first seen, still unknown: the 1 h lookback is covered and the page fires; 6 h is not yet
    const hourLater = computeObjective(
      steps([40 * DAY, 'provisioning'], [HOUR, 'unknown']),
      production,
      rules(),
      now,
    );
    const byName = Object.fromEntries(hourLater.alerts.map(a => [a.name, a]));
    expect(byName['fast-1h']).toEqual(
      expect.objectContaining({ covered: true, firing: true }),
    );
    expect(byName['fast-6h'].covered).toBe(false);
    expect(hourLater.fastBurn).toBe(true);

    // maintenance and unknown time that is not bad are history too: covered
    const inMaintenance = computeObjective(
      steps(
        [40 * DAY, 'provisioning'],
        [HOUR, 'unhealthy', true],
        [10 * MIN, 'unhealthy'],
      ),
      production,
      rules(),
      now,
    );
    expect(inMaintenance.alerts[0].covered).toBe(true);
    expect(inMaintenance.fastBurn).toBe(true);
  });

  it('does not page on a blip that stopped half an hour ago (the short lookbacks clear it)', () => {
    const history = steps(
      [40 * DAY, 'healthy'],
      [40 * MIN, 'unhealthy'],
      [30 * MIN, 'healthy'],
    );
    const r = computeObjective(history, production, rules(), now);
    expect(r.burnRates.oneHour).toBeCloseTo(166.666_666_7, 6);
    expect(r.fastBurn).toBe(false);
  });

  it('leaves out provisioning and deleting, and has no availability without counted time', () => {
    const created = steps([2 * DAY, 'provisioning'], [DAY, 'healthy']);
    const r = computeObjective(created, development, rules(), now);
    expect(r.noDataMs).toBe(5 * DAY);
    expect(r.excludedMs).toBe(DAY);
    expect(r.goodMs).toBe(DAY);
    expect(r.availability).toBe(100);

    const empty = computeObjective([], development, rules(), now);
    expect(empty.noDataMs).toBe(7 * DAY);
    expect(empty.availability).toBeUndefined();
    expect(empty.remainingPercent).toBe(100);
    expect(empty.state).toBe('ok');
  });

  it('scales the workbook thresholds to other windows', () => {
    const [fast1h, fast6h, slow1d, slow3d] = BURN_RATE_CONDITIONS;
    expect(burnRateThreshold(fast1h, 30 * DAY)).toBeCloseTo(14.4, 9);
    expect(burnRateThreshold(fast6h, 30 * DAY)).toBeCloseTo(6, 9);
    expect(burnRateThreshold(slow1d, 30 * DAY)).toBeCloseTo(3, 9);
    expect(burnRateThreshold(slow3d, 30 * DAY)).toBeCloseTo(1, 9);
    // 7 d: 2 % of the budget in 1 h = 0.02 × 168
    expect(burnRateThreshold(fast1h, 7 * DAY)).toBeCloseTo(3.36, 9);
    expect(burnRateThreshold(fast6h, 7 * DAY)).toBeCloseTo(1.4, 9);
    expect(burnRateThreshold(slow3d, 7 * DAY)).toBe(1);
  });
});

describe('configured burn-rate alert conditions', () => {
  // 99.9 % over 1 day: budget 86.4 s per day of counted time
  const daily = { name: 'critical', target: 99.9, windowDays: 1 };
  // 2.5 % of the day's budget in 20 s: threshold 0.025 × 86 400 / 20 = 108×
  const fast = {
    name: 'fast',
    severity: 'page' as const,
    longMs: 20_000,
    shortMs: 4_000,
    budgetFraction: 0.025,
  };

  it('fire on their own lookbacks, while the 1 h and 6 h burn rates stay what they are', () => {
    // unhealthy for the last 3 s of a healthy day: 20 s burns at (3 / 20) / 0.001 = 150×, 4 s at 750×
    const history: HistoryStep[] = [
      { atMs: now - 2 * DAY, status: 'healthy' },
      { atMs: now - 3_000, status: 'unhealthy' },
    ];
    const r = computeObjective(history, daily, rules(), now, [fast]);
    expect(r.alerts).toHaveLength(1);
    const [a] = r.alerts;
    expect(a.name).toBe('fast');
    expect(a.longWindowMinutes).toBeCloseTo(1 / 3, 9);
    expect(a.shortWindowMinutes).toBeCloseTo(1 / 15, 9);
    expect(a.threshold).toBeCloseTo(108, 9);
    expect(a.longBurnRate).toBeCloseTo(150, 9);
    expect(a.shortBurnRate).toBeCloseTo(750, 9);
    expect(a.firing).toBe(true);
    expect(r.fastBurn).toBe(true);
    expect(r.state).toBe('burning');
    // (3 s / 3 600 s) / 0.001
    expect(r.burnRates.oneHour).toBeCloseTo(0.833_333_3, 6);
    expect(r.burnRates.sixHours).toBeCloseTo(0.138_888_9, 6);
    // 2 s: 20 s burns at 100×, under the threshold
    const early = computeObjective(history, daily, rules(), now - 1_000, [
      fast,
    ]);
    expect(early.alerts[0].longBurnRate).toBeCloseTo(100, 9);
    expect(early.fastBurn).toBe(false);
    // healthy again for 5 s after 10 s down: the short lookback is clean, the condition ends, the budget stays spent
    const recovered = computeObjective(
      [...history, { atMs: now + 7_000, status: 'healthy' }],
      daily,
      rules(),
      now + 12_000,
      [fast],
    );
    expect(recovered.alerts[0].longBurnRate).toBeCloseTo(500, 9);
    expect(recovered.alerts[0].shortBurnRate).toBe(0);
    expect(recovered.fastBurn).toBe(false);
    expect(recovered.badMs).toBe(10_000);
    expect(recovered.remainingMs).toBeCloseTo(76_400, 6);
  });

  it('judge a condition on its burn rates as they are reported: a rate that reads as its threshold does not fire', () => {
    // unhealthy for the last 2 160.000 004 ms of a healthy day: 20 s burns at 108.000 000 2×, which reads as 108×
    const history: HistoryStep[] = [
      { atMs: now - 2 * DAY, status: 'healthy' },
      { atMs: now - 2_160.000_004, status: 'unhealthy' },
    ];
    const r = computeObjective(history, daily, rules(), now, [fast]);
    const [a] = r.alerts;
    expect(a.threshold).toBe(108);
    expect(a.longBurnRate).toBe(108);
    expect(a.shortBurnRate).toBe(540);
    expect(a.firing).toBe(false);
    // a millisecond more reads above it and fires
    const more = computeObjective(
      [history[0], { atMs: now - 2_161, status: 'unhealthy' }],
      daily,
      rules(),
      now,
      [fast],
    );
    expect(more.alerts[0].longBurnRate).toBe(108.05);
    expect(more.alerts[0].firing).toBe(true);
  });
});

describe('rollUp', () => {
  it('weights clusters by their time, not by averaging their percentages', () => {
    const a = computeObjective(
      steps(
        [40 * DAY, 'healthy'],
        [30 * DAY + 10 * MIN, 'unhealthy'],
        [30 * DAY - 20 * MIN, 'healthy'],
      ),
      production,
      rules(),
      now,
    );
    const b = computeObjective(
      steps(
        [5 * DAY, 'healthy'],
        [2 * DAY, 'unknown'],
        [2 * DAY - 30 * MIN, 'healthy'],
      ),
      development,
      rules(),
      now,
    );
    const r = rollUp([a, b]);
    expect(r.clusters).toBe(2);
    // (43 180 + 7 170) / (43 200 + 7 200) = 50 350 / 50 400, not (99.9537 + 99.5833) / 2
    expect(r.availability).toBeCloseTo(99.900_793_7, 6);
    // budgets 43.2 + 72 = 115.2 min, bad 50, left 65.2 = 56.60 %
    expect(r.budgetMs / MIN).toBeCloseTo(115.2, 9);
    expect(r.remainingMs / MIN).toBeCloseTo(65.2, 9);
    expect(r.remainingPercent).toBeCloseTo(56.597_222_2, 6);
    expect(r.byState).toEqual({ exhausted: 0, burning: 0, ok: 2 });
  });

  it('is empty without clusters', () => {
    const r = rollUp([]);
    expect(r).toMatchObject({ clusters: 0, remainingPercent: 100 });
    expect(r).not.toHaveProperty('availability');
  });
});

describe('series', () => {
  it('splits a range into buckets with exact tallies', () => {
    const history = steps(
      [2 * DAY, 'healthy'],
      [DAY + HOUR, 'unhealthy'],
      [DAY, 'healthy'],
    );
    const buckets = series(history, now - 3 * DAY, now, DAY, rules());
    expect(buckets.map(b => [b.noDataMs, b.goodMs, b.badMs])).toEqual([
      [DAY, 0, 0],
      [0, DAY - HOUR, HOUR],
      [0, DAY, 0],
    ]);
  });
});
