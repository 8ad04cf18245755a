import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';
import { InputError } from '@backstage/errors';
import {
  ANNOTATION_AVAILABILITY_OBJECTIVE,
  AvailabilityObjective,
  BURN_RATE_SEVERITIES,
  BurnRateSeverity,
  HEALTH_STATUSES,
  HealthStatus,
} from '@shipyard/plugin-shipyard-common';

/**
 * An availability objective: a target availability in percent (99.9) over a rolling window of days, named after the
 * class of service it comes from (`override` for a cluster's annotation); the spec's `AvailabilityObjective`.
 */
export type Objective = AvailabilityObjective;

/** A class of service: the clusters it selects (every listed criterion must match) and their objective. */
export interface ObjectiveClass extends Objective {
  /** Lifecycles (`shipyard.io/lifecycle`) selected; absent: any. */
  lifecycles?: string[];
  /** Profiles (`shipyard.io/profile`) selected; absent: any. */
  profiles?: string[];
}

/** Milliseconds of a minute, an hour and a day, the units of the objectives' windows and lookbacks. */
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/**
 * A multiwindow burn-rate alert condition (the Site Reliability Workbook, "Alerting on SLOs", recommendation 6):
 * it fires while both the long and the short lookback burn faster than `budgetFraction` of the window's budget per
 * long lookback. For a 30-day window these are the workbook's 14.4× (1 h and 5 min), 6× (6 h and 30 min), 3× (1 d
 * and 2 h) and 1× (3 d and 6 h); other windows scale the same budget fractions (never below 1×).
 */
export interface BurnRateCondition {
  /** `fast-1h`, `fast-6h`, `slow-1d`, `slow-3d` by default. */
  name: string;
  /** `page`: a fast burn (notify the owner now); `ticket`: a slow burn. */
  severity: BurnRateSeverity;
  longMs: number;
  shortMs: number;
  /** Share of the window's budget the long lookback spends at the threshold. */
  budgetFraction: number;
}

/** The four conditions of the workbook, computed for every cluster unless configured otherwise. */
export const BURN_RATE_CONDITIONS: readonly BurnRateCondition[] = [
  {
    name: 'fast-1h',
    severity: 'page',
    longMs: HOUR,
    shortMs: 5 * MINUTE,
    budgetFraction: 0.02,
  },
  {
    name: 'fast-6h',
    severity: 'page',
    longMs: 6 * HOUR,
    shortMs: 30 * MINUTE,
    budgetFraction: 0.05,
  },
  {
    name: 'slow-1d',
    severity: 'ticket',
    longMs: DAY,
    shortMs: 2 * HOUR,
    budgetFraction: 0.1,
  },
  {
    name: 'slow-3d',
    severity: 'ticket',
    longMs: 3 * DAY,
    shortMs: 6 * HOUR,
    budgetFraction: 0.1,
  },
];

/** `shipyard.objectives`, parsed and defaulted. */
export interface ObjectivesConfig {
  /** Whether objectives are computed at all. */
  enabled: boolean;
  /** Classes of service, the first matching one applies. */
  classes: ObjectiveClass[];
  /** The objective of clusters no class selects; absent: they have none. */
  default?: Objective;
  /** Statuses that count against the budget (`unknown` not listed: unknown time is left out, not counted good). */
  badStates: HealthStatus[];
  /** Whether maintenance (a rollout step in progress, a paused cluster) is left out of the computation. */
  excludeMaintenance: boolean;
  /** The burn-rate alert conditions (the workbook's four by default); a `page` one notifies the owner. */
  burnRateAlerts: readonly BurnRateCondition[];
}

/** Statuses of a cluster out of service by design: never counted, good or bad. */
export const OUT_OF_SERVICE: ReadonlySet<HealthStatus> = new Set([
  'provisioning',
  'deleting',
]);

/** Defaults of `shipyard.objectives`: production 99.9 % over 30 days, everything else 99 % over 7 days. */
export const DEFAULT_OBJECTIVES_CONFIG: ObjectivesConfig = {
  enabled: true,
  classes: [
    {
      name: 'production',
      lifecycles: ['production'],
      target: 99.9,
      windowDays: 30,
    },
  ],
  default: { name: 'default', target: 99, windowDays: 7 },
  badStates: ['unhealthy', 'unknown'],
  excludeMaintenance: true,
  burnRateAlerts: BURN_RATE_CONDITIONS,
};

/** Longest window: the health history must cover it (see `shipyard.health.history.retentionDays`). */
export const MAX_WINDOW_DAYS = 90;

