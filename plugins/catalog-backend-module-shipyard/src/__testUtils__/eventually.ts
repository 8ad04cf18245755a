/**
 * Calls `fn` until `accept` takes its value (every 100 ms) and returns that value; after `timeoutMs` fails with the
 * last value in the message.
 */
export async function eventually<T>(
  fn: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await fn();
  while (!accept(last)) {
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out; last value: ${JSON.stringify(last)?.slice(0, 2000)}`,
      );
    }
    await new Promise(r => setTimeout(r, 100));
    last = await fn();
  }
  return last;
}
