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
