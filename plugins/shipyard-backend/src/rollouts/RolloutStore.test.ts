import { TestDatabaseId } from '@backstage/backend-test-utils';
import { createTestDatabases } from '@shipyard/test-utils';
import { Knex } from 'knex';
import { parseRolloutSpec, Rollout } from './model';
import { ROLLOUT_MIGRATIONS_TABLE, RolloutStore } from './RolloutStore';

jest.setTimeout(60_000);

const { databases } = createTestDatabases(['POSTGRES_15', 'SQLITE_3']);

function rollout(id: string, createdAt: string): Rollout {
  return {
    id,
    spec: parseRolloutSpec({
      name: `rollout ${id}`,
      target: { kubernetesVersion: 'v1.34.2' },
      stages: [{ name: 'all' }],
    }),
    state: 'running',
    createdBy: 'user:default/alice',
    createdAt,
    updatedAt: createdAt,
    revision: 1,
    stages: [{ name: 'all', state: 'pending', clusters: [] }],
    excluded: [],
  };
}

describe.each(databases.eachSupportedId())(
  'RolloutStore on %s',
  (databaseId: TestDatabaseId) => {
    let knex: Knex;
    let store: RolloutStore;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      await RolloutStore.migrate(knex);
      store = new RolloutStore(knex);
    });

    it('keeps its own migrations table, apart from the fleet migrations', async () => {
      const done = await knex(ROLLOUT_MIGRATIONS_TABLE).select('name');
      expect(done.map(r => r.name)).toEqual(['20261205100000_rollouts.js']);
      expect(await knex.schema.hasTable('knex_migrations')).toBe(false);
    });

    it('stores, lists newest first and reads back a rollout', async () => {
      await store.insert(rollout('r1', '2026-12-05T10:00:00.000Z'));
      await store.insert(rollout('r2', '2026-12-05T11:00:00.000Z'));
      expect((await store.list()).map(r => r.id)).toEqual(['r2', 'r1']);
      expect(await store.get('r1')).toEqual(
        rollout('r1', '2026-12-05T10:00:00.000Z'),
      );
      expect(await store.get('nope')).toBeUndefined();
    });

    it('writes only over the revision it read', async () => {
      const read = (await store.get('r1'))!;
      const written = await store.update({ ...read, state: 'paused' });
      expect(written.revision).toBe(2);
      await expect(store.update({ ...read, state: 'aborted' })).rejects.toThrow(
        /changed meanwhile/,
      );
      expect((await store.get('r1'))!.state).toBe('paused');
      expect((await store.list({ states: ['paused'] })).map(r => r.id)).toEqual(
        ['r1'],
      );
    });
  },
);
