import { FleetSim, startFleetSim } from '@shipyard/fleet-sim';
import request from 'supertest';
import {
  Backend,
  eventually,
  keyOf,
  listAllClusters,
  proofConfig,
  simClusterKeys,
  startShipyardBackend,
  waitConnected,
} from '../__testUtils__/proofUtils';

/*
 * Bad input: malformed Cluster API objects on a management cluster (missing fields, wrong types, unknown
 * apiVersions, huge labels), written straight into the simulator's store so that no admission stops them.
 * Each is skipped with a logged reason; everything else is ingested, by the initial list and by the watch.
 */

jest.setTimeout(60_000);

const CLUSTERS = 'cluster.x-k8s.io/clusters';
const MACHINES = 'cluster.x-k8s.io/machines';

/** name → [object, the reason the log must give]. */
function malformedClusters(namespace: string): Array<[string, any, RegExp]> {
  const meta = (name: string, extra: object = {}) => ({
    name,
    namespace,
    uid: `uid-${name}`,
    ...extra,
  });
  const apiVersion = 'cluster.x-k8s.io/v1beta2';
  return [
    [
      'bad-spec-string',
      {
        apiVersion,
        kind: 'Cluster',
        metadata: meta('bad-spec-string'),
        spec: 'nope',
      },
      /spec is not an object/,
    ],
    [
      'bad-status-array',
      {
        apiVersion,
        kind: 'Cluster',
        metadata: meta('bad-status-array'),
        spec: {},
        status: [1, 2],
      },
      /status is not an object/,
    ],
    [
      'bad-labels-type',
      {
        apiVersion,
        kind: 'Cluster',
        metadata: meta('bad-labels-type', { labels: 'owner=x' }),
        spec: {},
      },
      /labels is not an object/,
    ],
    [
      'bad-label-value',
      {
        apiVersion,
        kind: 'Cluster',
        metadata: meta('bad-label-value', {
          labels: { 'shipyard.io/owner': 42 },
        }),
        spec: {},
      },
      /labels\.shipyard\.io\/owner is not a string/,
    ],
    [
      'huge-label',
      {
        apiVersion,
        kind: 'Cluster',
        metadata: meta('huge-label', {
          labels: { big: 'x'.repeat(2 * 1024 * 1024) },
        }),
        spec: {},
      },
      /longer than 63/,
    ],
    [
      'huge-annotations',
      {
        apiVersion,
        kind: 'Cluster',
        metadata: meta('huge-annotations', {
          annotations: Object.fromEntries(
            Array.from({ length: 600 }, (_, i) => [`a${i}`, 'y'.repeat(1000)]),
          ),
        }),
        spec: {},
      },
      /annotations are larger/,
    ],
    [
      'unknown-version',
      {
        apiVersion: 'cluster.x-k8s.io/v9alpha7',
        kind: 'Cluster',
        metadata: meta('unknown-version'),
        spec: {},
      },
      /apiVersion cluster\.x-k8s\.io\/v9alpha7/,
    ],
    [
      'wrong-kind',
      { apiVersion, kind: 'ConfigMap', metadata: meta('wrong-kind'), spec: {} },
      /kind ConfigMap is not Cluster/,
    ],
    [
      'bad-owner-refs',
      {
        apiVersion,
        kind: 'Cluster',
        metadata: meta('bad-owner-refs', { ownerReferences: { kind: 'X' } }),
        spec: {},
      },
      /ownerReferences/,
    ],
    [
      'bad-timestamp',
      {
        apiVersion,
        kind: 'Cluster',
        metadata: meta('bad-timestamp', { creationTimestamp: 12 }),
        spec: {},
      },
      /creationTimestamp is not a string/,
    ],
  ];
}

