import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockServices } from '@backstage/backend-test-utils';
import {
  FleetSim,
  shipyardManagementClusters,
  startFleetSim,
} from '@shipyard/fleet-sim';
import { ManagementClusterConnection } from '@shipyard/plugin-shipyard-node';
import { eventuallyWithin } from '@shipyard/test-utils';
import { DEFAULT_SYNC_CONFIG, SyncConfig } from '../config/config';
import { createConnection } from '../config/connections';
import { CapiHealthEvaluator } from '../health';
import { FleetIndex } from '../index/FleetIndex';
import { FakeKubeApi } from '../__testUtils__/FakeKubeApi';
import { portalOwnership } from '../__testUtils__/ownership';
import { putCluster } from '../__testUtils__/capiObjects';
import { ListWorkers } from './ListWorkers';
import { ManagementClusterReconciler } from './ManagementClusterReconciler';

/*
 * Lists read, parsed and projected in worker threads give the reconciler exactly what reading them in its own thread
 * gives: the same records (as JSON), the same objects skipped with the same reasons, the same errors and states; a
 * thread that ends or cannot start leaves the lists to the backend's thread.
 */

jest.setTimeout(60_000);

const eventually = eventuallyWithin({ timeoutMs: 20_000, intervalMs: 50 });

const byKey = (a: [unknown, unknown], b: [unknown, unknown]) =>
  String(a[0]).localeCompare(String(b[0]));

/**
 * Records as JSON: maps and sets as their entries in the order of their keys (the kinds are listed at once, so
 * which kind names a cluster first, and creates its entry, varies from one sync to the next).
 */
function json(value: unknown): string {
  return JSON.stringify(value, (_key, v) => {
    if (v instanceof Map) return { map: [...v].sort(byKey) };
    if (v instanceof Set) return { set: [...v].map(String).sort() };
    return v;
  });
}

interface Synced {
  records: string;
  counts: string;
  warnings: string[];
}

/** Lists every management cluster once (a cold sync) and says what the reconcilers hold. */
async function coldSync(
  connections: ManagementClusterConnection[],
  sync: Partial<SyncConfig>,
  listWorkers?: ListWorkers,
): Promise<Synced> {
  const warnings: string[] = [];
  const logger = mockServices.logger.mock({
    warn: (message: string) => {
      warnings.push(message);
    },
  });
  const reconcilers = connections.map(
    connection =>
      new ManagementClusterReconciler({
        connection,
        sink: new FleetIndex(),
        ownership: portalOwnership(),
        health: new CapiHealthEvaluator(),
        sync: { ...DEFAULT_SYNC_CONFIG, ...sync },
        logger,
        listWorkers,
      }),
  );
  try {
    for (const r of reconcilers) r.start();
    await Promise.all(reconcilers.map(r => r.waitForInitialSync()));
    return {
      records: json(reconcilers.map(r => r.records)),
      counts: json(reconcilers.map(r => r.status().objectCounts)),
      warnings: warnings.sort(),
    };
  } finally {
    await Promise.all(reconcilers.map(r => r.stop()));
  }
}

