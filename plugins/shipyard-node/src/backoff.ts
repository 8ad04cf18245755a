/*
 * How Shipyard's backend plugins wait before trying again: the reconciler's list and watch streams, the inventory
 * consumer, the catalog module's full syncs and reads, the scaffolder's wait. Own code: a doubling delay and an
 * abortable sleep are a few lines, and each caller owns its loop. Which failures are worth another try is
 * `isTransientError` of -common, the frontend's notion too.
 */

/** Options of {@link Backoff}. */
export interface BackoffOptions {
  /**
   * Spread each delay uniformly over [d/2, d], where d is the doubling delay (default true), so that many clients
   * that failed together do not try again together. Without it every delay is d.
   */
  jitter?: boolean;
  /** The source of randomness of the jitter (default `Math.random`). */
  random?: () => number;
}

/** Exponential backoff: a delay that doubles from `initialDelayMs` with every failure in a row, at most `maxDelayMs`. */
export class Backoff {
  private attempt = 0;
  private readonly jitter: boolean;
  private readonly random: () => number;

  constructor(
    private readonly initialDelayMs: number,
    private readonly maxDelayMs: number,
    options: BackoffOptions = {},
  ) {
    this.jitter = options.jitter ?? true;
    this.random = options.random ?? Math.random;
  }

  /** The delay before the next try; each call counts one more failure. */
  next(): number {
    const ceiling = Math.min(
      this.maxDelayMs,
      this.initialDelayMs * 2 ** Math.min(this.attempt, 30),
    );
    this.attempt++;
    if (!this.jitter) return ceiling;
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  /** After a success: the next failure waits `initialDelayMs` again. */
  reset(): void {
    this.attempt = 0;
  }
}

/** Resolves after `ms`, or at once when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    let timer: NodeJS.Timeout | undefined = undefined;
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Which failures are worth another try: one notion with the frontend's, in -common. */
export { isTransientError } from '@shipyard/plugin-shipyard-common';
