/*
 * Kubernetes version lifecycle: the support calendar of every distribution per Kubernetes minor, and its evaluation
 * for a cluster on a given day.
 *
 * The calendars come from the versioned data file `data/version-support.json` (transcribed from the public calendar
 * named in each record). A deployment may replace a distribution's calendar with a refreshed copy (from a source that
 * speaks the endoflife.date product format) and override single minors in configuration; `VersionSupportCalendar`
 * layers the three. Nothing here stores a status: a status is computed from the dates for the day asked about, so an
 * answer cannot go stale.
 */
import semver from 'semver';
import { z } from 'zod';
import bundledData from './data/version-support.json';
import { parseKubernetesVersion } from './versions';

/**
 * Support status of a Kubernetes minor on a distribution on a given day: before its release (`preview`), in standard
 * support, in its last weeks of critical fixes only (`maintenance`), in extended support (EKS extended support, AKS
 * LTS, the GKE Extended channel, OpenShift EUS), or past all support. `unknown` when the version or the minor is not
 * known.
 */
export type VersionSupportStatus =
  | 'preview'
  | 'supported'
  | 'maintenance'
  | 'extended'
  | 'end-of-life'
  | 'unknown';

/** Every version support status in the order of a minor's life, then `unknown`. */
export const VERSION_SUPPORT_STATUSES: readonly VersionSupportStatus[] = [
  'preview',
  'supported',
  'maintenance',
  'extended',
  'end-of-life',
  'unknown',
];

/** Where the dates of an answer come from: the data file, a refreshed copy of a calendar, or configuration. */
export type VersionSupportOrigin = 'bundled' | 'refreshed' | 'override';

/**
 * One Kubernetes minor on one distribution. Dates are days (`YYYY-MM-DD`, UTC); an end date is the last day of its
 * phase, `maintenanceFrom` the first day of maintenance.
 */
export interface VersionSupportRecord {
  /** `upstream`, `eks`, `aks`, `gke`, `openshift`, … */
  distribution: string;
  /** The Kubernetes minor (`1.33`). */
  minor: string;
  /** The distribution's own version when it differs (`4.16` for OpenShift). */
  productVersion?: string;
  /** First day of general availability on the distribution. */
  releaseDate?: string;
  /** First day of maintenance (critical fixes only) within standard support. */
  maintenanceFrom?: string;
  /** Last day of standard support. */
  endOfStandardSupport?: string;
  /** Last day of extended support, where the distribution offers it. */
  endOfExtendedSupport?: string;
  /** Whether extended support costs extra. */
  extendedSupportCharged?: boolean;
  /** The distribution calls this minor a long-term-support release. */
  lts?: boolean;
  /** True while the dates are planned rather than published. */
  estimated?: boolean;
  note?: string;
  /** Where the facts were read (a URL, or the configuration key of an override). */
  source: string;
  /** When they were read (ISO-8601 date or time). */
  fetchedAt: string;
}

/** Extended support a distribution offers. */
export interface VersionSupportExtendedOffer {
  /** What the distribution calls it (`extended support`, `long-term support (LTS)`, …). */
  name: string;
  /** Whether it costs extra. */
  charged: boolean;
  /** Whether a cluster must be enrolled (AKS LTS, GKE Extended channel) rather than entering it by default (EKS). */
  optIn: boolean;
}

/** A distribution of the data file. */
export interface VersionSupportDistribution {
  title: string;
  /** The public calendar or policy. */
  source: string;
  /** A distribution without records of its own uses this distribution's calendar (`upstream` for k3s). */
  follows?: string;
  extendedSupport?: VersionSupportExtendedOffer;
  /** `openshift`: minors are also given as product versions (`4.16` is Kubernetes `1.29`). */
  versionScheme?: 'kubernetes' | 'openshift';
  /** The support policy in one sentence. */
  policy?: string;
}