describe('ListWorkers', () => {
  let sim: FleetSim;
  let connections: ManagementClusterConnection[];

  beforeAll(async () => {
    sim = await startFleetSim({
      managementClusters: 2,
      clusters: 30,
      hostedControlPlanes: 2,
      seed: 'list-workers',
      timing: { stepMs: 20 },
    });
    await sim.controller.whenIdle();
    // the objects must stay as they are between the lists compared
    sim.controller.pause();
    const api = sim.management(sim.managementClusters[0].name).api;
    api.store.put('cluster.x-k8s.io/clusters', 'default/bad-spec', {
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'Cluster',
      metadata: { name: 'bad-spec', namespace: 'default', uid: 'u-bad' },
      spec: 'nope',
    });
    api.store.put('cluster.x-k8s.io/machines', 'default/unnamed', {
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'Machine',
      metadata: { namespace: 'default' },
      spec: { clusterName: 'x' },
    });
    connections = await Promise.all(
      shipyardManagementClusters(sim.managementClusters).map(mc =>
        createConnection({ ...mc, skipTLSVerify: false }),
      ),
    );
  });

  afterAll(async () => {
    sim?.controller.resume();
    await sim?.stop();
  });

  it('gives the same records, counts and skipped objects as lists read in the reconciler thread', async () => {
    const sync = { pageSize: 7 };
    const here = await coldSync(connections, sync);
    const workers = new ListWorkers({
      threads: 2,
      logger: mockServices.logger.mock(),
    });
    try {
      // (pages asked for before the threads are ready are read in this thread)
      await workers.start();
      const inThreads = await coldSync(connections, sync, workers);
      expect(workers.pages.inThreads).toBeGreaterThan(20);
      expect(workers.pages.here).toBe(0);
      expect(inThreads.records).toBe(here.records);
      expect(inThreads.counts).toBe(here.counts);
      expect(inThreads.warnings).toEqual(here.warnings);
      // what was compared has the fleet's kinds in it, and the objects skipped
      expect(here.records).toContain('"kind":"K0smotronControlPlane"');
      expect(here.records).toContain('"helmReleases"');
      expect(here.counts).toContain('"skipped":2');
      expect(here.warnings.join('\n')).toMatch(
        /skipping Cluster default\/bad-spec: spec is not an object/,
      );
    } finally {
      await workers.close();
    }
  });

  it('surfaces a failed list as the same error and state of the kind', async () => {
    // every page of Machines is larger than this
    const sync = {
      pageSize: 50,
      maxResponseBytes: 20_000,
      backoff: { initialDelayMs: 50, maxDelayMs: 100 },
    };
    const statesOf = async (listWorkers?: ListWorkers) => {
      const r = new ManagementClusterReconciler({
        connection: connections[0],
        sink: new FleetIndex(),
        ownership: portalOwnership(),
        health: new CapiHealthEvaluator(),
        sync: { ...DEFAULT_SYNC_CONFIG, ...sync },
        logger: mockServices.logger.mock(),
        listWorkers,
      });
      r.start();
      try {
        let kinds: Array<[string, string, string | undefined]> = [];
        await eventually(() => {
          kinds = r
            .status()
            .kinds.map(k => [k.kind, k.state, k.lastError ?? k.lastSyncAt]);
          expect(kinds.length).toBeGreaterThan(0);
          // every kind listed or failed
          expect(kinds.every(([, , said]) => said)).toBe(true);
          expect(r.status().lastError).toBeDefined();
        });
        return kinds
          .map(([kind, state, said]) => [
            kind,
            state,
            said?.includes('larger') ? said : 'listed',
          ])
          .sort();
      } finally {
        await r.stop();
      }
    };
    const here = await statesOf();
    const workers = new ListWorkers({
      threads: 1,
      logger: mockServices.logger.mock(),
    });
    try {
      await workers.start();
      const inThreads = await statesOf(workers);
      expect(workers.pages.here).toBe(0);
      expect(inThreads).toEqual(here);
      expect(here).toContainEqual([
        'Machine',
        'syncing',
        expect.stringMatching(
          /^Machine: \/apis\/cluster\.x-k8s\.io\/v1beta\d\/machines\?limit=50: response larger than 20000 bytes$/,
        ),
      ]);
    } finally {
      await workers.close();
    }
  });

  it('relists after 410 without duplicates or losses, reading in a thread', async () => {
    const api = new FakeKubeApi();
    const url = await api.start();
    const workers = new ListWorkers({
      threads: 1,
      logger: mockServices.logger.mock(),
    });
    const index = new FleetIndex();
    const r = new ManagementClusterReconciler({
      connection: { name: 'mc-a', url, getToken: async () => 'token' },
      sink: index,
      ownership: portalOwnership(),
      health: new CapiHealthEvaluator(),
      sync: {
        ...DEFAULT_SYNC_CONFIG,
        pageSize: 3,
        backoff: { initialDelayMs: 20, maxDelayMs: 100 },
      },
      logger: mockServices.logger.mock(),
      listWorkers: workers,
    });
    try {
      putCluster(api, 'alpha');
      putCluster(api, 'beta');
      await workers.start();
      r.start();
      await r.waitForInitialSync();
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
      expect(r.status().objectCounts).toMatchObject({
        clusters: 2,
        machines: 9,
      });
      expect(workers.pages.inThreads).toBeGreaterThan(0);
      expect(workers.pages.here).toBe(0);
    } finally {
      await r.stop();
      await workers.close();
      await api.stop();
    }
  });

  describe('when a thread fails', () => {
    let dir: string;

    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-list-workers-'));
      // a thread that starts, then ends at its first page
      fs.writeFileSync(
        path.join(dir, 'crashing.js'),
        `const { parentPort } = require('node:worker_threads');
parentPort.postMessage({ type: 'ready' });
parentPort.on('message', m => { if (m.type === 'page') process.exit(3); });
`,
      );
    });

    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('reads the pages of a thread that ended again, in the backend thread once threads end too often, with the same records', async () => {
      const here = await coldSync(connections, { pageSize: 20 });
      const errors: string[] = [];
      const workers = new ListWorkers({
        threads: 2,
        maxRestarts: 1,
        file: path.join(dir, 'crashing.js'),
        logger: mockServices.logger.mock({
          error: (message: string) => {
            errors.push(message);
          },
        }),
      });
      try {
        await workers.start();
        const synced = await coldSync(connections, { pageSize: 20 }, workers);
        expect(synced.records).toBe(here.records);
        expect(synced.counts).toBe(here.counts);
        expect(workers.pages.inThreads).toBe(0);
        expect(workers.pages.here).toBeGreaterThan(0);
        expect(errors).toContainEqual(
          expect.stringMatching(
            /a list worker thread ended \(exit code 3\); starting it again/,
          ),
        );
        expect(errors[errors.length - 1]).toMatch(
          /reading lists on the backend's thread from now on/,
        );
      } finally {
        await workers.close();
      }
    });

    it('reads in the backend thread when the threads cannot start', async () => {
      const warnings: string[] = [];
      const workers = new ListWorkers({
        threads: 2,
        file: path.join(dir, 'missing.js'),
        logger: mockServices.logger.mock({
          warn: (message: string) => {
            warnings.push(message);
          },
        }),
      });
      try {
        await workers.start();
        const synced = await coldSync(connections, { pageSize: 100 }, workers);
        expect(synced.counts).toContain('"skipped":2');
        expect(workers.pages.here).toBeGreaterThan(0);
        expect(warnings).toContainEqual(
          expect.stringMatching(
            /2 of 2 list worker threads did not start [\s\S]*; reading lists on the backend's thread/,
          ),
        );
      } finally {
        await workers.close();
      }
    });
  });
});
