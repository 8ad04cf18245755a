import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CatalogSample, now, startCatalogSampler } from './catalogSampler';

jest.setTimeout(60_000);

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

describe('the catalog benchmark sampler', () => {
  it('keeps sampling while the thread that started it is blocked, and tells how long that thread did not run', async () => {
    const directory = fs.mkdtempSync(
      path.join(os.tmpdir(), 'shipyard-catalog-sampler-'),
    );
    const samples: CatalogSample[] = [];
    const errors: string[] = [];
    const startedAt = now();
    const sampler = startCatalogSampler({
      target: { client: 'sqlite', directory },
      clusters: 1,
      startedAt,
      cpu0: 0,
      authorization: 'Bearer none',
      processed: () => 7,
      onSample: s => samples.push(s),
      onError: e => errors.push(e),
      intervalMs: 200,
    });
    try {
      const deadline = Date.now() + 30_000;
      while (samples.length < 2 && Date.now() < deadline) await sleep(50);
      expect(samples.length).toBeGreaterThanOrEqual(2);

      // this thread busy for 3 s: no timer, no message, no heartbeat
      const from = (now() - startedAt) / 1000;
      const until = Date.now() + 3_000;
      while (Date.now() < until) {
        // busy
      }
      const to = (now() - startedAt) / 1000;
      await sleep(1_000);

      const during = samples.filter(s => s.t > from && s.t < to);
      expect(during.length).toBeGreaterThanOrEqual(3);
      expect(
        Math.max(...during.map(s => s.backendThreadStallMs)),
      ).toBeGreaterThanOrEqual(2_000);
      expect(samples[0]).toMatchObject({ processed: 7, catalog: 0, api: 0 });
      expect(samples.every(s => s.rssMb > 0)).toBe(true);
      expect(
        samples.every(s => s.heapUsedMb > 0 && s.heapTotalMb >= s.heapUsedMb),
      ).toBe(true);
      // the catalog's database file is the catalog's to create
      expect(fs.existsSync(path.join(directory, 'catalog.sqlite'))).toBe(false);
      expect(errors).toEqual([]);
    } finally {
      await sampler.stop();
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });
});