/** The data file `data/version-support.json`. */
export interface VersionSupportData {
  schemaVersion: 1;
  /** Day the file was last updated. */
  updatedAt: string;
  description?: string;
  distributions: Record<string, VersionSupportDistribution>;
  releases: VersionSupportRecord[];
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const day = z
  .string()
  .regex(DAY, 'must be a date (YYYY-MM-DD)')
  .refine(v => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)), 'not a date');
const minorSchema = z
  .string()
  .regex(/^\d+\.\d+$/, 'must be a Kubernetes minor (1.33)');
const nameSchema = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
    'must be a distribution name (eks)',
  );

/** Schema of one record. */
export const versionSupportRecordSchema = z
  .object({
    distribution: nameSchema,
    minor: minorSchema,
    productVersion: z.string().min(1).max(32).optional(),
    releaseDate: day.optional(),
    maintenanceFrom: day.optional(),
    endOfStandardSupport: day.optional(),
    endOfExtendedSupport: day.optional(),
    extendedSupportCharged: z.boolean().optional(),
    lts: z.boolean().optional(),
    estimated: z.boolean().optional(),
    note: z.string().max(1000).optional(),
    source: z.string().min(1).max(2048),
    fetchedAt: z.string().min(10).max(40),
  })
  .strict()
  .superRefine((r, ctx) => {
    const order: Array<[keyof VersionSupportRecord, string | undefined]> = [
      ['releaseDate', r.releaseDate],
      ['maintenanceFrom', r.maintenanceFrom],
      ['endOfStandardSupport', r.endOfStandardSupport],
      ['endOfExtendedSupport', r.endOfExtendedSupport],
    ];
    let previous: [string, string] | undefined;
    for (const [field, value] of order) {
      if (value === undefined) continue;
      if (previous && value < previous[1]) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: [field],
          message: `must not be before ${previous[0]} (${previous[1]})`,
        });
      }
      previous = [field, value];
    }
  });

/** Schema of the data file. */
export const versionSupportDataSchema = z
  .object({
    schemaVersion: z.literal(1),
    updatedAt: day,
    description: z.string().optional(),
    distributions: z.record(
      nameSchema,
      z
        .object({
          title: z.string().min(1),
          source: z.string().min(1),
          follows: nameSchema.optional(),
          extendedSupport: z
            .object({
              name: z.string().min(1),
              charged: z.boolean(),
              optIn: z.boolean(),
            })
            .strict()
            .optional(),
          versionScheme: z.enum(['kubernetes', 'openshift']).optional(),
          policy: z.string().optional(),
        })
        .strict(),
    ),
    releases: z.array(versionSupportRecordSchema),
  })
  .strict()
  .superRefine((d, ctx) => {
    const seen = new Set<string>();
    d.releases.forEach((r, i) => {
      const key = `${r.distribution}/${r.minor}`;
      if (seen.has(key)) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['releases', i],
          message: `duplicate record for ${key}`,
        });
      }
      seen.add(key);
      if (!d.distributions[r.distribution]) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['releases', i, 'distribution'],
          message: `unknown distribution "${r.distribution}"`,
        });
      }
    });
    for (const [name, dist] of Object.entries(d.distributions)) {
      if (dist.follows && !d.distributions[dist.follows]) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['distributions', name, 'follows'],
          message: `unknown distribution "${dist.follows}"`,
        });
      }
    }
  });

/** Validates a data file; throws an `Error` naming the first offending field. */
export function parseVersionSupportData(input: unknown): VersionSupportData {
  const result = versionSupportDataSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(
      `Invalid version support data at ${issue.path.join('.') || '(root)'}: ${
        issue.message
      }`,
    );
  }
  return result.data as VersionSupportData;
}

/** The calendars of the data file shipped with Shipyard. */
export const BUNDLED_VERSION_SUPPORT: VersionSupportData =
  parseVersionSupportData(bundledData);

/** The calendar of one distribution as read from a remote source. */
export interface RefreshedVersionSupport {
  distribution: string;
  /** The URL it was read from. */
  source: string;
  /** ISO-8601 time it was read. */
  fetchedAt: string;
  records: VersionSupportRecord[];
}

