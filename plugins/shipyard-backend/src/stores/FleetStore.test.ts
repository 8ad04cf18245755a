import { mockServices } from '@backstage/backend-test-utils';
import { stringifyClusterKey } from '@shipyard/plugin-shipyard-common';
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
});
