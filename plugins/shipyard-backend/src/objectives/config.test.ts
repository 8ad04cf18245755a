import { ConfigReader } from '@backstage/config';
import {
  DEFAULT_OBJECTIVES_CONFIG,
  objectiveOf,
  parseObjectiveAnnotation,
  readObjectivesConfig,
} from './config';

const read = (objectives: unknown) =>
  readObjectivesConfig(new ConfigReader({ shipyard: { objectives } } as any));

describe('readObjectivesConfig', () => {
  it('defaults to production 99.9 % over 30 days and 99 % over 7 days for the rest', () => {
    expect(readObjectivesConfig(new ConfigReader({}))).toEqual(
      DEFAULT_OBJECTIVES_CONFIG,
    );
    expect(DEFAULT_OBJECTIVES_CONFIG.badStates).toEqual([
      'unhealthy',
      'unknown',
    ]);
  });

  it('reads classes by lifecycle and profile, bad states and maintenance', () => {
    const c = read({
      classes: [
        {
          name: 'critical',
          lifecycles: ['production'],
          profiles: ['payments'],
          target: 99.95,
          windowDays: 28,
        },
        {
          name: 'prod',
          lifecycles: ['production'],
          target: 99.9,
          windowDays: 30,
        },
      ],
      default: false,
      badStates: ['unhealthy', 'unknown', 'degraded'],
      excludeMaintenance: false,
    });
    expect(c.classes).toHaveLength(2);
    expect(c.default).toBeUndefined();
    expect(c.badStates).toEqual(['unhealthy', 'unknown', 'degraded']);
    expect(c.excludeMaintenance).toBe(false);
    expect(
      objectiveOf(c, { lifecycle: 'production', profile: 'payments' }),
    ).toEqual({
      objective: { name: 'critical', target: 99.95, windowDays: 28 },
    });
    expect(objectiveOf(c, { lifecycle: 'production', profile: 'web' })).toEqual(
      { objective: { name: 'prod', target: 99.9, windowDays: 30 } },
    );
    expect(objectiveOf(c, { lifecycle: 'development' })).toEqual({
      objective: undefined,
    });
  });

  it('reports every problem at once', () => {
    expect(() =>
      read({
        classes: [
          { name: 'Prod', target: 100, windowDays: 0.5 },
          { name: 'x', target: 99, windowDays: 400, lifecycles: [] },
        ],
        badStates: ['healthy', 'broken'],
      }),
    ).toThrow(
      /classes\[0\]\.name must be.*classes\[0\]\.target must be.*classes\[0\]\.windowDays must be.*classes\[1\]\.windowDays must be.*classes\[1\]\.lifecycles must not be empty.*badStates may list .* not healthy, broken/,
    );
  });
});

describe('burn-rate alert conditions', () => {
  it("are the workbook's four by default and can be replaced", () => {
    expect(
      DEFAULT_OBJECTIVES_CONFIG.burnRateAlerts.map(a => [
        a.name,
        a.severity,
        a.longMs / 60_000,
        a.shortMs / 60_000,
        a.budgetFraction,
      ]),
    ).toEqual([
      ['fast-1h', 'page', 60, 5, 0.02],
      ['fast-6h', 'page', 360, 30, 0.05],
      ['slow-1d', 'ticket', 1440, 120, 0.1],
      ['slow-3d', 'ticket', 4320, 360, 0.1],
    ]);
    const c = read({
      burnRateAlerts: [
        {
          name: 'fast',
          severity: 'page',
          longWindow: 'PT20S',
          shortWindow: { seconds: 4 },
          budgetPercent: 2.5,
        },
        {
          name: 'slow',
          severity: 'ticket',
          longWindow: { hours: 12 },
          shortWindow: 'PT1H',
          budgetPercent: 10,
        },
      ],
    });
    expect(c.burnRateAlerts).toEqual([
      {
        name: 'fast',
        severity: 'page',
        longMs: 20_000,
        shortMs: 4_000,
        budgetFraction: 0.025,
      },
      {
        name: 'slow',
        severity: 'ticket',
        longMs: 12 * 3_600_000,
        shortMs: 3_600_000,
        budgetFraction: 0.1,
      },
    ]);
  });

  it('reports every problem of the conditions at once', () => {
    expect(() =>
      read({
        burnRateAlerts: [
          {
            name: 'Fast',
            severity: 'urgent',
            longWindow: 'PT5M',
            shortWindow: 'PT1H',
            budgetPercent: 0,
          },
          { name: 'slow', severity: 'ticket', longWindow: 'soon' },
        ],
      }),
    ).toThrow(
      /burnRateAlerts\[0\]\.name must be.*burnRateAlerts\[0\]\.severity must be page or ticket.*burnRateAlerts\[0\]\.shortWindow must be shorter.*burnRateAlerts\[0\]\.budgetPercent must be.*burnRateAlerts\[1\]\.longWindow must be a duration.*burnRateAlerts\[1\]\.shortWindow is required.*burnRateAlerts\[1\]\.budgetPercent must be/,
    );
    expect(() => read({ burnRateAlerts: [] })).toThrow(
      /burnRateAlerts must not be empty/,
    );
  });
});

describe('objective annotation', () => {
  it('overrides the class of a cluster', () => {
    expect(parseObjectiveAnnotation('99.95/30d')).toEqual({
      name: 'override',
      target: 99.95,
      windowDays: 30,
    });
    expect(parseObjectiveAnnotation(' 99.5% / 7d ')).toEqual({
      name: 'override',
      target: 99.5,
      windowDays: 7,
    });
    expect(
      objectiveOf(DEFAULT_OBJECTIVES_CONFIG, {
        lifecycle: 'production',
        objectiveAnnotation: '99/14d',
      }),
    ).toEqual({ objective: { name: 'override', target: 99, windowDays: 14 } });
  });

  it('falls back to the class with an error for a value that is not an objective', () => {
    expect(parseObjectiveAnnotation('three nines')).toHaveProperty('error');
    expect(parseObjectiveAnnotation('99.9/120d')).toEqual({
      error: expect.stringMatching(/windowDays must be a whole number/),
    });
    const r = objectiveOf(DEFAULT_OBJECTIVES_CONFIG, {
      lifecycle: 'production',
      objectiveAnnotation: '100/30d',
    });
    expect(r.objective).toEqual({
      name: 'production',
      target: 99.9,
      windowDays: 30,
    });
    expect(r.overrideError).toMatch(/target must be a percentage/);
  });
});
