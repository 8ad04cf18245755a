import { startFleetSim, FleetSim } from '../sim/sim';
import { eventually, request, watch, RequestOptions } from '../__testUtils__';

// Each suite starts a simulator; the machines running the tests may be busy.
jest.setTimeout(30_000);

describe('Kubernetes REST protocol', () => {
  let sim: FleetSim;
  let base: string;
  let token: string;
  let ca: string;
  const NS = 'team-a';

  const call = (path: string, options: RequestOptions = {}) =>
    request(`${base}${path}`, { token, ca, ...options });
  const clusters = `/apis/cluster.x-k8s.io/v1beta2/namespaces/${NS}/clusters`;
  const cluster = (name: string, labels: Record<string, string> = {}) => ({
    apiVersion: 'cluster.x-k8s.io/v1beta2',
    kind: 'Cluster',
    metadata: { name, labels },
    spec: {
      topology: { classRef: { name: 'missing-class' }, version: 'v1.34.7' },
    },
  });

  beforeAll(async () => {
    sim = await startFleetSim({
      managementClusters: 1,
      clusters: 6,
      seed: 'http',
      anomalies: false,
      timing: { stepMs: 50, bookmarkMs: 100 },
      historySize: 50,
    });
    const m = sim.managementClusters[0];
    base = m.url;
    token = m.token;
    ca = Buffer.from(m.caData, 'base64').toString('utf8');
  });

  afterAll(async () => {
    await sim.stop();
  });

  describe('discovery', () => {
    it('serves /version, /api, /apis and resource lists with verbs, short names, categories and subresources', async () => {
      expect((await call('/version')).json().gitVersion).toBe(
        sim.managementClusters[0].kubernetesVersion,
      );
      expect((await call('/api')).json()).toMatchObject({
        kind: 'APIVersions',
        versions: ['v1'],
      });
      const groups = (await call('/apis')).json();
      const capi = groups.groups.find(
        (g: any) => g.name === 'cluster.x-k8s.io',
      );
      expect(capi.preferredVersion.version).toBe('v1beta2');
      expect(capi.versions.map((v: any) => v.version)).toEqual([
        'v1beta2',
        'v1beta1',
      ]);
      for (const g of [
        'controlplane.cluster.x-k8s.io',
        'infrastructure.cluster.x-k8s.io',
        'bootstrap.cluster.x-k8s.io',
      ]) {
        expect(groups.groups.map((x: any) => x.name)).toContain(g);
      }
      const list = (await call('/apis/cluster.x-k8s.io/v1beta2')).json();
      const byName = new Map(list.resources.map((r: any) => [r.name, r]));
      expect(byName.get('clusters')).toMatchObject({
        kind: 'Cluster',
        namespaced: true,
        shortNames: ['cl'],
        categories: ['cluster-api'],
      });
      expect((byName.get('clusters') as any).verbs).toEqual(
        expect.arrayContaining([
          'create',
          'delete',
          'get',
          'list',
          'patch',
          'update',
          'watch',
        ]),
      );
      expect(byName.get('clusters/status')).toMatchObject({
        verbs: ['get', 'patch', 'update'],
      });
      expect(byName.get('machinedeployments/scale')).toMatchObject({
        group: 'autoscaling',
        version: 'v1',
        kind: 'Scale',
      });
      const infra = (
        await call('/apis/infrastructure.cluster.x-k8s.io/v1beta1')
      )
        .json()
        .resources.map((r: any) => r.kind);
      expect(infra).toEqual(
        expect.arrayContaining([
          'DevCluster',
          'AzureManagedCluster',
          'GCPManagedControlPlane',
        ]),
      );
      const cp = (await call('/apis/controlplane.cluster.x-k8s.io/v1beta2'))
        .json()
        .resources.map((r: any) => r.kind);
      expect(cp).toEqual(
        expect.arrayContaining([
          'KubeadmControlPlane',
          'AWSManagedControlPlane',
        ]),
      );
      const root = (await call('/')).json();
      expect(root.paths).toEqual(
        expect.arrayContaining([
          '/api',
          '/apis',
          '/apis/cluster.x-k8s.io/v1beta2',
          '/version',
          '/openapi/v3',
        ]),
      );
    });

    it('serves aggregated discovery when asked for it', async () => {
      const res = await call('/apis', {
        accept:
          'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json',
      });
      expect(res.headers['content-type']).toBe(
        'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
      );
      const doc = res.json();
      const capi = doc.items.find(
        (i: any) => i.metadata.name === 'cluster.x-k8s.io',
      );
      const clusterResource = capi.versions[0].resources.find(
        (r: any) => r.resource === 'clusters',
      );
      expect(clusterResource).toMatchObject({
        scope: 'Namespaced',
        responseKind: { kind: 'Cluster' },
        shortNames: ['cl'],
      });
      expect(
        clusterResource.subresources.map((s: any) => s.subresource),
      ).toEqual(['status']);
    });

    it('serves OpenAPI v3 with the fieldValidation parameter on PATCH', async () => {
      const root = (await call('/openapi/v3')).json();
      const ref = root.paths['apis/cluster.x-k8s.io/v1beta2'].serverRelativeURL;
      expect(ref).toMatch(
        /^\/clusters\/[^/]+\/openapi\/v3\/apis\/cluster\.x-k8s\.io\/v1beta2\?hash=/,
      );
      const doc = (
        await request(`${new URL(base).origin}${ref}`, { token, ca })
      ).json();
      const item =
        doc.paths[
          '/apis/cluster.x-k8s.io/v1beta2/namespaces/{namespace}/clusters/{name}'
        ];
      expect(item.patch['x-kubernetes-group-version-kind']).toEqual({
        group: 'cluster.x-k8s.io',
        version: 'v1beta2',
        kind: 'Cluster',
      });
      expect(item.patch.parameters.map((p: any) => p.name)).toContain(
        'fieldValidation',
      );
      expect(
        doc.components.schemas['io.x-k8s.cluster.v1beta2.Cluster'].properties
          .spec.properties.topology,
      ).toBeDefined();
    });
  });

  describe('reads', () => {
    it('returns Tables with the CAPI printer columns', async () => {
      const res = await call(`/apis/cluster.x-k8s.io/v1beta2/clusters`, {
        accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
      });
      const table = res.json();
      expect(table.kind).toBe('Table');
      expect(
        table.columnDefinitions.map((c: any) => c.name).slice(0, 4),
      ).toEqual(['Name', 'ClusterClass', 'Available', 'CP Desired']);
      expect(table.rows).toHaveLength(sim.model.clusters.length);
      expect(table.rows[0].object.kind).toBe('PartialObjectMetadata');
      const phase = table.columnDefinitions.findIndex(
        (c: any) => c.name === 'Phase',
      );
      expect(
        table.rows.every((r: any) => r.cells[phase] === 'Provisioned'),
      ).toBe(true);
    });

    it('supports field selectors on metadata.name and metadata.namespace', async () => {
      const c = sim.model.clusters[0];
      const res = (
        await call(
          `/apis/cluster.x-k8s.io/v1beta2/clusters?fieldSelector=metadata.name=${c.name},metadata.namespace=${c.namespace}`,
        )
      ).json();
      expect(res.items.map((i: any) => i.metadata.name)).toEqual([c.name]);
      expect(
        (
          await call(
            '/apis/cluster.x-k8s.io/v1beta2/clusters?fieldSelector=spec.paused=true',
          )
        ).status,
      ).toBe(400);
    });
  });

  describe('watch', () => {
    it('sends synthetic ADDED events from 0, resumes from a resourceVersion and honours timeoutSeconds', async () => {
      const initial = watch(
        `${base}${clusters}?watch=true&resourceVersion=0&timeoutSeconds=1`,
        token,
        ca,
      );
      await initial.ended;
      const expected = sim.model.clusters.filter(
        c => c.namespace === NS,
      ).length;
      expect(initial.events.filter(e => e.type === 'ADDED')).toHaveLength(
        expected,
      );

      const listed = (await call(clusters)).json();
      const rv = listed.metadata.resourceVersion;
      await call(clusters, { method: 'POST', body: cluster('w1') });
      await call(`${clusters}/w1`, {
        method: 'PATCH',
        body: { metadata: { labels: { a: 'b' } } },
        contentType: 'application/merge-patch+json',
      });
      const resumed = watch(
        `${base}${clusters}?watch=true&resourceVersion=${rv}`,
        token,
        ca,
      );
      const added = await resumed.next();
      expect(added.type).toBe('ADDED');
      expect(added.object.metadata.name).toBe('w1');
      expect(Number(added.object.metadata.resourceVersion)).toBeGreaterThan(
        Number(rv),
      );
      const events: any[] = [];
      for (;;) {
        const e = await resumed.next();
        events.push(e);
        if (e.type === 'MODIFIED' && e.object.metadata.labels?.a === 'b') break;
      }
      resumed.close();
    });

    it('turns label selector transitions into ADDED and DELETED', async () => {
      const maps = `/api/v1/namespaces/${NS}/configmaps`;
      const w = watch(
        `${base}${maps}?watch=true&labelSelector=stage%3Dlive&resourceVersion=${
          (await call(maps)).json().metadata.resourceVersion
        }`,
        token,
        ca,
      );
      await call(maps, {
        method: 'POST',
        body: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'sel' },
        },
      });
      await call(`${maps}/sel`, {
        method: 'PATCH',
        body: { metadata: { labels: { stage: 'live' } } },
        contentType: 'application/merge-patch+json',
      });
      const enter = await w.next();
      expect([enter.type, enter.object.metadata.name]).toEqual([
        'ADDED',
        'sel',
      ]);
      await call(`${maps}/sel`, {
        method: 'PATCH',
        body: { data: { a: 'b' } },
        contentType: 'application/strategic-merge-patch+json',
      });
      expect((await w.next()).type).toBe('MODIFIED');
      await call(`${maps}/sel`, {
        method: 'PATCH',
        body: { metadata: { labels: { stage: 'retired' } } },
        contentType: 'application/merge-patch+json',
      });
      const leave = await w.next();
      expect([leave.type, leave.object.metadata.labels.stage]).toEqual([
        'DELETED',
        'retired',
      ]);
      await call(`${maps}/sel`, { method: 'DELETE' });
      await call(maps, {
        method: 'POST',
        body: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'other', labels: { stage: 'live' } },
        },
      });
      const other = await w.next();
      expect([other.type, other.object.metadata.name]).toEqual([
        'ADDED',
        'other',
      ]);
      w.close();
    });

    it('answers a resourceVersion older than the history with an ERROR 410 event and closes', async () => {
      const rv = (await call(clusters)).json().metadata.resourceVersion;
      const api = sim.management(sim.managementClusters[0].name).api;
      for (let i = 0; i < 80; i++) {
        api.patch(
          api.type('core/configmaps'),
          NS,
          'churn',
          'apply',
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'churn' },
            data: { n: String(i) },
          },
          { fieldManager: 'test' },
        );
      }
      const w = watch(
        `${base}${clusters}?watch=true&resourceVersion=${rv}`,
        token,
        ca,
      );
      expect(await w.status).toBe(200);
      const e = await w.next();
      expect(e.type).toBe('ERROR');
      expect(e.object).toMatchObject({
        kind: 'Status',
        status: 'Failure',
        reason: 'Expired',
        code: 410,
      });
      await w.ended;
      expect(w.events).toHaveLength(1);
    });

    it('sends bookmarks when allowed and Table rows when asked', async () => {
      const rv = (await call(clusters)).json().metadata.resourceVersion;
      const w = watch(
        `${base}${clusters}?watch=true&allowWatchBookmarks=true&resourceVersion=${rv}`,
        token,
        ca,
      );
      const bookmark = await w.next(3000);
      expect(bookmark.type).toBe('BOOKMARK');
      expect(bookmark.object).toEqual({
        kind: 'Cluster',
        apiVersion: 'cluster.x-k8s.io/v1beta2',
        metadata: { resourceVersion: expect.any(String) },
      });
      w.close();
      const t = watch(
        `${base}${clusters}?watch=true&resourceVersion=0`,
        token,
        ca,
        'application/json;as=Table;v=v1;g=meta.k8s.io',
      );
      await t.next();
      await t.next();
      t.close();
      expect(t.events[0].object.kind).toBe('Table');
      expect(t.events[0].object.columnDefinitions.length).toBeGreaterThan(3);
      expect(t.events[1].object.columnDefinitions).toEqual([]);
      expect(t.events[1].object.rows).toHaveLength(1);
    });

    it('streams the initial events then a bookmark with sendInitialEvents', async () => {
      const w = watch(
        `${base}${clusters}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`,
        token,
        ca,
      );
      const expected = (await call(clusters)).json().items.length;
      const seen: any[] = [];
      for (;;) {
        const e = await w.next();
        seen.push(e);
        if (e.type === 'BOOKMARK') break;
      }
      w.close();
      expect(seen.filter(e => e.type === 'ADDED')).toHaveLength(expected);
      expect(seen[seen.length - 1].object.metadata.annotations).toEqual({
        'k8s.io/initial-events-end': 'true',
      });
    });
  });

  describe('errors', () => {
    it.each([
      [
        'wrong token',
        401,
        'Unauthorized',
        () => call(clusters, { token: 'nope' }),
      ],
      [
        'no token',
        401,
        'Unauthorized',
        () => request(`${base}${clusters}`, { ca }),
      ],
      [
        'unknown path',
        404,
        'NotFound',
        () => call('/apis/nope.example.com/v1/things'),
      ],
      [
        'unknown resource',
        404,
        'NotFound',
        () => call('/apis/cluster.x-k8s.io/v1beta2/namespaces/team-a/widgets'),
      ],
      ['missing object', 404, 'NotFound', () => call(`${clusters}/nope`)],
      [
        'malformed JSON',
        400,
        'BadRequest',
        () => call(clusters, { method: 'POST', body: '{"kind":' }),
      ],
      [
        'non-object body',
        400,
        'BadRequest',
        () => call(clusters, { method: 'POST', body: '[1,2]' }),
      ],
      [
        'bad label selector',
        400,
        'BadRequest',
        () => call(`${clusters}?labelSelector=a%20b%20c`),
      ],
      ['bad limit', 400, 'BadRequest', () => call(`${clusters}?limit=-3`)],
      [
        'bad continue token',
        400,
        'BadRequest',
        () => call(`${clusters}?limit=1&continue=bm9wZQ==`),
      ],
      [
        'bad resourceVersion',
        400,
        'BadRequest',
        () => call(`${clusters}?watch=true&resourceVersion=abc`),
      ],
      [
        'POST to an object path',
        405,
        'MethodNotAllowed',
        () => call(`${clusters}/x`, { method: 'POST', body: cluster('x') }),
      ],
      [
        'strategic merge patch on a custom resource',
        415,
        'UnsupportedMediaType',
        () =>
          call(`${clusters}/w1`, {
            method: 'PATCH',
            body: {},
            contentType: 'application/strategic-merge-patch+json',
          }),
      ],
      [
        'unknown patch type',
        415,
        'UnsupportedMediaType',
        () =>
          call(`${clusters}/w1`, {
            method: 'PATCH',
            body: {},
            contentType: 'text/plain',
          }),
      ],
      [
        'protobuf only',
        406,
        'NotAcceptable',
        () => call(clusters, { accept: 'application/vnd.kubernetes.protobuf' }),
      ],
      [
        'missing kind',
        400,
        'BadRequest',
        () =>
          call(clusters, {
            method: 'POST',
            body: {
              apiVersion: 'cluster.x-k8s.io/v1beta2',
              metadata: { name: 'x' },
            },
          }),
      ],
      [
        'invalid name',
        422,
        'Invalid',
        () => call(clusters, { method: 'POST', body: cluster('Bad_Name') }),
      ],
      [
        'apply without fieldManager',
        400,
        'BadRequest',
        () =>
          call(`${clusters}/w1`, {
            method: 'PATCH',
            body: cluster('w1'),
            contentType: 'application/apply-patch+yaml',
          }),
      ],
      [
        'viewer writing',
        403,
        'Forbidden',
        () =>
          call(clusters, {
            method: 'POST',
            body: cluster('v'),
            token: sim.managementClusters[0].viewerToken,
          }),
      ],
    ])('%s → %d %s', async (_name, code, reason, fn) => {
      const res = await fn();
      expect(res.status).toBe(code);
      const body = res.json();
      expect(body).toMatchObject({
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        code,
        reason,
      });
    });

    it('answers 409 on stale updates and 413 on huge bodies, and keeps serving', async () => {
      const current = (await call(`${clusters}/w1`)).json();
      await call(`${clusters}/w1`, {
        method: 'PATCH',
        body: { metadata: { labels: { bump: '1' } } },
        contentType: 'application/merge-patch+json',
      });
      const stale = await call(`${clusters}/w1`, {
        method: 'PUT',
        body: current,
      });
      expect(stale.json()).toMatchObject({ code: 409, reason: 'Conflict' });
      const huge = await call(clusters, {
        method: 'POST',
        body: `{"x":"${'a'.repeat(4 * 1024 * 1024)}"}`,
      }).catch(() => ({ status: 413 }));
      expect(huge.status).toBe(413);
      await eventually(async () => (await call('/version')).status === 200);
    });
  });
});
