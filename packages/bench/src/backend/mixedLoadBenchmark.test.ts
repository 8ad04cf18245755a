import { runBin } from '../__testUtils__/runBin';
import type { MixedLoadRow } from './mixedLoadBenchmark';

// The benchmark starts a backend, a simulator process and worker threads: it runs as the real command.
// the time is for the busiest machine (254 s for the file's two runs with the load average at 13–16), not a bound
jest.setTimeout(300_000);

describe('shipyard-mixed-bench', () => {
  it('answers every paced query and shows the fleet changes while probes with faults run', async () => {
    const { code, output } = await runBin('shipyard-mixed-bench', [
      '40',
      '--seconds',
      '4',
      '--rate',
      '100',
      '--events-per-second',
      '50',
      '--probe-interval-seconds',
      '2',
      '--no-catalog',
      // a busy test machine (the whole suite beside it) can take longer than the bench's 1.5 s to show a change
      '--settle-seconds',
      '8',
    ]);
    expect({ code, output: code === 0 ? '' : output }).toEqual({
      code: 0,
      output: '',
    });
    const row: MixedLoadRow = JSON.parse(output.trim().split('\n').pop()!);
    expect(row.clusters).toBe(40);
    // 5 % unreachable and 5 % slow
    expect(row.faults).toEqual({ unreachable: 2, slow: 2, slowMs: 1000 });
    // every scheduled query answered, or (on a starved machine) not sent by the end of the window and a half
    expect(row.httpRequests + row.httpNotSent).toBe(400);
    expect(row.httpRequests).toBeGreaterThan(0);
    expect(row.httpP99Ms).toBeGreaterThan(0);
    // a round starts with the window
    expect(row.probeRoundsMs.length).toBeGreaterThanOrEqual(1);
    expect(row.loadChanges).toBeGreaterThan(0);
    expect(row.eventsVisible).toBeGreaterThan(0);
    expect({
      eventsNotVisible: row.eventsNotVisible,
      output: row.eventsNotVisible ? output : '',
    }).toEqual({ eventsNotVisible: 0, output: '' });
    expect(row.backendCores).toBeGreaterThan(0);
    expect(row.rssPeakMB).toBeGreaterThan(0);
    expect(row.catalogEntities).toBeUndefined();
  });
});

describe('shipyard-mixed-bench --changes-only', () => {
  it("measures the fleet's changes alone: no queries, no probe rounds, the thread's CPU per change", async () => {
    const { code, output } = await runBin('shipyard-mixed-bench', [
      '40',
      '--seconds',
      '3',
      '--events-per-second',
      '50',
      '--no-catalog',
      '--changes-only',
      // as above: on a busy test machine a change can take longer than the bench's 1.5 s to show
      '--settle-seconds',
      '8',
    ]);
    expect({ code, output: code === 0 ? '' : output }).toEqual({
      code: 0,
      output: '',
    });
    const row: MixedLoadRow = JSON.parse(output.trim().split('\n').pop()!);
    expect(row.changesOnly).toBe(true);
    expect(row.httpRequests + row.httpNotSent).toBe(0);
    expect(row.probeRoundsMs).toEqual([]);
    expect(row.loadChanges).toBeGreaterThan(0);
    expect(row.eventsVisible).toBeGreaterThan(0);
    expect({
      eventsNotVisible: row.eventsNotVisible,
      output: row.eventsNotVisible ? output : '',
    }).toEqual({ eventsNotVisible: 0, output: '' });
    expect(row.mainThreadMsPerChange).toBeGreaterThan(0);
  });
});
