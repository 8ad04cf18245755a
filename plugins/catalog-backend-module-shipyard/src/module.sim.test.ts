import { TestBackend, mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { FleetSim } from '@shipyard/fleet-sim';
import { ClusterSummary } from '@shipyard/plugin-shipyard-common';
import {
  apiGet,
  createCountingMetrics,
  listFleet,
  shipyardClient,
  startSimCatalogBackend,
} from './__testUtils__/simCatalog';
import {
  eventually as eventuallyUntil,
  managementClusterStates,
} from '@shipyard/test-utils';
import { clusterEntityName } from './entities/naming';
import { MUTATIONS_METRIC } from './providers/metrics';

jest.setTimeout(60_000);

const CLUSTERS = 'cluster.x-k8s.io/clusters';

const { metrics, count: countMetric } = createCountingMetrics();
const deltas = () =>
  countMetric(MUTATIONS_METRIC, 'ClusterEntityProvider', 'delta');

const eventually = <T>(
  fn: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 45_000,
) => eventuallyUntil(fn, { until: accept, timeoutMs, intervalMs: 100 });

describe('catalog module shipyard against the Shipyard backend and the fleet simulator', () => {
  const events = mockServices.events();
  const scheduler = mockServices.scheduler();
  let sim: FleetSim;
  let backend: TestBackend;

  const get = <T>(path: string): Promise<T> => apiGet<T>(backend, path);
  const fleet = () => listFleet(backend);
  const clusterEntities = async () =>
    (
      await get<{ items: Entity[] }>(
        `/catalog/entities/by-query?limit=500&filter=${encodeURIComponent(
          'kind=resource,spec.type=kubernetes-cluster',
        )}`,
      )
    ).items;
  const fullSync = () => scheduler.triggerTask('ClusterEntityProvider:refresh');

  beforeAll(async () => {
    ({ sim, backend } = await startSimCatalogBackend({
      seed: 'catalog-module',
      clusters: 10,
      pageSize: 4,
      events,
      scheduler,
      metrics,
      timeoutMs: 45_000,
    }));
  });

  afterAll(async () => {
    await backend?.stop();
    await sim?.stop();
  });

  it('has one entity per simulated cluster, with the owners the backend resolved', async () => {
    const truth = await fleet();
    const list = await eventually(
      clusterEntities,
      l => l.length === truth.length,
    );
    expect(list).toHaveLength(sim.workloadClusters().length);
    const byName = new Map(list.map(e => [e.metadata.name, e]));
    for (const s of truth) {
      const entity = byName.get(clusterEntityName(s));
      expect(entity?.spec?.owner).toBe(s.owner);
      expect(entity?.metadata.title).toBe(s.title);
    }
    // the simulator's owner labels are what the catalog shows
    for (const c of sim.model.clusters) {
      const label = c.labels['shipyard.io/owner'];
      if (!label) continue;
      const entity = byName.get(
        clusterEntityName({
          managementCluster: c.management,
          namespace: c.namespace,
          name: c.name,
        }),
      );
      expect(entity?.spec?.owner).toBe(`group:default/${label}`);
    }
  });

  it('gives the same namespace/name on two management clusters two entities, through change events', async () => {
    const [a, b] = sim.managementClusters.map(m => m.name);
    const template = JSON.parse(
      sim.management(a).api.list(sim.management(a).api.type(CLUSTERS), {})
        .texts[0],
    );
    const before = deltas();
    for (const mc of [a, b]) {
      const api = sim.management(mc).api;
      api.create(api.type(CLUSTERS), 'default', {
        apiVersion: template.apiVersion,
        kind: 'Cluster',
        metadata: {
          name: 'dup-01',
          namespace: 'default',
          labels: { 'shipyard.io/owner': mc === a ? 'team-a' : 'team-b' },
        },
        spec: template.spec,
      });
    }
    const list = await eventually(clusterEntities, l =>
      [a, b].every(mc =>
        l.some(
          e =>
            e.metadata.name ===
            clusterEntityName({
              managementCluster: mc,
              namespace: 'default',
              name: 'dup-01',
            }),
        ),
      ),
    );
    const dupA = list.find(e => e.metadata.name === `${a}--default--dup-01`);
    const dupB = list.find(e => e.metadata.name === `${b}--default--dup-01`);
    expect(dupA?.spec?.owner).toBe('group:default/team-a');
    expect(dupB?.spec?.owner).toBe('group:default/team-b');
    expect(dupA?.metadata.title).toBe('dup-01');
    expect(deltas()).toBeGreaterThan(before);
  });

  it('writes nothing when only health changes', async () => {
    const target = (await fleet()).find(s => s.health === 'healthy');
    expect(target).toBeDefined();
    const key = target as ClusterSummary;
    const before = deltas();
    sim.faults.controlPlaneDown({
      management: key.managementCluster,
      namespace: key.namespace,
      name: key.name,
    });
    await eventually(
      async () => (await fleet()).find(s => s.uid === key.uid)?.health,
      h => h !== 'healthy',
    );
    await new Promise(r => setTimeout(r, 500));
    expect(deltas()).toBe(before);
    sim.faults.clear();
  });

  it('keeps the clusters of an unreachable management cluster and removes a deleted one', async () => {
    const count = (await clusterEntities()).length;
    const mc = sim.managementClusters[1].name;
    sim.faults.unreachable(mc, 'refuse');
    await eventually(
      () => managementClusterStates(shipyardClient(backend)),
      states => states.get(mc)?.state === 'stale',
    );
    await fullSync();
    expect((await clusterEntities()).length).toBe(count);
    sim.faults.reachable(mc);
    sim.faults.clear();

    const victim = (await fleet()).find(
      s => s.managementCluster === sim.managementClusters[0].name,
    );
    const v = victim as ClusterSummary;
    const api = sim.management(v.managementCluster).api;
    api.delete(api.type(CLUSTERS), v.namespace, v.name);
    await eventually(
      clusterEntities,
      l => !l.some(e => e.metadata.name === clusterEntityName(v)),
      30_000,
    );
    expect((await clusterEntities()).length).toBe(count - 1);
  });
});
