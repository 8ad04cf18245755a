/**
 * The time of a saturated API server, shared evenly among the requests in flight (processor sharing): a request that
 * needs `ms` of it alone takes `n × ms` while `n` requests are in flight, and `n` requests that arrive together are
 * answered together. The simulator's own work is far too quick to saturate it, so this is the model of a busy API
 * server (the `saturated` fault).
 */
import type { EventEmitter } from 'node:events';

interface Job {
  /** Milliseconds of the server's time it still needs. */
  remaining: number;
  done(): void;
}

/** Below this many milliseconds left a request has had its share (timers are not exact). */
const EPSILON_MS = 0.5;

/** The shared time of one simulated API server. */
export class SharedTime {
  private readonly jobs = new Set<Job>();
  private last = performance.now();
  private timer?: NodeJS.Timeout;

  /**
   * Resolves once the request had `ms` of the server's time, or at once when `gone` (its response) closes first: the
   * client went away, and its request stops taking a share.
   */
  serve(ms: number, gone: EventEmitter): Promise<void> {
    return new Promise(resolve => {
      const job: Job = { remaining: ms, done: resolve };
      const onGone = () => {
        this.advance();
        this.jobs.delete(job);
        this.schedule();
        resolve();
      };
      job.done = () => {
        gone.off('close', onGone);
        resolve();
      };
      gone.once('close', onGone);
      this.advance();
      this.jobs.add(job);
      this.schedule();
    });
  }

  /** Hands the time passed since the last change to the requests in flight, and answers those that had enough. */
  private advance(): void {
    const now = performance.now();
    const share = this.jobs.size ? (now - this.last) / this.jobs.size : 0;
    this.last = now;
    for (const job of [...this.jobs]) {
      job.remaining -= share;
      if (job.remaining < EPSILON_MS) {
        this.jobs.delete(job);
        job.done();
      }
    }
  }

  /** Wakes up when the request with the least left has had it. */
  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.jobs.size === 0) return;
    let least = Infinity;
    for (const job of this.jobs) least = Math.min(least, job.remaining);
    this.timer = setTimeout(() => {
      this.advance();
      this.schedule();
    }, Math.ceil(least * this.jobs.size));
    this.timer.unref?.();
  }
}
