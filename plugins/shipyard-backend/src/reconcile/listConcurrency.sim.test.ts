import { mockServices } from '@backstage/backend-test-utils';
import { FleetSim, shipyardManagementClusters } from '@shipyard/fleet-sim';
import {
  ManagementClusterConnection,
  sleep,
} from '@shipyard/plugin-shipyard-node';
import { eventuallyWithin } from '@shipyard/test-utils';
import { DEFAULT_SYNC_CONFIG, SyncConfig } from '../config/config';
import { createConnection } from '../config/connections';
import { CapiHealthEvaluator } from '../health';
import { FleetIndex } from '../index/FleetIndex';
import { portalOwnership } from '../__testUtils__/ownership';
import { simulatorForSuite } from '../__testUtils__/suiteSim';
import { ManagementClusterReconciler } from './ManagementClusterReconciler';

/*
 * A management cluster whose API server is saturated (each request but a watch needs 1 s of a server time shared
 * among the requests in flight) and a request deadline of 7 s: the twenty-odd kinds listed at the same moment cannot
 * be answered in time (about 20 s each), four at a time (4 s, 5 s beside a heartbeat's ping) can.
 *
 * The times are long so that "at the same moment" holds on a busy machine too. The lists reach the server spread
 * over the time this process takes to send them; at load 18, with 400 ms and 3 s, two kinds whose lists came first had
 * their share before the others came and were answered in time.
 */

jest.setTimeout(180_000);

const DEADLINE_MS = 7000;
const SATURATED_MS = 1000;

describe('lists of a saturated management cluster', () => {
  let sim: FleetSim;
  let connection: ManagementClusterConnection;
  let mc: string;
  let reconciler: ManagementClusterReconciler | undefined;
  let index: FleetIndex;

  simulatorForSuite(
    { managementClusters: 1, clusters: 12, seed: 'list-concurrency' },
    s => {
      sim = s;
    },
  );

  beforeAll(async () => {
    await sim.controller.whenIdle();
    // nothing changes while the lists are read
    sim.controller.pause();
    mc = sim.managementClusters[0].name;
    [connection] = await Promise.all(
      shipyardManagementClusters(sim.managementClusters).map(m =>
        createConnection({ ...m, skipTLSVerify: false }),
      ),
    );
  });

  beforeEach(() => {
    sim.faults.saturated(mc, SATURATED_MS);
  });

  afterEach(async () => {
    await reconciler?.stop();
    reconciler = undefined;
    sim.faults.clear();
  });

  function start(sync: Partial<SyncConfig>): ManagementClusterReconciler {
    index = new FleetIndex();
    reconciler = new ManagementClusterReconciler({
      connection,
      sink: index,
      ownership: portalOwnership(),
      health: new CapiHealthEvaluator(),
      sync: {
        ...DEFAULT_SYNC_CONFIG,
        requestTimeoutMs: DEADLINE_MS,
        // retries within 25–50 ms of each other: the kinds that failed together stay together
        backoff: { initialDelayMs: 50, maxDelayMs: 50 },
        ...sync,
      },
      logger: mockServices.logger.mock(),
      initialSyncGraceMs: 60_000,
    });
    reconciler.start();
    return reconciler;
  }

  it('with every kind listed at once, every kind fails at the deadline, together, again and again', async () => {
    const r = start({ listConcurrency: 64 });
    await eventuallyWithin({ timeoutMs: 60_000, intervalMs: 50 })(() => {
      const kinds = r.status().kinds;
      expect(kinds.length).toBeGreaterThan(10);
      expect(kinds).toEqual(
        kinds.map(k => ({
          ...k,
          lastError: expect.stringMatching(
            new RegExp(`deadline of ${DEADLINE_MS} ms`),
          ),
        })),
      );
    });
    // three more deadlines: not one kind gets its list
    await sleep(3 * DEADLINE_MS);
    const status = r.status();
    expect(status.resynced).toBe(false);
    expect(status.kinds.filter(k => k.lastSyncAt)).toEqual([]);
    expect(index.size).toBe(0);
  });

  it('with the default of four kinds at once, the sync completes', async () => {
    const r = start({});
    const giveUp = new AbortController();
    const synced = await Promise.race([
      r.waitForInitialSync().then(() => true),
      sleep(60_000, giveUp.signal).then(() => false),
    ]);
    giveUp.abort();
    // (the kinds' states and errors say why when it did not)
    expect(synced ? [] : r.status().kinds).toEqual([]);
    expect(index.size).toBe(sim.workloadClusters().length);
    expect(r.status().kinds.every(k => k.lastSyncAt)).toBe(true);
  });
});
