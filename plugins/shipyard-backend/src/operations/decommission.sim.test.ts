import {
  ALICE,
  BOB,
  OperationsHarness,
  PAM,
  PAT,
  eventually,
  keyOf,
  startOperationsHarness,
  teamClusterTaker,
  simRefOf,
} from '../__testUtils__/operationsHarness';

/*
 * Decommission against the simulator: typing the name is required, only owners (and the platform team) may, a
 * production cluster is deleted only after a second person of the platform team approves (or, configured so, after
 * a delay nobody cancelled), the deletion is followed until Cluster API confirms it and the fleet drops the cluster,
 * and a deletion held by a blocked drain stays visible, is audited as stalled with what holds it, and completes once
 * the drain goes on.
 */

jest.setTimeout(120_000);

/*
 * A deletion that completes must be audited as completed, not as stalled: the suites that follow deletions to
 * their end keep the default deadline (an hour), which no deletion of the simulator comes near however busy the
 * machine. Only the stalled deletion is followed by a backend with a short deadline.
 */
const config = {
  shipyard: { operations: { trackIntervalMs: 200 } },
};

describe('decommission a cluster', () => {
  let h: OperationsHarness;
  const take = teamClusterTaker(() => h, { anyKind: true });

  beforeAll(async () => {
    h = await startOperationsHarness({
      seed: 'day2-decommission',
      clusters: 40,
      config,
    });
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('deletes a cluster after its name is typed, follows it until it leaves the fleet and audits it', async () => {
    const cluster = await take(c => c.lifecycle !== 'production');
    const key = keyOf(cluster);
    const wrong = await h
      .as(ALICE)('post', `/clusters/${key}/decommission`)
      .send({ confirm: 'something-else' });
    expect(wrong.status).toBe(400);
    const denied = await h
      .as(BOB)('post', `/clusters/${key}/decommission`)
      .send({ confirm: cluster.name });
    expect(denied.status).toBe(403);
    expect(h.clusterObject(key)).toBeDefined();
    const res = await h
      .as(ALICE)('post', `/clusters/${key}/decommission`)
      .send({ confirm: cluster.name, reason: 'project ended' });
    expect(res.status).toBe(200);
    expect(res.body.operationId).toBeDefined();
    await h.waitGone(key, 40_000);
    await eventually(async () => {
      expect(await h.auditTrail(cluster.name)).toEqual([
        ['cluster.delete', 'completed', ALICE],
        ['cluster.delete', 'succeeded', ALICE],
        ['cluster.delete', 'refused', BOB],
        ['cluster.delete', 'refused', ALICE],
      ]);
    }, 10_000);
  });

  it('deletes a production cluster only when a second person of the platform team approves the request', async () => {
    const cluster = await take(c => c.lifecycle === 'production');
    const key = keyOf(cluster);
    const post = (user: string, path: string, body: object) =>
      h.as(user)('post', `/clusters/${key}/decommission${path}`).send(body);

    // a dry run checks and stores nothing
    const dry = await post(ALICE, '', { confirm: cluster.name, dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.body.pending).toBeUndefined();
    // the owner asks: nothing is deleted, the request waits for the platform team
    const asked = await post(ALICE, '', {
      confirm: cluster.name,
      reason: 'moved to the new region',
    });
    expect(asked.status).toBe(200);
    expect(asked.body.pending).toMatchObject({
      guard: 'approval',
      requestedBy: ALICE,
    });
    expect(asked.body.operationId).toBeUndefined();
    expect(asked.body.message).toContain('second member');
    expect(h.clusterObject(key).metadata.deletionTimestamp).toBeUndefined();
    const again = await post(ALICE, '', { confirm: cluster.name });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('already requested');
    // the owner may not approve, nor a platform member without the name typed again
    const own = await post(ALICE, '/approve', { confirm: cluster.name });
    expect(own.status).toBe(403);
    expect(own.body.error.message).toContain('platform');
    const unconfirmed = await post(PAM, '/approve', { confirm: 'x' });
    expect(unconfirmed.status).toBe(400);
    const ops = await h.as(PAT)('get', `/clusters/${key}/operations`);
    expect(ops.body.items[0]).toMatchObject({
      action: 'cluster.delete',
      actor: ALICE,
      state: 'pending',
    });
    expect(h.clusterObject(key).metadata.deletionTimestamp).toBeUndefined();

    // a second person of the platform team approves: the deletion starts and is followed until the fleet drops it
    const approved = await post(PAM, '/approve', {
      confirm: cluster.name,
      reason: 'checked with the team',
    });
    expect(approved.status).toBe(200);
    expect(approved.body.operationId).toBeDefined();
    expect(approved.body.message).toContain(`approved by ${PAM}`);
    await h.waitGone(key, 40_000);
    await eventually(async () => {
      const audit = await h.audit(cluster.name);
      expect(audit.map(r => [r.action, r.outcome, r.actor])).toEqual([
        ['cluster.delete', 'completed', PAM],
        ['cluster.delete', 'succeeded', PAM],
        ['cluster.delete', 'refused', PAM],
        ['cluster.delete', 'refused', ALICE],
        ['cluster.delete', 'refused', ALICE],
        ['cluster.delete', 'succeeded', ALICE],
        ['cluster.delete', 'succeeded', ALICE],
      ]);
      expect(audit[1].details).toMatchObject({
        approve: true,
        'after.phase': 'Deleting',
      });
      expect(audit[5].details).toMatchObject({
        reason: 'moved to the new region',
        'after.decommission': 'awaiting approval',
      });
      expect(audit[6].details).toMatchObject({ dryRun: true });
    }, 10_000);
    const after = await h.as(PAT)('get', `/clusters/${key}/operations`);
    expect(after.body.items.map((o: any) => o.state)).toEqual([
      'completed',
      'approved',
    ]);
  });

  it('refuses the requester as approver even of the platform team, and lets the requester cancel', async () => {
    const cluster = await take(c => c.lifecycle === 'production');
    const key = keyOf(cluster);
    const post = (user: string, path: string, body: object) =>
      h.as(user)('post', `/clusters/${key}/decommission${path}`).send(body);
    expect((await post(PAT, '', { confirm: cluster.name })).status).toBe(200);
    const self = await post(PAT, '/approve', { confirm: cluster.name });
    expect(self.status).toBe(403);
    expect(self.body.error.message).toContain('a second person');
    // another team may not cancel it
    const other = await post(BOB, '/cancel', {});
    expect(other.status).toBe(403);
    const cancelled = await post(PAT, '/cancel', { reason: 'not yet' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.message).toContain('cancelled');
    // nothing waits any more
    expect(
      (await post(PAM, '/approve', { confirm: cluster.name })).status,
    ).toBe(404);
    expect(h.clusterObject(key).metadata.deletionTimestamp).toBeUndefined();
    const ops = await h.as(PAT)('get', `/clusters/${key}/operations`);
    expect(ops.body.items.map((o: any) => o.state)).toEqual(['cancelled']);
    const audit = await h.audit(cluster.name);
    expect(audit.map(r => [r.outcome, r.actor])).toEqual([
      ['refused', PAM],
      ['succeeded', PAT],
      ['refused', BOB],
      ['refused', PAT],
      ['succeeded', PAT],
    ]);
    expect(audit[1].details).toMatchObject({ cancel: true, reason: 'not yet' });
  });

  describe('with a deadline of 2.5 s', () => {
    // a second backend on the same simulator, whose followed deletions stall after 2.5 s
    let short: OperationsHarness;

    beforeAll(async () => {
      short = await startOperationsHarness({
        seed: 'day2-decommission',
        sim: h.sim,
        config: {
          shipyard: {
            operations: { trackIntervalMs: 200, deleteDeadlineMs: 2_500 },
          },
        },
      });
    });

    afterAll(async () => {
      await short?.stop();
    });

    it('keeps a deletion held by a blocked drain visible, audits it as stalled, and completes it later', async () => {
      const cluster = await take(
        c => c.lifecycle !== 'production' && c.machineCount > 1,
      );
      const key = keyOf(cluster);
      const ref = simRefOf(cluster);
      short.sim.faults.stallDrain(ref, true);
      await short
        .as(ALICE)('post', `/clusters/${key}/decommission`)
        .send({ confirm: cluster.name })
        .expect(200);
      await eventually(async () => {
        const [latest] = await short.operations(key, PAT);
        expect(latest.state).toBe('stalled');
      }, 20_000);
      const s = await short.summary(key);
      expect(s?.deletingSince).toBeDefined();
      expect(s?.phase).toBe('Deleting');
      const audit = await short.audit(cluster.name);
      expect(audit[0]).toMatchObject({
        action: 'cluster.delete',
        outcome: 'stalled',
      });
      expect(audit[0].message).toContain('draining');
      short.sim.faults.stallDrain(ref, false);
      await eventually(async () => {
        expect(await short.summary(key)).toBeUndefined();
        const [latest] = await short.operations(key, PAT);
        expect(latest.state).toBe('completed');
      }, 40_000);
    });
  });
});

describe('decommission a production cluster after a configured delay', () => {
  let h: OperationsHarness;
  const take = teamClusterTaker(() => h, { anyKind: true });

  beforeAll(async () => {
    h = await startOperationsHarness({
      seed: 'day2-production',
      clusters: 30,
      config: {
        shipyard: {
          operations: {
            trackIntervalMs: 200,
            productionDecommission: { guard: 'delay', delayMs: 4_000 },
          },
        },
      },
    });
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('deletes the cluster once the delay passed, and not when the request was cancelled meanwhile', async () => {
    const kept = await take(c => c.lifecycle === 'production');
    const gone = await take(c => c.lifecycle === 'production');
    const post = (user: string, cluster: any, path: string, body: object) =>
      h
        .as(user)('post', `/clusters/${keyOf(cluster)}/decommission${path}`)
        .send(body);
    const asked = await post(ALICE, gone, '', { confirm: gone.name });
    expect(asked.status).toBe(200);
    expect(asked.body.pending).toMatchObject({
      guard: 'delay',
      requestedBy: ALICE,
    });
    const startsAt = Date.parse(asked.body.pending.until);
    expect(startsAt - Date.parse(asked.body.pending.requestedAt)).toBe(4_000);
    expect((await post(ALICE, kept, '', { confirm: kept.name })).status).toBe(
      200,
    );
    expect((await post(BOB, kept, '/cancel', {})).status).toBe(403);
    expect((await post(ALICE, kept, '/cancel', {})).status).toBe(200);
    // nothing is deleted before its time
    expect(
      h.clusterObject(keyOf(gone)).metadata.deletionTimestamp,
    ).toBeUndefined();

    await h.waitGone(keyOf(gone), 60_000);
    expect(Date.now()).toBeGreaterThanOrEqual(startsAt);
    await eventually(async () => {
      const audit = await h.audit(gone.name);
      expect(audit.map(r => [r.outcome, r.actor])).toEqual([
        ['completed', ALICE],
        ['succeeded', ALICE],
        ['succeeded', ALICE],
      ]);
      expect(audit[1].message).toContain('its delay passed');
      expect(audit[1].details).toMatchObject({ delayed: true });
    }, 10_000);
    // the cancelled one stays
    expect(h.clusterObject(keyOf(kept))).toBeDefined();
    expect(
      h.clusterObject(keyOf(kept)).metadata.deletionTimestamp,
    ).toBeUndefined();
    const ops = await h.as(PAT)('get', `/clusters/${keyOf(kept)}/operations`);
    expect(ops.body.items.map((o: any) => o.state)).toEqual(['cancelled']);
  });
});
