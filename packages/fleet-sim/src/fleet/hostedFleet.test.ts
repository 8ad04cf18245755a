import { startFleetSim, FleetSim } from '../sim/sim';
import { eventually, request } from '../__testUtils__';
import { LABELS, TYPE_IDS } from '../capi/kinds';
import { HOSTED_TYPE_IDS } from '../capi/hosted';
import { JsonObject, asObject } from '../util/json';
import { SeedCluster } from './model';

// Each suite starts a simulator; the machines running the tests may be busy.
jest.setTimeout(60_000);

describe('hosted control planes and the management chain', () => {
  let sim: FleetSim;
  let ca: string;

  beforeAll(async () => {
    sim = await startFleetSim({
      managementClusters: 2,
      clusters: 6,
      seed: 'hosted',
      anomalies: false,
      hostedControlPlanes: 4,
      managementChain: true,
      timing: { stepMs: 30 },
    });
    ca = Buffer.from(sim.caData, 'base64').toString('utf8');
  });

  afterAll(async () => {
    await sim?.stop();
  });

  afterEach(() => sim.faults.clear());

  const hosted = (provider: string): SeedCluster => {
    const c = sim.model.clusters.find(x => x.flavor.hosted === provider);
    if (!c) throw new Error(`no ${provider} cluster`);
    return c;
  };
  const list = async (c: SeedCluster, path: string) => {
    const mc = sim.managementClusters.find(m => m.name === c.management)!;
    const res = await request(`${mc.url}${path}`, { token: mc.token, ca });
    expect(res.status).toBe(200);
    return (res.json() as JsonObject).items as JsonObject[];
  };
  const api = (c: SeedCluster) => sim.management(c.management).api;
  const get = (c: SeedCluster, typeId: string, name: string) =>
    api(c).tryGet(api(c).type(typeId), c.namespace, name);
  const condition = (obj: JsonObject | undefined, type: string) =>
    (
      (asObject(obj?.status)?.conditions as JsonObject[] | undefined) ?? []
    ).find(x => x.type === type);

  it('serves k0smotron control planes as a StatefulSet, a Service and pods in the control plane namespace', async () => {
    const c = hosted('k0smotron');
    const cp = get(
      c,
      'controlplane.cluster.x-k8s.io/k0smotroncontrolplanes',
      c.controlPlaneName,
    );
    expect(cp?.kind).toBe('K0smotronControlPlane');
    expect(asObject(cp?.status)).toMatchObject({
      ready: true,
      externalManagedControlPlane: true,
      replicas: c.controlPlaneReplicas,
      readyReplicas: c.controlPlaneReplicas,
    });
    const sets = await list(
      c,
      `/apis/apps/v1/namespaces/${c.namespace}/statefulsets`,
    );
    const sts = sets.find(
      s => asObject(s.metadata)?.name === `kmc-${c.controlPlaneName}`,
    );
    expect(asObject(sts?.status)?.readyReplicas).toBe(c.controlPlaneReplicas);
    const services = await list(
      c,
      `/api/v1/namespaces/${c.namespace}/services`,
    );
    expect(services.map(s => asObject(s.metadata)?.name)).toContain(
      `kmc-${c.controlPlaneName}`,
    );
    const pods = await list(
      c,
      `/api/v1/namespaces/${c.namespace}/pods?labelSelector=app%3Dk0smotron,cluster%3D${c.controlPlaneName}`,
    );
    expect(pods).toHaveLength(c.controlPlaneReplicas);
    const cluster = get(c, TYPE_IDS.cluster, c.name);
    expect(asObject(asObject(cluster?.spec)?.controlPlaneRef)?.kind).toBe(
      'K0smotronControlPlane',
    );
  });

  it('serves Kamaji control planes as a Deployment with its datastore named on the control plane', async () => {
    const c = hosted('kamaji');
    const cp = get(
      c,
      'controlplane.cluster.x-k8s.io/kamajicontrolplanes',
      c.controlPlaneName,
    );
    expect(asObject(cp?.spec)?.dataStoreName).toEqual(expect.any(String));
    expect(asObject(asObject(cp?.spec)?.controlPlaneEndpoint)?.host).toContain(
      c.management,
    );
    const deploy = get(c, HOSTED_TYPE_IDS.deployment, c.controlPlaneName);
    expect(asObject(deploy?.status)?.readyReplicas).toBe(
      c.controlPlaneReplicas,
    );
  });

  it('holds a hosted control plane pods NotReady: pods, control plane, Cluster and workload API follow, then recover', async () => {
    const c = hosted('k0smotron');
    const ref = `${c.management}/${c.namespace}/${c.name}`;
    const workload = sim
      .workloadClusters()
      .find(w => w.name === c.name && w.namespace === c.namespace)!;
    sim.faults.hostedControlPlanePodsNotReady(ref);
    await eventually(() => {
      const cluster = get(c, TYPE_IDS.cluster, c.name);
      const available = condition(cluster, 'ControlPlaneAvailable');
      return (
        available?.status === 'False' &&
        String(available.message).includes('control plane pods ready')
      );
    });
    const cp = get(
      c,
      'controlplane.cluster.x-k8s.io/k0smotroncontrolplanes',
      c.controlPlaneName,
    );
    expect(asObject(cp?.status)).toMatchObject({
      ready: false,
      readyReplicas: 0,
    });
    const cluster = get(c, TYPE_IDS.cluster, c.name);
    expect(condition(cluster, 'ControlPlaneAvailable')?.message).toContain(
      `0 of ${c.controlPlaneReplicas} control plane pods ready (StatefulSet kmc-${c.controlPlaneName})`,
    );
    const sts = get(
      c,
      HOSTED_TYPE_IDS.statefulSet,
      `kmc-${c.controlPlaneName}`,
    );
    expect(asObject(sts?.status)?.readyReplicas).toBe(0);
    const pod = get(c, HOSTED_TYPE_IDS.pod, `kmc-${c.controlPlaneName}-0`);
    expect(condition(pod, 'Ready')?.status).toBe('False');
    const down = await request(`${workload.url}/api/v1/nodes`, {
      token: workload.token,
      ca,
    });
    expect(down.status).toBe(503);

    sim.faults.hostedControlPlanePodsNotReady(ref, 0);
    await eventually(() => {
      const again = get(c, TYPE_IDS.cluster, c.name);
      return condition(again, 'ControlPlaneAvailable')?.status === 'True';
    });
    const pod2 = get(c, HOSTED_TYPE_IDS.pod, `kmc-${c.controlPlaneName}-0`);
    expect(condition(pod2, 'Ready')?.status).toBe('True');
  });

  it('makes the first management cluster self-hosted and the others its Clusters', async () => {
    const [root, other] = sim.managementClusters.map(m => m.name);
    const clusters = sim.model.clusters.filter(
      c => c.labels[LABELS.isManagementCluster] !== undefined,
    );
    expect(
      clusters.map(c => [c.management, c.labels[LABELS.isManagementCluster]]),
    ).toEqual([
      [root, root],
      [root, other],
    ]);
    const items = await list(
      clusters[1],
      `/apis/cluster.x-k8s.io/v1beta2/namespaces/management/clusters`,
    );
    expect(items.map(i => asObject(i.metadata)?.name).sort()).toEqual(
      [root, other].sort(),
    );
  });

  it('leaves the rest of the fleet as it is without them', async () => {
    const plain = await startFleetSim({
      managementClusters: 2,
      clusters: 6,
      seed: 'hosted',
      anomalies: false,
      timing: { stepMs: 30 },
    });
    try {
      const names = (s: FleetSim) =>
        s.model.clusters
          .filter(
            c => !c.flavor.hosted && !c.labels[LABELS.isManagementCluster],
          )
          .map(c => `${c.management}/${c.namespace}/${c.name}`);
      expect(names(plain)).toEqual(names(sim));
    } finally {
      await plain.stop();
    }
  });
});