/**
 * Configured corrections of one minor of one distribution. `endOfLife` is the older form: the last day of any
 * support (it moves the end of extended support when the minor has one after it, else the end of standard support).
 */
export interface VersionSupportOverride {
  releaseDate?: string;
  maintenanceFrom?: string;
  endOfStandardSupport?: string;
  endOfExtendedSupport?: string;
  extendedSupportCharged?: boolean;
  endOfLife?: string;
  note?: string;
}

/** Overrides by distribution and minor (`{ eks: { '1.33': { endOfExtendedSupport: '2027-09-30' } } }`). */
export type VersionSupportOverrides = Record<
  string,
  Record<string, VersionSupportOverride>
>;

/** A record as a calendar answers it: with where its dates come from and which calendar it belongs to. */
export interface EffectiveVersionSupportRecord extends VersionSupportRecord {
  origin: VersionSupportOrigin;
  /** The distribution whose calendar holds the dates (`upstream` for a k3s record). */
  calendar: string;
}

/** The support of one cluster's Kubernetes minor, as evaluated on a day. */
export interface ClusterVersionSupport {
  status: VersionSupportStatus;
  /** The Kubernetes minor evaluated (`1.31`), from the workload cluster when probed, else from the spec. */
  minor?: string;
  /** The cluster's distribution as asked (`k3s`). */
  distribution?: string;
  /** The calendar that applies (`upstream` for k3s; `eks` for EKS). */
  calendar?: string;
  productVersion?: string;
  releaseDate?: string;
  maintenanceFrom?: string;
  endOfStandardSupport?: string;
  endOfExtendedSupport?: string;
  /** Whether the extended support the cluster is in, or will enter, costs extra. */
  extendedSupportCharged?: boolean;
  /** Whether the cluster counts as enrolled in the distribution's extended support. */
  extendedSupportEnrolled?: boolean;
  /** Last day of any support the cluster gets. */
  endOfLife?: string;
  /** The next change of status: its first day and the status from then on. */
  nextBoundary?: { date: string; status: VersionSupportStatus };
  origin?: VersionSupportOrigin;
  estimated?: boolean;
  /** Set when the minor is newer or older than every minor of the calendar (no dates then). */
  outsideCalendar?: 'newer' | 'older';
}

/** Default number of days before the end of (free) support during which a cluster is nearing it. */
export const DEFAULT_NEARING_END_OF_LIFE_DAYS = 90;

const DAY_MS = 24 * 60 * 60 * 1000;

/** The day (`YYYY-MM-DD`, UTC) of a time. */
export function dayOf(time: Date | number): string {
  return new Date(time).toISOString().slice(0, 10);
}

/** A day moved by a number of days. */
export function addDays(date: string, days: number): string {
  return dayOf(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS);
}

/** Whole days from a time until the start of a day (at least 0; a part of a day counts as a day). */
export function daysUntil(date: string, now: Date | number): number {
  const ms = Date.parse(`${date}T00:00:00Z`) - new Date(now).getTime();
  return Math.max(0, Math.ceil(ms / DAY_MS));
}

/**
 * The Kubernetes minor of a version (`v1.31.2+k3s1` → `1.31`), parsed with semver's coercion. With the `openshift`
 * scheme a product version `4.N` is Kubernetes `1.(N+13)` (4.16 ships Kubernetes 1.29).
 */
export function kubernetesMinorFor(
  version: string | undefined,
  scheme: 'kubernetes' | 'openshift' = 'kubernetes',
): string | undefined {
  const v = parseKubernetesVersion(version);
  if (!v) return undefined;
  if (scheme === 'openshift' && v.major === 4) return `1.${v.minor + 13}`;
  return `${v.major}.${v.minor}`;
}

/** Compares two Kubernetes minors or versions with semver (`1.9` sorts before `1.10`); unparsable ones sort first. */
export function compareKubernetesMinors(a: string, b: string): number {
  const va = parseKubernetesVersion(a);
  const vb = parseKubernetesVersion(b);
  if (!va || !vb) return (va ? 1 : 0) - (vb ? 1 : 0);
  return semver.compare(
    `${va.major}.${va.minor}.0`,
    `${vb.major}.${vb.minor}.0`,
  );
}

