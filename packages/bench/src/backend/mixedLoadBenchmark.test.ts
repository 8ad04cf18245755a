import { spawn } from 'node:child_process';
import path from 'node:path';
import type { MixedLoadRow } from './mixedLoadBenchmark';

// The benchmark starts a backend, a simulator process and worker threads: it runs as the real command.
jest.setTimeout(180_000);

function runBench(
  args: string[],
): Promise<{ code: number | null; output: string }> {
  const bin = path.resolve(
    __dirname,
    '..',
    '..',
    'bin',
    'shipyard-mixed-bench',
  );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    let output = '';
    child.stdout.on('data', c => {
      output += c;
    });
    child.stderr.on('data', c => {
      output += c;
    });
    child.on('error', reject);
    child.on('close', code => resolve({ code, output }));
  });
}

describe('shipyard-mixed-bench', () => {
  it('answers every paced query and shows the fleet changes while probes with faults run', async () => {
    const { code, output } = await runBench([
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
    ]);
    expect({ code, output: code === 0 ? '' : output }).toEqual({
      code: 0,
      output: '',
    });
    const row: MixedLoadRow = JSON.parse(output.trim().split('\n').pop()!);
    expect(row.clusters).toBe(40);
    // 5 % unreachable and 5 % slow
    expect(row.faults).toEqual({ unreachable: 2, slow: 2, slowMs: 1000 });
    expect(row.httpRequests).toBe(400);
    expect(row.httpP99Ms).toBeGreaterThan(0);
    // a round starts with the window; one with unreachable clusters lasts at least the 5 s probe timeout
    expect(row.probeRoundsMs.length).toBeGreaterThanOrEqual(1);
    expect(Math.min(...row.probeRoundsMs)).toBeGreaterThanOrEqual(5000);
    expect(row.loadChanges).toBeGreaterThan(0);
    expect(row.eventsVisible).toBeGreaterThan(0);
    expect(row.eventsNotVisible).toBe(0);
    expect(row.backendCores).toBeGreaterThan(0);
    expect(row.rssPeakMB).toBeGreaterThan(0);
    expect(row.catalogEntities).toBeUndefined();
  });
});
