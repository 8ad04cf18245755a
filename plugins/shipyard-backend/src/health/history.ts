import { HealthReason } from '@shipyard/plugin-shipyard-common';
import { StoredClusterSummary } from '../index/FleetIndex';
import { TransitionInput } from '../stores/HealthStore';

/*
 * The beginning of a cluster's health history: its first entry, dated from Cluster API's condition times.
 */

/**
 * Whether a cluster is in maintenance: paused (Cluster API does not reconcile it) or in a rollout step (Cluster API
 * reports `RollingOut`). Availability objectives can leave this time out.
 */
export function maintenanceOf(
  s: Pick<StoredClusterSummary, 'paused' | 'conditions'>,
): boolean {
  if (s.paused) return true;
  return (s.conditions ?? []).some(
    c => c.type === 'RollingOut' && c.status === 'True',
  );
}

/** When a cluster's current health began, from Cluster API's condition times and the reasons' `since`. */
function statusSinceOf(s: StoredClusterSummary): string | undefined {
  if (s.health === 'healthy') {
    const c = s.conditions.find(
      x =>
        (x.type === 'Available' || x.type === 'Ready') && x.status === 'True',
    );
    return c?.lastTransitionTime;
  }
  if (s.health === 'provisioning') return s.createdAt;
  if (s.health === 'deleting') return s.deletingSince;
  const times = s.healthReasons
    .filter(r => r.severity !== 'info' || s.health === 'progressing')
    .map(r => r.since)
    .filter((t): t is string => Boolean(t) && !Number.isNaN(Date.parse(t!)))
    .sort((a, b) => Date.parse(a) - Date.parse(b));
  return times[0];
}

/**
 * The first history entry of a cluster seen for the first time: its current status since it began, preceded by its
 * creation (provisioning) unless it is still provisioning: also when Cluster API dates its status in the second of its
 * creation (condition times have a resolution of a second), which a cluster provisioned quickly, or first seen late,
 * shows. Times are kept within [creation, now].
 */
export function firstEntry(
  key: string,
  s: StoredClusterSummary,
  now: number,
): TransitionInput {
  const nowIso = new Date(now).toISOString();
  const created = s.createdAt ? Date.parse(s.createdAt) : NaN;
  let since = Date.parse(statusSinceOf(s) ?? nowIso);
  if (Number.isNaN(since) || since > now) since = now;
  if (!Number.isNaN(created) && since < created) since = created;
  const entry: TransitionInput = {
    key,
    status: s.health,
    reasons: s.healthReasons,
    at: new Date(since).toISOString(),
  };
  if (maintenanceOf(s)) entry.maintenance = true;
  if (
    !Number.isNaN(created) &&
    created <= since &&
    s.health !== 'provisioning'
  ) {
    const reasons: HealthReason[] = [
      {
        source: 'capi',
        severity: 'info',
        type: 'Created',
        message: 'The cluster was created',
        since: new Date(created).toISOString(),
      },
    ];
    entry.seed = [
      { at: new Date(created).toISOString(), status: 'provisioning', reasons },
    ];
  }
  return entry;
}
