import { eventually, eventuallyWithin } from './eventually';

describe('eventually', () => {
  it('retries while the check throws and returns its value', async () => {
    let n = 0;
    const value = await eventually(
      () => {
        n++;
        if (n < 3) throw new Error('not yet');
        return n;
      },
      { intervalMs: 1 },
    );
    expect(value).toBe(3);
  });

  it('retries while the check returns false', async () => {
    let n = 0;
    await expect(eventually(() => ++n >= 3, { intervalMs: 1 })).resolves.toBe(
      true,
    );
    expect(n).toBe(3);
  });

  it('accepts undefined from a check that only asserts', async () => {
    await expect(eventually(() => undefined)).resolves.toBeUndefined();
  });

  it('waits until the value is accepted', async () => {
    let n = 0;
    const value = await eventually(async () => ++n, {
      until: v => v === 4,
      intervalMs: 1,
    });
    expect(value).toBe(4);
  });

  it('rethrows the last error after the timeout', async () => {
    await expect(
      eventually(
        () => {
          throw new Error('still failing');
        },
        { timeoutMs: 30, intervalMs: 5 },
      ),
    ).rejects.toThrow('still failing');
  });

  it('names the last value after the timeout', async () => {
    await expect(
      eventually(() => ({ phase: 'Pending' }), {
        until: v => v.phase === 'Running',
        timeoutMs: 30,
        intervalMs: 5,
      }),
    ).rejects.toThrow('last value: {"phase":"Pending"}');
    await expect(eventually(() => false, 20)).rejects.toThrow(
      'condition not met within 20 ms',
    );
  });

  it('eventuallyWithin binds other defaults', async () => {
    const quick = eventuallyWithin({ timeoutMs: 20, intervalMs: 5 });
    const started = Date.now();
    await expect(quick(() => false)).rejects.toThrow('within 20 ms');
    expect(Date.now() - started).toBeLessThan(2000);
    await expect(quick(() => false, 40)).rejects.toThrow('within 40 ms');
  });
});
