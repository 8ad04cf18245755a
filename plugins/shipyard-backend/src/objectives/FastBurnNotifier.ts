import { LoggerService } from '@backstage/backend-plugin-api';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { StoredClusterSummary } from '../index/FleetIndex';
import { ClusterObjective } from './ObjectiveTracker';

/*
 * Fast-burn notifications, gathered per team and objective and capped.
 *
 * A page condition can start for many clusters at once: a management cluster out of reach makes every cluster it
 * manages unknown, and unknown time is bad time by default. One notification per cluster is then thousands of
 * requests to the notifications backend at once and as many entries in a team's inbox. So the starts are gathered for
 * a moment (`batchMs`) and sent per owning team and objective: while at most `perClusterLimit` of its clusters burn,
 * one by one (each its own notification, as a single burn deserves); beyond that, one notification that counts every
 * cluster of the team and objective burning now and names the worst. A team and objective get at most
 * `perClusterLimit` notifications and one summary per `intervalMs` (from their first notification of the interval);
 * starts beyond that wait and go out together after it. A flush sends at most `maxPerFlush`
 * notifications over the whole fleet; the rest wait for the next one. Nothing is sent before `start()` (the backend
 * has started, so the notifications backend answers).
 *
 * Own code rather than a rate limiter: a limiter delays or drops calls one by one, while here what waits is folded
 * into one notification per team and objective.
 */

/** The fast-burn conditions of the clusters (the objective tracker). */
export interface FastBurnSource {
  /** Calls `listener` when a cluster's fast-burn condition starts (once until it stops). */
  onFastBurn(
    listener: (key: string, result: ClusterObjective) => void,
  ): () => void;
  /** Whether a cluster's fast-burn condition holds now. */
  isFastBurning(key: string): boolean;
}

/** Options of {@link FastBurnNotifier}. */
export interface FastBurnNotifierOptions {
  objectives: FastBurnSource;
  notifications: NotificationService;
  logger: LoggerService;
  /** The summary of a cluster (its owner and title). */
  summaryOf(key: string): StoredClusterSummary | undefined;
  /** Path of a cluster's page in the portal. */
  linkOf?(summary: StoredClusterSummary): string;
  /** Path of the fleet page showing a team's burning clusters. */
  fleetLinkOf?(owner: string): string;
  /** How long starts are gathered before they are sent (ms, default 5 s). */
  batchMs?: number;
  /** Clusters of one team and objective notified one by one within an interval (default 3); more: one summary. */
  perClusterLimit?: number;
  /** The interval of a team and objective (ms, default 15 min): after its summary, starts wait for its end. */
  intervalMs?: number;
  /** Notifications sent by one flush over the whole fleet at most (default 20). */
  maxPerFlush?: number;
  /** Clusters a summary names (the worst first, default 5). */
  worstListed?: number;
  now?: () => number;
}

const percent = (n: number) => `${Number(n.toFixed(3))} %`;

/** A lookback in its largest whole unit: `20 s`, `5 min`, `6 h`, `3 d` (else `90 min`). */
export function formatLookback(minutes: number): string {
  const units: Array<[number, string]> = [
    [1440, 'd'],
    [60, 'h'],
    [1, 'min'],
    [1 / 60, 's'],
  ];
  for (const [size, unit] of units) {
    const n = minutes / size;
    if (n >= 1 && Math.abs(n - Math.round(n)) < 1e-9) {
      return `${Math.round(n)} ${unit}`;
    }
  }
  return `${Number((minutes * 60).toFixed(1))} s`;
}

/** The page conditions that fire, as `166.7× over 1 h (threshold 14.4×)`. */
function firingRates(result: ClusterObjective): string[] {
  return result.alerts
    .filter(a => a.firing && a.severity === 'page')
    .map(
      a =>
        `${Number(a.longBurnRate.toFixed(1))}× over ${formatLookback(
          a.longWindowMinutes,
        )} (threshold ${Number(a.threshold.toFixed(2))}×)`,
    );
}

/** How far past its threshold a cluster burns: the largest long burn rate over threshold of its firing pages. */
function severityOf(result: ClusterObjective): number {
  let worst = 0;
  for (const a of result.alerts) {
    if (a.firing && a.severity === 'page' && a.threshold > 0) {
      worst = Math.max(worst, a.longBurnRate / a.threshold);
    }
  }
  return worst;
}

const objectiveText = (o: ClusterObjective['objective']) =>
  `${percent(o.target)} over ${o.windowDays} day${
    o.windowDays === 1 ? '' : 's'
  }`;

interface Start {
  key: string;
  summary: StoredClusterSummary;
  result: ClusterObjective;
}

