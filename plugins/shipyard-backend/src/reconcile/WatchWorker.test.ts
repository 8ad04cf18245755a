import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockServices } from '@backstage/backend-test-utils';
import { eventuallyWithin } from '@shipyard/test-utils';
import { DEFAULT_SYNC_CONFIG } from '../config/config';
import { CapiHealthEvaluator } from '../health';
import { FleetIndex } from '../index/FleetIndex';
import { FakeKubeApi } from '../__testUtils__/FakeKubeApi';
import { portalOwnership } from '../__testUtils__/ownership';
import { capiCluster, putCluster } from '../__testUtils__/capiObjects';
import { ManagementClusterReconciler } from './ManagementClusterReconciler';
import { WatchWorker } from './WatchWorker';

/*
 * Watches read, parsed and projected in the watch thread give the reconciler exactly what reading them in its own
 * thread gives: the same records and summaries, the same objects skipped with the same reasons, the same relist after
 * 410; a thread that ends or cannot start leaves the watches to the backend's thread, and nothing is lost.
 */

jest.setTimeout(60_000);

const eventually = eventuallyWithin({ timeoutMs: 20_000, intervalMs: 50 });

const byKey = (a: [unknown, unknown], b: [unknown, unknown]) =>
  String(a[0]).localeCompare(String(b[0]));

/**
 * Records as JSON: maps and sets as their entries in the order of their keys, without the records' memo of the last
 * key looked up (which cluster was folded last).
 */
function json(value: unknown): string {
  return JSON.stringify(value, (key, v) => {
    if (key === 'lastKey') return undefined;
    if (v instanceof Map) return { map: [...v].sort(byKey) };
    if (v instanceof Set) return { set: [...v].map(String).sort() };
    return v;
  });
}

/** A reconciler of the fake API's management cluster, with what it warned about. */
function reconcilerOf(url: string, watchWorker?: WatchWorker) {
  const warnings: string[] = [];
  const index = new FleetIndex();
  const reconciler = new ManagementClusterReconciler({
    connection: { name: 'mc-a', url, getToken: async () => 'token' },
    sink: index,
    ownership: portalOwnership(),
    health: new CapiHealthEvaluator(),
    sync: {
      ...DEFAULT_SYNC_CONFIG,
      pageSize: 3,
      backoff: { initialDelayMs: 20, maxDelayMs: 100 },
    },
    logger: mockServices.logger.mock({
      warn: (message: string) => {
        warnings.push(message);
      },
    }),
    watchWorker,
  });
  const state = () => ({
    records: json(reconciler.records),
    summaries: json(
      [...index.all()]
        .map(({ lastChangedAt: _at, ...s }) => s)
        .sort((a, b) => a.name.localeCompare(b.name)),
    ),
    counts: json(reconciler.status().objectCounts),
    warnings: [...warnings].sort(),
  });
  return { reconciler, index, state };
}

/** Changes of every sort, while both reconcilers watch: added, modified, deleted, and a malformed object. */
function changeTheFleet(api: FakeKubeApi) {
  putCluster(api, 'gamma', { workers: 3 });
  api.put(
    'clusters',
    capiCluster('alpha', { labels: { tier: 'gold' }, phase: 'Provisioning' }),
  );
  api.delete('machines', 'default', 'alpha-md-0-1');
  api.put('clusters', {
    metadata: { name: 'bad-spec', namespace: 'default' },
    spec: 'nope',
  });
  api.delete('clusters', 'default', 'beta');
}

