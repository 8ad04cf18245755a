import { startFleetSim, FleetSim, WorkloadClusterInfo } from '../sim/sim';
import { eventually, request, watch } from '../__testUtils__';
import { TYPE_IDS } from '../capi/kinds';
import { JsonObject } from '../util/json';

// Each suite starts a simulator; the machines running the tests may be busy.
jest.setTimeout(30_000);

describe('fault injection', () => {
  let sim: FleetSim;
  let ca: string;
  let mgmt: string;
  let target: WorkloadClusterInfo;

  beforeAll(async () => {
    sim = await startFleetSim({
      managementClusters: 1,
      clusters: 12,
      seed: 'faults',
      anomalies: false,
      timing: { stepMs: 30 },
    });
    ca = Buffer.from(sim.caData, 'base64').toString('utf8');
    mgmt = sim.managementClusters[0].name;
    const candidate = sim.model.clusters.find(
      c =>
        c.flavor.workers === 'MachineDeployment' &&
        c.pools.reduce((n, p) => n + p.replicas, 0) >= 2,
    );
    const info = sim
      .workloadClusters()
      .find(
        w => w.name === candidate?.name && w.namespace === candidate?.namespace,
      );
    if (!info) throw new Error('no suitable workload cluster');
    target = info;
  });

  afterAll(async () => {
    await sim.stop();
  });

  afterEach(() => sim.faults.clear());

  const ref = () => `${mgmt}/${target.namespace}/${target.name}`;
  const wl = (path: string, timeoutMs?: number) =>
    request(`${target.url}${path}`, { token: target.token, ca, timeoutMs });
  const mg = (path: string, timeoutMs?: number) =>
    request(`${sim.managementClusters[0].url}${path}`, {
      token: sim.managementClusters[0].token,
      ca,
      timeoutMs,
    });
  const api = () => sim.management(mgmt).api;
  const clusterCond = (type: string) => {
    const obj = api().tryGet(
      api().type(TYPE_IDS.cluster),
      target.namespace,
      target.name,
    );
    const conditions =
      ((obj?.status as JsonObject | undefined)?.conditions as
        | JsonObject[]
        | undefined) ?? [];
    return conditions.find(c => c.type === type)?.status;
  };

  it('refuses connections to an unreachable cluster and reports the failed probe on the Cluster', async () => {
    sim.faults.unreachable(ref(), 'refuse');
    await expect(wl('/version')).rejects.toThrow(/socket hang up|ECONNRESET/);
    await eventually(
      () =>
        clusterCond('RemoteConnectionProbe') === 'False' &&
        clusterCond('Available') === 'False',
    );
    sim.faults.reachable(ref());
    expect((await wl('/version')).status).toBe(200);
    await eventually(() => clusterCond('Available') === 'True');
  });

  it('black-holes requests until the fault is cleared', async () => {
    sim.faults.unreachable(ref(), 'blackhole');
    await expect(wl('/readyz', 300)).rejects.toThrow('timeout');
    await eventually(() => sim.stats().heldRequests === 0);
    const pending = wl('/version', 5000).then(
      r => r.status,
      () => 'dropped',
    );
    await eventually(() => sim.stats().heldRequests === 1);
    sim.faults.clear(ref());
    expect(await pending).toBe('dropped');
    expect((await wl('/version')).status).toBe(200);
  });

  it('adds latency and errors', async () => {
    sim.faults.slow(mgmt, 150);
    const started = Date.now();
    expect((await mg('/version')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    sim.faults.clear(mgmt);
    sim.faults.errorRate(mgmt, 1, 429);
    const limited = await mg('/api/v1/namespaces');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('1');
    expect(limited.json().reason).toBe('TooManyRequests');
    sim.faults.errorRate(mgmt, 0.5, 500);
    let failures = 0;
    for (let i = 0; i < 40; i++)
      if ((await mg('/api/v1/namespaces')).status === 500) failures++;
    expect(failures).toBeGreaterThan(8);
    expect(failures).toBeLessThan(32);
  });

  it('saturates an API server: requests in flight share its time and are answered together', async () => {
    sim.faults.saturated(mgmt, 200);
    const timed = async () => {
      const started = performance.now();
      const res = await mg('/version');
      return { status: res.status, ms: performance.now() - started };
    };
    const alone = await timed();
    expect(alone.status).toBe(200);
    expect(alone.ms).toBeGreaterThanOrEqual(190);
    // four at once: each needs 200 ms of a server time they share, so none is answered before about 800 ms
    const together = await Promise.all([timed(), timed(), timed(), timed()]);
    for (const t of together) {
      expect(t.status).toBe(200);
      expect(t.ms).toBeGreaterThanOrEqual(700);
    }
    // clients that give up stop taking a share: the request after them is served alone again (about 200 ms, where
    // three abandoned requests that kept their share would make it about 750 ms)
    const abandoned = [
      mg('/version', 50),
      mg('/version', 50),
      mg('/version', 50),
    ];
    for (const a of abandoned) await expect(a).rejects.toThrow('timeout');
    const after = await timed();
    expect(after.ms).toBeGreaterThanOrEqual(190);
    expect(after.ms).toBeLessThan(500);
    sim.faults.saturated(mgmt, 0);
    expect(sim.faults.list()[mgmt]).toBeUndefined();
  });

  it('reports NotReady nodes in the workload cluster and on the management cluster', async () => {
    sim.faults.nodesNotReady(ref(), 1);
    const nodes = (await wl('/api/v1/nodes')).json().items;
    const ready = (n: any) =>
      n.status.conditions.find((c: any) => c.type === 'Ready').status;
    const workers = nodes.filter(
      (n: any) =>
        n.metadata.labels['node-role.kubernetes.io/control-plane'] ===
        undefined,
    );
    expect(workers.filter((n: any) => ready(n) !== 'True')).toHaveLength(1);
    expect(nodes.filter((n: any) => ready(n) !== 'True')).toHaveLength(1);
    await eventually(
      () =>
        clusterCond('WorkersAvailable') === 'False' &&
        clusterCond('Available') === 'False',
    );
    const machines = api()
      .list(api().type(TYPE_IDS.machine), { namespace: target.namespace })
      .texts.map(t => JSON.parse(t))
      .filter(m => m.spec.clusterName === target.name);
    const unhealthy = machines.filter(
      m =>
        m.status.conditions.find((c: any) => c.type === 'NodeHealthy')
          .status === 'False',
    );
    expect(unhealthy).toHaveLength(1);
    sim.faults.nodesNotReady(ref(), 0);
    await eventually(() => clusterCond('Available') === 'True');
  });

  it('serves node and pod lists that follow faults at once, although they are kept between requests', async () => {
    const ready = (o: any) =>
      o.status.conditions.find((c: any) => c.type === 'Ready').status;
    const notReady = async () => ({
      nodes: (await wl('/api/v1/nodes?limit=500'))
        .json()
        .items.filter((n: any) => ready(n) !== 'True').length,
      pods: (await wl('/api/v1/namespaces/kube-system/pods?limit=500'))
        .json()
        .items.filter((p: any) => ready(p) !== 'True').length,
    });
    const items = async () =>
      JSON.stringify((await wl('/api/v1/nodes?limit=500')).json().items);
    expect(await items()).toBe(await items());
    expect(await notReady()).toEqual({ nodes: 0, pods: 0 });
    sim.faults.nodesNotReady(ref(), 1);
    const down = await notReady();
    expect(down.nodes).toBe(1);
    expect(down.pods).toBeGreaterThan(0);
    sim.faults.clear(ref());
    expect(await notReady()).toEqual({ nodes: 0, pods: 0 });
    sim.faults.controlPlaneDown(ref());
    expect((await wl('/api/v1/nodes?limit=500')).status).toBe(503);
  });

  it('takes a control plane down', async () => {
    sim.faults.controlPlaneDown(ref());
    const readyz = await wl('/readyz?verbose');
    expect(readyz.status).toBe(500);
    expect(readyz.text).toContain('[-]etcd failed');
    expect((await wl('/api/v1/nodes')).status).toBe(503);
    await eventually(
      () =>
        clusterCond('ControlPlaneAvailable') === 'False' &&
        clusterCond('RemoteConnectionProbe') === 'False',
    );
    sim.faults.controlPlaneDown(ref(), false);
    expect((await wl('/readyz')).status).toBe(200);
    await eventually(() => clusterCond('ControlPlaneAvailable') === 'True');
  });

  it('black-holes a management API as a partition does: open watches fall silent and stay open', async () => {
    const path = '/apis/cluster.x-k8s.io/v1beta2/clusters';
    const url = (rv: string) =>
      `${sim.managementClusters[0].url}${path}?watch=true&allowWatchBookmarks=true&resourceVersion=${rv}`;
    const rv = (await mg(path)).json().metadata.resourceVersion;
    const w = watch(url(rv), sim.managementClusters[0].token, ca);
    expect(await w.status).toBe(200);
    const touch = (value: string) => {
      const obj = JSON.parse(
        JSON.stringify(
          api().tryGet(
            api().type(TYPE_IDS.cluster),
            target.namespace,
            target.name,
          ),
        ),
      );
      obj.metadata.labels = { ...obj.metadata.labels, touched: value };
      api().store.put(
        TYPE_IDS.cluster,
        `${target.namespace}/${target.name}`,
        obj,
      );
    };
    touch('before');
    expect((await w.next()).type).toBe('MODIFIED');
    sim.faults.unreachable(mgmt, 'blackhole');
    touch('during');
    // nothing arrives, no bookmark either, and the connection is not closed
    await expect(w.next(1500)).rejects.toThrow(/no watch event/);
    const closed = await Promise.race([
      w.ended.then(() => true),
      new Promise(r => setTimeout(() => r(false), 100)),
    ]);
    expect(closed).toBe(false);
    // the partition heals: the dead connection is reset, a new watch sees the change
    sim.faults.reachable(mgmt);
    await w.ended;
    const again = watch(url(rv), sim.managementClusters[0].token, ca);
    const events = [await again.next(), await again.next()];
    expect(events.map(e => e.object?.metadata?.labels?.touched)).toEqual([
      'before',
      'during',
    ]);
    again.close();
  });

  it('restarts a management API: watches end and resuming gets 410', async () => {
    const path = '/apis/cluster.x-k8s.io/v1beta2/clusters';
    const rv = (await mg(path)).json().metadata.resourceVersion;
    const w = watch(
      `${sim.managementClusters[0].url}${path}?watch=true&resourceVersion=${rv}`,
      sim.managementClusters[0].token,
      ca,
    );
    expect(await w.status).toBe(200);
    sim.faults.restartManagementApi(mgmt);
    await w.ended;
    const again = watch(
      `${sim.managementClusters[0].url}${path}?watch=true&resourceVersion=${rv}`,
      sim.managementClusters[0].token,
      ca,
    );
    const e = await again.next();
    expect(e).toMatchObject({
      type: 'ERROR',
      object: { code: 410, reason: 'Expired' },
    });
    const page = (await mg(`${path}?limit=2`)).json();
    sim.faults.restartManagementApi(mgmt);
    expect(
      (
        await mg(
          `${path}?limit=2&continue=${encodeURIComponent(
            page.metadata.continue,
          )}`,
        )
      ).status,
    ).toBe(410);
  });

  it('is driven over the admin API', async () => {
    const admin = (
      method: string,
      path: string,
      body?: unknown,
      token = sim.adminToken,
    ) => request(`${sim.adminUrl}${path}`, { method, body, token, ca });
    expect((await admin('GET', '/faults', undefined, 'wrong')).status).toBe(
      401,
    );
    const set = await admin('POST', '/faults', {
      action: 'controlPlaneDown',
      cluster: ref(),
    });
    expect(set.status).toBe(200);
    expect(set.json()[ref()]).toEqual({ controlPlaneDown: true });
    expect((await wl('/readyz')).status).toBe(500);
    const batch = await admin('POST', '/faults', {
      actions: [
        { action: 'slow', cluster: mgmt, ms: 10 },
        { action: 'saturated', cluster: mgmt, ms: 20 },
        { action: 'pauseController' },
      ],
    });
    expect(batch.json()[mgmt]).toEqual({ slowMs: 10, saturatedMs: 20 });
    expect(sim.controller.paused).toBe(true);
    await admin('POST', '/faults', { action: 'resumeController' });
    expect(sim.controller.paused).toBe(false);
    expect(
      (await admin('POST', '/faults', { action: 'explode', cluster: mgmt }))
        .status,
    ).toBe(400);
    expect((await admin('DELETE', '/faults')).json()).toEqual({});
    expect((await wl('/readyz')).status).toBe(200);
    const state = (await admin('GET', '/state')).json();
    expect(state.stats.workloadClusters).toBe(12);
    expect(state.managementClusters[0].name).toBe(mgmt);
  });
});
