import {
  ALICE,
  BOB,
  OperationsHarness,
  PAT,
  eventually,
  keyOf,
  pickTeamCluster,
  startOperationsHarness,
} from './__testUtils__/operationsHarness';

/*
 * Decommission against the simulator: typing the name is required, only owners (and the platform team) may, a
 * production cluster needs the platform team's approval, the deletion is followed until Cluster API confirms it and
 * the fleet drops the cluster, and a deletion held by a blocked drain stays visible, is audited as stalled with
 * what holds it, and completes once the drain goes on.
 */

jest.setTimeout(120_000);

const config = {
  shipyard: {
    operations: { trackIntervalMs: 200, deleteDeadlineMs: 2_500 },
  },
};

describe('decommission a cluster', () => {
  let h: OperationsHarness;
  const used: string[] = [];
  const take = async (filter: (c: any) => boolean) => {
    const cluster = await pickTeamCluster(h, used, filter);
    used.push(keyOf(cluster));
    return cluster;
  };

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
    await eventually(async () => {
      expect(h.clusterObject(key)).toBeUndefined();
      expect(await h.summary(key)).toBeUndefined();
    }, 40_000);
    await eventually(async () => {
      const audit = await h.audit(cluster.name);
      expect(audit.map(r => [r.action, r.outcome, r.actor])).toEqual([
        ['cluster.delete', 'completed', ALICE],
        ['cluster.delete', 'succeeded', ALICE],
        ['cluster.delete', 'refused', BOB],
        ['cluster.delete', 'refused', ALICE],
      ]);
    }, 10_000);
  });

  it('needs the platform team to decommission a production cluster', async () => {
    const cluster = await take(c => c.lifecycle === 'production');
    const key = keyOf(cluster);
    const owner = await h
      .as(ALICE)('post', `/clusters/${key}/decommission`)
      .send({ confirm: cluster.name });
    expect(owner.status).toBe(403);
    expect(owner.body.error.message).toContain('platform');
    const dry = await h
      .as(PAT)('post', `/clusters/${key}/decommission`)
      .send({ confirm: cluster.name, approve: true, dryRun: true });
    expect(dry.status).toBe(200);
    expect(h.clusterObject(key).metadata.deletionTimestamp).toBeUndefined();
  });

  it('keeps a deletion held by a blocked drain visible, audits it as stalled, and completes it later', async () => {
    const cluster = await take(
      c => c.lifecycle !== 'production' && c.machineCount > 1,
    );
    const key = keyOf(cluster);
    const ref = {
      management: cluster.managementCluster,
      namespace: cluster.namespace,
      name: cluster.name,
    };
    h.sim.faults.stallDrain(ref, true);
    await h
      .as(ALICE)('post', `/clusters/${key}/decommission`)
      .send({ confirm: cluster.name })
      .expect(200);
    await eventually(async () => {
      const ops = await h
        .as(PAT)('get', `/clusters/${key}/operations`)
        .expect(200);
      expect(ops.body.items[0].state).toBe('stalled');
    }, 20_000);
    const s = await h.summary(key);
    expect(s?.deletingSince).toBeDefined();
    expect(s?.phase).toBe('Deleting');
    const audit = await h.audit(cluster.name);
    expect(audit[0]).toMatchObject({
      action: 'cluster.delete',
      outcome: 'stalled',
    });
    expect(audit[0].message).toContain('draining');
    h.sim.faults.stallDrain(ref, false);
    await eventually(async () => {
      expect(await h.summary(key)).toBeUndefined();
      const ops = await h
        .as(PAT)('get', `/clusters/${key}/operations`)
        .expect(200);
      expect(ops.body.items[0].state).toBe('completed');
    }, 40_000);
  });
});
