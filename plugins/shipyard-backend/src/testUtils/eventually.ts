/**
 * A retry helper with its own bounds: it calls `check` until it stops throwing and returns its value, or rethrows
 * the last error after `timeoutMs`, trying every `intervalMs`.
 */
export function eventuallyWithin(timeoutMs: number, intervalMs: number) {
  return async function eventually<T>(
    check: () => T | Promise<T>,
    timeout = timeoutMs,
  ): Promise<T> {
    const deadline = Date.now() + timeout;
    for (;;) {
      try {
        return await check();
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise(r => setTimeout(r, intervalMs));
      }
    }
  };
}

/** Retries `check` until it stops throwing (or rethrows its last error after `timeoutMs`, default 20 s). */
export const eventually = eventuallyWithin(20_000, 50);
