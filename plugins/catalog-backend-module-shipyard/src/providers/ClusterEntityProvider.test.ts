import { mockServices } from '@backstage/backend-test-utils';
import {
  DeferredEntity,
  EntityProviderConnection,
  EntityProviderMutation,
} from '@backstage/plugin-catalog-node';
import {
  ClusterChange,
  ClusterKey,
  ClusterSummary,
  ListClustersResponse,
  ManagementClusterStatus,
  SHIPYARD_FLEET_EVENTS_TOPIC,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import { ShipyardFleetReader } from '../client/ShipyardApiClient';
import {
  catalogConfig,
  managementCluster,
  summary,
} from '../__testUtils__/fixtures';
import {
  ClusterEntityProvider,
  ClusterEntityProviderOptions,
} from './ClusterEntityProvider';

/** A fleet in memory whose reads can be held until released, counting every read. */
class HeldFleet implements ShipyardFleetReader {
  readonly clusters = new Map<string, ClusterSummary>();
  listings = 0;
  gets = 0;
  private gate?: Promise<void>;
  private open?: () => void;

  /** Adds or replaces a cluster. */
  put(cluster: ClusterSummary) {
    this.clusters.set(stringifyClusterKey(cluster), cluster);
  }

  hold() {
    this.gate = new Promise(resolve => {
      this.open = resolve;
    });
  }

  release() {
    this.open?.();
    this.gate = undefined;
  }

  async *listClusterPages(): AsyncIterable<ListClustersResponse> {
    this.listings++;
    await this.gate;
    const items = [...this.clusters.values()];
    yield { items, totalCount: items.length } as ListClustersResponse;
  }

  async getCluster(key: ClusterKey): Promise<ClusterSummary | undefined> {
    this.gets++;
    await this.gate;
    return this.clusters.get(stringifyClusterKey(key));
  }

  async listManagementClusters(): Promise<ManagementClusterStatus[]> {
    return [managementCluster('mgmt-eu-1')];
  }
}

function connection() {
  const mutations: EntityProviderMutation[] = [];
  const conn: EntityProviderConnection = {
    applyMutation: async m => {
      mutations.push(m);
    },
    refresh: async () => undefined,
  };
  return { conn, mutations };
}

/** A fleet of `clusters` clusters (`c-0`, `c-1`, …) and a provider that reads it. */
function setup(
  clusters: number,
  options: Partial<ClusterEntityProviderOptions> = {},
) {
  const fleet = new HeldFleet();
  for (let i = 0; i < clusters; i++) fleet.put(summary({ name: `c-${i}` }));
  const provider = new ClusterEntityProvider({
    config: catalogConfig(),
    reader: fleet,
    logger: mockServices.logger.mock(),
    ...options,
  });
  return { fleet, provider };
}

const entityNames = (entities: DeferredEntity[]) =>
  entities.map(e => e.entity.metadata.name).sort();

describe('ClusterEntityProvider', () => {
  it('coalesces a burst of fleet changes: one full sync for many large events, one delta for many small ones', async () => {
    const events = mockServices.events();
    const { fleet, provider } = setup(0, { events });
    const { conn, mutations } = connection();
    await provider.connect(conn);

    // a cold start: the fleet's index fills in many large events while the first full sync reads
    fleet.hold();
    const batches = 12;
    const perBatch = 150; // more than deltaFetchLimit (100): each alone asks for a full sync
    for (let b = 0; b < batches; b++) {
      const changes: ClusterChange[] = [];
      for (let i = 0; i < perBatch; i++) {
        const s = summary({ name: `c-${b}-${i}` });
        fleet.put(s);
        changes.push({
          managementCluster: s.managementCluster,
          namespace: s.namespace,
          name: s.name,
          type: 'upserted',
          entityChanged: true,
        });
      }
      await events.publish({
        topic: SHIPYARD_FLEET_EVENTS_TOPIC,
        eventPayload: { revision: b + 1, changes },
      });
    }
    fleet.release();
    await provider.idle();

    const fulls = mutations.filter(m => m.type === 'full');
    expect(fulls.length).toBeLessThanOrEqual(2);
    expect(fleet.listings).toBeLessThanOrEqual(2);
    const last = fulls[fulls.length - 1];
    expect(last.type === 'full' && last.entities.length).toBe(
      batches * perBatch + 1, // and the management cluster
    );

    // then small changes in a burst: one delta mutation, each cluster read once
    mutations.length = 0;
    fleet.gets = 0;
    fleet.hold();
    for (let i = 0; i < 20; i++) {
      const s = summary({ name: `c-0-${i}`, owner: 'group:default/team-b' });
      fleet.put(s);
      await events.publish({
        topic: SHIPYARD_FLEET_EVENTS_TOPIC,
        eventPayload: {
          revision: 100 + i,
          changes: [
            {
              managementCluster: s.managementCluster,
              namespace: s.namespace,
              name: s.name,
              type: 'upserted',
              entityChanged: true,
            },
          ],
        },
      });
    }
    fleet.release();
    await provider.idle();
    expect(mutations.length).toBeLessThanOrEqual(2);
    expect(fleet.gets).toBe(20);
    const added = mutations.flatMap(m => (m.type === 'delta' ? m.added : []));
    expect(entityNames(added)).toEqual(
      Array.from(
        { length: 20 },
        (_, i) => `mgmt-eu-1--team-a--c-0-${i}`,
      ).sort(),
    );
    expect(
      added.every(e => e.entity.spec?.owner === 'group:default/team-b'),
    ).toBe(true);
  });

  it('retries a failed full sync within seconds, with backoff, until the catalog takes it', async () => {
    const { provider } = setup(3, {
      fullSyncRetry: { firstDelayMs: 20, maxDelayMs: 80 },
    });
    // the catalog's database refuses the first two full mutations (a cold start on a busy database)
    const attempts: number[] = [];
    const applied: EntityProviderMutation[] = [];
    const started = Date.now();
    await provider.connect({
      applyMutation: async m => {
        attempts.push(Date.now() - started);
        if (attempts.length <= 2) {
          throw new Error(
            'Knex: Timeout acquiring a connection. The pool is probably full.',
          );
        }
        applied.push(m);
      },
      refresh: async () => undefined,
    });

    await expect(provider.refresh()).rejects.toThrow(/Timeout acquiring/);
    const deadline = Date.now() + 5_000;
    while (applied.length === 0 && Date.now() < deadline) {
      await new Promise(r => setTimeout(r, 10));
    }
    await provider.idle();

    expect(attempts).toHaveLength(3);
    // after 20 ms, then after twice that
    expect(attempts[1] - attempts[0]).toBeGreaterThanOrEqual(19);
    expect(attempts[2] - attempts[1]).toBeGreaterThanOrEqual(39);
    const full = applied.find(m => m.type === 'full');
    expect(full?.type === 'full' && entityNames(full.entities)).toEqual([
      'mgmt-eu-1',
      'mgmt-eu-1--team-a--c-0',
      'mgmt-eu-1--team-a--c-1',
      'mgmt-eu-1--team-a--c-2',
    ]);
    expect(provider.getStats()).toMatchObject({
      fullMutations: 1,
      lastError: undefined,
    });

    // once it succeeded, no further attempts are made
    await new Promise(r => setTimeout(r, 200));
    expect(attempts).toHaveLength(3);
  });

  it('gives up a full sync that makes no progress and tries again soon', async () => {
    const { fleet, provider } = setup(3, {
      fullSyncRetry: { firstDelayMs: 20, maxDelayMs: 80, stallMs: 100 },
    });
    const { conn, mutations } = connection();
    await provider.connect(conn);

    // the listing is never answered: the sync is given up after 100 ms without progress, not left waiting
    fleet.hold();
    const started = Date.now();
    await expect(provider.refresh()).rejects.toThrow(
      /no progress for 100 ms while reading page 1 of the clusters/,
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(mutations).toEqual([]);

    // the next try, 20 ms later, reads the fleet
    fleet.release();
    const deadline = Date.now() + 5_000;
    while (mutations.length === 0 && Date.now() < deadline) {
      await new Promise(r => setTimeout(r, 10));
    }
    await provider.idle();
    expect(fleet.listings).toBe(2);
    const full = mutations.find(m => m.type === 'full');
    expect(full?.type === 'full' && full.entities).toHaveLength(4);
    expect(provider.getStats()).toMatchObject({ fullMutations: 1 });
  });

  it('delivers the first full sync in chunks as the listing is read, then reconciles with one full mutation', async () => {
    const { fleet, provider } = setup(1_200, { coldSyncChunkSize: 500 });
    const { conn, mutations } = connection();
    await provider.connect(conn);
    await provider.refresh();

    const shape = mutations.map(m =>
      m.type === 'full'
        ? `full ${m.entities.length}`
        : `delta ${m.added.length}/${m.removed.length}`,
    );
    // the management cluster in the first chunk; the last 201 entities and every deletion with the full mutation
    expect(shape).toEqual(['delta 500/0', 'delta 500/0', 'full 1201']);
    const chunked = mutations.flatMap(m => (m.type === 'delta' ? m.added : []));
    const full = mutations[mutations.length - 1];
    const fullNames = full.type === 'full' ? entityNames(full.entities) : [];
    expect(entityNames(chunked).every(n => fullNames.includes(n))).toBe(true);

    // later full syncs are one full mutation each
    mutations.length = 0;
    fleet.clusters.delete(stringifyClusterKey(summary({ name: 'c-0' })));
    await provider.refresh();
    expect(
      mutations.map(m => (m.type === 'full' ? m.entities.length : m.type)),
    ).toEqual([1200]);
  });

  it('builds a full mutation after the listing: every listed entity once, the removed ones gone, each warning logged once', async () => {
    const logger = mockServices.logger.mock();
    // the provider logs through a child of the logger it is given
    logger.child.mockReturnValue(logger);
    const { fleet, provider } = setup(1_200, {
      coldSyncChunkSize: 500,
      logger,
    });
    // a value that is no entity reference becomes a processing warning
    fleet.put(summary({ name: 'c-7', owner: 'not a ref!' }));
    const { conn, mutations } = connection();
    await provider.connect(conn);
    await provider.refresh();
    const warned = () =>
      logger.warn.mock.calls.filter(([m]) => String(m).includes('c-7:')).length;
    expect(warned()).toBe(1);
    const first = mutations[mutations.length - 1];
    expect(first.type).toBe('full');
    const firstNames = first.type === 'full' ? entityNames(first.entities) : [];
    expect(new Set(firstNames).size).toBe(firstNames.length);
    expect(firstNames).toHaveLength(1_201);

    // a later sync: one full mutation of what is listed now, the same entities as a build of each cluster
    mutations.length = 0;
    fleet.clusters.delete(stringifyClusterKey(summary({ name: 'c-0' })));
    fleet.put(summary({ name: 'c-1', owner: 'group:default/team-b' }));
    await provider.refresh();
    expect(mutations).toHaveLength(1);
    const later = mutations[0];
    const entities = later.type === 'full' ? later.entities : [];
    expect(entityNames(entities)).toHaveLength(1_200);
    const named = (list: DeferredEntity[], name: string) =>
      list.find(
        e =>
          e.entity.metadata.annotations?.['shipyard.io/cluster-name'] === name,
      )?.entity;
    const gone =
      first.type === 'full' ? named(first.entities, 'c-0') : undefined;
    expect(gone).toBeDefined();
    expect(entityNames(entities)).not.toContain(gone?.metadata.name);
    expect(named(entities, 'c-1')?.spec?.owner).toBe('group:default/team-b');
    // the warning is not logged again while it stays the same
    expect(warned()).toBe(1);
  });
});
