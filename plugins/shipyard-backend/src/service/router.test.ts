import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ResponseError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { routerApp } from '../__testUtils__/routerApp';
import request from 'supertest';
import { FleetIndex } from '../index/FleetIndex';
import { makeFleet } from '../__testUtils__/summaries';
import { FleetService } from './FleetService';
import { createRouter } from './router';
import { clusterPermissionRules } from '@shipyard/plugin-shipyard-node';
import { createApiRouter } from './apiRouter';
import { ClusterReadDecider, SharedReadAccess } from './clusterReadAccess';
import { createLifecycleRouter } from '../lifecycle/lifecycleRouter';
import { readVersionSupportConfig } from '../lifecycle/config';
import { VersionLifecycle } from '../lifecycle/VersionLifecycle';
import {
  bearerToken,
  ownerDecision,
  userHttpAuth,
} from '../__testUtils__/access';

const token = (expSeconds: number) => bearerToken(expSeconds);

async function appWith(options: {
  decision?: () => any;
  decisionCacheMs?: number;
  pageCache?: boolean;
  index?: FleetIndex;
  /** Answers the permission backend's decisions instead of `decision`. */
  authorize?: () => Promise<any[]>;
  /** Serves `GET /version-support/debt` too, sharing the read access with the fleet routes as the plugin does. */
  withVersionDebt?: boolean;
}) {
  const index = options.index ?? new FleetIndex();
  if (!options.index) makeFleet(120).forEach(s => index.upsert(s));
  const fleet = { index } as unknown as FleetService;
  const authorizeConditional = jest.fn(
    options.authorize ??
      (async () => [options.decision?.() ?? { result: AuthorizeResult.ALLOW }]),
  );
  const credentials = jest.fn(async () => ({
    $$type: '@backstage/BackstageCredentials' as const,
    principal: { type: 'user', userEntityRef: 'user:default/a' },
  }));
  const httpAuth = { credentials } as any;
  const permissions = { authorizeConditional } as any;
  const ruleset = {
    getRuleByName: () => {
      throw new Error('unused');
    },
  } as any;
  const router = createApiRouter();
  const access = options.withVersionDebt
    ? new SharedReadAccess({
        httpAuth,
        reads: new ClusterReadDecider(permissions, ruleset),
        decisionCacheMs: options.decisionCacheMs,
      })
    : undefined;
  await createRouter({
    fleet,
    logger: mockServices.logger.mock(),
    httpAuth,
    permissions,
    ruleset,
    decisionCacheMs: options.decisionCacheMs,
    pageCache: options.pageCache,
    access,
    router,
  });
  if (options.withVersionDebt) {
    createLifecycleRouter({
      lifecycle: new VersionLifecycle({
        config: readVersionSupportConfig(new ConfigReader({})),
      }),
      httpAuth,
      index,
      permissions,
      ruleset,
      access,
      router,
    });
  }
  const app = routerApp(router);
  return { app, index, authorizeConditional, credentials };
}