function checkObjective(
  path: string,
  target: unknown,
  windowDays: unknown,
  problems: string[],
) {
  if (
    typeof target !== 'number' ||
    !Number.isFinite(target) ||
    target <= 0 ||
    target >= 100
  ) {
    problems.push(
      `${path}.target must be a percentage above 0 and below 100 (e.g. 99.9)`,
    );
  }
  if (
    typeof windowDays !== 'number' ||
    !Number.isInteger(windowDays) ||
    windowDays < 1 ||
    windowDays > MAX_WINDOW_DAYS
  ) {
    problems.push(
      `${path}.windowDays must be a whole number of days from 1 to ${MAX_WINDOW_DAYS}`,
    );
  }
}

function stringList(
  c: Config,
  key: string,
  path: string,
  problems: string[],
): string[] | undefined {
  if (!c.has(key)) return undefined;
  try {
    const list = c.getStringArray(key);
    if (list.length === 0) problems.push(`${path}.${key} must not be empty`);
    return list;
  } catch {
    problems.push(`${path}.${key} must be a list of strings`);
    return undefined;
  }
}

/**
 * Reads `shipyard.objectives`. Every problem is reported at once in one `InputError`, before anything uses the
 * configuration.
 */
export function readObjectivesConfig(root: Config): ObjectivesConfig {
  const c = root.getOptionalConfig('shipyard.objectives');
  if (!c) return DEFAULT_OBJECTIVES_CONFIG;
  const problems: string[] = [];
  const d = DEFAULT_OBJECTIVES_CONFIG;
  const path = 'shipyard.objectives';
  let classes = d.classes;
  if (c.has('classes')) {
    classes = [];
    const names = new Set<string>();
    c.getConfigArray('classes').forEach((k, i) => {
      const at = `${path}.classes[${i}]`;
      const name = k.getOptionalString('name');
      if (!name || !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name)) {
        problems.push(
          `${at}.name must be a lowercase name of letters, digits and '-'`,
        );
      } else if (names.has(name) || name === 'override') {
        problems.push(`${at}.name '${name}' is used twice or reserved`);
      }
      if (name) names.add(name);
      const target = k.getOptional('target');
      const windowDays = k.getOptional('windowDays');
      checkObjective(at, target, windowDays, problems);
      const cls: ObjectiveClass = {
        name: name ?? '',
        target: target as number,
        windowDays: windowDays as number,
      };
      const lifecycles = stringList(k, 'lifecycles', at, problems);
      const profiles = stringList(k, 'profiles', at, problems);
      if (lifecycles) cls.lifecycles = lifecycles;
      if (profiles) cls.profiles = profiles;
      classes.push(cls);
    });
  }
  let fallback = d.default;
  if (c.has('default')) {
    if (c.getOptional('default') === false) {
      fallback = undefined;
    } else {
      const k = c.getConfig('default');
      const target = k.getOptional('target');
      const windowDays = k.getOptional('windowDays');
      checkObjective(`${path}.default`, target, windowDays, problems);
      fallback = {
        name: 'default',
        target: target as number,
        windowDays: windowDays as number,
      };
    }
  }
  let badStates = d.badStates;
  const listed = stringList(c, 'badStates', path, problems);
  if (listed) {
    const unknownNames = listed.filter(
      s =>
        !HEALTH_STATUSES.includes(s as HealthStatus) ||
        OUT_OF_SERVICE.has(s as HealthStatus) ||
        s === 'healthy',
    );
    if (unknownNames.length > 0) {
      problems.push(
        `${path}.badStates may list progressing, degraded, unhealthy and unknown, not ${unknownNames.join(
          ', ',
        )}`,
      );
    }
    badStates = [...new Set(listed)] as HealthStatus[];
  }
  let enabled = d.enabled;
  let excludeMaintenance = d.excludeMaintenance;
  try {
    enabled = c.getOptionalBoolean('enabled') ?? d.enabled;
  } catch {
    problems.push(`${path}.enabled must be true or false`);
  }
  try {
    excludeMaintenance =
      c.getOptionalBoolean('excludeMaintenance') ?? d.excludeMaintenance;
  } catch {
    problems.push(`${path}.excludeMaintenance must be true or false`);
  }
  const burnRateAlerts = c.has('burnRateAlerts')
    ? readBurnRateAlerts(c, `${path}.burnRateAlerts`, problems)
    : d.burnRateAlerts;
  if (problems.length > 0) {
    throw new InputError(
      `Invalid availability objectives: ${problems.join('; ')}`,
    );
  }
  return {
    enabled,
    classes,
    default: fallback,
    badStates,
    excludeMaintenance,
    burnRateAlerts,
  };
}

/** A duration of `key` (ISO 8601 or `{ minutes: 5 }`), or a problem. */
function durationOf(
  k: Config,
  key: string,
  at: string,
  problems: string[],
): number | undefined {
  if (!k.has(key)) {
    problems.push(`${at}.${key} is required`);
    return undefined;
  }
  try {
    const ms = durationToMilliseconds(readDurationFromConfig(k, { key }));
    if (!(ms > 0)) {
      problems.push(`${at}.${key} must be longer than zero`);
      return undefined;
    }
    return ms;
  } catch {
    problems.push(
      `${at}.${key} must be a duration (e.g. PT5M or { minutes: 5 })`,
    );
    return undefined;
  }
}

