import {
  LoggerService,
  SchedulerServiceTaskRunner,
} from '@backstage/backend-plugin-api';
import { ManagementClusterStatus } from '@shipyard/plugin-shipyard-common';
import { Backoff } from '@shipyard/plugin-shipyard-node';
import { SerialQueue } from './SerialQueue';

/*
 * What the entity providers' full syncs share: the schedule they run on, one queue with their other work, a watchdog
 * that gives up a sync making no progress, a retry after a failure, and what they keep of their last sync when a
 * management cluster cannot be listed.
 */

/**
 * When a full sync fails (the backend or the catalog's database is busy, as on a cold start with thousands of
 * clusters), it is tried again after `firstDelayMs` (default 2 s), each further time after twice the delay, at most
 * `maxDelayMs` (default 60 s), until one succeeds; not only at the next scheduled sync. A full sync that makes no
 * progress for `stallMs` (default 180 s: no page read, no mutation written) is given up and tried again the same way.
 */
export interface FullSyncRetryOptions {
  firstDelayMs?: number;
  maxDelayMs?: number;
  stallMs?: number;
}

/** What one run of a full sync is given: its abort signal and the call that marks progress. */
export interface FullSyncRun {
  /** Aborts when the run has been given up (no progress within the stall time). */
  signal: AbortSignal;
  /** Marks progress (a page read, a mutation written): the stall time starts again. */
  progress(): void;
  /** Says what the run waits for now (a page, a write), which the error names if the run stalls there. */
  step(what: string): void;
}

/** The reason a full sync was given up: it made no progress for the stall time. */
export class FullSyncStalledError extends Error {
  constructor(stallMs: number, step?: string) {
    super(`no progress for ${stallMs} ms${step ? ` while ${step}` : ''}`);
    this.name = 'FullSyncStalledError';
  }
}

/**
 * A provider's full sync: on its schedule, serialised with the provider's other work, given up when it stalls, retried
 * after a failure.
 */
export class FullSync {
  private queued?: Promise<void>;
  /** The run under way (not one given up). */
  private current?: Promise<void>;
  private retryTimer?: ReturnType<typeof setTimeout>;
  private readonly backoff: Backoff;
  private readonly stallMs: number;
  private lastStarted = 0;
  private lastEnded = 0;

  constructor(
    private readonly options: {
      /** Names the scheduled task, `<providerName>:refresh`. */
      providerName: string;
      queue: SerialQueue;
      /** One full sync; throws when it fails. */
      sync: (run: FullSyncRun) => Promise<void>;
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
    this.stallMs = options.retry?.stallMs ?? 180_000;
  }

  /**
   * Runs the full sync on the provider's schedule, when it has one. A scheduled run joins a full sync under way or
   * waiting in the queue (one asked for by fleet changes): the fleet is not listed twice in a row for it.
   */
  async schedule(taskRunner?: SchedulerServiceTaskRunner): Promise<void> {
    await taskRunner?.run({
      id: `${this.options.providerName}:refresh`,
      fn: () => this.current ?? this.request(),
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
        const run = this.runNow();
        this.current = run;
        return run.finally(() => {
          if (this.current === run) this.current = undefined;
        });
      });
    }
    return this.queued;
  }

  /** Whether a full sync runs, waits in the queue, or waits to be tried again. */
  busy(): boolean {
    return !!this.current || !!this.queued || !!this.retryTimer;
  }

  /**
   * How long a full sync asked for by fleet changes waits before it starts: as long as the last full sync took,
   * counted from its end, so that full syncs take at most half of the time (0 when that time has passed).
   */
  spacingMs(now = Date.now()): number {
    return Math.max(0, 2 * this.lastEnded - this.lastStarted - now);
  }

  /**
   * Runs the full sync at once (from a job of the queue). A run that makes no progress for the stall time is given
   * up (its signal aborts, the queue moves on); after a failure the next try is scheduled.
   */
  private async runNow(): Promise<void> {
    const controller = new AbortController();
    let stallTimer: ReturnType<typeof setTimeout> | undefined;
    let current: string | undefined;
    const step = (what: string) => {
      current = what;
    };
    const progress = () => {
      clearTimeout(stallTimer);
      stallTimer = setTimeout(
        () => controller.abort(new FullSyncStalledError(this.stallMs, current)),
        this.stallMs,
      );
      stallTimer.unref?.();
    };
    const stalled = new Promise<never>((_, reject) =>
      controller.signal.addEventListener(
        'abort',
        () => reject(controller.signal.reason),
        { once: true },
      ),
    );
    this.lastStarted = Date.now();
    progress();
    try {
      await Promise.race([
        this.options.sync({ signal: controller.signal, progress, step }),
        stalled,
      ]);
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
    } finally {
      clearTimeout(stallTimer);
      this.lastEnded = Date.now();
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
