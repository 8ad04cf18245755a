import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runBin } from './__testUtils__/runBin';
import type { CompareReport } from './compare';

// The Kubernetes plugin loads @kubernetes/client-node with a dynamic import, which Jest's module VM does not allow
// without --experimental-vm-modules; the comparison therefore runs as the real command, in a child process.
// ~25 s on a quiet machine, 71 s with the load average at 13: the time is for the busiest machine, not a bound
jest.setTimeout(300_000);

describe('shipyard-compare-bench', () => {
  it('gives the same team answer as the Kubernetes plugin fan-out, with far fewer upstream requests', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-compare-'));
    const out = path.join(dir, 'compare.json');
    try {
      const { code, output } = await runBin('shipyard-compare-bench', [
        '--sizes',
        '10',
        '--management',
        '2',
        '--smoke',
        '--no-catalog',
        '--no-naive',
        '--out',
        out,
      ]);
      expect({ code, output: code === 0 ? '' : output.slice(-3000) }).toEqual({
        code: 0,
        output: '',
      });
      expect(output).toContain('Kubernetes plugin fan-out');
      const report = JSON.parse(fs.readFileSync(out, 'utf8')) as CompareReport;
      const [size] = report.sizes;
      expect(size.clusters).toBe(10);
      expect(Object.values(size.teamClusters).some(n => n > 0)).toBe(true);
      expect(size.shipyard.views).toBeGreaterThan(0);
      expect(size.shipyard.failedViews).toBe(0);
      expect(size.kubernetes.map(k => k.scope)).toEqual([
        'fleet',
        'management',
      ]);
      for (const k of size.kubernetes) {
        expect(k.differences).toEqual([]);
        expect(k.sameAnswer).toBe(true);
        expect(k.failedViews).toBe(0);
        // each fan-out view asks every configured cluster; Shipyard's views ask none
        expect(k.upstreamRequestsPerView).toBeGreaterThanOrEqual(
          k.configuredClusters,
        );
        expect(k.upstreamRequestsPerView).toBeGreaterThan(
          size.shipyard.upstreamRequestsPerView,
        );
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
