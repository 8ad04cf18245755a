import { parseAllDocuments } from 'yaml';
import { startFleetSim, FleetSim } from '../sim/sim';
import { example, eventually, request, sleep } from '../__testUtils__';
import { ApiServer } from '../api/apiserver';
import { hasBuiltinSchema } from '../api/crds';
import { schemaFor, validateAndPrune } from '../api/schema';
import { parseLabelSelector } from '../api/selectors';
import { JsonObject } from '../util/json';

// Each suite starts a simulator; the machines running the tests may be busy.
jest.setTimeout(30_000);

const NS = 'team-a';
const VARS = {
  CLUSTER_NAME: 'dev-1',
  NAMESPACE: NS,
  KUBERNETES_VERSION: 'v1.34.7',
  CONTROL_PLANE_MACHINE_COUNT: '3',
  WORKER_MACHINE_COUNT: '2',
};

function docs(text: string): JsonObject[] {
  return parseAllDocuments(text)
    .map(d => d.toJS() as JsonObject)
    .filter(Boolean);
}

function createAll(api: ApiServer, objects: JsonObject[]): void {
  for (const obj of objects) {
    const [group] = String(obj.apiVersion).includes('/')
      ? String(obj.apiVersion).split('/')
      : [''];
    const t = api.registry.byKind(group, String(obj.kind));
    if (!t) throw new Error(`no type for ${obj.kind}`);
    const version = String(obj.apiVersion).split('/').pop() ?? '';
    api.create(t, NS, obj, {
      version,
      fieldValidation: 'Strict',
      fieldManager: 'test',
    });
  }
}

function list(api: ApiServer, typeId: string, selector: string): JsonObject[] {
  return api
    .list(api.type(typeId), {
      namespace: NS,
      labelSelector: parseLabelSelector(selector),
    })
    .texts.map(t => JSON.parse(t));
}

function cond(obj: JsonObject | undefined, type: string): string | undefined {
  const conditions =
    ((obj?.status as JsonObject | undefined)?.conditions as
      | JsonObject[]
      | undefined) ?? [];
  return conditions.find(c => c.type === type)?.status as string | undefined;
}

