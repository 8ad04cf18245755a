import { TestBackend, mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { FleetSim } from '@shipyard/fleet-sim';
import { ClusterSummary, responseBody } from '@shipyard/plugin-shipyard-common';
import { eventually } from '@shipyard/test-utils';
import {
  apiGet,
  createCountingMetrics,
  listFleet,
  shipyardClient,
  startSimCatalogBackend,
} from './__testUtils__/simCatalog';
import { clusterEntityName } from './entities/naming';

/*
 * A decommissioned cluster leaves the catalog only when Cluster API has deleted it: while its machines drain
 * (`Deleting`) the entity stays, through full syncs too; once the Cluster is gone the entity goes and the followed
 * operation completes.
 */

jest.setTimeout(90_000);

describe('decommission and the catalog', () => {
  const events = mockServices.events();
  const scheduler = mockServices.scheduler();
  const { metrics } = createCountingMetrics();
  let sim: FleetSim;
  let backend: TestBackend;

  const clusterEntities = async () =>
    (
      await apiGet<{ items: Entity[] }>(
        backend,
        `/catalog/entities/by-query?limit=500&filter=${encodeURIComponent(
          'kind=resource,spec.type=kubernetes-cluster',
        )}`,
      )
    ).items;

  beforeAll(async () => {
    ({ sim, backend } = await startSimCatalogBackend({
      seed: 'catalog-decommission',
      clusters: 8,
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

  it('keeps the entity while the cluster is deleting and drops it once Cluster API confirms', async () => {
    const victim = (await listFleet(backend)).find(
      s =>
        s.lifecycle !== 'production' &&
        s.machineCount > 0 &&
        s.phase === 'Provisioned',
    ) as ClusterSummary;
    expect(victim).toBeDefined();
    const entityName = clusterEntityName(victim);
    await eventually(clusterEntities, {
      until: l => l.some(e => e.metadata.name === entityName),
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    const count = (await clusterEntities()).length;
    const ref = {
      management: victim.managementCluster,
      namespace: victim.namespace,
      name: victim.name,
    };
    const path = {
      managementCluster: victim.managementCluster,
      namespace: victim.namespace,
      name: victim.name,
    };
    const client = shipyardClient(backend);
    sim.faults.stallDrain(ref, true);

    const res = await client.decommissionCluster({
      path,
      body: { confirm: victim.name, reason: 'catalog test' },
    });
    expect(res.status).toBe(200);

    // deleting: the fleet shows the phase, the catalog keeps the entity through a full sync
    await eventually(
      async () => responseBody(await client.getCluster({ path })),
      {
        until: d => d.summary.phase === 'Deleting',
        timeoutMs: 30_000,
        intervalMs: 100,
      },
    );
    await scheduler.triggerTask('ClusterEntityProvider:refresh');
    const during = await clusterEntities();
    expect(during.some(e => e.metadata.name === entityName)).toBe(true);
    expect(during).toHaveLength(count);

    // the drain goes on: Cluster API deletes the Cluster, the fleet and then the catalog drop it
    sim.faults.stallDrain(ref, false);
    await eventually(clusterEntities, {
      until: l => !l.some(e => e.metadata.name === entityName),
      timeoutMs: 45_000,
      intervalMs: 100,
    });
    expect(await clusterEntities()).toHaveLength(count - 1);
    const fleet = await listFleet(backend);
    expect(
      fleet.some(
        s =>
          s.name === victim.name &&
          s.namespace === victim.namespace &&
          s.managementCluster === victim.managementCluster,
      ),
    ).toBe(false);

    // the followed operation completes
    await scheduler.triggerTask('shipyard:operations:follow');
    const ops = await responseBody(
      await client.listClusterOperations({ path }),
    );
    expect(ops.items[0].state).toBe('completed');
  });
});
