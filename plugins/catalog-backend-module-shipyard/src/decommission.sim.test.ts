import { ClusterSummary, responseBody } from '@shipyard/plugin-shipyard-common';
import { useSimCatalogBackend } from './__testUtils__/simCatalog';
import { clusterEntityName } from './entities/naming';

/*
 * A decommissioned cluster leaves the catalog only when Cluster API has deleted it: while its machines drain
 * (`Deleting`) the entity stays, through full syncs too; once the Cluster is gone the entity goes and the followed
 * operation completes.
 */

jest.setTimeout(90_000);

describe('decommission and the catalog', () => {
  const suite = useSimCatalogBackend({
    seed: 'catalog-decommission',
    clusters: 8,
    pageSize: 4,
    timeoutMs: 45_000,
  });
  const { fleet, fullSync, scheduler, eventually } = suite;
  const clusterEntities = () => suite.entities();

  it('keeps the entity while the cluster is deleting and drops it once Cluster API confirms', async () => {
    const victim = (await fleet()).find(
      s =>
        s.lifecycle !== 'production' &&
        s.machineCount > 0 &&
        s.phase === 'Provisioned',
    ) as ClusterSummary;
    expect(victim).toBeDefined();
    const entityName = clusterEntityName(victim);
    await eventually(
      clusterEntities,
      l => l.some(e => e.metadata.name === entityName),
      30_000,
    );
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
    const client = suite.client();
    suite.sim.faults.stallDrain(ref, true);

    const res = await client.decommissionCluster({
      path,
      body: { confirm: victim.name, reason: 'catalog test' },
    });
    expect(res.status).toBe(200);

    // deleting: the fleet shows the phase, the catalog keeps the entity through a full sync
    await eventually(
      async () => responseBody(await client.getCluster({ path })),
      d => d.summary.phase === 'Deleting',
      30_000,
    );
    await fullSync();
    const during = await clusterEntities();
    expect(during.some(e => e.metadata.name === entityName)).toBe(true);
    expect(during).toHaveLength(count);

    // the drain goes on: Cluster API deletes the Cluster, the fleet and then the catalog drop it
    suite.sim.faults.stallDrain(ref, false);
    await eventually(
      clusterEntities,
      l => !l.some(e => e.metadata.name === entityName),
      45_000,
    );
    expect(await clusterEntities()).toHaveLength(count - 1);
    const after = await fleet();
    expect(
      after.some(
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
