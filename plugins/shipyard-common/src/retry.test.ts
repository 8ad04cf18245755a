import { responseError } from './__testUtils__/responseError';
import { Backoff, retryTransient, sleep } from './retry';

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

  it('waits the given delays in order, tries one more time than there are delays, and throws the last error', async () => {
    const last = reset();
    const { call, calls } = flaky([reset(), reset(), last]);
    const retries: Array<{
      attempt: number;
      attempts: number;
      delayMs: number;
    }> = [];
    await expect(
      retryTransient(call, {
        delaysMs: [10, 30],
        onRetry: ({ attempt, attempts, delayMs }) =>
          retries.push({ attempt, attempts, delayMs }),
      }),
    ).rejects.toBe(last);
    expect(calls).toEqual([1, 2, 3]);
    expect(retries).toEqual([
      { attempt: 1, attempts: 3, delayMs: 10 },
      { attempt: 2, attempts: 3, delayMs: 30 },
    ]);

    // more tries than delays: the last delay again
    const longer = flaky([reset(), reset(), reset()]);
    const waits: number[] = [];
    await expect(
      retryTransient(longer.call, {
        attempts: 4,
        delaysMs: [1, 2],
        onRetry: ({ delayMs }) => waits.push(delayMs),
      }),
    ).resolves.toBe('done');
    expect(waits).toEqual([1, 2, 2]);
  });

  it("rejects with the signal's reason when a try fails because its caller gave up, not with the try's error", async () => {
    const controller = new AbortController();
    const calls: number[] = [];
    const retried = retryTransient(
      async attempt => {
        calls.push(attempt);
        controller.abort();
        // what a fetch given up on the way may answer: a failed connection
        throw new TypeError('Failed to fetch');
      },
      { delaysMs: [5, 5], signal: controller.signal },
    );
    await expect(retried).rejects.toMatchObject({ name: 'AbortError' });
    expect(calls).toEqual([1]);
  });
});

describe('Backoff', () => {
  it('doubles from the first delay up to the longest, spreads it with jitter, and starts over after a reset', () => {
    const plain = new Backoff(100, 500, { jitter: false });
    expect([plain.next(), plain.next(), plain.next(), plain.next()]).toEqual([
      100, 200, 400, 500,
    ]);
    plain.reset();
    expect(plain.next()).toBe(100);

    const low = new Backoff(100, 500, { random: () => 0 });
    const high = new Backoff(100, 500, { random: () => 1 });
    expect([low.next(), low.next()]).toEqual([50, 100]);
    expect([high.next(), high.next()]).toEqual([100, 200]);
  });
});

describe('sleep', () => {
  it('resolves after its time, at once when its signal aborts, and at once when it had aborted', async () => {
    let started = performance.now();
    await sleep(20);
    expect(performance.now() - started).toBeGreaterThanOrEqual(15);

    const controller = new AbortController();
    started = performance.now();
    const waiting = sleep(60_000, controller.signal);
    setTimeout(() => controller.abort(), 10);
    await waiting;
    await sleep(60_000, controller.signal);
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