/** The notifications of one team and one objective. */
interface Group {
  owner: string;
  objective: ClusterObjective['objective'];
  /** Starts not sent yet. */
  pending: Map<string, Start>;
  /** When the current interval began (its first notification). */
  intervalStart?: number;
  /** Notifications sent in the current interval. */
  sent: number;
  /** Whether the current interval's summary went out. */
  summarised: boolean;
  /** Clusters notified that still burned at the last flush (a summary counts them with the new starts). */
  notified: Map<string, Start>;
}

/**
 * Sends the owning team a notification when fast-burn conditions start (the tracker reports a start once until the
 * burn stops), gathered and capped as described above. A cluster's notification has the cluster as its scope and a
 * summary the team and objective, so that replicas that see the same starts update one notification rather than add
 * another.
 */
export class FastBurnNotifier {
  private readonly groups = new Map<string, Group>();
  private readonly now: () => number;
  private readonly batchMs: number;
  private readonly perClusterLimit: number;
  private readonly intervalMs: number;
  private readonly maxPerFlush: number;
  private readonly worstListed: number;
  private readonly linkOf: (s: StoredClusterSummary) => string;
  private readonly fleetLinkOf: (owner: string) => string;
  private readonly unsubscribe: () => void;
  private started = false;
  private timer?: ReturnType<typeof setTimeout>;
  private timerDue = Infinity;

  constructor(private readonly options: FastBurnNotifierOptions) {
    this.now = options.now ?? Date.now;
    this.batchMs = options.batchMs ?? 5_000;
    this.perClusterLimit = options.perClusterLimit ?? 3;
    this.intervalMs = options.intervalMs ?? 15 * 60_000;
    this.maxPerFlush = options.maxPerFlush ?? 20;
    this.worstListed = options.worstListed ?? 5;
    this.linkOf =
      options.linkOf ??
      (s =>
        `/shipyard/clusters/${encodeURIComponent(
          s.managementCluster,
        )}/${encodeURIComponent(s.namespace)}/${encodeURIComponent(s.name)}`);
    this.fleetLinkOf =
      options.fleetLinkOf ??
      (owner => `/shipyard?owner=${encodeURIComponent(owner)}&budget=burning`);
    this.unsubscribe = options.objectives.onFastBurn((key, result) =>
      this.onStart(key, result),
    );
  }

  /** Starts sending (the backend has started); starts seen before wait for the first flush. */
  start(): void {
    this.started = true;
    if (this.hasPending()) this.schedule(this.batchMs);
  }

  /** Stops listening and sending. */
  stop(): void {
    this.started = false;
    this.unsubscribe();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = Infinity;
  }

  /** Sends what is due now (tests; otherwise a timer calls it). */
  flush(): void {
    if (!this.started) return;
    const now = this.now();
    let sent = 0;
    let next = Infinity;
    const groups = [...this.groups.values()]
      .filter(g => g.pending.size > 0)
      .sort((a, b) => worstOf(b.pending) - worstOf(a.pending));
    for (const group of groups) {
      // a burn that ended before it was sent is not news
      for (const key of group.pending.keys()) {
        if (!this.options.objectives.isFastBurning(key)) {
          group.pending.delete(key);
        }
      }
      if (group.pending.size === 0) continue;
      if (
        group.intervalStart === undefined ||
        now - group.intervalStart >= this.intervalMs
      ) {
        group.intervalStart = undefined;
        group.sent = 0;
        group.summarised = false;
      }
      for (const key of group.notified.keys()) {
        if (!this.options.objectives.isFastBurning(key)) {
          group.notified.delete(key);
        }
      }
      if (group.summarised) {
        next = Math.min(next, group.intervalStart! + this.intervalMs);
        continue;
      }
      if (sent >= this.maxPerFlush) {
        next = Math.min(next, now + this.batchMs);
        continue;
      }
      group.intervalStart ??= now;
      const starts = [...group.pending.values()];
      group.pending.clear();
      if (
        group.sent + starts.length <= this.perClusterLimit &&
        group.notified.size + starts.length <= this.perClusterLimit
      ) {
        const room = this.maxPerFlush - sent;
        for (const start of starts.slice(0, room)) {
          this.sendOne(start);
          group.notified.set(start.key, start);
          group.sent++;
          sent++;
        }
        for (const start of starts.slice(room)) {
          group.pending.set(start.key, start);
          next = Math.min(next, now + this.batchMs);
        }
      } else {
        for (const start of starts) group.notified.set(start.key, start);
        this.sendSummary(group);
        group.summarised = true;
        group.sent++;
        sent++;
      }
    }
    if (next < Infinity) this.schedule(Math.max(0, next - now));
  }

