import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { metricsServiceMock } from '@backstage/backend-test-utils/alpha';
import express from 'express';
import { routerApp } from '../__testUtils__/routerApp';
import knexFactory, { Knex } from 'knex';
import request from 'supertest';
import { AuditStore } from '../stores/AuditStore';
import { createAuditRouter } from './auditRouter';

describe('audit router', () => {
  let knex: Knex;
  let server: express.Express;

  beforeAll(async () => {
    knex = knexFactory({
      client: 'better-sqlite3',
      connection: ':memory:',
      useNullAsDefault: true,
    });
    await AuditStore.migrate(knex);
    server = routerApp(
      createAuditRouter({
        store: new AuditStore(knex),
        httpAuth: mockServices.httpAuth(),
        userInfo: mockServices.userInfo.mock({
          getUserInfo: async (credentials: any) => {
            const ref = credentials.principal.userEntityRef;
            return {
              userEntityRef: ref,
              ownershipEntityRefs: [
                ref,
                ...({
                  'user:default/pat': ['group:default/platform-team'],
                  'user:default/bob': ['group:default/team-b'],
                }[ref as string] ?? []),
              ],
            };
          },
        }),
        platformTeam: 'group:default/platform-team',
      }),
    );
  });

  afterAll(async () => {
    await knex.destroy();
  });

  const record = (cluster: string, outcome: string) => ({
    actor: 'user:default/alice',
    action: 'cluster.create',
    outcome,
    managementCluster: 'mgmt-eu-1',
    namespace: 'team-a',
    cluster,
    profile: 'clusterprofile:default/kubeadm-standard',
    details: { size: 'small', resumed: false },
  });

  it('stores records from backend services only', async () => {
    const service = await request(server)
      .post('/audit')
      .set('authorization', mockCredentials.service.header())
      .send(record('one', 'succeeded'));
    expect(service.status).toBe(201);
    expect(service.body).toMatchObject({
      id: expect.any(String),
      at: expect.any(String),
      cluster: 'one',
    });
    const user = await request(server)
      .post('/audit')
      .set('authorization', mockCredentials.user.header('user:default/alice'))
      .send(record('forged', 'succeeded'));
    expect(user.status).toBe(403);
    const invalid = await request(server)
      .post('/audit')
      .set('authorization', mockCredentials.service.header())
      .send({ ...record('x', 'maybe') });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.message).toMatch(/outcome/);
  });

  it('serves the log newest first, filtered and paged, to the platform team only', async () => {
    for (const [c, o] of [
      ['two', 'refused'],
      ['three', 'succeeded'],
    ]) {
      await request(server)
        .post('/audit')
        .set('authorization', mockCredentials.service.header())
        .send(record(c, o));
    }
    // outside the platform team, a user sees the entries of the clusters their groups own (none here)
    const other = await request(server)
      .get('/audit')
      .set('authorization', mockCredentials.user.header('user:default/alice'));
    expect(other.status).toBe(200);
    expect(other.body.items).toEqual([]);
    const page = await request(server)
      .get('/audit?limit=2')
      .set('authorization', mockCredentials.user.header('user:default/pat'));
    expect(page.status).toBe(200);
    expect(page.body.items.map((r: any) => r.cluster)).toEqual([
      'three',
      'two',
    ]);
    expect(page.body.items[0].details).toEqual({
      size: 'small',
      resumed: false,
    });
    const next = await request(server)
      .get(`/audit?limit=2&cursor=${page.body.nextCursor}`)
      .set('authorization', mockCredentials.user.header('user:default/pat'));
    expect(next.body.items.map((r: any) => r.cluster)).toEqual(['one']);
    expect(next.body.nextCursor).toBeUndefined();
    const refused = await request(server)
      .get('/audit?outcome=refused')
      .set('authorization', mockCredentials.user.header('user:default/pat'));
    expect(refused.body.items.map((r: any) => r.cluster)).toEqual(['two']);
  });

  it("shows owners their clusters' entries, and filters by action, outcome, actor, cluster and time", async () => {
    const post = (body: object) =>
      request(server)
        .post('/audit')
        .set('authorization', mockCredentials.service.header())
        .send(body);
    await post({
      ...record('b-1', 'succeeded'),
      namespace: 'team-b',
      owner: 'group:default/team-b',
    });
    await post({
      ...record('b-1', 'refused'),
      action: 'cluster.upgrade',
      actor: 'user:default/bob',
      namespace: 'team-b',
      owner: 'group:default/team-b',
    });
    const get = (query: string, user = 'user:default/bob') =>
      request(server)
        .get(`/audit${query}`)
        .set('authorization', mockCredentials.user.header(user));
    const own = await get('');
    expect(own.status).toBe(200);
    expect(own.body.items.map((r: any) => `${r.action} ${r.outcome}`)).toEqual([
      'cluster.upgrade refused',
      'cluster.create succeeded',
    ]);
    const upgrades = await get('?action=cluster.upgrade', 'user:default/pat');
    expect(upgrades.body.items.map((r: any) => r.actor)).toEqual([
      'user:default/bob',
    ]);
    const byActor = await get('?actor=user:default/bob&cluster=b-1');
    expect(byActor.body.items).toHaveLength(1);
    const future = new Date(Date.now() + 60_000).toISOString();
    const past = new Date(Date.now() - 3_600_000).toISOString();
    expect((await get(`?since=${future}`)).body.items).toEqual([]);
    expect(
      (await get(`?since=${past}&until=${future}`)).body.items,
    ).toHaveLength(2);
    expect((await get(`?until=${past}`)).body.items).toEqual([]);
    const invalid = await get('?since=yesterday');
    expect(invalid.status).toBe(400);

    // day-2 operations and their outcomes filter as requests do; another team's entry stays hidden from bob
    await post({
      ...record('b-1', 'stalled'),
      action: 'cluster.scale',
      namespace: 'team-b',
      owner: 'group:default/team-b',
    });
    await post({
      ...record('a-1', 'stalled'),
      action: 'cluster.scale',
      owner: 'group:default/team-a',
    });
    const stalled = await get('?action=cluster.scale&outcome=stalled');
    expect(stalled.body.items.map((r: any) => r.cluster)).toEqual(['b-1']);
    const all = await get(
      '?action=cluster.scale&outcome=stalled',
      'user:default/pat',
    );
    expect(all.body.items.map((r: any) => r.cluster)).toEqual(['a-1', 'b-1']);
    expect(
      (await get('?cluster=a-1')).body.items.map((r: any) => r.cluster),
    ).toEqual([]);
  });

  it('keeps a record whose requested fields are hostile: the asked values go escaped and truncated into details', async () => {
    const owner = `group:default/${'o'.repeat(300)}`;
    const res = await request(server)
      .post('/audit')
      .set('authorization', mockCredentials.service.header())
      .send({
        actor: 'user:default/mallory',
        action: 'cluster.create',
        outcome: 'refused',
        managementCluster: '../mgmt-eu-1',
        namespace: 'Team A\u0000',
        cluster: '<script>alert(1)</script>',
        owner,
        profile: 'clusterprofile:default/kubeadm-standard',
        mode: 'everything',
        taskId: 'hostile-1',
        message: `refused: ${'m'.repeat(5000)}`,
        details: {
          size: { nested: ['not', 'a', 'scalar'] },
          note: 'n'.repeat(2000),
        },
      });
    expect(res.status).toBe(201);
    const page = await request(server)
      .get('/audit?limit=500')
      .set('authorization', mockCredentials.user.header('user:default/pat'));
    const stored = page.body.items.find((r: any) => r.taskId === 'hostile-1');
    expect(stored).toMatchObject({
      actor: 'user:default/mallory',
      outcome: 'refused',
      profile: 'clusterprofile:default/kubeadm-standard',
    });
    // nothing that fails its column's rule is stored in that column
    for (const field of [
      'managementCluster',
      'namespace',
      'cluster',
      'owner',
      'mode',
    ]) {
      expect(stored[field]).toBeUndefined();
    }
    expect(stored.details['requested.managementCluster']).toBe('../mgmt-eu-1');
    expect(stored.details['requested.namespace']).toBe('Team A\\u0000');
    expect(stored.details['requested.cluster']).toBe(
      '<script>alert(1)</script>',
    );
    expect(stored.details['requested.owner']).toMatch(
      /^group:default\/o+… \(314 characters\)$/,
    );
    expect(stored.details['requested.owner'].length).toBeLessThan(300);
    expect(stored.details['requested.mode']).toBe('everything');
    expect(stored.details.size).toBe('{"nested":["not","a","scalar"]}');
    expect(stored.details.note.length).toBeLessThanOrEqual(1000);
    expect(stored.message.length).toBeLessThanOrEqual(4000);
  });

  it('alerts with an error log and a metric when a record cannot be stored', async () => {
    const logger = mockServices.logger.mock();
    const metrics = metricsServiceMock.mock();
    const failing = routerApp(
      createAuditRouter({
        store: {
          add: async () => {
            throw new Error('database is locked');
          },
        } as unknown as AuditStore,
        httpAuth: mockServices.httpAuth(),
        userInfo: mockServices.userInfo(),
        platformTeam: 'group:default/platform-team',
        logger,
        metrics,
      }),
    );
    const res = await request(failing)
      .post('/audit')
      .set('authorization', mockCredentials.service.header())
      .send(record('lost', 'refused'));
    expect(res.status).toBe(500);
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringMatching(/audit record.*not stored.*database is locked/),
    );
    const counter = metrics.createCounter.mock.results[0].value;
    expect(metrics.createCounter).toHaveBeenCalledWith(
      'shipyard.audit.write_failures',
      expect.anything(),
    );
    expect(counter.add).toHaveBeenCalledWith(1, {
      action: 'cluster.create',
      outcome: 'refused',
    });
  });

  it('deletes records older than the retention and keeps the rest', async () => {
    const store = new AuditStore(knex);
    const day = 86_400_000;
    const now = Date.parse('2030-06-01T00:00:00Z');
    await store.add(
      record('ancient', 'succeeded') as any,
      new Date(now - 400 * day),
    );
    await store.add(
      record('recent', 'succeeded') as any,
      new Date(now - 10 * day),
    );
    const deleted = await store.deleteOlderThan(new Date(now - 365 * day));
    expect(deleted).toBeGreaterThanOrEqual(1);
    const left = await store.list({ limit: 500 });
    expect(left.map(r => r.cluster)).toContain('recent');
    expect(left.map(r => r.cluster)).not.toContain('ancient');
  });
});