/** The phases of a record in time order: the first day of each status. */
function phasesOf(
  r: VersionSupportRecord,
  enrolled: boolean,
): Array<{ from: string; status: VersionSupportStatus }> {
  const phases: Array<{ from: string; status: VersionSupportStatus }> = [];
  if (r.releaseDate) phases.push({ from: r.releaseDate, status: 'supported' });
  if (r.maintenanceFrom)
    phases.push({ from: r.maintenanceFrom, status: 'maintenance' });
  if (r.endOfStandardSupport) {
    const after = addDays(r.endOfStandardSupport, 1);
    if (enrolled && r.endOfExtendedSupport) {
      phases.push({ from: after, status: 'extended' });
      phases.push({
        from: addDays(r.endOfExtendedSupport, 1),
        status: 'end-of-life',
      });
    } else {
      phases.push({ from: after, status: 'end-of-life' });
    }
  }
  // overrides may move a date past a later one; the later phase wins from its day
  return phases.sort((a, b) => a.from.localeCompare(b.from));
}

/** Status of a record on a day, and its next change. */
export function statusOnDay(
  record: VersionSupportRecord,
  today: string,
  enrolledInExtendedSupport: boolean,
): {
  status: VersionSupportStatus;
  nextBoundary?: { date: string; status: VersionSupportStatus };
} {
  const phases = phasesOf(record, enrolledInExtendedSupport);
  // before the first dated phase: not released yet, or released at an unknown day
  let status: VersionSupportStatus = record.releaseDate
    ? 'preview'
    : 'supported';
  for (const p of phases) {
    if (p.from <= today) {
      status = p.status;
      continue;
    }
    if (p.status === status) continue;
    return { status, nextBoundary: { date: p.from, status: p.status } };
  }
  return { status };
}

interface DistributionState {
  name: string;
  info?: VersionSupportDistribution;
  /** Own records by minor (bundled, refreshed, overridden), sorted by minor. */
  records: Map<string, EffectiveVersionSupportRecord>;
  sorted: EffectiveVersionSupportRecord[];
  refreshed?: { source: string; fetchedAt: string };
  /** A follower's overridden minors (its other minors are the followed calendar's). */
  derived?: Map<string, EffectiveVersionSupportRecord>;
}

/** What {@link VersionSupportCalendar.evaluate} looks at. */
export interface VersionSupportQuery {
  /** The cluster's distribution (absent or unknown: the upstream calendar). */
  distribution?: string;
  /** Its Kubernetes version or minor (`v1.33.4-eks-1`, `1.33`, `4.16` for OpenShift). */
  version?: string;
  /** Whether the cluster is enrolled in extended support (default: unless the distribution's offer is opt-in). */
  extendedSupport?: boolean;
}

/** A distribution as a calendar describes it. */
export interface VersionSupportCalendarInfo {
  name: string;
  title: string;
  /** The public calendar or policy. */
  source: string;
  policy?: string;
  follows?: string;
  extendedSupport?: VersionSupportExtendedOffer;
  /** Where the records come from: `refreshed` when a refreshed copy is in use. */
  origin: 'bundled' | 'refreshed';
  /** The refreshed copy's URL and time, when in use. */
  refreshedFrom?: string;
  refreshedAt?: string;
}

/**
 * The support calendars in force: the data file, refreshed copies of some distributions' calendars (a refreshed
 * record's dates replace the file's for its minor, field by field, so what the source does not publish stays as the
 * file says; minors the refreshed copy lacks keep the file's record), and configured overrides on top. Immutable:
 * build a new one when a layer changes.
 */
export class VersionSupportCalendar {
  private readonly states = new Map<string, DistributionState>();
  private readonly memo = new Map<string, ClusterVersionSupport>();
  private memoDay = '';

