import {
  DriftFinding,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import {
  FleetSink,
  IndexedSourceState,
  StoredClusterSummary,
} from '../index/FleetIndex';
import { DriftInputs, UndatedFinding, evaluateDrift } from './evaluate';
import { intern } from '../index/intern';
import { DriftProfile } from './profiles';

/** Options of {@link DriftStage}. */
export interface DriftStageOptions {
  /** The next stage (the health evaluation, or the index). */
  next: FleetSink;
  /** What a cluster is compared on besides its summary (its ClusterClass variables). */
  inputsOf?: (summary: StoredClusterSummary) => DriftInputs;
  now?: () => number;
}

interface Kept {
  summary: StoredClusterSummary;
  restored: boolean;
  profile?: string;
}

/** The profile name a summary refers to (`default/name` and `name` name the same profile). */
function profileName(profile: string | undefined): string | undefined {
  if (!profile) return undefined;
  const slash = profile.lastIndexOf('/');
  return slash >= 0 ? profile.slice(slash + 1) : profile;
}

function findingId(f: Pick<DriftFinding, 'kind' | 'subject'>): string {
  return `${f.kind}/${f.subject ?? ''}`;
}

/**
 * Drift evaluation, the stage between folding and the health evaluation: every summary on its way to the index is
 * compared with the version of its profile (see {@link evaluateDrift}) and carries its findings as `drift`; when the
 * profiles change ({@link setProfiles}), the clusters of the profiles that changed are compared again and passed on.
 * It never reads the index: it keeps the last summary of each cluster that passed through. Findings keep the time they
 * were first seen (`since`), also across restarts (restored summaries carry their persisted findings).
 */
export class DriftStage implements FleetSink {
  private readonly kept = new Map<string, Kept>();
  private readonly byProfile = new Map<string, Set<string>>();
  private profiles = new Map<string, DriftProfile>();
  private loaded = false;
  private readonly now: () => number;

  constructor(private readonly options: DriftStageOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Whether profiles were set at least once (before that, clusters keep the drift they had). */
  get hasProfiles(): boolean {
    return this.loaded;
  }

  /**
   * Takes the profiles (all of them, as the catalog holds them now); the clusters of every profile that appeared,
   * changed or went are compared again. Returns the number of clusters passed on again.
   */
  setProfiles(profiles: Iterable<DriftProfile>): number {
    const next = new Map<string, DriftProfile>();
    for (const p of profiles) next.set(p.name, p);
    const changed = new Set<string>();
    for (const [name, p] of next) {
      if (this.profiles.get(name)?.fingerprint !== p.fingerprint) {
        changed.add(name);
      }
    }
    for (const name of this.profiles.keys()) {
      if (!next.has(name)) changed.add(name);
    }
    const first = !this.loaded;
    this.profiles = next;
    this.loaded = true;
    let passed = 0;
    const keys = first
      ? [...this.kept.keys()]
      : [...changed].flatMap(name => [...(this.byProfile.get(name) ?? [])]);
    for (const key of keys) {
      const kept = this.kept.get(key);
      if (!kept) continue;
      this.pass(kept.summary, { restored: kept.restored });
      passed++;
    }
    return passed;
  }

  /** The profile of a name, as last set. */
  profile(name: string): DriftProfile | undefined {
    return this.profiles.get(profileName(name) ?? '');
  }

  // ---- the sink ---------------------------------------------------------------------------------------------------

  upsert(
    summary: StoredClusterSummary,
    options: { restored?: boolean; lastSeenAt?: string } = {},
  ): boolean {
    return this.pass(summary, options);
  }

  remove(key: string): boolean {
    this.forget(key);
    return this.options.next.remove(key);
  }

  keysOf(managementCluster: string): string[] {
    return this.options.next.keysOf(managementCluster);
  }

  setSourceState(managementCluster: string, state: IndexedSourceState): void {
    this.options.next.setSourceState(managementCluster, state);
  }

  touchSource(managementCluster: string, lastSeenAt: string): void {
    this.options.next.touchSource(managementCluster, lastSeenAt);
  }

  // ---- evaluation -------------------------------------------------------------------------------------------------

  private pass(
    summary: StoredClusterSummary,
    options: { restored?: boolean; lastSeenAt?: string },
  ): boolean {
    const key = stringifyClusterKey(summary);
    const previous = this.kept.get(key);
    const out = this.evaluate(summary, previous, options.restored === true);
    const profile = profileName(summary.profile);
    if (previous?.profile !== profile) {
      if (previous?.profile) this.byProfile.get(previous.profile)?.delete(key);
      if (profile) {
        let set = this.byProfile.get(profile);
        if (!set) {
          set = new Set();
          this.byProfile.set(profile, set);
        }
        set.add(key);
      }
    }
    if (previous) {
      previous.summary = out;
      previous.restored = options.restored === true;
      previous.profile = profile;
    } else {
      this.kept.set(key, {
        summary: out,
        restored: options.restored === true,
        profile,
      });
    }
    return this.options.next.upsert(out, options);
  }

  private evaluate(
    summary: StoredClusterSummary,
    previous: Kept | undefined,
    restored: boolean,
  ): StoredClusterSummary {
    const before = previous?.summary.drift ?? summary.drift;
    if (!this.loaded) {
      // no profiles read yet: keep what was known
      return withDrift(summary, before);
    }
    const profile = this.profile(summary.profile ?? '');
    if (!profile) return withDrift(summary, undefined);
    const inputs = restored ? {} : this.options.inputsOf?.(summary) ?? {};
    const findings = evaluateDrift(summary, profile, inputs);
    if (inputs.variables === undefined) {
      // variables unknown (restored, not listed again): keep the variable findings known before
      for (const f of before ?? []) {
        if (f.kind === 'variable') findings.push(f);
      }
    }
    return withDrift(summary, this.date(findings, before));
  }

  /**
   * Dates findings: a finding seen before keeps its `since`. When nothing changed, the findings known before are
   * passed on as they are (no new objects for a cluster whose drift stays the same).
   */
  private date(
    findings: UndatedFinding[],
    before: DriftFinding[] | undefined,
  ): DriftFinding[] {
    if (findings.length === 0) return before?.length === 0 ? before : [];
    if (before && sameFindings(findings, before)) return before;
    const since = new Map<string, string>();
    for (const f of before ?? []) since.set(findingId(f), f.since);
    const nowIso = intern(new Date(this.now()).toISOString());
    return findings.map(f => {
      const known = (f as Partial<DriftFinding>).since;
      return { ...f, since: known ?? since.get(findingId(f)) ?? nowIso };
    });
  }

  private forget(key: string) {
    const kept = this.kept.get(key);
    if (kept?.profile) this.byProfile.get(kept.profile)?.delete(key);
    this.kept.delete(key);
  }
}

/** Whether findings say what the findings known before say (in the same order). */
function sameFindings(
  findings: UndatedFinding[],
  before: DriftFinding[],
): boolean {
  if (findings.length !== before.length) return false;
  for (let i = 0; i < findings.length; i++) {
    const a = findings[i];
    const b = before[i];
    if (
      a.kind !== b.kind ||
      a.subject !== b.subject ||
      a.expected !== b.expected ||
      a.actual !== b.actual ||
      a.message !== b.message ||
      ((a as Partial<DriftFinding>).since !== undefined &&
        (a as Partial<DriftFinding>).since !== b.since)
    ) {
      return false;
    }
  }
  return true;
}

function withDrift(
  summary: StoredClusterSummary,
  drift: DriftFinding[] | undefined,
): StoredClusterSummary {
  if (drift === undefined) {
    if (summary.drift === undefined) return summary;
    const { drift: _drift, ...rest } = summary;
    return rest;
  }
  return { ...summary, drift };
}