describe('WatchWorker', () => {
  let api: FakeKubeApi;
  let url: string;

  beforeEach(async () => {
    api = new FakeKubeApi();
    url = await api.start();
    putCluster(api, 'alpha');
    putCluster(api, 'beta');
  });

  afterEach(async () => {
    await api.stop();
  });

  it('gives the same records, summaries and skipped objects as watches read in the reconciler thread', async () => {
    const worker = new WatchWorker({ logger: mockServices.logger.mock() });
    const here = reconcilerOf(url);
    const inThread = reconcilerOf(url, worker);
    try {
      here.reconciler.start();
      inThread.reconciler.start();
      await Promise.all([
        here.reconciler.waitForInitialSync(),
        inThread.reconciler.waitForInitialSync(),
      ]);
      // every kind's watch is open in the thread before the changes
      await eventually(() =>
        expect(worker.watched.inThread).toBe(
          inThread.reconciler.status().kinds.length,
        ),
      );
      changeTheFleet(api);
      await eventually(() => {
        const expected = here.state();
        expect(expected.summaries).toContain('"name":"gamma"');
        expect(expected.summaries).not.toContain('"name":"beta"');
        expect(expected.summaries).toContain('"tier":"gold"');
        expect(expected.warnings.join('\n')).toMatch(
          /skipping Cluster default\/bad-spec: spec is not an object/,
        );
        expect(inThread.state()).toEqual(expected);
      });
      expect(worker.watched.here).toBe(0);
    } finally {
      await Promise.all([here.reconciler.stop(), inThread.reconciler.stop()]);
      await worker.close();
    }
  });

  it('sends an object whose record did not change as unchanged, and every change of a record', async () => {
    const worker = new WatchWorker({ logger: mockServices.logger.mock() });
    const here = reconcilerOf(url);
    const inThread = reconcilerOf(url, worker);
    const alpha = (labels: Record<string, string>, heartbeat: string) => {
      const cluster = capiCluster('alpha', { labels });
      return {
        ...cluster,
        // an annotation no record keeps
        metadata: {
          ...cluster.metadata,
          annotations: { 'example.test/heartbeat': heartbeat },
        },
      };
    };
    try {
      here.reconciler.start();
      inThread.reconciler.start();
      await Promise.all([
        here.reconciler.waitForInitialSync(),
        inThread.reconciler.waitForInitialSync(),
      ]);
      await eventually(() =>
        expect(worker.watched.inThread).toBe(
          inThread.reconciler.status().kinds.length,
        ),
      );
      api.put('clusters', alpha({ tier: 'gold' }, '1'));
      api.put('clusters', alpha({ tier: 'gold' }, '2'));
      api.put('clusters', alpha({ tier: 'silver' }, '3'));
      // the record sent before the last one
      api.put('clusters', alpha({ tier: 'gold' }, '4'));
      // gone, and back as it was
      api.delete('clusters', 'default', 'beta');
      api.put('clusters', capiCluster('beta'));
      api.put('clusters', capiCluster('beta'));
      await eventually(() => {
        expect(worker.watched.unchanged).toBe(2);
        const expected = here.state();
        expect(expected.summaries).toContain('"tier":"gold"');
        expect(expected.summaries).toContain('"name":"beta"');
        expect(inThread.state()).toEqual(expected);
      });
    } finally {
      await Promise.all([here.reconciler.stop(), inThread.reconciler.stop()]);
      await worker.close();
    }
  });

  it('relists after 410 without duplicates or losses, watching in the thread', async () => {
    const worker = new WatchWorker({ logger: mockServices.logger.mock() });
    const { reconciler, index } = reconcilerOf(url, worker);
    try {
      reconciler.start();
      await reconciler.waitForInitialSync();
      const lists = api.listCount.get('clusters')!;
      api.deleteSilently('clusters', 'default', 'beta');
      putCluster(api, 'gamma');
      api.compact();
      await eventually(() =>
        expect(api.listCount.get('clusters')).toBeGreaterThan(lists),
      );
      await eventually(() => {
        expect([...index.all()].map(s => s.name).sort()).toEqual([
          'alpha',
          'gamma',
        ]);
        expect(index.get('mc-a/default/gamma')!.summary.machineCount).toBe(3);
      });
      expect(reconciler.status().objectCounts).toMatchObject({
        clusters: 2,
        machines: 9,
      });
      expect(worker.watched.inThread).toBeGreaterThan(0);
      expect(worker.watched.here).toBe(0);
    } finally {
      await reconciler.stop();
      await worker.close();
    }
  });

  describe('when the thread fails', () => {
    let dir: string;

    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-watch-worker-'));
      // a thread that starts, then ends at its first watch
      fs.writeFileSync(
        path.join(dir, 'crashing.js'),
        `const { parentPort } = require('node:worker_threads');
parentPort.postMessage({ type: 'ready' });
parentPort.on('message', m => { if (m.type === 'watch') process.exit(3); });
`,
      );
    });

    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('watches again what a thread that ended watched, in the backend thread once it ends too often, losing nothing', async () => {
      const errors: string[] = [];
      const worker = new WatchWorker({
        maxRestarts: 1,
        file: path.join(dir, 'crashing.js'),
        logger: mockServices.logger.mock({
          error: (message: string) => {
            errors.push(message);
          },
        }),
      });
      const here = reconcilerOf(url);
      const inThread = reconcilerOf(url, worker);
      try {
        here.reconciler.start();
        inThread.reconciler.start();
        await Promise.all([
          here.reconciler.waitForInitialSync(),
          inThread.reconciler.waitForInitialSync(),
        ]);
        changeTheFleet(api);
        await eventually(() => {
          // the same state, but for the warnings of the watches that failed with the thread
          const { warnings: _here, ...expected } = here.state();
          const { warnings: _inThread, ...actual } = inThread.state();
          expect(expected.summaries).toContain('"name":"gamma"');
          expect(actual).toEqual(expected);
          expect(worker.watched.here).toBeGreaterThan(0);
        });
        expect(errors).toContainEqual(
          expect.stringMatching(
            /the watch thread ended \(exit code 3\); starting it again with the next watch/,
          ),
        );
        expect(errors[errors.length - 1]).toMatch(
          /reading watches on the backend's thread from now on/,
        );
      } finally {
        await Promise.all([here.reconciler.stop(), inThread.reconciler.stop()]);
        await worker.close();
      }
    });

    it('watches in the backend thread when the thread cannot start', async () => {
      const warnings: string[] = [];
      const worker = new WatchWorker({
        file: path.join(dir, 'missing.js'),
        logger: mockServices.logger.mock({
          warn: (message: string) => {
            warnings.push(message);
          },
        }),
      });
      const { reconciler, index } = reconcilerOf(url, worker);
      try {
        reconciler.start();
        await reconciler.waitForInitialSync();
        putCluster(api, 'gamma');
        await eventually(() =>
          expect(index.get('mc-a/default/gamma')).toBeDefined(),
        );
        expect(worker.watched.inThread).toBe(0);
        expect(worker.watched.here).toBeGreaterThan(0);
        expect(warnings).toContainEqual(
          expect.stringMatching(
            /the watch thread did not start .*; reading watches on the backend's thread/,
          ),
        );
      } finally {
        await reconciler.stop();
        await worker.close();
      }
    });
  });
});