  constructor(
    options: {
      data?: VersionSupportData;
      refreshed?: readonly RefreshedVersionSupport[];
      overrides?: VersionSupportOverrides;
      /** `source` of override records (default `configuration`). */
      overrideSource?: string;
      /** `fetchedAt` of override records (default: now). */
      overridesReadAt?: string;
    } = {},
  ) {
    const data = options.data ?? BUNDLED_VERSION_SUPPORT;
    const state = (name: string): DistributionState => {
      let s = this.states.get(name);
      if (!s) {
        s = {
          name,
          info: data.distributions[name],
          records: new Map(),
          sorted: [],
        };
        this.states.set(name, s);
      }
      return s;
    };
    for (const name of Object.keys(data.distributions)) state(name);
    for (const r of data.releases) {
      state(r.distribution).records.set(r.minor, {
        ...r,
        origin: 'bundled',
        calendar: r.distribution,
      });
    }
    for (const refreshed of options.refreshed ?? []) {
      const s = state(refreshed.distribution);
      s.refreshed = {
        source: refreshed.source,
        fetchedAt: refreshed.fetchedAt,
      };
      for (const r of refreshed.records) {
        // field by field: what the source does not say (extended support, its charge) stays as the file says
        const merged: EffectiveVersionSupportRecord = {
          ...s.records.get(r.minor),
          distribution: refreshed.distribution,
          minor: r.minor,
          source: r.source,
          fetchedAt: r.fetchedAt,
          origin: 'refreshed',
          calendar: refreshed.distribution,
        };
        for (const [field, value] of Object.entries(r)) {
          if (value !== undefined && value !== null)
            (merged as unknown as Record<string, unknown>)[field] = value;
        }
        delete merged.estimated;
        if (r.estimated) merged.estimated = true;
        s.records.set(r.minor, merged);
      }
    }
    const overrideSource = options.overrideSource ?? 'configuration';
    const readAt = options.overridesReadAt ?? new Date().toISOString();
    // overrides of distributions with records of their own; followers get theirs when they are derived below
    const followerOverrides = new Map<
      string,
      Record<string, VersionSupportOverride>
    >();
    for (const [dist, byMinor] of Object.entries(options.overrides ?? {})) {
      const s = state(dist);
      if (s.records.size === 0) {
        followerOverrides.set(dist, byMinor);
        continue;
      }
      for (const [minor, o] of Object.entries(byMinor)) {
        const r = applyOverride(s.records.get(minor), o, {
          distribution: dist,
          minor,
          source: `${overrideSource}.${dist}.${minor}`,
          fetchedAt: readAt,
        });
        if (r) s.records.set(minor, { ...r, calendar: dist });
      }
    }
    for (const s of this.states.values()) {
      s.sorted = [...s.records.values()].sort((a, b) =>
        compareKubernetesMinors(a.minor, b.minor),
      );
    }
    // followers: the followed calendar's records under their own name, with their own overrides on top
    for (const [dist, byMinor] of followerOverrides) {
      const s = state(dist);
      const base = this.resolve(dist);
      const derived = new Map<string, EffectiveVersionSupportRecord>();
      for (const [minor, o] of Object.entries(byMinor)) {
        const r = applyOverride(
          base && base !== s ? base.records.get(minor) : undefined,
          o,
          {
            distribution: dist,
            minor,
            source: `${overrideSource}.${dist}.${minor}`,
            fetchedAt: readAt,
          },
        );
        if (r) derived.set(minor, { ...r, calendar: base?.name ?? dist });
      }
      s.derived = derived;
    }
  }

  /** The state whose records answer for a distribution: its own, or the one it follows (upstream by default). */
  private resolve(distribution: string | undefined): DistributionState {
    let name = distribution ?? 'upstream';
    const seen = new Set<string>();
    for (;;) {
      const s = this.states.get(name);
      if (s && s.sorted.length > 0) return s;
      seen.add(name);
      const next = s?.info?.follows ?? 'upstream';
      if (seen.has(next)) {
        return s ?? this.states.get('upstream') ?? this.emptyState(name);
      }
      name = next;
    }
  }

  private emptyState(name: string): DistributionState {
    return { name, records: new Map(), sorted: [] };
  }

