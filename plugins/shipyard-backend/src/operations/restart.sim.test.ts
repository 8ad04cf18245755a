import { mockServices } from '@backstage/backend-test-utils';
import { createTestDatabases } from '@shipyard/test-utils';
import { FleetSim, startFleetSim } from '@shipyard/fleet-sim';
import {
  ALICE,
  OperationsHarness,
  eventually,
  keyOf,
  pickTeamCluster,
  startOperationsHarness,
  simRefOf,
} from '../__testUtils__/operationsHarness';

/*
 * A backend restarted in the middle of an operation: the resize started by the first backend is in the database;
 * the machines it waits for come while no backend runs; the next backend, on the same database, finds the operation,
 * completes it once and audits the completion once, and the fleet and the operation agree. Likewise a production
 * decommission requested before the restart, whose delay passes while no backend runs: the next backend deletes the
 * cluster once, and follows the deletion to its end.
 */

jest.setTimeout(150_000);

const { databases } = createTestDatabases(['SQLITE_3']);

const config = {
  shipyard: {
    operations: { trackIntervalMs: 200, scaleDeadlineMs: 120_000 },
  },
};

describe('a restart in the middle of an operation', () => {
  let sim: FleetSim;
  let h: OperationsHarness | undefined;

  beforeAll(async () => {
    sim = await startFleetSim({
      managementClusters: 1,
      clusters: 80,
      seed: 'day2-restart',
      anomalies: false,
      timing: { stepMs: 20 },
    });
  });

  afterAll(async () => {
    await h?.stop();
    await sim?.stop();
  });

  it('goes on following a resize after the backend restarts, and records its completion once', async () => {
    const knex = await databases.init('SQLITE_3');
    const start = () =>
      startOperationsHarness({
        seed: 'day2-restart',
        sim,
        config,
        features: [mockServices.database.factory({ knex })],
      });
    h = await start();
    // a scale-up within the profile's sizes (1 to 6 workers)
    const cluster = await pickTeamCluster(
      h,
      [],
      c =>
        Boolean(c.profile) &&
        (c.machineDeployments[0]?.replicas.desired ?? 6) < 6,
    );
    const key = keyOf(cluster);
    const ref = simRefOf(cluster);
    const md = cluster.machineDeployments[0];
    const from = md.replicas.desired ?? 1;
    const to = from + 1;
    // the new machine cannot come while the first backend runs
    sim.faults.stallProvisioning(ref, true);
    const res = await h
      .as(ALICE)('post', `/clusters/${key}/scale`)
      .send({ workers: [{ name: md.name, replicas: to }] });
    expect(res.status).toBe(200);
    const operationId = res.body.operationId;
    expect(operationId).toBeDefined();
    const [latest] = await h.operations(key, ALICE);
    expect(latest).toMatchObject({
      id: operationId,
      state: 'running',
    });

    // the backend goes; the fleet carries on without it
    await h.stop();
    h = undefined;
    sim.faults.stallProvisioning(ref, false);

    h = await start();
    const restarted = h;
    await eventually(async () => {
      const now = await restarted
        .as(ALICE)('get', `/clusters/${key}/operations`)
        .expect(200);
      expect(now.body.items).toHaveLength(1);
      expect(now.body.items[0]).toMatchObject({
        id: operationId,
        state: 'completed',
      });
    }, 60_000);
    const summary = await restarted.summary(key);
    const pool = summary!.machineDeployments.find(m => m.name === md.name)!;
    expect(pool.replicas).toMatchObject({ desired: to, ready: to });
    const audit = (await restarted.audit(cluster.name)).filter(
      r => r.action === 'cluster.scale',
    );
    expect(audit.map(r => [r.outcome, r.actor])).toEqual([
      ['completed', ALICE],
      ['succeeded', ALICE],
    ]);
    expect(audit[0].details).toMatchObject({ operationId });
  });

  it('carries out a production decommission whose delay passed while the backend was down, once', async () => {
    await h?.stop();
    h = undefined;
    const knex = await databases.init('SQLITE_3');
    const start = () =>
      startOperationsHarness({
        seed: 'day2-restart',
        sim,
        config: {
          shipyard: {
            operations: {
              trackIntervalMs: 200,
              productionDecommission: { guard: 'delay', delayMs: 3_000 },
            },
          },
        },
        features: [mockServices.database.factory({ knex })],
      });
    h = await start();
    const cluster = await pickTeamCluster(
      h,
      [],
      c => c.lifecycle === 'production',
      true,
    );
    const key = keyOf(cluster);
    const res = await h
      .as(ALICE)('post', `/clusters/${key}/decommission`)
      .send({ confirm: cluster.name });
    expect(res.status).toBe(200);
    expect(res.body.pending).toMatchObject({ guard: 'delay' });
    await h.stop();
    h = undefined;
    // the delay passes while no backend runs; nothing is deleted meanwhile
    await new Promise(r => setTimeout(r, 3_500));
    const [mc, ns, name] = key.split('/');
    const api = sim.management(mc).api;
    const object: any = api.tryGet(
      api.type('cluster.x-k8s.io/clusters'),
      ns,
      name,
    );
    expect(object?.metadata?.name).toBe(name);
    expect(object.metadata.deletionTimestamp).toBeUndefined();

    h = await start();
    const restarted = h;
    await eventually(async () => {
      expect(restarted.clusterObject(key)).toBeUndefined();
      const now = await restarted
        .as(ALICE)('get', `/clusters/${key}/operations`)
        .expect(200);
      expect(now.body.items.map((o: any) => o.state)).toEqual([
        'completed',
        'approved',
      ]);
    }, 90_000);
    const audit = (await restarted.audit(cluster.name)).filter(
      r => r.action === 'cluster.delete',
    );
    expect(audit.map(r => [r.outcome, r.actor])).toEqual([
      ['completed', ALICE],
      ['succeeded', ALICE],
      ['succeeded', ALICE],
    ]);
    expect(audit[1].message).toContain('its delay passed');
  });
});
