import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { FleetSim, startFleetSim } from '@shipyard/fleet-sim';
import { Knex } from 'knex';
import request from 'supertest';
import { CaptureLogger, createTestDatabases } from '@shipyard/test-utils';
import { startFleetWithHealth } from '../__testUtils__/fleetWithHealth';
import {
  Backend,
  ProofFleet,
  eventually,
  keyOf,
  listAllClusters,
  managementClusterStates,
  proofConfig,
  simClusterKeys,
  startProofFleet,
  startShipyardBackend,
  waitConnected,
} from '../__testUtils__/proofUtils';

/*
 * Fault matrix against the real backend and the fleet simulator. Every scenario ends with "nothing lost": the
 * API lists exactly the simulator's clusters, each once.
 */

jest.setTimeout(90_000);

const CLUSTERS = 'cluster.x-k8s.io/clusters';

async function expectExactlyTheSimulatorsFleet(
  client: Backend['client'],
  sim: FleetSim,
) {
  const keys = (await listAllClusters(client)).map(keyOf);
  expect(new Set(keys).size).toBe(keys.length);
  expect(keys.sort()).toEqual([...simClusterKeys(sim)].sort());
}

/** Deletes a cluster in the simulator with no finalizer in the way (a confirmed deletion). */
function removeCluster(
  sim: FleetSim,
  mc: string,
  namespace: string,
  name: string,
) {
  sim.management(mc).api.store.remove(CLUSTERS, `${namespace}/${name}`);
}

function addCluster(sim: FleetSim, mc: string, name: string) {
  const api = sim.management(mc).api;
  const template = JSON.parse(api.list(api.type(CLUSTERS), {}).texts[0]);
  api.create(
    api.type(CLUSTERS),
    template.metadata.namespace,
    {
      apiVersion: template.apiVersion,
      kind: 'Cluster',
      metadata: {
        name,
        namespace: template.metadata.namespace,
        labels: template.metadata.labels,
      },
      spec: template.spec,
    },
    { internal: true },
  );
}

describe('fault matrix: management API restarts', () => {
  let sim: FleetSim;
  let backend: ProofFleet;
  const logs: string[] = [];

  beforeAll(async () => {
    backend = await startProofFleet({
      sim: {
        managementClusters: 3,
        clusters: 24,
        seed: 'fault-matrix-restart',
        anomalies: false,
        timing: { stepMs: 20, bookmarkMs: 200 },
      },
      settle: true,
      logs,
    });
    sim = backend.sim;
  });

  afterAll(async () => {
    await backend?.stop();
  });

  it('relists every stream after a restart with compacted history: no duplicates, no missed deletions', async () => {
    await eventually(() =>
      expectExactlyTheSimulatorsFleet(backend.client, sim),
    );
    sim.controller.pause();
    try {
      const before = await listAllClusters(backend.client);
      // while no watch can reach them, two management clusters lose clusters and gain one
      const victims = sim.managementClusters
        .slice(0, 2)
        .flatMap(m =>
          before.filter(c => c.managementCluster === m.name).slice(0, 2),
        );
      expect(victims).toHaveLength(4);
      for (const m of sim.managementClusters.slice(0, 2))
        sim.faults.unreachable(m.name, 'refuse');
      await eventually(async () => {
        const mcs = await managementClusterStates(backend.client);
        expect(mcs.get(sim.managementClusters[0].name)?.state).not.toBe(
          'connected',
        );
      });
      for (const v of victims)
        removeCluster(sim, v.managementCluster, v.namespace, v.name);
      addCluster(sim, sim.managementClusters[0].name, 'added-while-down');
      const relistsBefore = logs.filter(l =>
        l.includes('watch expired, relisting'),
      ).length;
      // all three API servers restart: history compacted, every watch dropped
      for (const m of sim.managementClusters)
        sim.faults.restartManagementApi(m.name);
      for (const m of sim.managementClusters) sim.faults.reachable(m.name);

      await waitConnected(
        backend.client,
        sim.managementClusters.map(m => m.name),
      );
      await eventually(async () => {
        await expectExactlyTheSimulatorsFleet(backend.client, sim);
        for (const v of victims) {
          const res = await request(backend.server).get(
            `/api/shipyard/clusters/${v.managementCluster}/${v.namespace}/${v.name}`,
          );
          expect(res.status).toBe(404);
        }
      });
      const after = await listAllClusters(backend.client);
      expect(after.length).toBe(before.length - victims.length + 1);
      // the survivors kept their identity (no delete + re-add)
      const uids = new Map(before.map(c => [keyOf(c), c.uid]));
      const survivors = after.filter(c => uids.has(keyOf(c)));
      expect(survivors.map(c => c.uid)).toEqual(
        survivors.map(c => uids.get(keyOf(c))),
      );
      // every stream of the restarted server that resumed from a compacted resourceVersion relisted
      await eventually(() => {
        const relisted = logs
          .slice()
          .filter(l => l.includes('watch expired, relisting'));
        expect(relisted.length).toBeGreaterThan(relistsBefore);
        const third = sim.managementClusters[2].name;
        expect(
          relisted.some(l => l.includes(`${third} Cluster watch expired`)),
        ).toBe(true);
      });
      const summary = await request(backend.server).get(
        '/api/shipyard/summary',
      );
      expect(summary.body.totalCount).toBe(after.length);
      const mcs = await managementClusterStates(backend.client);
      for (const m of sim.managementClusters) {
        const count = after.filter(c => c.managementCluster === m.name).length;
        expect(mcs.get(m.name)?.objectCounts.clusters).toBe(count);
      }
    } finally {
      sim.faults.clear();
      sim.controller.resume();
    }
  });
});

