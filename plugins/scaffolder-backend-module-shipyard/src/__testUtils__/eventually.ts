/** Calls `fn` every 100 ms until it stops throwing and returns its value; after `timeoutMs` rethrows its last error. */
export async function eventually<T>(
  fn: () => Promise<T>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise(r => setTimeout(r, 100));
    }
  }
}
