import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  DEFAULT_NEARING_END_OF_LIFE_DAYS,
  VersionSupportOverride,
  VersionSupportOverrides,
} from '@shipyard/plugin-shipyard-common';

/** `shipyard.versionSupport` (with the older `shipyard.health.versionSupport`), parsed and checked. */
export interface VersionSupportConfig {
  /** Days before the end of (free) support that count as nearing it. */
  nearingEndOfLifeDays: number;
  /** Corrections by distribution and minor. */
  overrides: VersionSupportOverrides;
  /** Whether clusters of a distribution are enrolled in its extended support by default. */
  extendedSupport: Record<string, boolean>;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MINOR = /^\d+\.\d+$/;
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DATE_FIELDS = [
  'releaseDate',
  'maintenanceFrom',
  'endOfStandardSupport',
  'endOfExtendedSupport',
  'endOfLife',
] as const;
const KNOWN_FIELDS = new Set<string>([
  ...DATE_FIELDS,
  'extendedSupportCharged',
  'note',
]);

function checkDate(value: unknown, at: string): string {
  if (
    typeof value !== 'string' ||
    !DATE.test(value) ||
    Number.isNaN(Date.parse(`${value}T00:00:00Z`))
  ) {
    throw new InputError(
      `${at} must be a date (YYYY-MM-DD), got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function checkKey(re: RegExp, key: string, at: string, what: string) {
  if (!re.test(key)) {
    throw new InputError(`${at}: "${key}" is not ${what}`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A map keyed by minors (`1.33`) read as plain JSON: Backstage's config reader treats dots in keys as paths, so such
 * maps are read whole.
 */
function objectAt(
  root: Config,
  path: string,
): Record<string, unknown> | undefined {
  const v = root.getOptional(path);
  if (v === undefined) return undefined;
  if (!isObject(v)) throw new InputError(`${path} must be an object`);
  return v;
}

/** The older form: minor → last day of support. */
function readLegacyDates(
  value: unknown,
  at: string,
): Record<string, VersionSupportOverride> {
  const out: Record<string, VersionSupportOverride> = {};
  if (value === undefined) return out;
  if (!isObject(value)) throw new InputError(`${at} must be an object`);
  for (const [minor, date] of Object.entries(value)) {
    if (!MINOR.test(minor) || typeof date !== 'string' || !DATE.test(date)) {
      throw new InputError(
        `${at}.${minor} must map a minor (1.31) to a date (YYYY-MM-DD), got "${minor}: ${date}"`,
      );
    }
    out[minor] = { endOfLife: date };
  }
  return out;
}

function readOverride(value: unknown, at: string): VersionSupportOverride {
  if (!isObject(value)) throw new InputError(`${at} must be an object`);
  const o: VersionSupportOverride = {};
  for (const key of Object.keys(value)) {
    if (!KNOWN_FIELDS.has(key)) {
      throw new InputError(
        `${at}.${key} is not a known field (${[...KNOWN_FIELDS].join(', ')})`,
      );
    }
  }
  for (const field of DATE_FIELDS) {
    if (value[field] !== undefined)
      o[field] = checkDate(value[field], `${at}.${field}`);
  }
  const charged = value.extendedSupportCharged;
  if (charged !== undefined) {
    if (typeof charged !== 'boolean') {
      throw new InputError(`${at}.extendedSupportCharged must be a boolean`);
    }
    o.extendedSupportCharged = charged;
  }
  if (value.note !== undefined) {
    if (typeof value.note !== 'string') {
      throw new InputError(`${at}.note must be a string`);
    }
    o.note = value.note;
  }
  const order = [
    o.releaseDate,
    o.maintenanceFrom,
    o.endOfStandardSupport,
    o.endOfExtendedSupport,
  ].filter((d): d is string => d !== undefined);
  for (let i = 1; i < order.length; i++) {
    if (order[i] < order[i - 1]) {
      throw new InputError(
        `${at}: dates must be in order (releaseDate ≤ maintenanceFrom ≤ endOfStandardSupport ≤ endOfExtendedSupport)`,
      );
    }
  }
  return o;
}

/** Reads the version lifecycle configuration. Throws an `InputError` naming the offending key. */
export function readVersionSupportConfig(root: Config): VersionSupportConfig {
  const c = root.getOptionalConfig('shipyard.versionSupport');
  const legacy = root.getOptionalConfig('shipyard.health.versionSupport');
  const overrides: VersionSupportOverrides = {};
  const add = (
    dist: string,
    byMinor: Record<string, VersionSupportOverride>,
  ) => {
    overrides[dist] = { ...overrides[dist], ...byMinor };
  };
  // the older form first, so that the newer one wins
  const legacyPath = 'shipyard.health.versionSupport';
  add(
    'upstream',
    readLegacyDates(
      objectAt(root, `${legacyPath}.endOfLife`),
      `${legacyPath}.endOfLife`,
    ),
  );
  const legacyDists = objectAt(root, `${legacyPath}.distributions`) ?? {};
  for (const [dist, dates] of Object.entries(legacyDists)) {
    const at = `${legacyPath}.distributions`;
    checkKey(NAME, dist, at, 'a distribution name');
    add(dist, readLegacyDates(dates, `${at}.${dist}`));
  }
  const at = 'shipyard.versionSupport.overrides';
  for (const [dist, byMinor] of Object.entries(objectAt(root, at) ?? {})) {
    checkKey(NAME, dist, at, 'a distribution name');
    if (!isObject(byMinor))
      throw new InputError(`${at}.${dist} must be an object`);
    const parsed: Record<string, VersionSupportOverride> = {};
    for (const [minor, o] of Object.entries(byMinor)) {
      checkKey(MINOR, minor, `${at}.${dist}`, 'a Kubernetes minor (1.33)');
      parsed[minor] = readOverride(o, `${at}.${dist}.${minor}`);
    }
    add(dist, parsed);
  }
  for (const dist of Object.keys(overrides)) {
    if (Object.keys(overrides[dist]).length === 0) delete overrides[dist];
  }
  const extendedSupport: Record<string, boolean> = {};
  const es = c?.getOptionalConfig('extendedSupport');
  for (const dist of es?.keys() ?? []) {
    checkKey(
      NAME,
      dist,
      'shipyard.versionSupport.extendedSupport',
      'a distribution name',
    );
    extendedSupport[dist] = es!.getBoolean(dist);
  }
  const nearing =
    c?.getOptionalNumber('nearingEndOfLifeDays') ??
    legacy?.getOptionalNumber('nearingEndOfLifeDays') ??
    DEFAULT_NEARING_END_OF_LIFE_DAYS;
  if (!Number.isFinite(nearing) || nearing < 0) {
    throw new InputError(
      'shipyard.versionSupport.nearingEndOfLifeDays must be a number >= 0',
    );
  }
  return { nearingEndOfLifeDays: nearing, overrides, extendedSupport };
}
