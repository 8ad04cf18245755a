/** How long and how often {@link eventually} tries, and which value it accepts. */
export interface EventuallyOptions<T> {
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
  /** Wait this long between tries (default 50 ms). */
  intervalMs?: number;
  /** Accept a value only when this says so (default: every value but `false`). */
  until?: (value: T) => boolean;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_INTERVAL_MS = 50;

function describe(value: unknown): string {
  try {
    return (JSON.stringify(value) ?? String(value)).slice(0, 2000);
  } catch {
    return String(value);
  }
}

/**
 * Calls `check` until it neither throws nor returns `false` (nor a value that `until` refuses) and returns that value.
 * After the timeout it rethrows the last error (so that a failed `expect` reads as itself), or fails with the last value.
 * A number as second argument is the timeout in milliseconds.
 */
export async function eventually<T>(
  check: () => T | Promise<T>,
  options: EventuallyOptions<T> | number = {},
): Promise<T> {
  const {
    timeoutMs = DEFAULT_TIMEOUT_MS,
    intervalMs = DEFAULT_INTERVAL_MS,
    until,
  } = typeof options === 'number' ? { timeoutMs: options } : options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let failure: { error: unknown } | { value: T };
    try {
      const value = await check();
      if (value !== false && (!until || until(value))) return value;
      failure = { value };
    } catch (error) {
      failure = { error };
    }
    if (Date.now() > deadline) {
      if ('error' in failure) throw failure.error;
      throw new Error(
        `condition not met within ${timeoutMs} ms; last value: ${describe(
          failure.value,
        )}`,
      );
    }
    await new Promise(resolve => setTimeout(resolve, intervalMs));
  }
}

/** {@link eventually} with other defaults, for a suite whose waits are all alike. */
export function eventuallyWithin(defaults: EventuallyOptions<unknown>) {
  return <T>(
    check: () => T | Promise<T>,
    options: EventuallyOptions<T> | number = {},
  ): Promise<T> =>
    eventually(check, {
      ...(defaults as EventuallyOptions<T>),
      ...(typeof options === 'number' ? { timeoutMs: options } : options),
    });
}
