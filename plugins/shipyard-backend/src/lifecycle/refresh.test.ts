import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import { TestDatabaseId, mockServices } from '@backstage/backend-test-utils';
import { createTestDatabases } from '@shipyard/test-utils';
import { ConfigReader } from '@backstage/config';
import { VersionSupportResponse } from '@shipyard/plugin-shipyard-common';
import { routerApp } from '../__testUtils__/routerApp';
import { Knex } from 'knex';
import request from 'supertest';
import { readVersionSupportConfig } from './config';
import {
  createLifecycleRouter,
  describeVersionSupport,
} from './lifecycleRouter';
import { VersionLifecycle } from './VersionLifecycle';
import { VersionSupportRefresher } from './VersionSupportRefresher';
import { VersionSupportStore } from '../stores/VersionSupportStore';

const FIXTURES = path.join(__dirname, '__fixtures__');

/** A local source in the endoflife.date v1 product format, serving the fixtures (no network). */
async function startSource() {
  const state = {
    mode: 'up' as 'up' | 'down' | 'garbage',
    requests: [] as Array<{ url: string; ifNoneMatch?: string }>,
  };
  const server = http.createServer((req, res) => {
    state.requests.push({
      url: req.url ?? '',
      ifNoneMatch: req.headers['if-none-match'] as string | undefined,
    });
    if (state.mode === 'down') {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('down');
      return;
    }
    if (state.mode === 'garbage') {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end('{"releases":[]}');
      return;
    }
    const m = /^\/api\/v1\/products\/([a-z0-9-]+)$/.exec(req.url ?? '');
    const file = m && path.join(FIXTURES, `${m[1]}.json`);
    if (!file || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    const body = fs.readFileSync(file);
    const etag = `"${m![1]}-${body.length}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', etag }).end(body);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    state,
    base: `http://127.0.0.1:${port}/api/v1/products`,
    close: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}

const { databases } = createTestDatabases(['POSTGRES_15', 'SQLITE_3']);

describe.each(databases.eachSupportedId())(
  'refreshing support calendars (%p)',
  (databaseId: TestDatabaseId) => {
    let knex: Knex;
    let source: Awaited<ReturnType<typeof startSource>>;
    let t = Date.parse('2027-08-15T12:00:00Z');

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      await VersionSupportStore.migrate(knex);
      source = await startSource();
    });

    afterAll(async () => {
      await source?.close();
    });

    beforeEach(async () => {
      await knex('shipyard_version_support').delete();
      source.state.mode = 'up';
      source.state.requests = [];
      t = Date.parse('2027-08-15T12:00:00Z');
    });

    function replica(refresh: Record<string, unknown> = {}) {
      const config = readVersionSupportConfig(
        new ConfigReader({
          shipyard: {
            versionSupport: {
              refresh: {
                enabled: true,
                sources: {
                  eks: `${source.base}/amazon-eks`,
                  upstream: `${source.base}/kubernetes`,
                },
                timeoutMs: 2000,
                ...refresh,
              },
            },
          },
        }),
      );
      const lifecycle = new VersionLifecycle({ config, now: () => t });
      const refresher = new VersionSupportRefresher({
        lifecycle,
        store: new VersionSupportStore(knex),
        config: config.refresh,
        logger: mockServices.logger.mock(),
        now: () => t,
      });
      return { lifecycle, refresher };
    }

    const eks133 = { distribution: 'eks', kubernetesVersion: 'v1.33.4' };

    it('updates the answer from the local source', async () => {
      const { lifecycle, refresher } = replica();
      // the data file: extended support of EKS 1.33 ended on 2027-07-29
      expect(lifecycle.evaluate(eks133)).toMatchObject({
        status: 'end-of-life',
        origin: 'bundled',
      });
      const outcomes = await refresher.refreshAll();
      expect(outcomes.map(o => [o.distribution, o.result])).toEqual([
        ['eks', 'updated'],
        ['upstream', 'updated'],
      ]);
      expect(lifecycle.evaluate(eks133)).toMatchObject({
        status: 'extended',
        endOfExtendedSupport: '2027-09-30',
        extendedSupportCharged: true,
        origin: 'refreshed',
      });
      // a minor the data file does not know yet
      expect(
        lifecycle.evaluate({
          distribution: 'k3s',
          kubernetesVersion: 'v1.37.1+k3s1',
        }),
      ).toMatchObject({
        status: 'supported',
        calendar: 'upstream',
        endOfStandardSupport: '2027-10-28',
        origin: 'refreshed',
      });
      t += 3_600_000;
      const described = await describeVersionSupport(lifecycle, refresher, {
        distribution: 'eks',
      });
      expect(described.distributions).toHaveLength(1);
      expect(described.distributions[0]).toMatchObject({
        name: 'eks',
        origin: 'refreshed',
        refreshedFrom: `${source.base}/amazon-eks`,
        refreshedAt: '2027-08-15T12:00:00.000Z',
        ageSeconds: 3600,
      });
      const record = described.distributions[0].records.find(
        r => r.minor === '1.33',
      );
      expect(record).toMatchObject({
        status: 'extended',
        origin: 'refreshed',
        source: `${source.base}/amazon-eks`,
        fetchedAt: '2027-08-15T12:00:00.000Z',
        nextBoundary: { date: '2027-10-01', status: 'end-of-life' },
        daysToNextBoundary: 47,
      });
      // a minor only the data file has stays as the file says
      expect(
        described.distributions[0].records.find(r => r.minor === '1.30'),
      ).toMatchObject({ origin: 'bundled' });
      expect(described.refresh.sources[0]).toMatchObject({
        distribution: 'eks',
        fetchedAt: '2027-08-15T12:00:00.000Z',
        records: 5,
      });
    });

    it('keeps the bundled data when the source is down', async () => {
      const { lifecycle, refresher } = replica();
      source.state.mode = 'down';
      const outcomes = await refresher.refreshAll();
      expect(outcomes.map(o => o.result)).toEqual(['failed', 'failed']);
      expect(outcomes[0].error).toBe('HTTP 503');
      expect(lifecycle.evaluate(eks133)).toMatchObject({
        status: 'end-of-life',
        endOfExtendedSupport: '2027-07-29',
        origin: 'bundled',
      });
      const status = await refresher.status();
      expect(status[0]).toMatchObject({
        distribution: 'eks',
        lastError: 'HTTP 503',
        attemptedAt: '2027-08-15T12:00:00.000Z',
      });
      expect(status[0].fetchedAt).toBeUndefined();

      // nobody listening at all
      const closed = replica({
        sources: { eks: 'http://127.0.0.1:1/api/v1/products/amazon-eks' },
      });
      const [refused] = await closed.refresher.refreshAll();
      expect(refused.result).toBe('failed');
      expect(refused.error).toMatch(/ECONNREFUSED|fetch failed/);
      expect(closed.lifecycle.evaluate(eks133).origin).toBe('bundled');
    });

    it('keeps the last calendar read when the source goes down later, and other replicas read it from the database', async () => {
      const first = replica();
      await first.refresher.refreshAll();
      source.state.mode = 'down';
      t += 86_400_000;
      await first.refresher.refreshAll();
      expect(first.lifecycle.evaluate(eks133)).toMatchObject({
        status: 'extended',
        origin: 'refreshed',
      });
      const [status] = await first.refresher.status();
      expect(status).toMatchObject({
        fetchedAt: '2027-08-15T12:00:00.000Z',
        attemptedAt: '2027-08-16T12:00:00.000Z',
        lastError: 'HTTP 503',
      });

      const asked = source.state.requests.length;
      const second = replica();
      expect(second.lifecycle.evaluate(eks133).origin).toBe('bundled');
      expect(await second.refresher.reload()).toBe(true);
      expect(second.lifecycle.evaluate(eks133)).toMatchObject({
        status: 'extended',
        origin: 'refreshed',
      });
      expect(source.state.requests.length).toBe(asked);
    });

    it('asks conditionally and refuses answers in another format or too large', async () => {
      const { lifecycle, refresher } = replica();
      await refresher.refreshAll();
      const again = await refresher.refreshAll();
      expect(again.map(o => o.result)).toEqual([
        'not-modified',
        'not-modified',
      ]);
      expect(source.state.requests.at(-1)?.ifNoneMatch).toMatch(
        /^"kubernetes-/,
      );

      await knex('shipyard_version_support').delete();
      source.state.mode = 'garbage';
      const fresh = replica();
      const [garbage] = await fresh.refresher.refreshAll();
      expect(garbage.error).toMatch(/^not an endoflife\.date v1 product/);
      expect(fresh.lifecycle.evaluate(eks133).origin).toBe('bundled');

      source.state.mode = 'up';
      const small = replica({ maxBytes: 1024 });
      const [tooLarge] = await small.refresher.refreshAll();
      expect(tooLarge.error).toBe('the answer is larger than 1024 bytes');
      expect(lifecycle.evaluate(eks133).origin).toBe('refreshed');
    });

    it('asks nothing while refreshing is off', async () => {
      const lifecycle = new VersionLifecycle({
        config: readVersionSupportConfig(new ConfigReader({})),
      });
      const refresher = new VersionSupportRefresher({
        lifecycle,
        store: new VersionSupportStore(knex),
        config: readVersionSupportConfig(new ConfigReader({})).refresh,
        logger: mockServices.logger.mock(),
      });
      expect(await refresher.refreshAll()).toEqual([]);
      expect(await refresher.reload()).toBe(false);
      expect(source.state.requests).toEqual([]);
    });

    it('serves GET /version-support with where each calendar comes from', async () => {
      const { lifecycle, refresher } = replica();
      await refresher.refreshAll();
      const credentials = jest.fn(async () => ({
        $$type: '@backstage/BackstageCredentials' as const,
        principal: { type: 'user', userEntityRef: 'user:default/a' },
      }));
      const app = routerApp(
        createLifecycleRouter({
          lifecycle,
          refresher,
          httpAuth: { credentials } as any,
        }),
      );
      const res = await request(app).get('/version-support');
      expect(res.status).toBe(200);
      const body = res.body as VersionSupportResponse;
      expect(body.refresh.enabled).toBe(true);
      expect(body.dataFile.schemaVersion).toBe(1);
      const byName = new Map(body.distributions.map(d => [d.name, d]));
      expect(byName.get('upstream')?.origin).toBe('refreshed');
      expect(byName.get('aks')?.origin).toBe('bundled');
      expect(byName.get('k3s')).toMatchObject({ follows: 'upstream' });
      expect(
        byName.get('k3s')?.records.find(r => r.minor === '1.37'),
      ).toMatchObject({ distribution: 'k3s', calendar: 'upstream' });
      expect(credentials).toHaveBeenCalled();
      const bad = await request(app).get('/version-support?distribution=E K S');
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/distribution/);
      expect((await request(app).get('/version-support?bogus=1')).status).toBe(
        400,
      );
    });
  },
);

describe('refresh configuration', () => {
  it('defaults to the endoflife.date products, off', () => {
    const config = readVersionSupportConfig(new ConfigReader({})).refresh;
    expect(config.enabled).toBe(false);
    expect(config.sources.map(s => s.url)).toEqual([
      'https://endoflife.date/api/v1/products/kubernetes',
      'https://endoflife.date/api/v1/products/amazon-eks',
      'https://endoflife.date/api/v1/products/azure-kubernetes-service',
      'https://endoflife.date/api/v1/products/google-kubernetes-engine',
      'https://endoflife.date/api/v1/products/red-hat-openshift',
    ]);
    expect(
      config.sources.find(s => s.distribution === 'openshift')?.scheme,
    ).toBe('openshift');
  });

  it('refuses a source that is not an http(s) URL, naming it', () => {
    expect(() =>
      readVersionSupportConfig(
        new ConfigReader({
          shipyard: {
            versionSupport: {
              refresh: { sources: { eks: 'file:///etc/passwd' } },
            },
          },
        }),
      ),
    ).toThrow(
      'shipyard.versionSupport.refresh.sources.eks.url must be an http(s) URL, got "file:///etc/passwd"',
    );
  });
});
