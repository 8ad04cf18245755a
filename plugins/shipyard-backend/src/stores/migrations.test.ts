import knexFactory, { Knex } from 'knex';
import fs from 'node:fs';
import path from 'node:path';
import { AuditStore } from './AuditStore';
import { FleetStore } from './FleetStore';
import { HealthStore } from './HealthStore';
import { VersionSupportStore } from './VersionSupportStore';

const STORES = ['fleet', 'health', 'audit', 'version-support'];
/** The migrations of a store's folder. */
const migrationsOf = (store: string) =>
  fs
    .readdirSync(path.resolve(__dirname, '../../migrations', store))
    .filter(f => f.endsWith('.js')).length;

describe('store migrations', () => {
  let knex: Knex;

  beforeEach(() => {
    knex = knexFactory({
      client: 'better-sqlite3',
      connection: ':memory:',
      useNullAsDefault: true,
    });
  });

  afterEach(async () => {
    await knex.destroy();
  });

  async function migrateAll() {
    await FleetStore.migrate(knex);
    await HealthStore.migrate(knex);
    await AuditStore.migrate(knex);
    await VersionSupportStore.migrate(knex);
  }

  it('keeps one migrations table per store', async () => {
    await migrateAll();
    for (const store of STORES) {
      const table = `shipyard_${store.replace('-', '_')}_migrations`;
      expect(await knex.schema.hasTable(table)).toBe(true);
      expect(await knex(table).count({ n: '*' })).toEqual([
        { n: migrationsOf(store) },
      ]);
    }
    expect(await knex.schema.hasTable('knex_migrations')).toBe(false);
    // again: nothing left to do
    await migrateAll();
  });

  it('takes over a database migrated before the stores had their own tables, keeping its rows', async () => {
    // what the earlier single migrations run left: every table, recorded in knex_migrations
    await knex.migrate.latest({
      directory: STORES.map(store =>
        path.resolve(__dirname, '../../migrations', store),
      ),
    });
    expect(await knex('knex_migrations').count({ n: '*' })).toEqual([
      { n: STORES.reduce((n, store) => n + migrationsOf(store), 0) },
    ]);
    await knex('shipyard_clusters').insert({
      cluster_key: 'mc-a/default/a',
      management_cluster: 'mc-a',
      summary: '{}',
      updated_at: 1,
    });
    await migrateAll();
    expect(await knex('shipyard_clusters').select('cluster_key')).toEqual([
      { cluster_key: 'mc-a/default/a' },
    ]);
    expect(await knex.schema.hasTable('shipyard_fleet_migrations')).toBe(true);
  });
});
