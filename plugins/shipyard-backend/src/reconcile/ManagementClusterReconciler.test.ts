import { mockServices } from '@backstage/backend-test-utils';
import { FleetIndex } from '../index/FleetIndex';
import { OwnershipResolver } from '../config/ownership';
import { CapiHealthEvaluator } from '../health';
import { DEFAULT_SYNC_CONFIG } from '../config/config';
import { FakeKubeApi } from '../__testUtils__/FakeKubeApi';
import { capiCluster, putCluster } from '../__testUtils__/capiObjects';
import { ManagementClusterReconciler } from './ManagementClusterReconciler';
import { eventuallyWithin } from '@shipyard/test-utils';

const eventually = eventuallyWithin({ timeoutMs: 5000, intervalMs: 20 });

describe('ManagementClusterReconciler', () => {
  let api: FakeKubeApi;
  let url: string;
  let reconciler: ManagementClusterReconciler | undefined;
  let index: FleetIndex;

  beforeEach(async () => {
    api = new FakeKubeApi();
    url = await api.start();
    index = new FleetIndex();
  });

  afterEach(async () => {
    await reconciler?.stop();
    reconciler = undefined;
    await api.stop();
  });

  function start(
    sync: Partial<typeof DEFAULT_SYNC_CONFIG> = {},
    early: { initialSyncGraceMs?: number; earlyFoldIntervalMs?: number } = {},
  ) {
    reconciler = new ManagementClusterReconciler({
      ...early,
      connection: { name: 'mc-a', url, getToken: async () => 'token' },
      sink: index,
      ownership: new OwnershipResolver({
        ownerKeys: ['shipyard.io/owner'],
        systemKeys: [],
        lifecycleKeys: [],
        profileKeys: ['shipyard.io/profile'],
        profileVersionKeys: [],
        namespaceOwners: { 'team-b': 'team-b' },
        defaultOwner: 'group:default/platform',
      }),
      health: new CapiHealthEvaluator(),
      sync: {
        ...DEFAULT_SYNC_CONFIG,
        pageSize: 3,
        staleAfterMs: 300,
        backoff: { initialDelayMs: 20, maxDelayMs: 100 },
        ...sync,
      },
      logger: mockServices.logger.mock(),
    });
    reconciler.start();
    return reconciler;
  }

  it('lists every kind in pages and folds clusters into summaries', async () => {
    putCluster(api, 'alpha', {
      labels: { 'shipyard.io/owner': 'team-a', 'shipyard.io/profile': 'web' },
    });
    putCluster(api, 'beta', {
      namespace: 'team-b',
      workers: 3,
      available: false,
    });
    putCluster(api, 'gamma', { workers: 1 });
    const r = start();
    await r.waitForInitialSync();
    expect(index.size).toBe(3);
    const alpha = index.get('mc-a/default/alpha')!.summary;
    expect(alpha).toMatchObject({
      owner: 'group:default/team-a',
      profile: 'web',
      clusterClass: 'quick-start',
      provider: 'docker',
      controlPlaneKind: 'KubeadmControlPlane',
      distribution: 'kubeadm',
      kubernetesVersion: 'v1.31.2',
      kubernetesMinor: '1.31',
      observedKubernetesVersion: 'v1.31.2',
      phase: 'Provisioned',
      health: 'healthy',
      machineCount: 3,
      machinesByPhase: { Running: 3 },
      apiServerUrl: 'https://alpha.example.test:6443',
      source: { state: 'connected', resynced: true },
    });
    expect(alpha.machineDeployments).toEqual([
      {
        name: 'alpha-md-0',
        class: 'default-worker',
        version: 'v1.31.2',
        phase: 'Running',
        replicas: {
          desired: 2,
          current: 2,
          ready: 2,
          available: 2,
          upToDate: 2,
        },
      },
    ]);
    const beta = index.get('mc-a/team-b/beta')!.summary;
    expect(beta.owner).toBe('group:default/team-b');
    expect(beta.health).toBe('unhealthy');
    expect(beta.healthReasons[0]).toMatchObject({
      source: 'capi',
      severity: 'error',
      message: 'control plane is down',
    });
    expect(index.get('mc-a/default/gamma')!.summary.owner).toBe(
      'group:default/platform',
    );
    // paged: several requests per kind, one list each
    expect(api.listCount.get('machines')).toBe(1);

    const tree = r.records.describe('default', 'alpha')!;
    expect(tree.kind).toBe('Cluster');
    expect(tree.children!.map(c => c.kind)).toEqual([
      'ClusterInfrastructure',
      'ControlPlane',
      'Workers',
    ]);
    expect(tree.children![1].children!.map(m => m.name)).toEqual([
      'alpha-cp-0',
    ]);
    const md = tree.children![2].children![0];
    expect(md).toMatchObject({ kind: 'MachineDeployment', name: 'alpha-md-0' });
    expect(md.children!.map(m => m.name)).toEqual([
      'alpha-md-0-0',
      'alpha-md-0-1',
    ]);

    const status = r.status();
    expect(status).toMatchObject({
      name: 'mc-a',
      state: 'connected',
      capiVersion: 'cluster.x-k8s.io/v1beta2',
      objectCounts: {
        clusters: 3,
        machines: 9,
        machineDeployments: 3,
        controlPlanes: 3,
      },
    });
  });

  it('folding early (a first sync past its grace period), folds what a list brought once, when it is through', async () => {
    putCluster(api, 'alpha', { workers: 5 });
    // the Machines one by one: the first page is read, each one after it when the test says
    const pages = api.holdNextPages('machines');
    const r = start(
      { pageSize: 1 },
      { initialSyncGraceMs: 50, earlyFoldIntervalMs: 50 },
    );
    await eventually(() =>
      expect(index.get('mc-a/default/alpha')?.summary).toMatchObject({
        machineDeployments: [{ name: 'alpha-md-0' }],
        controlPlaneKind: 'KubeadmControlPlane',
      }),
    );
    await new Promise(resolve => setTimeout(resolve, 200));
    const { version } = index.get('mc-a/default/alpha')!;
    // folded every 50 ms meanwhile, but not again for each page of the list in progress
    for (let page = 2; page <= 5; page++) {
      pages.next();
      await new Promise(resolve => setTimeout(resolve, 150));
      expect(index.get('mc-a/default/alpha')!.version).toBe(version);
    }
    pages.release();
    await r.waitForInitialSync();
    expect(index.get('mc-a/default/alpha')!.summary.machineCount).toBe(6);
    // after the first sync, what changes is folded at once
    api.delete('machines', 'default', 'alpha-md-0-0');
    await eventually(() =>
      expect(index.get('mc-a/default/alpha')!.summary.machineCount).toBe(5),
    );
  });

  it('follows watch events: create, scale, delete', async () => {
    putCluster(api, 'alpha');
    const r = start();
    await r.waitForInitialSync();
    putCluster(api, 'delta', { workers: 1 });
    await eventually(() =>
      expect(index.get('mc-a/default/delta')?.summary.machineCount).toBe(2),
    );
    api.put('clusters', capiCluster('delta', { workers: 5 }));
    await eventually(() =>
      expect(index.get('mc-a/default/delta')?.summary.workers.desired).toBe(5),
    );
    api.delete('machines', 'default', 'delta-md-0-0');
    await eventually(() =>
      expect(index.get('mc-a/default/delta')?.summary.machineCount).toBe(1),
    );
    api.delete('clusters', 'default', 'delta');
    await eventually(() =>
      expect(index.get('mc-a/default/delta')).toBeUndefined(),
    );
    expect(index.size).toBe(1);
  });

  it('relists after 410 without duplicates or losses', async () => {
    putCluster(api, 'alpha');
    putCluster(api, 'beta');
    const r = start();
    await r.waitForInitialSync();
    const lists = api.listCount.get('clusters');
    // changes while the history is compacted: one cluster vanishes unseen, one is added
    api.deleteSilently('clusters', 'default', 'beta');
    putCluster(api, 'gamma');
    api.compact();
    await eventually(() =>
      expect(api.listCount.get('clusters')).toBeGreaterThan(lists!),
    );
    await eventually(() => {
      expect([...index.all()].map(s => s.name).sort()).toEqual([
        'alpha',
        'gamma',
      ]);
      expect(index.get('mc-a/default/gamma')!.summary.machineCount).toBe(3);
      expect(index.get('mc-a/default/alpha')!.summary.machineCount).toBe(3);
    });
    // beta's children are still on the management cluster; only its Cluster went away
    expect(r.status().objectCounts).toMatchObject({ clusters: 2, machines: 9 });
  });

  it('keeps clusters when the management cluster is unreachable, marks them stale, and recovers', async () => {
    putCluster(api, 'alpha');
    const r = start();
    await r.waitForInitialSync();
    api.setUnreachable(true);
    await eventually(() => expect(r.status().state).toBe('stale'), 5000);
    const stale = index.get('mc-a/default/alpha')!.summary;
    expect(stale.source.state).toBe('stale');
    expect(stale.source.staleSince).toBeDefined();
    expect(stale.source.lastSeenAt).toBeDefined();
    expect(r.status().lastError).toBeDefined();
    // what the API serves names the failure, never the management cluster's address
    const served = JSON.stringify(r.status());
    const { host } = new URL(url);
    expect(served.replace(`"url":"${url}"`, '')).not.toContain(host);
    api.setUnreachable(false);
    api.put('clusters', capiCluster('alpha', { available: false }));
    await eventually(() => {
      expect(r.status().state).toBe('connected');
      expect(index.get('mc-a/default/alpha')!.summary).toMatchObject({
        health: 'unhealthy',
        source: { state: 'connected' },
      });
    }, 8000);
  }, 20_000);
});
