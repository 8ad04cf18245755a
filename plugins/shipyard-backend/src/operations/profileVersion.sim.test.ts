import {
  ClusterSummary,
  kubernetesMinorOf,
} from '@shipyard/plugin-shipyard-common';
import {
  ALICE,
  BOB,
  OperationsHarness,
  PROFILE_SIZES,
  eventually,
  keyOf,
  teamClusterTaker,
  startOperationsHarness,
  simRefOf,
} from '../__testUtils__/operationsHarness';

/*
 * Moving a cluster to a newer version of its profile, against the simulator: a dry run previews the spec.topology
 * diff and writes nothing; the move changes the Kubernetes version (one minor up), a pinned variable and the
 * profile-version label, is followed as an upgrade until every machine runs the new spec and is audited with its
 * completion; refusals (permission, more than one minor, an older version, a ClusterClass the management cluster
 * lacks) write nothing and are audited; a move whose machines cannot be provisioned is audited as stalled.
 */

jest.setTimeout(150_000);

const config = {
  shipyard: {
    operations: { trackIntervalMs: 200, updateDeadlineMs: 15_000 },
  },
};

/** The next minor's version the simulator knows. */
const NEXT: Record<string, string> = {
  '1.32': 'v1.33.9',
  '1.33': 'v1.34.7',
  '1.34': 'v1.35.5',
  '1.35': 'v1.36.2',
};

function twoUp(version: string | undefined): string {
  const [major, minor] = (kubernetesMinorOf(version) ?? '')
    .split('.')
    .map(Number);
  return `v${major}.${minor + 2}.1`;
}