describe('fault matrix: workload clusters black-holed and slow', () => {
  it('keeps health rounds bounded with 20 % black-holed and 5 % slow, and the others unaffected', async () => {
    const sim = await startFleetSim({
      managementClusters: 2,
      clusters: 40,
      seed: 'fault-matrix-health',
      anomalies: false,
      timing: { stepMs: 20 },
    });
    const logger = new CaptureLogger();
    const timeoutMs = 3000;
    const slowThresholdMs = 700;
    const config = new ConfigReader(
      proofConfig(sim, {
        shipyard: {
          health: {
            enabled: true,
            timeoutMs,
            stallAfterMs: 100,
            concurrency: 8,
            failureThreshold: 1,
            slowThresholdMs,
          },
        },
      }),
    );
    const { fleet, health, stop } = await startFleetWithHealth(config, logger);
    try {
      await fleet.waitForInitialSync();
      const workloads = sim.workloadClusters();
      expect(workloads).toHaveLength(40);
      await eventually(() => expect(health.targets().length).toBe(40));
      // the baseline: a round in which every cluster answers (a loaded machine may need more than one)
      const healthy = await eventually(() => health.runRound(), {
        until: round => round.ok === 40,
      });
      expect(healthy.ok).toBe(40);

      const ref = (w: (typeof workloads)[number]) => ({
        management: w.management,
        namespace: w.namespace,
        name: w.name,
      });
      const key = (w: (typeof workloads)[number]) =>
        `${w.management}/${w.namespace}/${w.name}`;
      const dead = workloads.filter((_, i) => i % 5 === 0); // 8 = 20 %
      const slow = workloads.filter((_, i) => i % 20 === 1); // 2 = 5 %
      const fine = workloads.filter(
        w => !dead.includes(w) && !slow.includes(w),
      );
      for (const w of dead) sim.faults.unreachable(ref(w), 'blackhole');
      for (const w of slow) sim.faults.slow(ref(w), 900);

      for (let round = 0; round < 2; round++) {
        const started = Date.now();
        const result = await health.runRound();
        const wall = Date.now() - started;
        // a dead cluster costs at most one timeout, once, for the whole round
        expect(result.durationMs).toBeLessThanOrEqual(
          healthy.durationMs + timeoutMs + 400,
        );
        expect(wall).toBeLessThan(healthy.durationMs + timeoutMs + 1000);
        expect(result.failed + (result.skipped ?? 0)).toBe(dead.length);
      }
      for (const w of dead) {
        expect(fleet.index.get(key(w))?.summary.health).toBe('unhealthy');
      }
      for (const w of slow) {
        const s = fleet.index.get(key(w))?.summary;
        expect({ name: w.name, health: s?.health, ok: s?.probe?.ok }).toEqual({
          name: w.name,
          health: 'degraded',
          ok: true,
        });
      }
      const TIMING = ['ApiServerSlow', 'ProbeTimeout'];
      for (const w of fine) {
        const s = fleet.index.get(key(w))?.summary;
        // healthy; on a loaded test machine a probe may cross the slow threshold on its own, which is the only
        // degradation tolerated (no unreachable, error or node reason)
        const problems = (s?.healthReasons ?? [])
          .filter(r => r.source === 'probe' && r.severity !== 'info')
          .map(r => r.type)
          .filter(t => !TIMING.includes(t) && !t.startsWith('Version'));
        expect({
          name: w.name,
          problems,
          unhealthy: s?.health === 'unhealthy',
        }).toEqual({
          name: w.name,
          problems: [],
          unhealthy: false,
        });
        // their probes were not held up behind the dead ones' timeouts
        expect(s?.probe?.ok).toBe(true);
        expect(s?.probe?.latencyMs).toBeLessThan(timeoutMs);
      }
      // nothing lost: every cluster still listed
      expect(fleet.index.size).toBe(40);
    } finally {
      sim.faults.clear();
      await stop();
      await sim.stop();
    }
  });
});

