import {
  VersionDebtResponse,
  VersionSupportCounts,
  VersionSupportStatus,
  dayOf,
} from '@shipyard/plugin-shipyard-common';
import { StoredClusterSummary } from '../index/FleetIndex';
import { LifecycleSubject, VersionLifecycle } from './VersionLifecycle';

/** How much each status weighs when ordering teams by debt. */
const DEBT_WEIGHT: Partial<Record<VersionSupportStatus, number>> = {
  'end-of-life': 1_000_000,
  extended: 1_000,
  maintenance: 1,
};

function add(
  counts: VersionSupportCounts,
  status: VersionSupportStatus,
  n = 1,
) {
  counts[status] = (counts[status] ?? 0) + n;
}

function debtOf(counts: VersionSupportCounts): number {
  let d = 0;
  for (const [status, n] of Object.entries(counts)) {
    d += (DEBT_WEIGHT[status as VersionSupportStatus] ?? 0) * (n ?? 0);
  }
  return d;
}

/** Today, then the first day of each of the next `months` months (UTC). */
export function projectionDays(now: number, months: number): string[] {
  const today = dayOf(now);
  const d = new Date(`${today}T00:00:00Z`);
  const out = [today];
  for (let i = 1; i <= months; i++) {
    out.push(dayOf(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + i, 1)));
  }
  return out;
}

/**
 * The version debt of a set of clusters: statuses now by team and by distribution, and the statuses on the first day
 * of each coming month if nothing is upgraded. Clusters on the same distribution, version and enrollment are
 * evaluated once per day.
 */
export function computeVersionDebt(
  clusters: Iterable<StoredClusterSummary>,
  lifecycle: VersionLifecycle,
  options: { now?: number; months?: number } = {},
): VersionDebtResponse {
  const now = options.now ?? lifecycle.now();
  // clusters on the same distribution, version and enrollment have the same support: evaluated once per group
  const groups = new Map<
    string,
    {
      subject: LifecycleSubject;
      count: number;
      support: ReturnType<VersionLifecycle['evaluate']>;
    }
  >();
  const byStatus: VersionSupportCounts = {};
  const owners = new Map<string, VersionSupportCounts>();
  const distributions = new Map<
    string,
    { calendar: string; counts: VersionSupportCounts }
  >();
  let total = 0;
  let charged = 0;
  for (const s of clusters) {
    total++;
    const extendedSupport = lifecycle.extendedSupportOf(s);
    const version =
      s.observedKubernetesVersion ?? s.kubernetesVersion ?? s.kubernetesMinor;
    const key = JSON.stringify([s.distribution, version, extendedSupport]);
    let g = groups.get(key);
    if (!g) {
      const subject: LifecycleSubject = {
        distribution: s.distribution,
        observedKubernetesVersion: s.observedKubernetesVersion,
        kubernetesVersion: s.kubernetesVersion,
        kubernetesMinor: s.kubernetesMinor,
        labels:
          extendedSupport === undefined
            ? {}
            : { 'shipyard.io/extended-support': String(extendedSupport) },
      };
      g = { subject, count: 0, support: lifecycle.evaluate(subject, now) };
      groups.set(key, g);
    }
    g.count++;
    const vs = g.support;
    add(byStatus, vs.status);
    if (vs.status === 'extended' && vs.extendedSupportCharged) charged++;
    let ownerCounts = owners.get(s.owner);
    if (!ownerCounts) {
      ownerCounts = {};
      owners.set(s.owner, ownerCounts);
    }
    add(ownerCounts, vs.status);
    const dist = s.distribution ?? 'unknown';
    let d = distributions.get(dist);
    if (!d) {
      d = {
        calendar: lifecycle.calendar.calendarOf(s.distribution),
        counts: {},
      };
      distributions.set(dist, d);
    }
    add(d.counts, vs.status);
  }
  const projection = projectionDays(now, options.months ?? 12).map(
    (date, i) => {
      const at = i === 0 ? now : Date.parse(`${date}T00:00:00Z`);
      const counts: VersionSupportCounts = {};
      for (const g of groups.values()) {
        add(counts, lifecycle.evaluate(g.subject, at).status, g.count);
      }
      return { date, counts };
    },
  );
  const sum = (c: VersionSupportCounts) =>
    Object.values(c).reduce((a: number, b) => a + (b ?? 0), 0);
  return {
    evaluatedAt: new Date(now).toISOString(),
    totalCount: total,
    byStatus,
    chargedExtendedCount: charged,
    byOwner: [...owners]
      .map(([owner, counts]) => ({ owner, total: sum(counts), counts }))
      .sort(
        (a, b) =>
          debtOf(b.counts) - debtOf(a.counts) || a.owner.localeCompare(b.owner),
      ),
    byDistribution: [...distributions]
      .map(([distribution, d]) => ({
        distribution,
        calendar: d.calendar,
        total: sum(d.counts),
        counts: d.counts,
      }))
      .sort(
        (a, b) =>
          b.total - a.total || a.distribution.localeCompare(b.distribution),
      ),
    projection,
  };
}
