import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { mockServices } from '@backstage/backend-test-utils';
import { TEST_PROBE_CONFIG, createTestDatabases } from '@shipyard/test-utils';
import { FleetSim, startFleetSim } from '@shipyard/fleet-sim';
import knexFactory, { Knex } from 'knex';
import request from 'supertest';
import {
  Backend,
  eventually,
  keyOf,
  listAllClusters,
  proofConfig,
  simClusterKeys,
  startShipyardBackend,
  waitConnected,
} from '../__testUtils__/proofUtils';

/*
 * Fault matrix: two backend replicas on one PostgreSQL database, each with its own connection pool (as two
 * processes would have). Both serve the same fleet; probe rounds are a global task, so one replica probes per
 * round and the other serves its results; stopping one leaves the other correct.
 */

jest.setTimeout(150_000);

const { databases, postgresSkipReason } = createTestDatabases(['POSTGRES_15']);
// without PostgreSQL 15 binaries here the reason is the skipped suite's title
const maybe = postgresSkipReason ? describe.skip : describe;
const TITLE = `two backend replicas on one PostgreSQL${
  postgresSkipReason ? ` (skipped: ${postgresSkipReason})` : ''
}`;

const INTERVAL_MS = 500;
const ROUND_STARTED = 'Shipyard health round: started';
const ROUND_LINE = 'Shipyard health round: probed';

maybe(TITLE, () => {
  let sim: FleetSim;
  let knexA: Knex;
  let knexB: Knex;
  const replicas: Array<{
    name: string;
    backend?: Backend;
    logs: string[];
    times: number[];
  }> = [
    { name: 'a', logs: [], times: [] },
    { name: 'b', logs: [], times: [] },
  ];
  /** Health rounds a replica finished. */
  const rounds = (r: (typeof replicas)[number]) =>
    r.logs.filter(l => l.includes(ROUND_LINE)).length;

  beforeAll(async () => {
    sim = await startFleetSim({
      managementClusters: 2,
      clusters: 12,
      seed: 'two-replicas',
      anomalies: false,
      timing: { stepMs: 20 },
    });
    await sim.controller.whenIdle();
    knexA = await databases.init('POSTGRES_15');
    // a second pool on the same database
    knexB = knexFactory(knexA.client.config);
    const config = proofConfig(sim, {
      shipyard: {
        // a loaded machine's timings: the first check wants every cluster healthy at once
        health: {
          ...TEST_PROBE_CONFIG,
          intervalMs: INTERVAL_MS,
          slowThresholdMs: 2000,
        },
      },
    });
    for (const [i, r] of replicas.entries()) {
      r.backend = await startShipyardBackend({
        logs: r.logs,
        logTimes: r.times,
        config,
        features: [
          schedulerServiceFactory,
          mockServices.database.factory({ knex: i === 0 ? knexA : knexB }),
        ],
      });
    }
  });

  afterAll(async () => {
    for (const r of replicas) await r.backend?.stop();
    await knexB?.destroy();
    await sim?.stop();
  });

  it('serve the same fleet and health, with one replica probing per round; one stopped, the other stays correct', async () => {
    const [a, b] = replicas;
    const names = sim.managementClusters.map(m => m.name);
    const truth = [...simClusterKeys(sim)].sort();
    for (const r of replicas) {
      await waitConnected(r.backend!.client, names);
      await eventually(async () => {
        const items = await listAllClusters(r.backend!.client);
        expect(items.map(keyOf).sort()).toEqual(truth);
        expect(items.every(i => i.probe?.ok && i.health === 'healthy')).toBe(
          true,
        );
      }, 30_000);
    }

    // every round in a window, as [started, finished] from its log lines: one per interval for the pair. The window
    // is at least 4 s and lasts until three rounds finished (a loaded machine runs fewer rounds than it schedules)
    const from = replicas.map(r => r.logs.length);
    const windowStart = Date.now();
    const roundsSince = () => {
      const spans: Array<{
        replica: string;
        started: number;
        finished: number;
      }> = [];
      for (const [i, r] of replicas.entries()) {
        let started: number | undefined;
        for (let j = from[i]; j < r.logs.length; j++) {
          if (r.logs[j].includes(ROUND_STARTED)) started = r.times[j];
          else if (r.logs[j].includes(ROUND_LINE) && started !== undefined) {
            spans.push({ replica: r.name, started, finished: r.times[j] });
            started = undefined;
          }
        }
      }
      return spans;
    };
    await new Promise(res => setTimeout(res, 4000));
    const spans = await eventually(roundsSince, {
      until: found => found.length >= 3,
      timeoutMs: 30_000,
    });
    const windowMs = Date.now() - windowStart;
    expect(spans.length).toBeGreaterThanOrEqual(3);
    expect(spans.length).toBeLessThanOrEqual(
      Math.ceil(windowMs / INTERVAL_MS) + 1,
    );
    // the global task holds its lock for the whole round: rounds never overlap, whichever replica runs them
    spans.sort((x, y) => x.started - y.started);
    for (let i = 1; i < spans.length; i++) {
      expect(spans[i].started).toBeGreaterThanOrEqual(spans[i - 1].finished);
    }

    // a health change probed by whichever replica is served by both
    const w = sim.workloadClusters()[0];
    const path = `/api/shipyard/clusters/${w.management}/${w.namespace}/${w.name}`;
    sim.faults.unreachable(
      { management: w.management, namespace: w.namespace, name: w.name },
      'refuse',
    );
    for (const r of replicas) {
      await eventually(async () => {
        const res = await request(r.backend!.server).get(path);
        expect(res.body.summary.health).toBe('unhealthy');
      });
    }

    // stop replica a: b keeps probing every round and serving the whole fleet
    await a.backend!.stop();
    a.backend = undefined;
    sim.faults.clear();
    const bBefore = rounds(b);
    await eventually(async () => {
      const res = await request(b.backend!.server).get(path);
      expect(res.body.summary.health).toBe('healthy');
      expect(rounds(b)).toBeGreaterThanOrEqual(bBefore + 2);
    }, 20_000);
    const items = await listAllClusters(b.backend!.client);
    expect(items.map(keyOf).sort()).toEqual(truth);
    // a deletion after the other replica stopped reaches the survivor
    const victim = items[0];
    sim
      .management(victim.managementCluster)
      .api.store.remove(
        'cluster.x-k8s.io/clusters',
        `${victim.namespace}/${victim.name}`,
      );
    await eventually(async () => {
      expect(
        (await listAllClusters(b.backend!.client)).map(keyOf).sort(),
      ).toEqual([...simClusterKeys(sim)].sort());
    });
  });
});
