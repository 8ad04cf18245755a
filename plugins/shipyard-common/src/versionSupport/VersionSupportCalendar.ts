import { parseKubernetesVersion } from '../versions';
import {
  compareKubernetesMinors,
  dayOf,
  kubernetesMinorFor,
  statusOnDay,
} from './days';
import {
  BUNDLED_VERSION_SUPPORT,
  ClusterVersionSupport,
  EffectiveVersionSupportRecord,
  RefreshedVersionSupport,
  VersionSupportData,
  VersionSupportDistribution,
  VersionSupportExtendedOffer,
  VersionSupportOverride,
  VersionSupportOverrides,
  VersionSupportRecord,
} from './model';

/*
 * The support calendars in force (data file, refreshed copies, overrides) and their evaluation for a cluster.
 */

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
    copyGiven(out, record, [
      'productVersion',
      'releaseDate',
      'maintenanceFrom',
      'endOfStandardSupport',
      'endOfExtendedSupport',
    ]);
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

/** Copies onto `to` those of `fields` that `from` gives (not undefined). */
function copyGiven<K extends string>(
  to: Partial<Record<K, unknown>>,
  from: Partial<Record<K, unknown>>,
  fields: readonly K[],
): void {
  for (const field of fields) {
    if (from[field] !== undefined) to[field] = from[field];
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
  copyGiven(r, o, [
    'releaseDate',
    'maintenanceFrom',
    'endOfStandardSupport',
    'endOfExtendedSupport',
    'extendedSupportCharged',
    'note',
  ]);
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
