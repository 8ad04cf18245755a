import { HumanDuration } from '@backstage/types';
import { Config, readDurationFromConfig } from '@backstage/config';
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
  refresh: VersionSupportRefreshConfig;
}

/** One source of a refreshed calendar: a URL answering in the endoflife.date v1 product format. */
export interface VersionSupportSource {
  distribution: string;
  url: string;
  /** How release names read: Kubernetes minors, or OpenShift versions (`4.16`). */
  scheme: 'kubernetes' | 'openshift';
  /** Whether extended support costs extra (the format does not say; default: as the data file says). */
  extendedSupportCharged?: boolean;
}

/** `shipyard.versionSupport.refresh`. */
export interface VersionSupportRefreshConfig {
  enabled: boolean;
  /** How often the sources are read (a `global` scheduled task). */
  frequency: HumanDuration;
  /** Delay of the first refresh after start (ms). */
  initialDelayMs: number;
  /** Deadline of one request (ms). */
  timeoutMs: number;
  /** Largest response read (bytes). */
  maxBytes: number;
  /** How often each replica reads the refreshed calendars from the database (ms). */
  reloadIntervalMs: number;
  sources: VersionSupportSource[];
}

/** endoflife.date product names of the distributions it covers. */
export const ENDOFLIFE_PRODUCTS: Record<string, string> = {
  upstream: 'kubernetes',
  eks: 'amazon-eks',
  aks: 'azure-kubernetes-service',
  gke: 'google-kubernetes-engine',
  openshift: 'red-hat-openshift',
};

/** Where the endoflife.date v1 API serves products. */
export const DEFAULT_ENDOFLIFE_BASE_URL =
  'https://endoflife.date/api/v1/products';

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
  return {
    nearingEndOfLifeDays: nearing,
    overrides,
    extendedSupport,
    refresh: readRefresh(c?.getOptionalConfig('refresh')),
  };
}

function checkUrl(value: string, at: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InputError(`${at} must be an http(s) URL, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InputError(`${at} must be an http(s) URL, got "${value}"`);
  }
  if (url.username || url.password) {
    throw new InputError(`${at} must not carry credentials`);
  }
  return url.toString();
}

function readRefresh(c: Config | undefined): VersionSupportRefreshConfig {
  const at = 'shipyard.versionSupport.refresh';
  const num = (key: string, fallback: number, min: number) => {
    const v = c?.getOptionalNumber(key) ?? fallback;
    if (!Number.isFinite(v) || v < min) {
      throw new InputError(`${at}.${key} must be a number >= ${min}`);
    }
    return v;
  };
  const frequency: HumanDuration = c?.has('frequency')
    ? readDurationFromConfig(c, { key: 'frequency' })
    : { hours: 24 };
  const sources: VersionSupportSource[] = [];
  const configured = c?.getOptionalConfig('sources');
  if (configured) {
    for (const distribution of configured.keys()) {
      checkKey(NAME, distribution, `${at}.sources`, 'a distribution name');
      const key = `${at}.sources.${distribution}`;
      const raw = configured.get(distribution);
      const entry =
        typeof raw === 'string'
          ? { url: raw }
          : {
              url: configured.getConfig(distribution).getString('url'),
              extendedSupportCharged: configured
                .getConfig(distribution)
                .getOptionalBoolean('extendedSupportCharged'),
            };
      sources.push({
        distribution,
        url: checkUrl(entry.url, `${key}.url`),
        scheme: distribution === 'openshift' ? 'openshift' : 'kubernetes',
        ...(entry.extendedSupportCharged === undefined
          ? {}
          : { extendedSupportCharged: entry.extendedSupportCharged }),
      });
    }
  } else {
    const base = checkUrl(
      c?.getOptionalString('baseUrl') ?? DEFAULT_ENDOFLIFE_BASE_URL,
      `${at}.baseUrl`,
    ).replace(/\/+$/, '');
    for (const [distribution, product] of Object.entries(ENDOFLIFE_PRODUCTS)) {
      sources.push({
        distribution,
        url: `${base}/${product}`,
        scheme: distribution === 'openshift' ? 'openshift' : 'kubernetes',
      });
    }
  }
  return {
    enabled: c?.getOptionalBoolean('enabled') ?? false,
    frequency,
    initialDelayMs: num('initialDelayMs', 60_000, 0),
    timeoutMs: num('timeoutMs', 15_000, 100),
    maxBytes: num('maxBytes', 4 * 1024 * 1024, 1024),
    reloadIntervalMs: num('reloadIntervalMs', 5 * 60_000, 1_000),
    sources,
  };
}