describe('fault matrix: backend restart mid-sync and mid-request', () => {
  const { databases } = createTestDatabases(['SQLITE_3']);
  let sim: FleetSim;
  let knex: Knex;

  beforeAll(async () => {
    sim = await startFleetSim({
      managementClusters: 2,
      clusters: 16,
      seed: 'fault-matrix-midsync',
      anomalies: false,
      timing: { stepMs: 20 },
    });
    await sim.controller.whenIdle();
    knex = await databases.init('SQLITE_3');
  });

  afterAll(async () => {
    await sim?.stop();
  });

  const start = (logs: string[] = [], sync: Record<string, unknown> = {}) =>
    startShipyardBackend({
      logs,
      config: proofConfig(sim, { shipyard: { sync } }),
      features: [mockServices.database.factory({ knex })],
    });

  it('serves the persisted fleet after restarts in the middle of a sync and of requests; nothing lost', async () => {
    const first = await start();
    let persisted: string[];
    try {
      await waitConnected(
        first.client,
        sim.managementClusters.map(m => m.name),
      );
      await eventually(() =>
        expectExactlyTheSimulatorsFleet(first.client, sim),
      );
      persisted = [...simClusterKeys(sim)].sort();
      await eventually(async () => {
        const rows = await knex('shipyard_clusters').count({ n: '*' });
        expect(Number(rows[0].n)).toBe(persisted.length);
      });
    } finally {
      await first.stop();
    }

    // the second replica starts on a slow management API, in small pages, and is stopped mid-sync while
    // requests are in flight
    sim.controller.pause();
    const [mcA, mcB] = sim.managementClusters.map(m => m.name);
    sim.faults.slow(mcA, 150);
    const second = await start([], { pageSize: 2 });
    const inFlight: Array<Promise<number | 'closed'>> = [];
    try {
      await new Promise(r => setTimeout(r, 400));
      const mcs = await managementClusterStates(second.client);
      expect(mcs.get(mcA)?.state).not.toBe('connected');
      // mid-sync, the persisted fleet is served
      const served = await listAllClusters(second.client);
      expect(served.map(keyOf).sort()).toEqual(persisted!);
      for (let i = 0; i < 20; i++) {
        inFlight.push(
          request(second.server)
            .get(
              i % 2
                ? '/api/shipyard/clusters?limit=3'
                : '/api/shipyard/summary',
            )
            .then(
              r => r.status,
              () => 'closed' as const,
            ),
        );
      }
    } finally {
      await second.stop();
    }
    const statuses = await Promise.all(inFlight);
    // each request got an answer from the persisted state, or its connection closed; never a server error
    expect(statuses.filter(s => typeof s === 'number' && s >= 500)).toEqual([]);

    // nothing the half-done sync saw may have removed anything: a third start with every source down
    // serves the whole persisted fleet
    for (const m of [mcA, mcB]) sim.faults.unreachable(m, 'blackhole');
    const third = await start();
    try {
      const restored = await listAllClusters(third.client);
      expect(restored.map(keyOf).sort()).toEqual(persisted!);
      expect(restored.every(c => c.source.state === 'restored')).toBe(true);

      // meanwhile a cluster was deleted and one created: after reconnecting the API agrees with the simulator
      const victim = restored.find(c => c.managementCluster === mcB)!;
      removeCluster(sim, mcB, victim.namespace, victim.name);
      addCluster(sim, mcA, 'created-while-down');
      sim.faults.clear();
      await waitConnected(third.client, [mcA, mcB]);
      await eventually(() =>
        expectExactlyTheSimulatorsFleet(third.client, sim),
      );
      const gone = await request(third.server).get(
        `/api/shipyard/clusters/${mcB}/${victim.namespace}/${victim.name}`,
      );
      expect(gone.status).toBe(404);
      await eventually(async () => {
        const rows = await knex('shipyard_clusters').count({ n: '*' });
        expect(Number(rows[0].n)).toBe(persisted!.length);
      });
    } finally {
      sim.faults.clear();
      sim.controller.resume();
      await third.stop();
    }
  });
});