  private onStart(key: string, result: ClusterObjective) {
    const summary = this.options.summaryOf(key);
    if (!summary?.owner) return;
    const o = result.objective;
    const groupKey = `${summary.owner}\n${o.name}\n${o.target}\n${o.windowDays}`;
    let group = this.groups.get(groupKey);
    if (!group) {
      group = {
        owner: summary.owner,
        objective: o,
        pending: new Map(),
        sent: 0,
        summarised: false,
        notified: new Map(),
      };
      this.groups.set(groupKey, group);
    }
    group.pending.set(key, { key, summary, result });
    this.schedule(this.batchMs);
  }

  private hasPending(): boolean {
    for (const g of this.groups.values()) if (g.pending.size > 0) return true;
    return false;
  }

  private schedule(delayMs: number) {
    if (!this.started) return;
    const due = this.now() + delayMs;
    if (this.timer && this.timerDue <= due) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerDue = Infinity;
      this.flush();
    }, delayMs);
    this.timer.unref?.();
  }

  private sendOne({ key, summary, result }: Start) {
    const { logger, notifications } = this.options;
    notifications
      .send({
        recipients: { type: 'entity', entityRef: summary.owner! },
        payload: {
          title: `Cluster ${
            summary.title || summary.name
          } is burning its error budget fast`,
          description:
            `Availability ${
              result.availability === undefined
                ? 'unknown'
                : percent(result.availability)
            } against an objective of ${objectiveText(
              result.objective,
            )}; ${percent(
              Math.max(0, result.remainingPercent),
            )} of the budget left. ` +
            `Burn rate ${firingRates(result).join('; ')}.`,
          link: this.linkOf(summary),
          severity: 'high',
          topic: 'shipyard.objectives',
          scope: `shipyard:fast-burn:${key}`,
        },
      })
      .then(() =>
        logger.info(
          `Shipyard: notified ${summary.owner} of the fast burn of ${key}`,
        ),
      )
      .catch(error =>
        logger.warn(
          `Shipyard: notifying ${summary.owner} of the fast burn of ${key} failed: ${error}`,
        ),
      );
  }

  /** One notification for the clusters of a team and objective burning fast now. */
  private sendSummary(group: Group) {
    const { logger, notifications, objectives } = this.options;
    const burning = [...group.notified.values()]
      .filter(s => objectives.isFastBurning(s.key))
      .sort(
        (a, b) =>
          severityOf(b.result) - severityOf(a.result) ||
          a.key.localeCompare(b.key),
      );
    const byManagementCluster = new Map<string, number>();
    for (const s of burning) {
      const mc = s.summary.managementCluster;
      byManagementCluster.set(mc, (byManagementCluster.get(mc) ?? 0) + 1);
    }
    const where = [...byManagementCluster.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([mc, n]) => `${n} on ${mc}`)
      .join(', ');
    const worst = burning.slice(0, this.worstListed).map(s => {
      const [rate] = firingRates(s.result);
      return `${s.summary.title || s.summary.name} on ${
        s.summary.managementCluster
      }${rate ? `, ${rate}` : ''}`;
    });
    const more = burning.length - worst.length;
    const o = group.objective;
    const objectiveName = o.name === 'override' ? 'their own' : o.name;
    const scope = `shipyard:fast-burn:${group.owner}:${o.name}:${o.target}/${o.windowDays}d`;
    notifications
      .send({
        recipients: { type: 'entity', entityRef: group.owner },
        payload: {
          title: `${burning.length} clusters are burning their error budget fast`,
          description:
            `${
              burning.length
            } clusters with ${objectiveName} objective (${objectiveText(
              o,
            )}) burn their error budget fast: ${where}. ` +
            `Worst: ${worst.join('; ')}${
              more > 0 ? `; and ${more} more` : ''
            }. Clusters that start burning within ${formatLookback(
              this.intervalMs / 60_000,
            )} are notified after that.`,
          link: this.fleetLinkOf(group.owner),
          severity: 'high',
          topic: 'shipyard.objectives',
          scope,
        },
      })
      .then(() =>
        logger.info(
          `Shipyard: notified ${group.owner} of the fast burn of ${burning.length} clusters (objective ${o.name})`,
        ),
      )
      .catch(error =>
        logger.warn(
          `Shipyard: notifying ${group.owner} of the fast burn of ${burning.length} clusters (objective ${o.name}) failed: ${error}`,
        ),
      );
  }
}

function worstOf(starts: Map<string, Start>): number {
  let worst = 0;
  for (const s of starts.values())
    worst = Math.max(worst, severityOf(s.result));
  return worst;
}