describe('move a cluster to a newer profile version', () => {
  let h: OperationsHarness;
  // each test releases a version of its cluster's profile (the catalog's entity, changed in place)
  const take = teamClusterTaker(() => h, {
    base: c =>
      Boolean(c.profile && c.profileVersion) &&
      Boolean(NEXT[kubernetesMinorOf(c.kubernetesVersion) ?? '']),
  });
  /** Releases a new version of the cluster's profile in the catalog. */
  const release = (
    cluster: ClusterSummary,
    spec: Record<string, unknown> = {},
  ) => {
    const entity = h.profiles.find(p => p.metadata.name === cluster.profile)!;
    entity.spec = {
      version: '99.0.0',
      clusterClass: { name: cluster.clusterClass },
      kubernetes: {
        versions: [NEXT[kubernetesMinorOf(cluster.kubernetesVersion) ?? '']],
      },
      sizes: PROFILE_SIZES,
      previousVersions: [
        {
          version: cluster.profileVersion,
          kubernetes: { versions: [cluster.kubernetesVersion] },
        },
        { version: '0.0.9', kubernetes: { versions: ['v1.30.1'] } },
      ],
      ...spec,
    };
  };
  const cniOf = (key: string) =>
    h
      .clusterObject(key)
      .spec.topology.variables.find((v: any) => v.name === 'cni')?.value;

  beforeAll(async () => {
    h = await startOperationsHarness({
      seed: 'day2-profile-version',
      clusters: 120,
      config,
    });
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('previews the topology diff, moves the cluster, follows it as an upgrade and audits the completion', async () => {
    const cluster = await take();
    const key = keyOf(cluster);
    const next = NEXT[kubernetesMinorOf(cluster.kubernetesVersion) ?? ''];
    const cni = cniOf(key) === 'calico' ? 'cilium' : 'calico';
    release(cluster, { variables: { pinned: { cni } } });
    const path = `/clusters/${key}/profile-version`;

    const denied = await h.as(BOB)('post', path).send({});
    expect(denied.status).toBe(403);

    const dry = await h.as(ALICE)('post', path).send({ dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({
      operation: 'update',
      dryRun: true,
      unchanged: false,
      before: {
        profileVersion: cluster.profileVersion,
        'topology.version': cluster.kubernetesVersion,
        'topology.variables.cni': cniOf(key),
      },
      after: {
        profileVersion: '99.0.0',
        'topology.version': next,
        'topology.variables.cni': cni,
      },
    });
    expect(dry.body.operationId).toBeUndefined();
    expect(h.clusterObject(key).spec.topology.version).toBe(
      cluster.kubernetesVersion,
    );

    const res = await h.as(ALICE)('post', path).send({});
    expect(res.status).toBe(200);
    expect(res.body.operationId).toBeDefined();
    const live = h.clusterObject(key);
    expect(live.spec.topology.version).toBe(next);
    expect(live.metadata.labels['shipyard.io/profile-version']).toBe('99.0.0');
    expect(cniOf(key)).toBe(cni);

    await eventually(async () => {
      const [latest] = await h.operations(key, ALICE);
      expect(latest).toMatchObject({
        action: 'cluster.update',
        state: 'completed',
      });
    }, 60_000);
    const after = await h.summary(key);
    expect(after?.profileVersion).toBe('99.0.0');
    expect(after?.kubernetesVersion).toBe(next);
    await eventually(async () => {
      const audit = await h.audit(cluster.name);
      expect(audit.map(r => [r.action, r.outcome, r.actor])).toEqual([
        ['cluster.update', 'completed', ALICE],
        ['cluster.update', 'succeeded', ALICE],
        ['cluster.update', 'succeeded', ALICE],
        ['cluster.update', 'refused', BOB],
      ]);
      expect(audit[1].details).toMatchObject({
        'before.topology.version': cluster.kubernetesVersion,
        'after.topology.version': next,
      });
      expect(audit[2].details).toMatchObject({ dryRun: true });
    }, 10_000);

    // moved: asking again changes nothing
    const again = await h.as(ALICE)('post', path).send({});
    expect(again.status).toBe(200);
    expect(again.body.unchanged).toBe(true);
  });

  it('refuses more than one minor, an unknown, older or deprecated version and a missing ClusterClass; writes nothing', async () => {
    const cluster = await take();
    const key = keyOf(cluster);
    const path = `/clusters/${key}/profile-version`;
    const before = JSON.stringify(h.clusterObject(key).spec);

    release(cluster, {
      kubernetes: { versions: [twoUp(cluster.kubernetesVersion)] },
    });
    const far = await h.as(ALICE)('post', path).send({});
    expect(far.status).toBe(409);
    expect(far.body.error.message).toMatch(/within one minor/);

    release(cluster);
    const unknown = await h.as(ALICE)('post', path).send({ version: '0.0.1' });
    expect(unknown.status).toBe(400);
    const older = await h.as(ALICE)('post', path).send({ version: '0.0.9' });
    expect(older.status).toBe(400);
    expect(older.body.error.message).toContain('older');
    release(cluster, { deprecated: true });
    const deprecated = await h
      .as(ALICE)('post', path)
      .send({ version: '99.0.0' });
    expect(deprecated.status).toBe(400);
    expect(deprecated.body.error.message).toContain('deprecated');
    const bad = await h.as(ALICE)('post', path).send({ version: 'latest' });
    expect(bad.status).toBe(400);

    release(cluster, { clusterClass: { name: 'no-such-class' } });
    const missing = await h.as(ALICE)('post', path).send({});
    expect(missing.status).toBe(409);
    expect(missing.body.error.message).toContain('no-such-class');

    expect(JSON.stringify(h.clusterObject(key).spec)).toBe(before);
    const audit = await h.audit(cluster.name);
    expect(
      audit.filter(r => r.action === 'cluster.update').map(r => r.outcome),
    ).toEqual([
      'refused',
      'refused',
      'refused',
      'refused',
      'refused',
      'refused',
    ]);
  });

  it('refuses an unhealthy cluster, audited, and writes nothing', async () => {
    const cluster = await take();
    const key = keyOf(cluster);
    const ref = simRefOf(cluster);
    release(cluster);
    const before = JSON.stringify(h.clusterObject(key).spec);
    h.sim.faults.controlPlaneDown(ref, true);
    try {
      await eventually(async () => {
        expect((await h.summary(key))?.health).not.toBe('healthy');
      }, 30_000);
      const res = await h
        .as(ALICE)('post', `/clusters/${key}/profile-version`)
        .send({});
      expect(res.status).toBe(409);
      expect(res.body.error.message).toContain(
        'a profile move starts only from a healthy cluster',
      );
      expect(JSON.stringify(h.clusterObject(key).spec)).toBe(before);
      const [last] = await h.audit(cluster.name);
      expect(last).toMatchObject({
        action: 'cluster.update',
        outcome: 'refused',
        actor: ALICE,
      });
      expect(last.message).toContain('healthy');
    } finally {
      h.sim.faults.clear(ref);
    }
  });

  it('audits a move whose new machines are not provisioned as stalled, and completes it once they are', async () => {
    const cluster = await take();
    const key = keyOf(cluster);
    const ref = simRefOf(cluster);
    release(cluster);
    h.sim.faults.stallProvisioning(ref, true);
    const res = await h
      .as(ALICE)('post', `/clusters/${key}/profile-version`)
      .send({});
    expect(res.status).toBe(200);
    await eventually(async () => {
      const [latest] = await h.operations(key, ALICE);
      expect(latest.state).toBe('stalled');
    }, 45_000);
    const stalled = (await h.audit(cluster.name))[0];
    expect(stalled).toMatchObject({
      action: 'cluster.update',
      outcome: 'stalled',
    });
    h.sim.faults.stallProvisioning(ref, false);
    await eventually(async () => {
      const [latest] = await h.operations(key, ALICE);
      expect(latest.state).toBe('completed');
    }, 60_000);
    expect((await h.audit(cluster.name))[0]).toMatchObject({
      action: 'cluster.update',
      outcome: 'completed',
    });
  });
});
