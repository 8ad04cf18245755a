import { ClusterSummary } from '@shipyard/plugin-shipyard-common';
import { useSimCatalogBackend } from './__testUtils__/simCatalog';
import { managementClusterStates } from '@shipyard/test-utils';
import { clusterEntityName } from './entities/naming';
import { MUTATIONS_METRIC } from './providers/metrics';

jest.setTimeout(60_000);

const CLUSTERS = 'cluster.x-k8s.io/clusters';

describe('catalog module shipyard against the Shipyard backend and the fleet simulator', () => {
  const suite = useSimCatalogBackend({
    seed: 'catalog-module',
    clusters: 10,
    pageSize: 4,
    timeoutMs: 45_000,
  });
  const { fleet, eventually, fullSync } = suite;
  const clusterEntities = () => suite.entities();
  const deltas = () =>
    suite.count(MUTATIONS_METRIC, 'ClusterEntityProvider', 'delta');

  it('has one entity per simulated cluster, with the owners the backend resolved', async () => {
    const truth = await fleet();
    const list = await eventually(
      clusterEntities,
      l => l.length === truth.length,
    );
    expect(list).toHaveLength(suite.sim.workloadClusters().length);
    const byName = new Map(list.map(e => [e.metadata.name, e]));
    for (const s of truth) {
      const entity = byName.get(clusterEntityName(s));
      expect(entity?.spec?.owner).toBe(s.owner);
      expect(entity?.metadata.title).toBe(s.title);
    }
    // the simulator's owner labels are what the catalog shows
    for (const c of suite.sim.model.clusters) {
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
    const [a, b] = suite.sim.managementClusters.map(m => m.name);
    const template = JSON.parse(
      suite.sim
        .management(a)
        .api.list(suite.sim.management(a).api.type(CLUSTERS), {}).texts[0],
    );
    const before = deltas();
    for (const mc of [a, b]) {
      const api = suite.sim.management(mc).api;
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
    suite.sim.faults.controlPlaneDown({
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
    suite.sim.faults.clear();
  });

  it('keeps the clusters of an unreachable management cluster and removes a deleted one', async () => {
    const count = (await clusterEntities()).length;
    const mc = suite.sim.managementClusters[1].name;
    suite.sim.faults.unreachable(mc, 'refuse');
    await eventually(
      () => managementClusterStates(suite.client()),
      states => states.get(mc)?.state === 'stale',
    );
    await fullSync();
    expect((await clusterEntities()).length).toBe(count);
    suite.sim.faults.reachable(mc);
    suite.sim.faults.clear();

    const victim = (await fleet()).find(
      s => s.managementCluster === suite.sim.managementClusters[0].name,
    );
    const v = victim as ClusterSummary;
    const api = suite.sim.management(v.managementCluster).api;
    api.delete(api.type(CLUSTERS), v.namespace, v.name);
    await eventually(
      clusterEntities,
      l => !l.some(e => e.metadata.name === clusterEntityName(v)),
      30_000,
    );
    expect((await clusterEntities()).length).toBe(count - 1);
  });
});