  private derivedOf(
    distribution: string | undefined,
  ): Map<string, EffectiveVersionSupportRecord> | undefined {
    if (!distribution) return undefined;
    return this.states.get(distribution)?.derived;
  }

  /** The distributions the calendar knows, with where their records come from. */
  distributions(): VersionSupportCalendarInfo[] {
    const out: VersionSupportCalendarInfo[] = [];
    for (const s of this.states.values()) {
      const info: VersionSupportCalendarInfo = {
        name: s.name,
        title: s.info?.title ?? s.name,
        source: s.info?.source ?? 'configuration',
        origin: s.refreshed ? 'refreshed' : 'bundled',
      };
      if (s.info?.policy) info.policy = s.info.policy;
      if (s.sorted.length === 0)
        info.follows = s.info?.follows ?? this.resolve(s.name).name;
      if (s.info?.extendedSupport)
        info.extendedSupport = s.info.extendedSupport;
      if (s.refreshed) {
        info.refreshedFrom = s.refreshed.source;
        info.refreshedAt = s.refreshed.fetchedAt;
      }
      out.push(info);
    }
    // upstream first, the others in the order of the data file
    return out.sort(
      (a, b) => Number(b.name === 'upstream') - Number(a.name === 'upstream'),
    );
  }

  /** The title of a distribution (`Amazon EKS`), or its name when the data file does not know it. */
  titleOf(distribution: string): string {
    return this.states.get(distribution)?.info?.title ?? distribution;
  }

  /** The name of the calendar that applies to a distribution (`upstream` for k3s and for unknown ones). */
  calendarOf(distribution: string | undefined): string {
    return this.resolve(distribution).name;
  }

  /** The effective records of a distribution by minor, oldest first (a follower gets the followed calendar's). */
  records(distribution: string | undefined): EffectiveVersionSupportRecord[] {
    const s = this.resolve(distribution);
    const derived = this.derivedOf(distribution);
    const name = distribution ?? s.name;
    return s.sorted.map(r => {
      const d = derived?.get(r.minor);
      if (d) return d;
      return name === r.distribution ? r : { ...r, distribution: name };
    });
  }

  /** The effective record of one minor, if the calendar has it. */
  record(
    distribution: string | undefined,
    minor: string,
  ): EffectiveVersionSupportRecord | undefined {
    const derived = this.derivedOf(distribution)?.get(minor);
    if (derived) return derived;
    const r = this.resolve(distribution).records.get(minor);
    if (!r || !distribution || r.distribution === distribution) return r;
    return { ...r, distribution };
  }

  /** The extended support a distribution's calendar offers. */
  extendedOffer(
    distribution: string | undefined,
  ): VersionSupportExtendedOffer | undefined {
    return (
      this.states.get(distribution ?? 'upstream')?.info?.extendedSupport ??
      this.resolve(distribution).info?.extendedSupport
    );
  }

  /**
   * The support of a version on a distribution at a time. A minor newer than every minor of its calendar is
   * `supported` (the calendar has not caught up), one older than all is `end-of-life`, one in a gap is `unknown`.
   */
  evaluate(
    query: VersionSupportQuery,
    now: Date | number,
  ): ClusterVersionSupport {
    const today = dayOf(now);
    if (today !== this.memoDay) {
      this.memo.clear();
      this.memoDay = today;
    }
    const key = `${query.distribution ?? ''}|${query.version ?? ''}|${
      query.extendedSupport ?? ''
    }`;
    const cached = this.memo.get(key);
    if (cached) return cached;
    const result = this.evaluateUncached(query, today);
    if (this.memo.size > 10_000) this.memo.clear();
    this.memo.set(key, result);
    return result;
  }

