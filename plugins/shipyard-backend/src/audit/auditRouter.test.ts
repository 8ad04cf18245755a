import path from 'node:path';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import express from 'express';
import knexFactory, { Knex } from 'knex';
import request from 'supertest';
import { AuditStore } from './AuditStore';
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
    await knex.migrate.latest({
      directory: path.resolve(__dirname, '../../migrations'),
    });
    server = express();
    server.use(
      createAuditRouter({
        store: new AuditStore(knex),
        httpAuth: mockServices.httpAuth(),
        userInfo: mockServices.userInfo.mock({
          getUserInfo: async (credentials: any) => {
            const ref = credentials.principal.userEntityRef;
            return {
              userEntityRef: ref,
              ownershipEntityRefs:
                ref === 'user:default/pat'
                  ? [ref, 'group:default/platform-team']
                  : [ref],
            };
          },
        }),
        platformTeam: 'group:default/platform-team',
      }),
    );
    server.use(
      MiddlewareFactory.create({
        config: mockServices.rootConfig(),
        logger: mockServices.logger.mock(),
      }).error(),
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
    const denied = await request(server)
      .get('/audit')
      .set('authorization', mockCredentials.user.header('user:default/alice'));
    expect(denied.status).toBe(403);
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
});