describe('CAPI controller simulation', () => {
  let sim: FleetSim;
  let api: ApiServer;
  const phases: string[] = [];

  beforeAll(async () => {
    sim = await startFleetSim({
      managementClusters: 1,
      clusters: 0,
      seed: 'controller',
      timing: { stepMs: 25 },
      teams: [NS],
    });
    api = sim.management(sim.managementClusters[0].name).api;
    api.store.subscribe(e => {
      if (e.collection.type.kind === 'Cluster' && e.key === `${NS}/dev-1`) {
        const phase = JSON.parse(e.json).status?.phase ?? '<none>';
        if (phases[phases.length - 1] !== phase) phases.push(phase);
      }
    });
    createAll(api, docs(example('clusterclass-quick-start.yaml', VARS)));
  });

  afterAll(async () => {
    await sim.stop();
  });

  const getCluster = () =>
    api.tryGet(api.type('cluster.x-k8s.io/clusters'), NS, 'dev-1');

  it('provisions a topology Cluster: Pending → Provisioning → Provisioned with its machines and kubeconfig', async () => {
    createAll(api, docs(example('cluster-template-development.yaml', VARS)));
    await eventually(() => {
      const s = getCluster()?.status as JsonObject | undefined;
      return (
        cond(getCluster(), 'Available') === 'True' &&
        (s?.controlPlane as JsonObject | undefined)?.readyReplicas === 3 &&
        (s?.workers as JsonObject | undefined)?.readyReplicas === 2
      );
    }, 15000);
    expect(phases.filter(p => p !== '<none>')).toEqual([
      'Pending',
      'Provisioning',
      'Provisioned',
    ]);
    const cluster = getCluster() as JsonObject;
    const status = cluster.status as JsonObject;
    for (const c of [
      'InfrastructureReady',
      'ControlPlaneInitialized',
      'ControlPlaneAvailable',
      'WorkersAvailable',
      'RemoteConnectionProbe',
      'TopologyReconciled',
    ]) {
      expect([c, cond(cluster, c)]).toEqual([c, 'True']);
    }
    expect(status.controlPlane).toEqual({
      desiredReplicas: 3,
      replicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      upToDateReplicas: 3,
    });
    expect(status.workers).toEqual({
      desiredReplicas: 2,
      replicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
      upToDateReplicas: 2,
    });

    const machines = list(
      api,
      'cluster.x-k8s.io/machines',
      'cluster.x-k8s.io/cluster-name=dev-1',
    );
    expect(machines).toHaveLength(5);
    expect(
      machines.every(m => (m.status as JsonObject).phase === 'Running'),
    ).toBe(true);
    const cp = machines.filter(
      m =>
        ((m.metadata as JsonObject).labels as JsonObject)[
          'cluster.x-k8s.io/control-plane'
        ] !== undefined,
    );
    expect(cp).toHaveLength(3);
    const workers = machines.filter(m => !cp.includes(m));
    const [md] = list(
      api,
      'cluster.x-k8s.io/machinedeployments',
      'cluster.x-k8s.io/cluster-name=dev-1,topology.cluster.x-k8s.io/deployment-name=md-0',
    );
    const [ms] = list(
      api,
      'cluster.x-k8s.io/machinesets',
      'cluster.x-k8s.io/cluster-name=dev-1',
    );
    const controller = (o: JsonObject) =>
      ((o.metadata as JsonObject).ownerReferences as JsonObject[]).find(
        r => r.controller === true,
      );
    expect(controller(ms)).toMatchObject({
      kind: 'MachineDeployment',
      name: (md.metadata as JsonObject).name,
      uid: (md.metadata as JsonObject).uid,
    });
    for (const w of workers) {
      expect(controller(w)).toMatchObject({
        kind: 'MachineSet',
        uid: (ms.metadata as JsonObject).uid,
      });
      expect((w.metadata as JsonObject).labels).toMatchObject({
        'cluster.x-k8s.io/cluster-name': 'dev-1',
        'cluster.x-k8s.io/deployment-name': (md.metadata as JsonObject).name,
        'cluster.x-k8s.io/set-name': (ms.metadata as JsonObject).name,
      });
      expect(
        ((w.status as JsonObject).nodeRef as JsonObject).name,
      ).toBeTruthy();
    }
    const secret = api.get(api.type('core/secrets'), NS, 'dev-1-kubeconfig');
    const kubeconfig = Buffer.from(
      String((secret.data as JsonObject).value),
      'base64',
    ).toString('utf8');
    const server = /server: (\S+)/.exec(kubeconfig)?.[1] ?? '';
    const token = /token: (\S+)/.exec(kubeconfig)?.[1] ?? '';
    const ca = Buffer.from(sim.caData, 'base64').toString('utf8');
    const version = await request(`${server}/version`, { token, ca });
    expect(version.json().gitVersion).toBe('v1.34.7');
    const nodes = (
      await request(`${server}/api/v1/nodes`, { token, ca })
    ).json();
    expect(nodes.items).toHaveLength(5);
    expect(
      nodes.items.every((n: any) =>
        n.status.conditions.some(
          (c: any) => c.type === 'Ready' && c.status === 'True',
        ),
      ),
    ).toBe(true);
    expect((await request(`${server}/readyz`, { token, ca })).status).toBe(200);
  });

  it('scales workers and rolls every machine on a topology version change, control plane first', async () => {
    const before = new Set(
      list(
        api,
        'cluster.x-k8s.io/machines',
        'cluster.x-k8s.io/cluster-name=dev-1',
      ).map(m => (m.metadata as JsonObject).name),
    );
    const order: string[] = [];
    const unsubscribe = api.store.subscribe(e => {
      if (e.type !== 'ADDED' || e.collection.type.kind !== 'Machine') return;
      const m = JSON.parse(e.json);
      if (m.spec.version === 'v1.35.5')
        order.push(
          m.metadata.labels['cluster.x-k8s.io/control-plane'] !== undefined
            ? 'cp'
            : 'worker',
        );
    });
    api.patch(api.type('cluster.x-k8s.io/clusters'), NS, 'dev-1', 'merge', {
      spec: {
        topology: {
          version: 'v1.35.5',
          workers: {
            machineDeployments: [
              { class: 'default-worker', name: 'md-0', replicas: 3 },
            ],
          },
        },
      },
    });
    await eventually(() => {
      const ms = list(
        api,
        'cluster.x-k8s.io/machines',
        'cluster.x-k8s.io/cluster-name=dev-1',
      );
      return (
        ms.length === 6 &&
        ms.every(
          m =>
            (m.spec as JsonObject).version === 'v1.35.5' &&
            (m.status as JsonObject).phase === 'Running',
        ) &&
        cond(getCluster(), 'Available') === 'True' &&
        cond(getCluster(), 'RollingOut') === 'False'
      );
    }, 20000);
    unsubscribe();
    const after = list(
      api,
      'cluster.x-k8s.io/machines',
      'cluster.x-k8s.io/cluster-name=dev-1',
    ).map(m => (m.metadata as JsonObject).name);
    expect(after.filter(n => before.has(n as string))).toEqual([]);
    expect(order.slice(0, 3)).toEqual(['cp', 'cp', 'cp']);
    expect(order.filter(o => o === 'worker').length).toBeGreaterThanOrEqual(3);
    const status = (getCluster() as JsonObject).status as JsonObject;
    expect((status.workers as JsonObject).desiredReplicas).toBe(3);
    await eventually(
      () =>
        list(
          api,
          'cluster.x-k8s.io/machinesets',
          'cluster.x-k8s.io/cluster-name=dev-1',
        ).length === 1,
      5000,
    );
  });

  it('pauses and resumes the controller', async () => {
    sim.controller.pause();
    api.patch(api.type('cluster.x-k8s.io/clusters'), NS, 'dev-1', 'merge', {
      spec: {
        topology: {
          workers: {
            machineDeployments: [
              { class: 'default-worker', name: 'md-0', replicas: 1 },
            ],
          },
        },
      },
    });
    await sleep(200);
    expect(
      list(
        api,
        'cluster.x-k8s.io/machines',
        'cluster.x-k8s.io/cluster-name=dev-1,!cluster.x-k8s.io/control-plane',
      ),
    ).toHaveLength(3);
    expect(sim.controller.paused).toBe(true);
    sim.controller.resume();
    await eventually(
      () =>
        list(
          api,
          'cluster.x-k8s.io/machines',
          'cluster.x-k8s.io/cluster-name=dev-1,!cluster.x-k8s.io/control-plane',
        ).length === 1,
      10000,
    );
  });

  it('holds a paused Cluster and an object with the paused annotation still, and picks them up when resumed', async () => {
    const clusters = api.type('cluster.x-k8s.io/clusters');
    const workers = () =>
      list(
        api,
        'cluster.x-k8s.io/machines',
        'cluster.x-k8s.io/cluster-name=dev-1,!cluster.x-k8s.io/control-plane',
      ).length;
    const topologyWorkers = (replicas: number) => ({
      topology: {
        workers: {
          machineDeployments: [
            { class: 'default-worker', name: 'md-0', replicas },
          ],
        },
      },
    });
    await eventually(() => workers() === 1, 10000);
    // spec.paused on the Cluster: nothing in it moves
    api.patch(clusters, NS, 'dev-1', 'merge', {
      spec: { paused: true, ...topologyWorkers(2) },
    });
    await sleep(300);
    expect(workers()).toBe(1);
    api.patch(clusters, NS, 'dev-1', 'merge', { spec: { paused: false } });
    await eventually(() => workers() === 2, 10000);
    // the paused annotation on the MachineDeployment: the topology still writes it, its machines stay
    const [md] = list(
      api,
      'cluster.x-k8s.io/machinedeployments',
      'cluster.x-k8s.io/cluster-name=dev-1',
    );
    const mdName = String((md.metadata as JsonObject).name);
    const deployments = api.type('cluster.x-k8s.io/machinedeployments');
    api.patch(deployments, NS, mdName, 'merge', {
      metadata: { annotations: { 'cluster.x-k8s.io/paused': '' } },
    });
    api.patch(clusters, NS, 'dev-1', 'merge', { spec: topologyWorkers(1) });
    await eventually(
      () =>
        (api.get(deployments, NS, mdName).spec as JsonObject).replicas === 1,
      10000,
    );
    await sleep(300);
    expect(workers()).toBe(2);
    api.patch(deployments, NS, mdName, 'merge', {
      metadata: { annotations: { 'cluster.x-k8s.io/paused': null } },
    });
    await eventually(() => workers() === 1, 10000);
  });

  it('writes objects that validate against the Cluster API schemas', () => {
    const problems: string[] = [];
    for (const t of api.registry.types) {
      if (!t.custom || !hasBuiltinSchema(t.group, t.kind)) continue;
      for (const text of api.list(t).texts) {
        const obj = JSON.parse(text);
        const result = validateAndPrune(obj, schemaFor(t, t.versions[0].name));
        for (const u of result.unknown)
          problems.push(`${t.kind} ${obj.metadata.name}: unknown ${u}`);
        for (const c of result.causes)
          problems.push(
            `${t.kind} ${obj.metadata.name}: ${c.field} ${c.message}`,
          );
      }
    }
    expect(problems).toEqual([]);
  });

  it('provisions a classic Cluster with a user-made KubeadmControlPlane and MachineDeployment', async () => {
    const vars = {
      ...VARS,
      CLUSTER_NAME: 'classic',
      CONTROL_PLANE_MACHINE_COUNT: '1',
      WORKER_MACHINE_COUNT: '1',
      DOCKER_SERVICE_CIDRS: '10.128.0.0/12',
      DOCKER_POD_CIDRS: '192.168.0.0/16',
      DOCKER_SERVICE_DOMAIN: 'cluster.local',
    };
    createAll(api, docs(example('e2e-bases-cluster-with-kcp.yaml', vars)));
    createAll(api, docs(example('e2e-bases-md.yaml', vars)));
    const classic = () =>
      api.tryGet(api.type('cluster.x-k8s.io/clusters'), NS, 'classic');
    await eventually(() => cond(classic(), 'Available') === 'True', 15000);
    expect(((classic() as JsonObject).status as JsonObject).phase).toBe(
      'Provisioned',
    );
    expect(
      list(
        api,
        'cluster.x-k8s.io/machines',
        'cluster.x-k8s.io/cluster-name=classic',
      ),
    ).toHaveLength(2);
  });

  it('tears everything down when the Cluster is deleted', async () => {
    const wl = sim.workloadClusters().find(w => w.name === 'dev-1');
    expect(wl).toBeDefined();
    api.delete(api.type('cluster.x-k8s.io/clusters'), NS, 'dev-1');
    await eventually(
      () =>
        ((getCluster()?.status as JsonObject | undefined)?.phase ?? 'gone') ===
        'Deleting',
      5000,
    );
    await eventually(() => !getCluster(), 20000);
    const server = api;
    for (const typeId of [
      'cluster.x-k8s.io/machines',
      'cluster.x-k8s.io/machinesets',
      'cluster.x-k8s.io/machinedeployments',
      'controlplane.cluster.x-k8s.io/kubeadmcontrolplanes',
      'infrastructure.cluster.x-k8s.io/devclusters',
      'infrastructure.cluster.x-k8s.io/devmachines',
    ]) {
      await eventually(
        () =>
          list(server, typeId, 'cluster.x-k8s.io/cluster-name=dev-1').length ===
          0,
        5000,
      );
    }
    await eventually(
      () => !api.tryGet(api.type('core/secrets'), NS, 'dev-1-kubeconfig'),
      5000,
    );
    expect(
      sim.workloadClusters().find(w => w.name === 'dev-1'),
    ).toBeUndefined();
    const res = await request(`${wl?.url}/version`, {
      token: wl?.token,
      ca: Buffer.from(sim.caData, 'base64').toString('utf8'),
    });
    expect(res.status).toBe(404);
  });
});
