import * as common from '@shipyard/plugin-shipyard-common';
import { Backoff, isTransientError, retryTransient, sleep } from './backoff';

describe('the retry of -node', () => {
  it("is -common's, for the modules that import it from here", () => {
    expect(retryTransient).toBe(common.retryTransient);
    expect(Backoff).toBe(common.Backoff);
    expect(sleep).toBe(common.sleep);
    expect(isTransientError).toBe(common.isTransientError);
  });

  it("rejects with the signal's reason when its caller gives up during a wait", async () => {
    const controller = new AbortController();
    const calls: number[] = [];
    const retried = retryTransient(
      async attempt => {
        calls.push(attempt);
        throw Object.assign(new Error('read ECONNRESET'), {
          code: 'ECONNRESET',
        });
      },
      {
        attempts: 3,
        firstDelayMs: 60_000,
        signal: controller.signal,
        onRetry: () => setTimeout(() => controller.abort(), 10),
      },
    );
    await expect(retried).rejects.toMatchObject({ name: 'AbortError' });
    expect(calls).toEqual([1]);
  });
});
