/**
 * The work queue the reconcilers share: one entry per object (`<type id>|<namespace>/<name>`) with the time it is
 * due. Reconciles run in time slices: after SLICE_MS of them the queue rests for as long as the slice ran (at most
 * REST_MAX_MS), so that API serving keeps at least half of the thread while the controllers catch up.
 */
import { ApiError } from '../api/errors';

/** Reconciles one object; throws to be retried (an ApiError 404 means the object is gone and is not retried). */
export type Reconcile = (namespace: string, name: string) => void;

/** Longest run of reconciles before the queue yields to the event loop. */
const SLICE_MS = 10;
/** Upper bound of the pause after a full slice. */
const REST_MAX_MS = 40;

export class WorkQueue {
  private readonly due = new Map<string, number>();
  private readonly reconcilers = new Map<string, Reconcile>();
  private timer?: NodeJS.Timeout;
  private timerDue = Infinity;
  /** The queue does not drain before this time (it yields after a full slice). */
  private restUntil = 0;
  private paused = false;
  private stopped = false;
  private draining = false;
  private idleWaiters: Array<() => void> = [];
  /** Reconciles run so far. */
  reconciles = 0;

  /** `retryMs`: how long a failed reconcile waits before it runs again. */
  constructor(private readonly retryMs: number) {}

  /** The reconciler of one resource type; objects of types without one are never queued. */
  register(typeId: string, reconcile: Reconcile): void {
    this.reconcilers.set(typeId, reconcile);
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Objects queued, due or not. */
  get size(): number {
    return this.due.size;
  }

  /** Queues the object `key` (`namespace/name`) of `typeId` to be reconciled in `delayMs` (or earlier if it was). */
  add(typeId: string, key: string, delayMs: number): void {
    if (this.stopped || !this.reconcilers.has(typeId)) return;
    const qk = `${typeId}|${key}`;
    const due = Date.now() + delayMs;
    const existing = this.due.get(qk);
    if (existing !== undefined && existing <= due) return;
    this.due.set(qk, due);
    this.schedule(delayMs);
  }

  pause(): void {
    this.paused = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = Infinity;
  }

  resume(): void {
    this.paused = false;
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    this.pause();
    this.idleWaiters.forEach(w => w());
    this.idleWaiters = [];
  }

  /** Resolves when nothing is queued. */
  whenIdle(): Promise<void> {
    if (this.due.size === 0) return Promise.resolve();
    return new Promise(resolve => this.idleWaiters.push(resolve));
  }

  private schedule(delayMs: number): void {
    if (this.paused || this.stopped) return;
    const now = Date.now();
    const due = Math.max(now + delayMs, this.restUntil);
    if (this.timer && this.timerDue <= due) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerDue = Infinity;
      this.drain();
    }, Math.max(0, due - now));
  }

  private drain(): void {
    if (this.paused || this.stopped || this.draining) return;
    this.draining = true;
    const started = Date.now();
    try {
      let next = Infinity;
      let processed = 0;
      let restUntil = 0;
      // Map iteration visits entries added meanwhile; the time budget below ends the slice
      for (const [qk, due] of this.due) {
        const now = Date.now();
        if (due > now) {
          next = Math.min(next, due);
          continue;
        }
        if (now - started > SLICE_MS && processed > 0) {
          // rest as long as the slice ran, so that API serving keeps at least half of the thread
          restUntil =
            now + Math.min(REST_MAX_MS, Math.max(SLICE_MS, now - started));
          break;
        }
        if (this.due.get(qk) !== due) continue;
        this.due.delete(qk);
        const bar = qk.indexOf('|');
        const typeId = qk.slice(0, bar);
        const key = qk.slice(bar + 1);
        const slash = key.indexOf('/');
        const ns = key.slice(0, slash);
        const name = key.slice(slash + 1);
        processed++;
        this.reconciles++;
        try {
          this.reconcilers.get(typeId)?.(ns, name);
        } catch (e) {
          if (e instanceof ApiError) {
            if (e.code !== 404) this.due.set(qk, Date.now() + this.retryMs);
          } else {
            this.due.set(qk, Date.now() + this.retryMs);
            process.emitWarning(
              `fleet-sim controller: ${
                e instanceof Error ? e.stack : String(e)
              }`,
            );
          }
        }
      }
      this.restUntil = restUntil;
      if (restUntil) next = restUntil;
      else for (const due of this.due.values()) next = Math.min(next, due);
      if (next !== Infinity) this.schedule(Math.max(0, next - Date.now()));
      if (this.due.size === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        waiters.forEach(w => w());
      }
    } finally {
      this.draining = false;
    }
  }
}
