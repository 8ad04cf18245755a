/*
 * How Shipyard's backend plugins wait before trying again: the reconciler's list and watch streams, the inventory
 * consumer, the catalog module's full syncs and reads, the scaffolder's wait. Own code: a doubling delay, an abortable
 * sleep and which failures are worth another try are a few lines, and each caller owns its loop.
 */
import { ResponseError } from '@backstage/errors';

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

/**
 * Whether a failed request to another backend is worth asking again: a 5xx or 429 answer, a timeout, a refused or
 * reset connection (a restart, an overloaded process, the network). With `unauthorized`, a 401 as well: a service
 * token is refused when the receiving backend, too busy, could not fetch the keys that check it in time.
 */
export function isTransientError(
  error: unknown,
  options: { unauthorized?: boolean } = {},
): boolean {
  if (error instanceof ResponseError) {
    const status = error.statusCode;
    return (
      status >= 500 ||
      status === 429 ||
      status === 408 ||
      (!!options.unauthorized && status === 401)
    );
  }
  const e = error as {
    name?: string;
    message?: string;
    code?: string;
    cause?: { code?: string };
  };
  // undici names the code on the cause, node-fetch on the error itself
  const code = e?.cause?.code ?? e?.code ?? '';
  return (
    (e?.name === 'TypeError' && /fetch failed/i.test(String(e.message))) ||
    e?.name === 'AbortError' ||
    e?.name === 'TimeoutError' ||
    /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|UND_ERR_\w+)$/.test(code)
  );
}
