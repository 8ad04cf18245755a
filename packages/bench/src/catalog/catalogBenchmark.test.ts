import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { heapProfileByOrigin, runCatalogBenchmark } from './catalogBenchmark';

// a small fleet through the whole benchmark: a cold start of the catalog, the Shipyard backend and the catalog
// module against the simulator in a child process, the fill, a steady window and an owner change
// 204 s for the file with the load average at 13–16: the time is for the busiest machine, not a bound
jest.setTimeout(480_000);

describe('shipyard-catalog-bench', () => {
  it('sums a heap profile by origin, a built-in charged to its caller', () => {
    const frame = (functionName: string, url: string) => ({
      functionName,
      url,
    });
    const MB = 1024 * 1024;
    const byOrigin = heapProfileByOrigin({
      callFrame: frame('(root)', ''),
      selfSize: 0,
      children: [
        {
          callFrame: frame('read', '/r/node_modules/pg/lib/client.js'),
          selfSize: 2 * MB,
          children: [
            { callFrame: frame('parse', ''), selfSize: 3 * MB, children: [] },
          ],
        },
        {
          callFrame: frame(
            'apply',
            '/r/plugins/shipyard-backend/src/index/x.ts',
          ),
          selfSize: 1 * MB,
          children: [],
        },
      ],
    });
    expect(byOrigin).toEqual([
      { origin: 'pg', mb: 5 },
      { origin: 'shipyard-backend/index', mb: 1 },
    ]);
  });

  it('measures a cold start until the catalog holds every cluster, and an owner change until it shows', async () => {
    const lines: string[] = [];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'catalog-bench-test-'));
    const heapProfile = path.join(dir, 'heap');
    const [row] = await runCatalogBenchmark({
      sizes: [30],
      managementClusters: () => 3,
      steadySeconds: 2,
      ownerChanges: 1,
      timeoutSeconds: 180,
      heapProfile,
      print: line => lines.push(line),
    });
    expect(row.clusters).toBe(30);
    expect(row.catalogAtEnd).toBe(30);
    expect(row.apiCompleteMs).toBeGreaterThan(0);
    expect(row.catalogCompleteMs).toBeGreaterThanOrEqual(row.catalogFirstMs);
    expect(row.fillCpuSeconds).toBeGreaterThan(0);
    expect(row.rssAtCompleteMb).toBeGreaterThan(0);
    expect(row.catalogDbMb).toBeGreaterThan(0);
    expect(row.ownerChangeMs).toHaveLength(1);
    expect(row.ownerChangeMs[0]).toBeGreaterThan(0);
    expect(row.timeline.length).toBeGreaterThan(0);
    expect(row.backendThreadStallMaxMs).toBeGreaterThan(0);
    expect(row.managementClusters).toBe(3);
    expect(lines.join('\n')).toContain('| 30 (3) | SQLite |');
    // what holds the memory: the heap limit, the sampler thread's own heap, the heap profiles
    expect(row.heapLimitMb).toBeGreaterThan(0);
    expect(row.samplerHeapAtRssMaxMb).toBeGreaterThan(0);
    expect(row.samplerHeapAtRssMaxMb).toBeLessThan(row.rssMaxMb);
    for (const when of ['complete', 'end']) {
      const profile = JSON.parse(
        fs.readFileSync(`${heapProfile}-30-${when}.heapprofile`, 'utf8'),
      );
      expect(profile.head.children.length).toBeGreaterThan(0);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('ends a row whose catalog is not complete within the timeout, without a steady window or owner changes', async () => {
    const lines: string[] = [];
    const started = Date.now();
    const [row] = await runCatalogBenchmark({
      sizes: [30],
      // a steady window this long would outlast the test
      steadySeconds: 600,
      ownerChanges: 1,
      timeoutSeconds: 1,
      print: line => lines.push(line),
    });
    expect(Date.now() - started).toBeLessThan(200_000);
    expect(row.catalogCompleteMs).toBeNaN();
    expect(row.steadyCores).toBeNaN();
    expect(row.ownerChangeMs).toEqual([]);
    const output = lines.join('\n');
    expect(output).toMatch(
      /incomplete after 1 s \(\d+ of 30 cluster entities\): no steady window, no owner changes/,
    );
    expect(output).toMatch(
      /\| 30 \(2\) \| SQLite \| .* \/ incomplete after 1 s \(\d+\) \|/,
    );
  });
});
