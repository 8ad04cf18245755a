/*
 * How Shipyard's backend plugins wait before trying again: the reconciler's list and watch streams, the inventory
 * consumer, the catalog module's full syncs and reads, the scaffolder's wait, the permission decision of cluster
 * reads. Own code: a doubling delay and an abortable sleep are a few lines (of the retry packages at hand, p-retry 6
 * is an ES module only and async-retry has no abortable wait); the streams and the scaffolder's wait own their loops,
 * a request asked again a few times uses `retryTransient`. Which failures are worth another try is
 * `isTransientError` of -common, the frontend's notion too.
 */
import { isTransientError } from '@shipyard/plugin-shipyard-common';

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
export { isTransientError };

/** Options of {@link retryTransient}. */
export interface RetryTransientOptions {
  /** Tries in all, the first included (at least 1). */
  attempts: number;
  /** The wait before the second try, doubling with each try after it (default 0: try again at once). */
  firstDelayMs?: number;
  /** The longest wait (default `firstDelayMs`). */
  maxDelayMs?: number;
  /** Spread the waits (see {@link BackoffOptions.jitter}; default false). */
  jitter?: boolean;
  /** A 401 answer is worth another try too (see `isTransientError`). */
  unauthorized?: boolean;
  /** Gives the call up: before each try and during each wait (it rejects with the signal's reason). */
  signal?: AbortSignal;
  /** Called before each wait, with the try that failed (from 1), the wait and the error. */
  onRetry?(retry: {
    attempt: number;
    attempts: number;
    delayMs: number;
    error: unknown;
  }): void;
}

/**
 * Calls `call` until it succeeds, fails with an error that is not transient (`isTransientError`), or has
 * failed `attempts` times; the last error is thrown. Between tries it waits as a {@link Backoff} says.
 */
export async function retryTransient<T>(
  call: (attempt: number) => Promise<T>,
  options: RetryTransientOptions,
): Promise<T> {
  const { signal } = options;
  const attempts = Math.max(1, options.attempts);
  const firstDelayMs = options.firstDelayMs ?? 0;
  const backoff = new Backoff(
    firstDelayMs,
    options.maxDelayMs ?? firstDelayMs,
    { jitter: options.jitter ?? false },
  );
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    try {
      return await call(attempt);
    } catch (error) {
      signal?.throwIfAborted();
      if (
        attempt >= attempts ||
        !isTransientError(error, { unauthorized: options.unauthorized })
      ) {
        throw error;
      }
      const delayMs = backoff.next();
      options.onRetry?.({ attempt, attempts, delayMs, error });
      if (delayMs > 0) await sleep(delayMs, signal);
    }
  }
}
