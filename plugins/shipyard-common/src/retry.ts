/*
 * How Shipyard waits before trying again, in the backend plugins and in the browser alike: the reconciler's list and
 * watch streams, the inventory consumer, the catalog module's full syncs and reads, the scaffolder's wait, the
 * permission decision of cluster reads, and the frontend client's reads. Own code: a doubling delay, an abortable
 * sleep and an abortable wait are a few lines (of the retry packages at hand, p-retry 6 is an ES module only and async-retry has no abortable
 * wait); the streams and the scaffolder's wait own their loops, a request asked again a few times uses
 * `retryTransient`. Which failures are worth another try is `isTransientError`. No Node imports: the frontend
 * bundles this file.
 */
import { isTransientError } from './transientError';

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

/** Resolves after `ms`, or at once when the signal aborts (or has aborted). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined = undefined;
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

/**
 * `work`, or the signal's reason as soon as the signal aborts (or has aborted); what `work` does after the abort is
 * ignored. For waits that do not end with their signal by themselves: a read taken over from one begun earlier, or a
 * request whose answer's body Node's `fetch` can leave pending after the request's signal aborted
 * (nodejs/undici#4232).
 */
export function unlessAborted<T>(
  work: Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Options of {@link retryTransient}. */
export interface RetryTransientOptions {
  /**
   * Tries in all, the first included (at least 1). Default: one more than the waits of `delaysMs`, and 1 without
   * them.
   */
  attempts?: number;
  /**
   * The waits (ms) before the second, third, … try, in order (past its end, its last wait again), instead of the
   * doubling wait of `firstDelayMs`.
   */
  delaysMs?: readonly number[];
  /** Without `delaysMs`: the wait before the second try, doubling with each try after it (default 0: at once). */
  firstDelayMs?: number;
  /** Without `delaysMs`: the longest wait (default `firstDelayMs`). */
  maxDelayMs?: number;
  /** Without `delaysMs`: spread the waits (see {@link BackoffOptions.jitter}; default false). */
  jitter?: boolean;
  /** A 401 answer is worth another try too (see `isTransientError`). */
  unauthorized?: boolean;
  /**
   * Gives the call up: before each try, after a failed try and during each wait. It then rejects with the signal's
   * reason (an `AbortError` unless the signal was aborted with another), whatever the last try failed with.
   */
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
 * failed `attempts` times; the last error is thrown. Between tries it waits as `delaysMs`, or a {@link Backoff}, says.
 */
export async function retryTransient<T>(
  call: (attempt: number) => Promise<T>,
  options: RetryTransientOptions,
): Promise<T> {
  const { signal, delaysMs } = options;
  const attempts = Math.max(
    1,
    options.attempts ?? (delaysMs ? delaysMs.length + 1 : 1),
  );
  const firstDelayMs = options.firstDelayMs ?? 0;
  const backoff = new Backoff(
    firstDelayMs,
    options.maxDelayMs ?? firstDelayMs,
    { jitter: options.jitter ?? false },
  );
  const wait = (attempt: number) =>
    delaysMs?.length
      ? delaysMs[Math.min(attempt, delaysMs.length) - 1]
      : backoff.next();
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
      const delayMs = wait(attempt);
      options.onRetry?.({ attempt, attempts, delayMs, error });
      if (delayMs > 0) await sleep(delayMs, signal);
    }
  }
}
