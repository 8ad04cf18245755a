import { LoggerService } from '@backstage/backend-plugin-api';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { StoredClusterSummary } from '../index/FleetIndex';
import { ClusterObjective, ObjectiveTracker } from './ObjectiveTracker';

/** Options of {@link notifyFastBurns}. */
export interface FastBurnNotifierOptions {
  objectives: ObjectiveTracker;
  notifications: NotificationService;
  logger: LoggerService;
  /** The summary of a cluster (its owner and title). */
  summaryOf(key: string): StoredClusterSummary | undefined;
  /** Path of a cluster's page in the portal. */
  linkOf?(summary: StoredClusterSummary): string;
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

/**
 * Sends the owning team a notification when a cluster's fast-burn condition starts: once per burn (the tracker
 * reports a start once until the burn stops). The notification's scope is the cluster, so that replicas that see the
 * same start update one notification rather than adding another. Returns an unsubscribe function.
 */
export function notifyFastBurns(options: FastBurnNotifierOptions): () => void {
  const { objectives, notifications, logger } = options;
  const linkOf =
    options.linkOf ??
    ((s: StoredClusterSummary) =>
      `/shipyard/clusters/${encodeURIComponent(
        s.managementCluster,
      )}/${encodeURIComponent(s.namespace)}/${encodeURIComponent(s.name)}`);
  return objectives.onFastBurn((key: string, result: ClusterObjective) => {
    const summary = options.summaryOf(key);
    if (!summary?.owner) return;
    const firing = result.alerts.filter(a => a.firing && a.severity === 'page');
    const rates = firing
      .map(
        a =>
          `${Number(a.longBurnRate.toFixed(1))}× over ${formatLookback(
            a.longWindowMinutes,
          )} (threshold ${Number(a.threshold.toFixed(2))}×)`,
      )
      .join('; ');
    notifications
      .send({
        recipients: { type: 'entity', entityRef: summary.owner },
        payload: {
          title: `Cluster ${
            summary.title || summary.name
          } is burning its error budget fast`,
          description:
            `Availability ${
              result.availability === undefined
                ? 'unknown'
                : percent(result.availability)
            } against an objective of ${percent(
              result.objective.target,
            )} over ${result.objective.windowDays} day${
              result.objective.windowDays === 1 ? '' : 's'
            }; ${percent(
              Math.max(0, result.remainingPercent),
            )} of the budget left. ` + `Burn rate ${rates}.`,
          link: linkOf(summary),
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
  });
}
