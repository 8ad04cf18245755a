import { ResponseError } from '@backstage/errors';
import { retryTransient } from './backoff';

async function responseError(status: number): Promise<ResponseError> {
  return ResponseError.fromResponse(
    new Response(JSON.stringify({ error: { name: 'Error', message: 'x' } }), {
      status,
      headers: { 'content-type': 'application/json' },
    }),
  );
}

describe('retryTransient', () => {
  const reset = () =>
    Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });

  /** A call that fails with `failures` in turn, then answers `done`; what it was called with. */
  function flaky(failures: unknown[]) {
    const calls: number[] = [];
    const call = async (attempt: number) => {
      calls.push(attempt);
      const failure = failures[calls.length - 1];
      if (failure) throw failure;
      return 'done';
    };
    return { call, calls };
  }

  it('tries again after transient failures, waiting a doubling delay up to the longest, and answers', async () => {
    const { call, calls } = flaky([reset(), reset(), reset()]);
    const retries: Array<{ attempt: number; delayMs: number }> = [];
    const started = performance.now();
    await expect(
      retryTransient(call, {
        attempts: 4,
        firstDelayMs: 20,
        maxDelayMs: 30,
        onRetry: ({ attempt, delayMs, attempts, error }) => {
          expect(attempts).toBe(4);
          expect(error).toMatchObject({ code: 'ECONNRESET' });
          retries.push({ attempt, delayMs });
        },
      }),
    ).resolves.toBe('done');
    expect(calls).toEqual([1, 2, 3, 4]);
    expect(retries).toEqual([
      { attempt: 1, delayMs: 20 },
      { attempt: 2, delayMs: 30 },
      { attempt: 3, delayMs: 30 },
    ]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
  });

  it('throws the last error once the tries are used up, and asks again at once without a delay', async () => {
    const last = reset();
    const { call, calls } = flaky([reset(), last]);
    const retries: number[] = [];
    await expect(
      retryTransient(call, {
        attempts: 2,
        onRetry: ({ delayMs }) => retries.push(delayMs),
      }),
    ).rejects.toBe(last);
    expect(calls).toEqual([1, 2]);
    expect(retries).toEqual([0]);
  });

  it('does not try again after an error that is not transient, nor after a 401 unless told to', async () => {
    const boom = new Error('boom');
    const once = flaky([boom]);
    await expect(retryTransient(once.call, { attempts: 5 })).rejects.toBe(boom);
    expect(once.calls).toEqual([1]);

    const refused = await responseError(401);
    const plain = flaky([refused]);
    await expect(retryTransient(plain.call, { attempts: 3 })).rejects.toBe(
      refused,
    );
    expect(plain.calls).toEqual([1]);
    const told = flaky([refused]);
    await expect(
      retryTransient(told.call, { attempts: 3, unauthorized: true }),
    ).resolves.toBe('done');
    expect(told.calls).toEqual([1, 2]);
  });

  it('gives up when its signal aborts: during a wait at once, and before a try', async () => {
    const { call, calls } = flaky([reset(), reset()]);
    const controller = new AbortController();
    const started = performance.now();
    const retried = retryTransient(call, {
      attempts: 5,
      firstDelayMs: 60_000,
      signal: controller.signal,
      // aborted 20 ms into a wait of a minute
      onRetry: () => {
        setTimeout(() => controller.abort(new Error('stopped')), 20);
      },
    });
    await expect(retried).rejects.toThrow('stopped');
    expect(calls).toEqual([1]);
    expect(performance.now() - started).toBeLessThan(10_000);

    const before = flaky([]);
    await expect(
      retryTransient(before.call, { attempts: 3, signal: controller.signal }),
    ).rejects.toThrow('stopped');
    expect(before.calls).toEqual([]);
  });
});
