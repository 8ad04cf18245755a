import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

/**
 * Runs the migrations of one store: `migrations/<store>` of this package, recorded in the store's own migrations
 * table (`shipyard_<store>_migrations`), so that each store's schema evolves apart from the others'.
 */
export async function migrateStore(knex: Knex, store: string): Promise<void> {
  await knex.migrate.latest({
    directory: resolvePackagePath(
      '@shipyard/plugin-shipyard-backend',
      `migrations/${store}`,
    ),
    tableName: `shipyard_${store.replace(/-/g, '_')}_migrations`,
  });
}

/** The plugin database's client for one store, its migrations run unless the database skips migrations. */
export async function migratedClient(
  database: DatabaseService,
  store: string,
): Promise<Knex> {
  const knex = await database.getClient();
  if (!database.migrations?.skip) await migrateStore(knex, store);
  return knex;
}