/** `burnRateAlerts`: the conditions that replace the workbook's four. */
function readBurnRateAlerts(
  c: Config,
  path: string,
  problems: string[],
): BurnRateCondition[] {
  let list: Config[];
  try {
    list = c.getConfigArray('burnRateAlerts');
  } catch {
    problems.push(`${path} must be a list of conditions`);
    return [];
  }
  if (list.length === 0) problems.push(`${path} must not be empty`);
  const names = new Set<string>();
  const out: BurnRateCondition[] = [];
  list.forEach((k, i) => {
    const at = `${path}[${i}]`;
    const name = k.getOptional('name');
    if (
      typeof name !== 'string' ||
      !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name)
    ) {
      problems.push(
        `${at}.name must be a lowercase name of letters, digits and '-'`,
      );
    } else if (names.has(name)) {
      problems.push(`${at}.name '${name}' is used twice`);
    } else {
      names.add(name);
    }
    const severity = k.getOptional('severity');
    if (!BURN_RATE_SEVERITIES.includes(severity as BurnRateSeverity)) {
      problems.push(
        `${at}.severity must be ${BURN_RATE_SEVERITIES.join(' or ')}`,
      );
    }
    const longMs = durationOf(k, 'longWindow', at, problems);
    const shortMs = durationOf(k, 'shortWindow', at, problems);
    if (longMs !== undefined && longMs > MAX_WINDOW_DAYS * DAY) {
      problems.push(
        `${at}.longWindow must not be longer than ${MAX_WINDOW_DAYS} days`,
      );
    }
    if (longMs !== undefined && shortMs !== undefined && shortMs >= longMs) {
      problems.push(`${at}.shortWindow must be shorter than its longWindow`);
    }
    const budgetPercent = k.getOptional('budgetPercent');
    if (
      typeof budgetPercent !== 'number' ||
      !Number.isFinite(budgetPercent) ||
      budgetPercent <= 0 ||
      budgetPercent > 100
    ) {
      problems.push(
        `${at}.budgetPercent must be a percentage above 0 and at most 100`,
      );
    }
    out.push({
      name: String(name),
      severity: severity === 'ticket' ? 'ticket' : 'page',
      longMs: longMs ?? 0,
      shortMs: shortMs ?? 0,
      budgetFraction: Number(budgetPercent) / 100,
    });
  });
  return out;
}

/**
 * Parses an objective annotation (`99.95/30d`, `99.5%/7d`). Returns the objective, or an error message for a value
 * that is not one.
 */
export function parseObjectiveAnnotation(
  value: string,
): Objective | { error: string } {
  const m = /^\s*(\d{1,3}(?:\.\d{1,6})?)\s*%?\s*\/\s*(\d{1,3})\s*d\s*$/.exec(
    value,
  );
  if (!m) {
    return {
      error: `${ANNOTATION_AVAILABILITY_OBJECTIVE} must look like 99.9/30d (a target in percent and a window in days)`,
    };
  }
  const problems: string[] = [];
  const target = Number(m[1]);
  const windowDays = Number(m[2]);
  checkObjective(
    ANNOTATION_AVAILABILITY_OBJECTIVE,
    target,
    windowDays,
    problems,
  );
  if (problems.length > 0) return { error: problems.join('; ') };
  return { name: 'override', target, windowDays };
}

/** What a cluster is selected by. */
export interface ObjectiveSubject {
  lifecycle?: string;
  profile?: string;
  /** The value of the objective annotation, when set. */
  objectiveAnnotation?: string;
}

/** The objective of a cluster: its annotation's, else the first class that selects it, else the default. */
export function objectiveOf(
  config: ObjectivesConfig,
  subject: ObjectiveSubject,
): { objective?: Objective; overrideError?: string } {
  let overrideError: string | undefined;
  if (subject.objectiveAnnotation !== undefined) {
    const parsed = parseObjectiveAnnotation(subject.objectiveAnnotation);
    if ('error' in parsed) overrideError = parsed.error;
    else return { objective: parsed };
  }
  const cls = config.classes.find(
    k =>
      (!k.lifecycles ||
        (subject.lifecycle !== undefined &&
          k.lifecycles.includes(subject.lifecycle))) &&
      (!k.profiles ||
        (subject.profile !== undefined &&
          k.profiles.includes(subject.profile))),
  );
  const objective: Objective | undefined = cls
    ? { name: cls.name, target: cls.target, windowDays: cls.windowDays }
    : config.default;
  return overrideError ? { objective, overrideError } : { objective };
}
