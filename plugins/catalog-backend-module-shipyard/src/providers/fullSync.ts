import {
  LoggerService,
  SchedulerServiceTaskRunner,
} from '@backstage/backend-plugin-api';
import { ManagementClusterStatus } from '@shipyard/plugin-shipyard-common';
import { Backoff } from '@shipyard/plugin-shipyard-node';
import { SerialQueue } from './SerialQueue';

/*
 * What the entity providers' full syncs share: the schedule they run on, one queue with their other work, a retry
 * after a failure, and what they keep of their last sync when a management cluster cannot be listed.
 */

/**
 * When a full sync fails (the backend or the catalog's database is busy, as on a cold start with thousands of
 * clusters), it is tried again after `firstDelayMs` (default 2 s), each further time after twice the delay, at most
 * `maxDelayMs` (default 60 s), until one succeeds; not only at the next scheduled sync.
 */
export interface FullSyncRetryOptions {
  firstDelayMs?: number;
  maxDelayMs?: number;
}

/** A provider's full sync: on its schedule, serialised with the provider's other work, retried after a failure. */
export class FullSync {
  private queued?: Promise<void>;
  private retryTimer?: ReturnType<typeof setTimeout>;
  private readonly backoff: Backoff;

  constructor(
    private readonly options: {
      /** Names the scheduled task, `<providerName>:refresh`. */
      providerName: string;
      queue: SerialQueue;
      /** One full sync; throws when it fails. */
      sync: () => Promise<void>;
      /** What the warning of a failure calls the sync. */
      title: string;
      logger: LoggerService;
      retry?: FullSyncRetryOptions;
    },
  ) {
    this.backoff = new Backoff(
      options.retry?.firstDelayMs ?? 2_000,
      options.retry?.maxDelayMs ?? 60_000,
      { jitter: false },
    );
  }

  /** Runs the full sync on the provider's schedule, when it has one. */
  async schedule(taskRunner?: SchedulerServiceTaskRunner): Promise<void> {
    await taskRunner?.run({
      id: `${this.options.providerName}:refresh`,
      fn: () => this.request(),
    });
  }

  /**
   * Queues a full sync. A request made while another full sync waits in the queue joins that one: a burst of
   * requests costs one listing.
   */
  request(): Promise<void> {
    if (!this.queued) {
      this.queued = this.options.queue.run(() => {
        this.queued = undefined;
        return this.runNow();
      });
    }
    return this.queued;
  }

  /** Runs the full sync at once (from a job of the queue); after a failure the next try is scheduled. */
  async runNow(): Promise<void> {
    try {
      await this.options.sync();
    } catch (error) {
      const delay = this.backoff.next();
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        // a failure logs and schedules the next try itself
        this.request().catch(() => undefined);
      }, delay);
      this.retryTimer.unref?.();
      this.options.logger.warn(
        `${this.options.title} failed, the catalog keeps its current entities; trying again in ${delay} ms: ${error}`,
      );
      throw error;
    }
    this.backoff.reset();
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }
}

/**
 * Keeps in `next` the records of the last sync that the listing missed because their management cluster is known
 * and not connected (unreachable, not deleted), unless `keep` says otherwise. Answers how many it kept.
 */
export function carryOver<R>(
  previous: Map<string, R>,
  next: Map<string, R>,
  statuses: ManagementClusterStatus[],
  managementClusterOf: (record: R) => string,
  keep: (record: R) => boolean = () => true,
): number {
  const states = new Map(statuses.map(s => [s.name, s.state]));
  let carried = 0;
  for (const [key, record] of previous) {
    if (next.has(key)) continue;
    const state = states.get(managementClusterOf(record));
    if (state !== undefined && state !== 'connected' && keep(record)) {
      next.set(key, record);
      carried++;
    }
  }
  return carried;
}
