import * as k8s from '@kubernetes/client-node';
import { startFleetSim, FleetSim } from '../sim/sim';
import { eventually, example, sleep } from '../__testUtils__';
import { parseAllDocuments } from 'yaml';

// Each suite starts a simulator; the machines running the tests may be busy.
jest.setTimeout(30_000);

function firstDoc(text: string): object {
  return parseAllDocuments(text)
    .map(d => d.toJS())
    .filter(Boolean)[0];
}

const NS = 'team-b';
const GROUP = 'cluster.x-k8s.io';
const VERSION = 'v1beta2';

interface Meta {
  metadata?: {
    name?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
  };
}

describe('client-node informer', () => {
  let sim: FleetSim;
  let kc: k8s.KubeConfig;
  let custom: k8s.CustomObjectsApi;
  let informer: k8s.Informer<Meta> & k8s.ObjectCache<Meta>;
  let lists = 0;
  const adds: string[] = [];
  const updates: string[] = [];
  const deletes: string[] = [];
  const errors: unknown[] = [];

  beforeAll(async () => {
    sim = await startFleetSim({
      managementClusters: 1,
      clusters: 9,
      seed: 'informer',
      anomalies: false,
      timing: { stepMs: 40 },
    });
    kc = new k8s.KubeConfig();
    kc.loadFromString(sim.kubeconfig());
    custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const path = `/apis/${GROUP}/${VERSION}/namespaces/${NS}/clusters`;
    const listFn = async () => {
      lists++;
      return (await custom.listNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: NS,
        plural: 'clusters',
      })) as k8s.KubernetesListObject<Meta>;
    };
    informer = k8s.makeInformer<Meta>(kc, path, listFn);
    informer.on('add', o => adds.push(o.metadata?.name ?? ''));
    informer.on('update', o => updates.push(o.metadata?.name ?? ''));
    informer.on('delete', o => deletes.push(o.metadata?.name ?? ''));
    informer.on('error', err => {
      errors.push(err);
      setTimeout(() => informer.start(), 20);
    });
    await informer.start();
  });

  afterAll(async () => {
    await informer.stop();
    await sim.stop();
  });

  const seededInNamespace = () =>
    sim.model.clusters
      .filter(c => c.namespace === NS)
      .map(c => c.name)
      .sort();

  it('lists the existing clusters as adds', async () => {
    await eventually(() => adds.length === seededInNamespace().length);
    expect([...adds].sort()).toEqual(seededInNamespace());
    expect(informer.list(NS)).toHaveLength(seededInNamespace().length);
  });

  it('receives add, update and delete events from the watch', async () => {
    const cluster = firstDoc(
      example('cluster-template-development.yaml', {
        CLUSTER_NAME: 'informed',
        NAMESPACE: NS,
        KUBERNETES_VERSION: 'v1.35.5',
        CONTROL_PLANE_MACHINE_COUNT: '1',
        WORKER_MACHINE_COUNT: '1',
      }),
    );
    await custom.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: NS,
      plural: 'clusters',
      body: cluster,
    });
    await eventually(() => adds.includes('informed'));
    await custom.patchNamespacedCustomObject(
      {
        group: GROUP,
        version: VERSION,
        namespace: NS,
        plural: 'clusters',
        name: 'informed',
        body: { metadata: { labels: { step: 'two' } } },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await eventually(
      () => informer.get('informed', NS)?.metadata?.labels?.step === 'two',
    );
    expect(updates).toContain('informed');
    await custom.deleteNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: NS,
      plural: 'clusters',
      name: 'informed',
    });
    await eventually(() => deletes.includes('informed'), 10000);
    expect(informer.get('informed', NS)).toBeUndefined();
  });

  it('relists after a forced 410 without duplicate adds', async () => {
    const listsBefore = lists;
    const addsBefore = adds.length;
    const mgmt = sim.managementClusters[0].name;
    const seededName = seededInNamespace()[0];
    sim.faults.restartManagementApi(mgmt);
    // A change that happens while the informer relists must still arrive exactly once.
    sim
      .management(mgmt)
      .api.patch(
        sim.management(mgmt).api.type('cluster.x-k8s.io/clusters'),
        NS,
        seededName,
        'merge',
        {
          metadata: { labels: { during: 'restart' } },
        },
      );
    await eventually(() => lists > listsBefore, 10000);
    await eventually(
      () =>
        informer.get(seededName, NS)?.metadata?.labels?.during === 'restart',
      10000,
    );
    await sleep(100);
    expect(adds.length).toBe(addsBefore);
    const counts = new Map<string, number>();
    for (const a of adds) counts.set(a, (counts.get(a) ?? 0) + 1);
    expect([...counts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    expect(counts.get(seededName)).toBe(1);
    // The watch is live again.
    await custom.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: NS,
      plural: 'clusters',
      body: firstDoc(
        example('cluster-template-development.yaml', {
          CLUSTER_NAME: 'after',
          NAMESPACE: NS,
          KUBERNETES_VERSION: 'v1.35.5',
          CONTROL_PLANE_MACHINE_COUNT: '1',
          WORKER_MACHINE_COUNT: '1',
        }),
      ),
    });
    await eventually(() => adds.includes('after'), 10000);
    expect(adds.filter(a => a === 'after')).toHaveLength(1);
  });
});
