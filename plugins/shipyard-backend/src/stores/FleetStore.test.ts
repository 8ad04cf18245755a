import { mockServices } from '@backstage/backend-test-utils';
import {
  ManagementClusterStatus,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import knexFactory, { Knex } from 'knex';
import { FleetIndex } from '../index/FleetIndex';
import { makeFleet } from '../__testUtils__/summaries';
import { FleetStore } from './FleetStore';

/** Lets the index deliver its change events (asynchronous, coalesced). */
const delivered = () => new Promise(resolve => setImmediate(resolve));

describe('FleetStore', () => {
  let knex: Knex;

  beforeEach(async () => {
    knex = knexFactory({
      client: 'better-sqlite3',
      connection: ':memory:',
      useNullAsDefault: true,
    });
    await FleetStore.migrate(knex);
  });

  afterEach(async () => {
    await knex.destroy();
  });

  it('writes every change of a flush, in batches, and restores it', async () => {
    const store = new FleetStore(knex, mockServices.logger.mock(), 60_000);
    const index = new FleetIndex();
    store.attach(index, () => []);
    // more clusters than one batch of rows, changed and removed within one flush
    const fleet = makeFleet(250);
    for (const summary of fleet) index.upsert(summary);
    await delivered();
    await store.flush();
    expect(
      (await store.load()).clusters.map(c => stringifyClusterKey(c.summary)),
    ).toHaveLength(250);

    const removed = fleet.filter((_, i) => i % 3 === 0);
    const changed = fleet.filter((_, i) => i % 3 === 1);
    for (const summary of removed) index.remove(stringifyClusterKey(summary));
    for (const summary of changed) {
      index.upsert({ ...summary, owner: 'group:default/new-owner' });
    }
    await delivered();
    await store.flush();

    const restored = new Map(
      (await store.load()).clusters.map(c => [
        stringifyClusterKey(c.summary),
        c.summary,
      ]),
    );
    expect([...restored.keys()].sort()).toEqual(
      fleet
        .filter((_, i) => i % 3 !== 0)
        .map(stringifyClusterKey)
        .sort(),
    );
    for (const summary of changed) {
      expect(restored.get(stringifyClusterKey(summary))?.owner).toBe(
        'group:default/new-owner',
      );
    }
    await store.stop();
  });

  it("writes the management clusters' states in one statement, only those that changed", async () => {
    const statements: Array<{ sql: string; bindings: unknown[] }> = [];
    knex.on('query', (q: { sql: string; bindings?: unknown[] }) => {
      if (q.sql.includes('shipyard_management_clusters')) {
        statements.push({ sql: q.sql, bindings: q.bindings ?? [] });
      }
    });
    const status = (name: string, state: string) =>
      ({ name, state, clusterCount: 1 } as unknown as ManagementClusterStatus);
    let statuses = [
      status('mgmt-a', 'connected'),
      status('mgmt-b', 'connected'),
      status('mgmt-c', 'stale'),
    ];
    const store = new FleetStore(knex, mockServices.logger.mock(), 60_000);
    store.attach(new FleetIndex(), () => statuses);

    await store.flush();
    expect(statements).toHaveLength(1);
    expect(statements[0].sql).toMatch(/^insert into/);
    expect(
      (await store.load()).managementClusters.map(s => [s.name, s.state]),
    ).toEqual([
      ['mgmt-a', 'connected'],
      ['mgmt-b', 'connected'],
      ['mgmt-c', 'stale'],
    ]);

    // unchanged: nothing written
    statements.length = 0;
    await store.flush();
    expect(statements.filter(s => s.sql.startsWith('insert'))).toHaveLength(0);

    statuses = [
      status('mgmt-a', 'connected'),
      status('mgmt-b', 'stale'),
      status('mgmt-c', 'stale'),
    ];
    await store.flush();
    const inserts = statements.filter(s => s.sql.startsWith('insert'));
    expect(inserts).toHaveLength(1);
    expect(inserts[0].bindings).toContain('mgmt-b');
    expect(inserts[0].bindings).not.toContain('mgmt-a');
    expect(
      (await store.load()).managementClusters.find(s => s.name === 'mgmt-b')
        ?.state,
    ).toBe('stale');
    await store.stop();
  });

  it("writes a management cluster's state again when writing it failed", async () => {
    // the database refuses the next write of the states once
    let refuse = false;
    const refusing = new Proxy(knex, {
      apply(target, self, args: [string]) {
        if (refuse && args[0] === 'shipyard_management_clusters') {
          refuse = false;
          throw new Error('database unavailable');
        }
        return Reflect.apply(target, self, args);
      },
    });
    const store = new FleetStore(refusing, mockServices.logger.mock(), 60_000);
    let statuses = [
      { name: 'mgmt-a', state: 'connected' } as ManagementClusterStatus,
    ];
    store.attach(new FleetIndex(), () => statuses);
    await store.flush();
    statuses = [{ name: 'mgmt-a', state: 'stale' } as ManagementClusterStatus];
    refuse = true;
    await expect(store.flush()).rejects.toThrow('database unavailable');
    await store.flush();
    expect((await store.load()).managementClusters).toEqual([
      { name: 'mgmt-a', state: 'stale' },
    ]);
    await store.stop();
  });
});
