import {
  ALICE,
  BOB,
  CLUSTERS,
  OperationsHarness,
  eventually,
  keyOf,
  teamClusterTaker,
  startOperationsHarness,
} from '../__testUtils__/operationsHarness';

/*
 * Pause and resume against the simulator: the Cluster gets spec.paused with Shipyard's annotations, its
 * controllers hold everything still while paused, the API shows the pause, resuming lets the cluster catch up,
 * an expired pause is resumed by the backend, and every attempt (refusals included) is audited.
 */

jest.setTimeout(90_000);

describe('pause and resume a cluster', () => {
  let h: OperationsHarness;
  /** Each test takes a cluster of its own. */
  const take = teamClusterTaker(() => h);

  beforeAll(async () => {
    h = await startOperationsHarness({
      seed: 'day2-pause',
      config: { shipyard: { operations: { pauseExpiryCheckMs: 300 } } },
    });
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('pauses with a reason, holds the controllers still, shows it, and resumes', async () => {
    const cluster = await take();
    const key = keyOf(cluster);
    const paused = await h
      .as(ALICE)('post', `/clusters/${key}/pause`)
      .send({ reason: 'incident INC-42: do not touch' });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({
      operation: 'pause',
      dryRun: false,
      unchanged: false,
      before: { paused: false },
      after: { paused: true, reason: 'incident INC-42: do not touch' },
    });
    const obj = h.clusterObject(key);
    expect(obj.spec.paused).toBe(true);
    expect(obj.metadata.annotations['shipyard.io/pause-reason']).toBe(
      'incident INC-42: do not touch',
    );
    expect(obj.metadata.annotations['shipyard.io/paused-by']).toBe(ALICE);
    await eventually(async () => {
      const s = await h.summary(key);
      expect(s?.paused).toMatchObject({
        reason: 'incident INC-42: do not touch',
        by: ALICE,
      });
    });
    // the list shows it too (the fleet page reads the slim list items)
    const list = await h
      .as(ALICE)('get', `/clusters?q=${cluster.name}&fields=list&facets=false`)
      .expect(200);
    expect(
      list.body.items.find((i: any) => keyOf(i) === key)?.paused?.reason,
    ).toBe('incident INC-42: do not touch');

    // while paused, a change of the topology is not acted on
    const [mc, ns, name] = key.split('/');
    const api = h.sim.management(mc).api;
    const machinesBefore = cluster.machineCount;
    const md0 = obj.spec.topology.workers.machineDeployments[0].replicas ?? 1;
    api.patch(api.type(CLUSTERS), ns, name, 'json', [
      {
        op: 'replace',
        path: '/spec/topology/workers/machineDeployments/0/replicas',
        value: md0 + 1,
      },
    ]);
    await new Promise(r => setTimeout(r, 1500));
    expect((await h.summary(key))?.machineCount).toBe(machinesBefore);

    // resuming lets the controllers catch up
    const resumed = await h
      .as(ALICE)('post', `/clusters/${key}/resume`)
      .send({});
    expect(resumed.status).toBe(200);
    expect(resumed.body).toMatchObject({
      operation: 'resume',
      before: { paused: true },
      after: { paused: false },
    });
    const after = h.clusterObject(key);
    expect(after.spec.paused).toBe(false);
    expect(after.metadata.annotations?.['shipyard.io/pause-reason']).toBe(
      undefined,
    );
    await eventually(async () => {
      const s = await h.summary(key);
      expect(s?.paused).toBeUndefined();
      expect(s?.machineCount).toBe(machinesBefore + 1);
    }, 20_000);

    const audit = await h.audit(name);
    expect(audit.map(r => [r.action, r.outcome, r.actor]).slice(0, 2)).toEqual([
      ['cluster.resume', 'succeeded', ALICE],
      ['cluster.pause', 'succeeded', ALICE],
    ]);
    expect(audit[1].details).toMatchObject({
      'before.paused': false,
      'after.paused': true,
      'after.reason': 'incident INC-42: do not touch',
    });
    expect(audit[1].owner).toBe(cluster.owner);
  });

  it('refuses without permission, without a reason, with a bad expiry and in a dry run changes nothing', async () => {
    const cluster = await take();
    const key = keyOf(cluster);
    const denied = await h
      .as(BOB)('post', `/clusters/${key}/pause`)
      .send({ reason: 'not mine' });
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toContain('shipyard.cluster.pause');
    const noReason = await h
      .as(ALICE)('post', `/clusters/${key}/pause`)
      .send({ reason: '   ' });
    expect(noReason.status).toBe(400);
    const past = await h
      .as(ALICE)('post', `/clusters/${key}/pause`)
      .send({ reason: 'x', expiresAt: '2001-01-01T00:00:00Z' });
    expect(past.status).toBe(400);
    expect(past.body.error.message).toContain('in the future');
    const tooLong = await h
      .as(ALICE)('post', `/clusters/${key}/pause`)
      .send({
        reason: 'x',
        expiresAt: new Date(Date.now() + 40 * 86_400_000).toISOString(),
      });
    expect(tooLong.status).toBe(400);
    const unknownField = await h
      .as(ALICE)('post', `/clusters/${key}/pause`)
      .send({ reason: 'x', paused: false });
    expect(unknownField.status).toBe(400);
    const dry = await h
      .as(ALICE)('post', `/clusters/${key}/pause`)
      .send({ reason: 'maintenance', dryRun: true });
    expect(dry.text).toContain('"dryRun":true');
    expect(dry.status).toBe(200);
    expect(dry.body.dryRun).toBe(true);
    expect(h.clusterObject(key).spec.paused).not.toBe(true);
    const missing = await h
      .as(ALICE)(
        'post',
        `/clusters/${cluster.managementCluster}/nowhere/none/pause`,
      )
      .send({ reason: 'x' });
    expect(missing.status).toBe(404);

    const audit = await h.audit(cluster.name);
    expect(audit.map(r => [r.action, r.outcome, r.actor])).toEqual([
      ['cluster.pause', 'succeeded', ALICE],
      ['cluster.pause', 'refused', ALICE],
      ['cluster.pause', 'refused', ALICE],
      ['cluster.pause', 'refused', ALICE],
      ['cluster.pause', 'refused', BOB],
    ]);
    expect(audit[0].details).toMatchObject({ dryRun: true });
    expect(audit[4].message).toContain('may not change');
  });

  it('resumes a cluster when its pause expires', async () => {
    const cluster = await take();
    const key = keyOf(cluster);
    // long enough for the pause to be written and shown on a busy machine before it expires (a request that
    // arrives after the time is refused, and a pause shown only after it is resumed at the next check, 0.3 s)
    const expiresAt = new Date(Date.now() + 5_000).toISOString();
    await h
      .as(ALICE)('post', `/clusters/${key}/pause`)
      .send({ reason: 'short freeze', expiresAt })
      .expect(200);
    await eventually(async () => {
      expect((await h.summary(key))?.paused?.expiresAt).toBe(expiresAt);
    });
    await eventually(async () => {
      expect(h.clusterObject(key).spec.paused).toBe(false);
      expect((await h.summary(key))?.paused).toBeUndefined();
    }, 20_000);
    const audit = await h.audit(cluster.name);
    expect(audit[0]).toMatchObject({
      action: 'cluster.resume',
      outcome: 'succeeded',
      actor: 'shipyard',
    });
    expect(audit[0].message).toContain('expired');
  });
});
