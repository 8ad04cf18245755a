import {
  ALICE,
  BOB,
  OperationsHarness,
  eventually,
  keyOf,
  teamClusterTaker,
  startOperationsHarness,
  simRefOf,
} from '../__testUtils__/operationsHarness';

/*
 * Resize against the simulator: the topology's replicas change, the machines surge and settle, the operation is
 * followed to completion (audited), refusals (permission, bounds, unknown pool, quota, unhealthy, paused) write
 * nothing and are audited, a scale-up that cannot get machines is audited as stalled and still completes once
 * capacity is back, and a restarted backend goes on following what the previous one started.
 */

jest.setTimeout(120_000);

/*
 * A resize that settles must be audited as completed, not as stalled: the suite keeps the default deadline
 * (20 minutes), which no resize of the simulator comes near however busy the machine. Only the stalled scale-up
 * is followed by a backend with a short deadline.
 */
const operations = {
  trackIntervalMs: 200,
  machineQuota: {
    teams: [{ owner: 'group:default/team-b', machines: 1 }],
  },
};
const config = { shipyard: { operations } };

describe('resize a cluster', () => {
  let h: OperationsHarness;
  const take = teamClusterTaker(() => h, { base: c => Boolean(c.profile) });

  beforeAll(async () => {
    h = await startOperationsHarness({ seed: 'day2-scale', config });
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('adds workers, follows the surge until they settle and audits the completion', async () => {
    const cluster = await take();
    const key = keyOf(cluster);
    const md = cluster.machineDeployments[0];
    const from = md.replicas.desired ?? 1;
    const to = from >= 5 ? from - 1 : from + 1;
    const res = await h
      .as(ALICE)('post', `/clusters/${key}/scale`)
      .send({ workers: [{ name: md.name, replicas: to }] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      operation: 'scale',
      before: { [`workers.${md.name}`]: from },
      after: { [`workers.${md.name}`]: to },
    });
    expect(res.body.operationId).toBeDefined();
    await eventually(async () => {
      const s = await h.summary(key);
      const now = s?.machineDeployments.find(m => m.name === md.name);
      expect(now?.replicas.desired).toBe(to);
      expect(now?.replicas.ready).toBe(to);
    }, 30_000);
    await eventually(async () => {
      const [latest] = await h.operations(key, ALICE);
      expect(latest).toMatchObject({
        action: 'cluster.scale',
        state: 'completed',
        actor: ALICE,
      });
    }, 10_000);
    const audit = await h.audit(cluster.name);
    expect(audit.map(r => [r.action, r.outcome])).toEqual([
      ['cluster.scale', 'completed'],
      ['cluster.scale', 'succeeded'],
    ]);
    expect(audit[1].details).toMatchObject({
      [`before.workers.${md.name}`]: from,
      [`after.workers.${md.name}`]: to,
    });
  });

  it('switches to a named size of the profile', async () => {
    const cluster = await take(
      c => c.controlPlaneKind === 'KubeadmControlPlane',
    );
    const key = keyOf(cluster);
    const res = await h
      .as(ALICE)('post', `/clusters/${key}/scale`)
      .send({ size: 'small', dryRun: true });
    expect(res.status).toBe(200);
    expect(res.body.dryRun).toBe(true);
    expect(res.body.after).toMatchObject({
      [`workers.${cluster.machineDeployments[0].name}`]: 1,
      controlPlane: 1,
    });
  });

  it('refuses without permission, out of bounds, an unknown pool or size and when paused; writes nothing', async () => {
    const cluster = await take();
    const key = keyOf(cluster);
    const md = cluster.machineDeployments[0].name;
    const send = (user: string, body: object) =>
      h.as(user)('post', `/clusters/${key}/scale`).send(body);
    const denied = await send(BOB, { workers: [{ name: md, replicas: 2 }] });
    expect(denied.status).toBe(403);
    const tooMany = await send(ALICE, { workers: [{ name: md, replicas: 9 }] });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.message).toContain('outside the bounds');
    const unknown = await send(ALICE, {
      workers: [{ name: 'md-nope', replicas: 2 }],
    });
    expect(unknown.status).toBe(400);
    const badSize = await send(ALICE, { size: 'huge' });
    expect(badSize.status).toBe(400);
    expect(badSize.body.error.message).toContain('small, medium, large');
    await h
      .as(ALICE)('post', `/clusters/${key}/pause`)
      .send({ reason: 'freeze' })
      .expect(200);
    await eventually(async () => {
      expect((await h.summary(key))?.paused).toBeDefined();
    });
    const paused = await send(ALICE, { workers: [{ name: md, replicas: 2 }] });
    expect(paused.status).toBe(409);
    expect(paused.body.error.message).toContain('resume it');
    const obj = h.clusterObject(key);
    expect(
      obj.spec.topology.workers.machineDeployments.map((m: any) => m.replicas),
    ).toEqual(
      cluster.machineDeployments.map(m => m.replicas.desired ?? undefined),
    );
    const audit = await h.audit(cluster.name);
    expect(
      audit
        .filter(r => r.action === 'cluster.scale')
        .map(r => [r.outcome, r.actor]),
    ).toEqual([
      ['refused', ALICE],
      ['refused', ALICE],
      ['refused', ALICE],
      ['refused', ALICE],
      ['refused', BOB],
    ]);
  });

  it('refuses an unhealthy cluster, audited, and writes nothing', async () => {
    const cluster = await take();
    const key = keyOf(cluster);
    const before = JSON.stringify(h.clusterObject(key).spec);
    h.sim.faults.controlPlaneDown(
      {
        management: cluster.managementCluster,
        namespace: cluster.namespace,
        name: cluster.name,
      },
      true,
    );
    await eventually(async () => {
      expect((await h.summary(key))?.health).not.toBe('healthy');
    }, 20_000);
    const res = await h
      .as(ALICE)('post', `/clusters/${key}/scale`)
      .send({
        workers: [{ name: cluster.machineDeployments[0].name, replicas: 2 }],
      });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain('healthy');
    const [last] = await h.audit(cluster.name);
    expect(last).toMatchObject({
      action: 'cluster.scale',
      outcome: 'refused',
      actor: ALICE,
    });
    expect(JSON.stringify(h.clusterObject(key).spec)).toBe(before);
    h.sim.faults.clear({
      management: cluster.managementCluster,
      namespace: cluster.namespace,
      name: cluster.name,
    });
  });

  describe('with a deadline of 2.5 s', () => {
    // a second backend on the same simulator, whose followed resizes stall after 2.5 s
    let short: OperationsHarness;

    beforeAll(async () => {
      short = await startOperationsHarness({
        seed: 'day2-scale',
        sim: h.sim,
        config: {
          shipyard: { operations: { ...operations, scaleDeadlineMs: 2_500 } },
        },
      });
    });

    afterAll(async () => {
      await short?.stop();
    });

    it('audits a scale-up that gets no machines as stalled, and its completion once capacity is back', async () => {
      const cluster = await take(
        c => (c.machineDeployments[0]?.replicas.desired ?? 1) < 6,
      );
      const key = keyOf(cluster);
      const ref = simRefOf(cluster);
      const md = cluster.machineDeployments[0];
      const to = (md.replicas.desired ?? 1) + 1;
      short.sim.faults.stallProvisioning(ref, true);
      await short
        .as(ALICE)('post', `/clusters/${key}/scale`)
        .send({ workers: [{ name: md.name, replicas: to }] })
        .expect(200);
      await eventually(async () => {
        const [latest] = await short.operations(key, ALICE);
        expect(latest.state).toBe('stalled');
        expect(latest.message).toContain('provisioning');
      }, 20_000);
      short.sim.faults.stallProvisioning(ref, false);
      await eventually(async () => {
        const [latest] = await short.operations(key, ALICE);
        expect(latest.state).toBe('completed');
      }, 30_000);
      const audit = await short.audit(cluster.name);
      expect(audit.map(r => [r.action, r.outcome])).toEqual([
        ['cluster.scale', 'completed'],
        ['cluster.scale', 'stalled'],
        ['cluster.scale', 'succeeded'],
      ]);
      expect(audit[1].message).toContain('provisioning');
    });
  });
});
