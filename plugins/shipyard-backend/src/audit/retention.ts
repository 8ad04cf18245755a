import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { AuditStore } from '../stores/AuditStore';

/** Options of {@link scheduleAuditRetention}. */
export interface AuditRetentionOptions {
  scheduler: SchedulerService;
  store: AuditStore;
  logger: LoggerService;
  /** Records older than this many days are deleted. */
  retentionDays: number;
  /** How often the cleanup runs (ms, default six hours). */
  frequencyMs?: number;
}

/** Deletes audit records older than the retention; returns how many. */
export async function applyAuditRetention(
  options: Pick<AuditRetentionOptions, 'store' | 'logger' | 'retentionDays'>,
  now = Date.now(),
): Promise<number> {
  const cutoff = new Date(now - options.retentionDays * 86_400_000);
  const deleted = await options.store.deleteOlderThan(cutoff);
  if (deleted > 0) {
    options.logger.info(
      `Shipyard: deleted ${deleted} audit records older than ${options.retentionDays} days`,
    );
  }
  return deleted;
}

/** Schedules the audit cleanup as a `global` task: one replica at a time, on a fixed cadence. */
export async function scheduleAuditRetention(
  options: AuditRetentionOptions,
): Promise<void> {
  const frequencyMs = options.frequencyMs ?? 6 * 3_600_000;
  await options.scheduler.scheduleTask({
    id: 'shipyard:audit:retention',
    scope: 'global',
    frequency: { milliseconds: frequencyMs },
    timeout: { minutes: 10 },
    initialDelay: { minutes: 1 },
    fn: async () => {
      await applyAuditRetention(options);
    },
  });
}