  private evaluateUncached(
    query: VersionSupportQuery,
    today: string,
  ): ClusterVersionSupport {
    const s = this.resolve(query.distribution);
    const scheme =
      this.states.get(query.distribution ?? '')?.info?.versionScheme ??
      s.info?.versionScheme;
    const minor = kubernetesMinorFor(query.version, scheme);
    if (!minor) return { status: 'unknown' };
    const out: ClusterVersionSupport = {
      status: 'unknown',
      minor,
      calendar: s.name,
    };
    if (query.distribution) out.distribution = query.distribution;
    const record = this.record(query.distribution, minor);
    if (!record) {
      if (s.sorted.length === 0) return out;
      if (
        compareKubernetesMinors(minor, s.sorted[s.sorted.length - 1].minor) > 0
      ) {
        out.status = 'supported';
        out.outsideCalendar = 'newer';
      } else if (compareKubernetesMinors(minor, s.sorted[0].minor) < 0) {
        out.status = 'end-of-life';
        out.outsideCalendar = 'older';
      }
      return out;
    }
    const offer = this.extendedOffer(query.distribution);
    const hasExtended = record.endOfExtendedSupport !== undefined;
    const enrolled =
      hasExtended && (query.extendedSupport ?? !(offer?.optIn ?? false));
    const { status, nextBoundary } = statusOnDay(record, today, enrolled);
    out.status = status;
    out.calendar = record.calendar;
    out.origin = record.origin;
    for (const field of [
      'productVersion',
      'releaseDate',
      'maintenanceFrom',
      'endOfStandardSupport',
      'endOfExtendedSupport',
    ] as const) {
      if (record[field] !== undefined) out[field] = record[field];
    }
    if (hasExtended) {
      out.extendedSupportEnrolled = enrolled;
      const charged = record.extendedSupportCharged ?? offer?.charged;
      if (charged !== undefined) out.extendedSupportCharged = charged;
    }
    const endOfLife = enrolled
      ? record.endOfExtendedSupport
      : record.endOfStandardSupport;
    if (endOfLife) out.endOfLife = endOfLife;
    if (nextBoundary) out.nextBoundary = nextBoundary;
    if (record.estimated) out.estimated = true;
    return out;
  }
}

function applyOverride(
  base: EffectiveVersionSupportRecord | undefined,
  o: VersionSupportOverride,
  identity: Pick<
    VersionSupportRecord,
    'distribution' | 'minor' | 'source' | 'fetchedAt'
  >,
): EffectiveVersionSupportRecord | undefined {
  const r: EffectiveVersionSupportRecord = base
    ? { ...base, origin: 'override' }
    : { ...identity, origin: 'override', calendar: identity.distribution };
  r.source = identity.source;
  r.fetchedAt = identity.fetchedAt;
  for (const field of [
    'releaseDate',
    'maintenanceFrom',
    'endOfStandardSupport',
    'endOfExtendedSupport',
    'extendedSupportCharged',
    'note',
  ] as const) {
    if (o[field] !== undefined)
      (r as unknown as Record<string, unknown>)[field] = o[field];
  }
  if (o.endOfLife !== undefined) {
    if (
      r.endOfExtendedSupport !== undefined &&
      r.endOfStandardSupport !== undefined &&
      o.endOfLife > r.endOfStandardSupport
    ) {
      r.endOfExtendedSupport = o.endOfLife;
    } else {
      r.endOfStandardSupport = o.endOfLife;
      delete r.endOfExtendedSupport;
      if (r.maintenanceFrom && r.maintenanceFrom > o.endOfLife)
        delete r.maintenanceFrom;
    }
  }
  delete r.estimated;
  return r;
}

/**
 * Version skew between a control plane and its kubelets, by the upstream policy: kubelets may be up to three minors
 * older than the API server (two before 1.28) and never newer.
 */
export function kubeletSkew(
  controlPlaneMinor: string,
  kubeletMinor: string,
): { minorsBehind: number; supported: boolean } | undefined {
  const cp = parseKubernetesVersion(controlPlaneMinor);
  const k = parseKubernetesVersion(kubeletMinor);
  if (!cp || !k || cp.major !== k.major) return undefined;
  const minorsBehind = cp.minor - k.minor;
  const allowed = cp.minor >= 28 ? 3 : 2;
  return {
    minorsBehind,
    supported: minorsBehind >= 0 && minorsBehind <= allowed,
  };
}
