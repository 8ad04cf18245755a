import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import { shipyardPlugin } from './plugin';
import { FakeKubeApi } from './__testUtils__/FakeKubeApi';
import { capiCluster, putCluster } from './__testUtils__/capiObjects';
import { eventuallyWithin } from '@shipyard/test-utils';
import { ownerDecision } from './__testUtils__/access';
import { openEventStream } from './__testUtils__/events';

jest.setTimeout(60_000);

const eventually = eventuallyWithin({ timeoutMs: 10_000, intervalMs: 25 });

function shipyardConfig(url: string) {
  return {
    shipyard: {
      platformTeam: 'group:default/platform',
      managementClusters: [
        {
          name: 'mc-a',
          url,
          auth: { type: 'serviceAccountToken', token: 'secret-token' },
        },
      ],
      ownership: { namespaceOwners: { 'team-b': 'group:default/team-b' } },
      sync: {
        persistIntervalMs: 20,
        staleAfterMs: 300,
        backoff: { initialDelayMs: 20, maxDelayMs: 100 },
      },
    },
  };
}

describe('shipyard backend plugin', () => {
  let api: FakeKubeApi;
  let url: string;

  beforeEach(async () => {
    api = new FakeKubeApi();
    url = await api.start();
    putCluster(api, 'alpha', {
      labels: { 'shipyard.io/owner': 'team-a', env: 'prod' },
    });
    putCluster(api, 'beta', {
      namespace: 'team-b',
      available: false,
      labels: { env: 'dev' },
    });
    putCluster(api, 'gamma', {
      labels: { 'shipyard.io/owner': 'team-a' },
      version: 'v1.30.4',
    });
  });

  afterEach(async () => {
    await api.stop();
  });

  /** The backend against the fake management cluster; `features` add to it or replace its services. */
  const startBackend = (...features: any[]) =>
    startTestBackend({
      features: [
        shipyardPlugin,
        ...features,
        mockServices.rootConfig.factory({ data: shipyardConfig(url) }),
      ],
    });

  it('answers GET /api/shipyard/health without credentials', async () => {
    const { server } = await startTestBackend({ features: [shipyardPlugin] });
    const res = await request(server).get('/api/shipyard/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('serves the fleet with filters, facets, pagination, details, ETags and errors', async () => {
    const backend = await startBackend();
    const { server } = backend;
    try {
      await eventually(async () => {
        const res = await request(server).get('/api/shipyard/clusters');
        expect(res.body.totalCount).toBe(3);
      });
      const all = await request(server).get('/api/shipyard/clusters?sort=name');
      expect(all.status).toBe(200);
      expect(all.body.items.map((i: any) => i.name)).toEqual([
        'alpha',
        'beta',
        'gamma',
      ]);
      expect(all.body.items[0]).toMatchObject({
        managementCluster: 'mc-a',
        namespace: 'default',
        name: 'alpha',
        owner: 'group:default/team-a',
      });
      expect(JSON.stringify(all.body)).not.toContain('secret-token');
      expect(all.body.facets.owner).toEqual([
        { value: 'group:default/team-a', count: 2 },
        { value: 'group:default/team-b', count: 1 },
      ]);

      const filtered = await request(server).get(
        '/api/shipyard/clusters?owner=group:default/team-a&kubernetesMinor=1.31',
      );
      expect(filtered.body.items.map((i: any) => i.name)).toEqual(['alpha']);
      const byHealth = await request(server).get(
        '/api/shipyard/clusters?health=unhealthy&health=degraded',
      );
      expect(byHealth.body.items.map((i: any) => i.name)).toEqual(['beta']);
      const byLabel = await request(server).get(
        '/api/shipyard/clusters?label=env=prod',
      );
      expect(byLabel.body.totalCount).toBe(1);

      const page1 = await request(server).get(
        '/api/shipyard/clusters?limit=2&sort=name&order=desc',
      );
      expect(page1.body.items.map((i: any) => i.name)).toEqual([
        'gamma',
        'beta',
      ]);
      const page2 = await request(server).get(
        `/api/shipyard/clusters?limit=2&sort=name&order=desc&cursor=${page1.body.nextCursor}`,
      );
      expect(page2.body.items.map((i: any) => i.name)).toEqual(['alpha']);
      expect(page2.body.nextCursor).toBeUndefined();

      for (const [query, field] of [
        ['limit=0', 'limit'],
        ['sort=color', 'sort'],
        ['health=purple', 'health'],
        ['bogus=1', 'bogus'],
        ['cursor=nonsense', 'cursor'],
      ]) {
        const bad = await request(server).get(
          `/api/shipyard/clusters?${query}`,
        );
        expect(bad.status).toBe(400);
        expect(bad.body.error.name).toBe('InputError');
        expect(bad.body.error.message).toContain(field);
      }

      const details = await request(server).get(
        '/api/shipyard/clusters/mc-a/default/alpha',
      );
      expect(details.status).toBe(200);
      expect(details.body.summary.name).toBe('alpha');
      expect(details.body.tree.kind).toBe('Cluster');
      expect(details.body.tree.children.map((c: any) => c.kind)).toEqual([
        'ClusterInfrastructure',
        'ControlPlane',
        'Workers',
      ]);
      const missing = await request(server).get(
        '/api/shipyard/clusters/mc-a/default/nope',
      );
      expect(missing.status).toBe(404);

      const etag = all.headers.etag;
      expect(etag).toBeDefined();
      const again = await request(server)
        .get('/api/shipyard/clusters?sort=name')
        .set('If-None-Match', etag);
      expect(again.status).toBe(304);

      const summary = await request(server).get('/api/shipyard/summary');
      expect(summary.body).toMatchObject({
        totalCount: 3,
        byHealth: { healthy: 2, unhealthy: 1 },
        byKubernetesMinor: { '1.31': 2, '1.30': 1 },
        byManagementCluster: { 'mc-a': 3 },
      });
      const mcs = await request(server).get(
        '/api/shipyard/management-clusters',
      );
      expect(mcs.body.items).toHaveLength(1);
      expect(mcs.body.items[0]).toMatchObject({
        name: 'mc-a',
        state: 'connected',
        objectCounts: { clusters: 3 },
      });

      // a change bumps the revision, so the old ETag no longer matches
      api.put(
        'clusters',
        capiCluster('alpha', {
          available: false,
          labels: { 'shipyard.io/owner': 'team-a' },
        }),
      );
      await eventually(async () => {
        const res = await request(server)
          .get('/api/shipyard/clusters?sort=name')
          .set('If-None-Match', etag);
        expect(res.status).toBe(200);
        expect(res.body.items[0].health).toBe('unhealthy');
      });
    } finally {
      await backend.stop();
    }
  });

  it('streams changes over SSE', async () => {
    const backend = await startBackend();
    const { server } = backend;
    try {
      await eventually(async () => {
        const res = await request(server).get('/api/shipyard/clusters');
        expect(res.body.totalCount).toBe(3);
      });
      const stream = openEventStream(server, res => {
        expect(res.headers['content-type']).toContain('text/event-stream');
      });
      await eventually(() => expect(stream.received).toContain('event: hello'));
      putCluster(api, 'delta');
      await eventually(() => {
        expect(stream.received).toContain('event: change');
        expect(stream.received).toContain('"name":"delta"');
      });
      stream.close();
    } finally {
      await backend.stop();
    }
  });

  it('narrows everything to what a conditional decision allows, and denies without permission', async () => {
    const permissions = mockServices.permissions.mock({
      authorizeConditional: async () => [
        ownerDecision(['group:default/team-b']),
      ],
    });
    const backend = await startBackend(permissions.factory);
    const { server } = backend;
    try {
      await eventually(async () => {
        const res = await request(server).get('/api/shipyard/summary');
        expect(res.body.totalCount).toBe(1);
      });
      const list = await request(server).get('/api/shipyard/clusters');
      expect(list.body.items.map((i: any) => i.name)).toEqual(['beta']);
      expect(list.body.facets.owner).toEqual([
        { value: 'group:default/team-b', count: 1 },
      ]);
      expect(
        (await request(server).get('/api/shipyard/clusters/mc-a/default/alpha'))
          .status,
      ).toBe(404);
      expect(
        (await request(server).get('/api/shipyard/clusters/mc-a/team-b/beta'))
          .status,
      ).toBe(200);
    } finally {
      await backend.stop();
    }

    const denied = await startBackend(
      mockServices.permissions.factory({ result: AuthorizeResult.DENY }),
    );
    try {
      expect(
        (await request(denied.server).get('/api/shipyard/clusters')).status,
      ).toBe(403);
    } finally {
      await denied.stop();
    }
  });
});
