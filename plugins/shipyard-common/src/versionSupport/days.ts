import { parseKubernetesVersion } from '../versions';
import semver from 'semver';
import { VersionSupportRecord, VersionSupportStatus } from './model';

/*
 * Days and minors: the day arithmetic of the support calendars, and the status of a minor on a given day.
 */

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
