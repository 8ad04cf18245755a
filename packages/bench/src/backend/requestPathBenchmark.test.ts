import { runBin } from '../__testUtils__/runBin';

// The benchmark starts a backend, a simulator process and a client thread: it runs as the real command.
// the time is for the busiest machine (151 s for the file with the load average at 13–16), not a bound
jest.setTimeout(300_000);

describe('shipyard-request-bench', () => {
  it.each([
    ['the test backend', []],
    ["createBackend()'s root router and gzip", ['--production-root', '--gzip']],
  ])('measures the reads through %s', async (_name, extra) => {
    const { code, output } = await runBin('shipyard-request-bench', [
      '30',
      '--requests',
      '60',
      '--repeat',
      '1',
      ...extra,
    ]);
    expect({ code, output: code === 0 ? '' : output }).toEqual({
      code: 0,
      output: '',
    });
    expect(output).toMatch(/30 clusters in the API/);
    for (const run of [
      'GET /clusters, distinct queries',
      'GET /clusters, 50 queries repeated',
      'GET /summary',
    ]) {
      expect(output).toContain(`  ${run}: `);
    }
  });
});