describe('router', () => {
  it('reuses a decision per token for a short time, never past the token expiry', async () => {
    const { app, authorizeConditional } = await appWith({});
    const fresh = token(Math.floor(Date.now() / 1000) + 3600);
    for (let i = 0; i < 3; i++) {
      expect(
        (await request(app).get('/clusters').set('authorization', fresh))
          .status,
      ).toBe(200);
    }
    expect(authorizeConditional).toHaveBeenCalledTimes(1);
    const expiring = token(Math.floor(Date.now() / 1000) - 1);
    await request(app).get('/clusters').set('authorization', expiring);
    await request(app).get('/clusters').set('authorization', expiring);
    expect(authorizeConditional).toHaveBeenCalledTimes(3);
    // no token, no cache
    await request(app).get('/clusters');
    await request(app).get('/clusters');
    expect(authorizeConditional).toHaveBeenCalledTimes(5);
  });

  it('asks the permission backend once for the requests of one token that come together', async () => {
    const { app, authorizeConditional } = await appWith({
      authorize: async () => {
        await new Promise(r => setTimeout(r, 50));
        return [{ result: AuthorizeResult.ALLOW }];
      },
    });
    const t = token(Math.floor(Date.now() / 1000) + 3600);
    const answers = await Promise.all(
      ['/clusters', '/summary', '/clusters?limit=5', '/summary'].map(path =>
        request(app).get(path).set('authorization', t),
      ),
    );
    expect(answers.map(a => a.status)).toEqual([200, 200, 200, 200]);
    expect(authorizeConditional).toHaveBeenCalledTimes(1);
  });

  it('shares that decision with the version debt, which the fleet page asks for at the same time', async () => {
    const { app, authorizeConditional } = await appWith({
      authorize: async () => {
        await new Promise(r => setTimeout(r, 50));
        return [{ result: AuthorizeResult.ALLOW }];
      },
      withVersionDebt: true,
    });
    const t = token(Math.floor(Date.now() / 1000) + 3600);
    const answers = await Promise.all(
      [
        '/clusters?fields=list',
        '/version-support/debt',
        '/summary',
        '/version-support/debt?months=3',
      ].map(path => request(app).get(path).set('authorization', t)),
    );
    expect(answers.map(a => a.status)).toEqual([200, 200, 200, 200]);
    expect(answers[1].body.totalCount).toBe(120);
    expect(authorizeConditional).toHaveBeenCalledTimes(1);
  });

  it('asks the permission backend again once when its answer is lost on the way', async () => {
    let calls = 0;
    const { app, authorizeConditional } = await appWith({
      authorize: async () => {
        calls++;
        if (calls === 1) {
          // what node-fetch throws when a busy backend resets a kept-alive connection
          throw Object.assign(
            new Error(
              'request to http://localhost/api/permission/authorize failed, reason: read ECONNRESET',
            ),
            { name: 'FetchError', type: 'system', code: 'ECONNRESET' },
          );
        }
        if (calls === 3) {
          // the permission backend answered 500 (its own call to the auth backend failed)
          throw await ResponseError.fromResponse(
            new Response(
              '{"error":{"name":"TypeError","message":"fetch failed"}}',
              {
                status: 500,
                headers: { 'content-type': 'application/json' },
              },
            ),
          );
        }
        return [{ result: AuthorizeResult.ALLOW }];
      },
      decisionCacheMs: 0,
    });
    const t = token(Math.floor(Date.now() / 1000) + 3600);
    expect(
      (await request(app).get('/clusters').set('authorization', t)).status,
    ).toBe(200);
    expect(
      (await request(app).get('/summary').set('authorization', t)).status,
    ).toBe(200);
    expect(authorizeConditional).toHaveBeenCalledTimes(4);
  });

  it('asks every time when the decision cache is off, and denies', async () => {
    const { app, authorizeConditional } = await appWith({
      decisionCacheMs: 0,
      decision: () => ({ result: AuthorizeResult.DENY }),
    });
    const t = token(Math.floor(Date.now() / 1000) + 3600);
    expect(
      (await request(app).get('/clusters').set('authorization', t)).status,
    ).toBe(403);
    expect(
      (await request(app).get('/clusters').set('authorization', t)).status,
    ).toBe(403);
    expect(authorizeConditional).toHaveBeenCalledTimes(2);
  });

  it('answers repeated pages from the response cache until the revision changes', async () => {
    const { app, index } = await appWith({});
    const t = token(Math.floor(Date.now() / 1000) + 3600);
    const first = await request(app)
      .get('/clusters?sort=machineCount&limit=5')
      .set('authorization', t);
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toContain('application/json');
    const again = await request(app)
      .get('/clusters?sort=machineCount&limit=5')
      .set('authorization', t);
    expect(again.text).toBe(first.text);
    expect(
      (
        await request(app)
          .get('/clusters?sort=machineCount&limit=5')
          .set('authorization', t)
          .set('if-none-match', first.headers.etag)
      ).status,
    ).toBe(304);
    const top = index.getStored(
      `${first.body.items[0].managementCluster}/${first.body.items[0].namespace}/${first.body.items[0].name}`,
    )!;
    index.upsert({ ...top, machineCount: 10_000 });
    const changed = await request(app)
      .get('/clusters?sort=machineCount&limit=5&order=desc')
      .set('authorization', t);
    expect(changed.body.items[0]).toMatchObject({
      name: top.name,
      machineCount: 10_000,
    });
    const bad = await request(app)
      .get('/clusters?limit=9999')
      .set('authorization', t);
    expect(bad.status).toBe(400);
  });

  it('answers a page from the cache byte for byte as without it, with the length in bytes of text beyond ASCII', async () => {
    const index = new FleetIndex();
    makeFleet(60).forEach(s => index.upsert(s));
    const [first] = index.all();
    index.upsert({ ...first, title: 'Zürich – production 🚢' });
    const cached = (await appWith({ index })).app;
    const uncached = (await appWith({ index, pageCache: false })).app;
    const t = token(Math.floor(Date.now() / 1000) + 3600);
    const path = '/clusters?q=z%C3%BCrich&fields=list';
    const read = async (app: typeof cached) => {
      const res = await request(app)
        .get(path)
        .set('authorization', t)
        .buffer(true)
        .parse((r, done) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => done(null, Buffer.concat(chunks)));
        });
      expect(res.status).toBe(200);
      expect(Number(res.headers['content-length'])).toBe(res.body.length);
      return { etag: res.headers.etag, body: (res.body as Buffer).toString() };
    };
    const answers = [
      await read(cached),
      await read(cached), // from the cache
      await read(uncached),
    ];
    expect(JSON.parse(answers[0].body).items).toEqual([
      expect.objectContaining({ title: 'Zürich – production 🚢' }),
    ]);
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    // a change: the cached page is not served again
    index.upsert({ ...first, title: 'Zürich – staging' });
    const after = [await read(cached), await read(uncached)];
    expect(JSON.parse(after[0].body).items[0].title).toBe('Zürich – staging');
    expect(after[1]).toEqual(after[0]);
    expect(after[0].etag).not.toBe(answers[0].etag);
  });

  it('answers repeated reads byte for byte as a new router answers them, per user, and a change at the next read', async () => {
    const index = new FleetIndex();
    makeFleet(80).forEach(s => index.upsert(s));
    // user a reads every cluster, user b those of team-a
    const users = { a: token(2e9), b: `${token(2e9)}b` };
    const newRouter = async () =>
      routerApp(
        await createRouter({
          fleet: { index } as unknown as FleetService,
          logger: mockServices.logger.mock(),
          httpAuth: {
            credentials: async (req: any) => ({
              $$type: '@backstage/BackstageCredentials',
              principal: {
                type: 'user',
                userEntityRef:
                  req.header('authorization') === users.a
                    ? 'user:default/a'
                    : 'user:default/b',
              },
            }),
          } as any,
          permissions: {
            authorizeConditional: async (_: unknown, o: any) => [
              o.credentials.principal.userEntityRef === 'user:default/a'
                ? { result: AuthorizeResult.ALLOW }
                : ownerDecision(['group:default/team-a']),
            ],
          } as any,
          ruleset: {
            getRuleByName: () => clusterPermissionRules.isClusterOwner,
          } as any,
        }),
      );
    const kept = await newRouter();
    const paths = [
      '/clusters?sort=name&limit=7&fields=list',
      '/clusters?owner=group%3Adefault%2Fteam-a&health=healthy&limit=3',
      '/summary',
    ];
    const read = async (
      app: Awaited<ReturnType<typeof newRouter>>,
      path: string,
      user: string,
    ) => {
      const res = await request(app).get(path).set('authorization', user);
      expect(res.status).toBe(200);
      return { etag: res.headers.etag, text: res.text };
    };
    const check = async () => {
      const answers: Record<string, string> = {};
      for (const path of paths) {
        for (const [name, user] of Object.entries(users)) {
          // a fresh router: nothing kept from earlier reads
          const fresh = await read(await newRouter(), path, user);
          for (let i = 0; i < 3; i++) {
            expect(await read(kept, path, user)).toEqual(fresh);
          }
          answers[`${name} ${path}`] = fresh.text;
        }
        expect(answers[`a ${path}`]).not.toBe(answers[`b ${path}`]);
      }
      return answers;
    };
    const before = await check();
    const [first] = index.all();
    index.upsert({
      ...first,
      owner: 'group:default/team-a',
      name: 'aaa-moved',
    });
    const after = await check();
    expect(after[`b ${paths[0]}`]).toContain('aaa-moved');
    expect(before[`b ${paths[0]}`]).not.toContain('aaa-moved');
  });

  it('answers an error without stack frames, file paths or internal addresses, even where stacks are shown', async () => {
    const index = new FleetIndex();
    makeFleet(3).forEach(x => index.upsert(x));
    const [first] = index.all();
    const fleet = {
      index,
      describe: () => {
        throw new Error(
          'cannot read the tree from https://10.20.30.40:6443/apis/cluster.x-k8s.io at /work/plugins/shipyard-backend/src/service/FleetService.ts:161:9',
        );
      },
    } as unknown as FleetService;
    const app = routerApp(
      await createRouter({
        fleet,
        logger: mockServices.logger.mock(),
        httpAuth: userHttpAuth(),
        permissions: {
          authorizeConditional: async () => [{ result: AuthorizeResult.ALLOW }],
        } as any,
        ruleset: {} as any,
      }),
      { showStackTraces: true },
    );
    const res = await request(app).get(
      `/clusters/${first.managementCluster}/${first.namespace}/${first.name}`,
    );
    expect(res.status).toBe(500);
    expect(res.body.error.stack).toBeUndefined();
    const text = JSON.stringify(res.body);
    expect(text).toContain('cannot read the tree');
    expect(text).not.toMatch(/10\.20\.30\.40|https?:\/\/|\/work\/|\.ts:\d+/);
  });

  it('refuses unknown query parameters on every read, and takes a bare group name as an owner', async () => {
    const { app } = await appWith({});
    const t = token(Math.floor(Date.now() / 1000) + 3600);
    for (const path of [
      '/summary?ownr=group:default/team-a',
      '/management-clusters?verbose=1',
      '/clusters?ownr=team-a',
    ]) {
      const res = await request(app).get(path).set('authorization', t);
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(res.body.error.message).toMatch(
        /unknown query parameter "(ownr|verbose)"/,
      );
    }
    const full = await request(app)
      .get('/clusters?owner=group:default/team-a&limit=500')
      .set('authorization', t);
    expect(full.body.totalCount).toBeGreaterThan(0);
    for (const bare of ['team-a', 'default/team-a']) {
      const res = await request(app)
        .get(`/clusters?owner=${encodeURIComponent(bare)}&limit=500`)
        .set('authorization', t);
      expect({ bare, totalCount: res.body.totalCount }).toEqual({
        bare,
        totalCount: full.body.totalCount,
      });
    }
  });
});