/** Odd but well-formed: must be ingested, read leniently. */
function oddButValidClusters(namespace: string): Array<[string, any]> {
  const apiVersion = 'cluster.x-k8s.io/v1beta2';
  return [
    [
      'odd-no-spec',
      {
        apiVersion,
        kind: 'Cluster',
        metadata: { name: 'odd-no-spec', namespace, uid: 'u1' },
      },
    ],
    [
      'odd-wrong-nested-types',
      {
        apiVersion,
        kind: 'Cluster',
        metadata: { name: 'odd-wrong-nested-types', namespace, uid: 'u2' },
        spec: {
          topology: {
            classRef: 7,
            version: ['v1'],
            workers: { machineDeployments: 'x' },
          },
          controlPlaneRef: 'cp',
          infrastructureRef: [],
        },
        status: {
          phase: 12,
          conditions: { type: 'Available' },
          controlPlane: 'three',
          workers: { replicas: '2' },
        },
      },
    ],
    [
      'odd-null-everything',
      {
        apiVersion,
        kind: 'Cluster',
        metadata: {
          name: 'odd-null-everything',
          namespace,
          uid: 'u3',
          labels: null,
          annotations: null,
        },
        spec: null,
        status: null,
      },
    ],
  ];
}

describe('malformed Cluster API objects on a management cluster', () => {
  let sim: FleetSim;
  let backend: Backend;
  const logs: string[] = [];
  const namespace = 'default';

  function inject(typeId: string, name: string, obj: any) {
    const api = sim.management(sim.managementClusters[0].name).api;
    api.store.put(
      typeId,
      `${namespace}/${name}`,
      JSON.parse(JSON.stringify(obj)),
    );
  }

  beforeAll(async () => {
    sim = await startFleetSim({
      managementClusters: 2,
      clusters: 8,
      seed: 'malformed',
      anomalies: false,
      timing: { stepMs: 20 },
    });
    await sim.controller.whenIdle();
    // the simulated controllers are not under test: keep them away from the objects written behind admission
    sim.controller.pause();
    for (const [name, obj] of malformedClusters(namespace).slice(0, 5)) {
      inject(CLUSTERS, name, obj);
    }
    inject(MACHINES, 'machine-without-metadata-name', {
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'Machine',
      metadata: { namespace, labels: { 'cluster.x-k8s.io/cluster-name': 'x' } },
      spec: { clusterName: 'x' },
    });
    backend = await startShipyardBackend({ logs, config: proofConfig(sim) });
  });

  afterAll(async () => {
    await backend?.stop();
    sim?.controller.resume();
    await sim?.stop();
  });

  it('skips each with a logged reason, at the initial list and on the watch, and ingests everything else', async () => {
    await waitConnected(
      backend.client,
      sim.managementClusters.map(m => m.name),
    );
    // the rest arrive on the watch
    for (const [name, obj] of [
      ...malformedClusters(namespace).slice(5),
      ...oddButValidClusters(namespace),
    ]) {
      inject(CLUSTERS, name, obj);
    }
    const malformed = new Set(
      malformedClusters(namespace).map(
        ([n]) => `${sim.managementClusters[0].name}/${namespace}/${n}`,
      ),
    );
    const expected = [...simClusterKeys(sim)]
      .filter(k => !malformed.has(k))
      .sort();
    expect(expected.length).toBe(8 + 3);
    await eventually(async () => {
      const keys = (await listAllClusters(backend.client)).map(keyOf).sort();
      expect(keys).toEqual(expected);
    });
    for (const [name, , reason] of malformedClusters(namespace)) {
      const line = logs.find(l =>
        l.includes(`skipping Cluster ${namespace}/${name}:`),
      );
      expect({ name, line }).toEqual({
        name,
        line: expect.stringMatching(reason),
      });
      // a huge value is named, never echoed
      expect(line!.length).toBeLessThan(1000);
    }
    expect(
      logs.some(l =>
        l.includes('skipping Machine (unnamed): metadata.name is missing'),
      ),
    ).toBe(true);
    // every source stays connected: one bad object does not stop a stream
    const mcs = await request(backend.server).get(
      '/api/shipyard/management-clusters',
    );
    for (const m of mcs.body.items) {
      expect({ name: m.name, state: m.state }).toEqual({
        name: m.name,
        state: 'connected',
      });
    }
    // the odd ones are served, read leniently, and their detail pages work
    for (const [name] of oddButValidClusters(namespace)) {
      const res = await request(backend.server).get(
        `/api/shipyard/clusters/${sim.managementClusters[0].name}/${namespace}/${name}`,
      );
      expect(res.status).toBe(200);
    }
    const summary = await request(backend.server).get('/api/shipyard/summary');
    expect(summary.status).toBe(200);
    expect(summary.body.totalCount).toBe(expected.length);
  });

  it('keeps serving a cluster whose object turns malformed, and drops it on a confirmed deletion', async () => {
    const mc = sim.managementClusters[0].name;
    const api = sim.management(mc).api;
    const good = (await listAllClusters(backend.client)).find(
      c => c.managementCluster === mc && !c.name.startsWith('odd-'),
    )!;
    const stored = JSON.parse(
      JSON.stringify(api.get(api.type(CLUSTERS), good.namespace, good.name)),
    );
    stored.metadata.labels = {
      ...stored.metadata.labels,
      huge: 'z'.repeat(100_000),
    };
    api.store.put(CLUSTERS, `${good.namespace}/${good.name}`, stored);
    await eventually(() =>
      expect(
        logs.some(l =>
          l.includes(
            `skipping Cluster ${good.namespace}/${good.name}: metadata.labels.huge`,
          ),
        ),
      ).toBe(true),
    );
    const res = await request(backend.server).get(
      `/api/shipyard/clusters/${mc}/${good.namespace}/${good.name}`,
    );
    expect(res.status).toBe(200);
    expect(res.body.summary.labels?.huge).toBeUndefined();
    api.store.remove(CLUSTERS, `${good.namespace}/${good.name}`);
    await eventually(async () => {
      const gone = await request(backend.server).get(
        `/api/shipyard/clusters/${mc}/${good.namespace}/${good.name}`,
      );
      expect(gone.status).toBe(404);
    });
  });

  it('counts the skipped objects per management cluster in the API and logs each once per resourceVersion', async () => {
    const [first, second] = sim.managementClusters.map(m => m.name);
    const counts = async () => {
      const res = await request(backend.server).get(
        '/api/shipyard/management-clusters',
      );
      return Object.fromEntries(
        res.body.items.map((m: any) => [m.name, m.objectCounts.skipped]),
      );
    };
    // every malformed Cluster and the unnamed Machine of the first management cluster, none on the second
    const skipped = malformedClusters(namespace).length + 1;
    await eventually(async () =>
      expect(await counts()).toEqual({ [first]: skipped, [second]: 0 }),
    );
    const linesOf = (name: string) =>
      logs.filter(l => l.includes(`skipping Cluster ${namespace}/${name}:`))
        .length;
    expect(linesOf('bad-spec-string')).toBe(1);
    // a relist reads the same objects again: nothing new to say
    const relists = logs.filter(l => l.includes('relisting')).length;
    sim.faults.restartManagementApi(first);
    await eventually(() =>
      expect(logs.filter(l => l.includes('relisting')).length).toBeGreaterThan(
        relists,
      ),
    );
    await waitConnected(backend.client, [first]);
    await eventually(async () =>
      expect(await counts()).toEqual({ [first]: skipped, [second]: 0 }),
    );
    expect(linesOf('bad-spec-string')).toBe(1);
    // a new version of a malformed object is said once more; a repaired one is no longer counted
    const [, badSpec] = malformedClusters(namespace)[0];
    inject(CLUSTERS, 'bad-spec-string', {
      ...badSpec,
      metadata: { ...badSpec.metadata, labels: { edited: 'yes' } },
    });
    await eventually(() => expect(linesOf('bad-spec-string')).toBe(2));
    inject(CLUSTERS, 'bad-status-array', {
      ...malformedClusters(namespace)[1][1],
      status: {},
    });
    await eventually(async () =>
      expect(await counts()).toEqual({ [first]: skipped - 1, [second]: 0 }),
    );
    expect(linesOf('bad-spec-string')).toBe(2);
  });
});
