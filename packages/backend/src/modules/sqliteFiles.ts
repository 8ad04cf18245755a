/*
 * The portal's database service: Backstage's own (`DatabaseManager`, the same configuration), with every SQLite file
 * opened in write-ahead-log mode and `synchronous = NORMAL`.
 *
 * Backstage opens SQLite files in rollback-journal mode with an fsync of the journal and the database at every
 * commit; the catalog commits several transactions per entity it processes and stitches, so on a busy disk a cold
 * start of the portal with thousands of clusters spent most of its time waiting in fsync with its event loop blocked
 * (`shipyard-catalog-bench`). In WAL mode with `synchronous = NORMAL` a commit appends to the log without an fsync;
 * a crash of the process loses nothing, a power loss may lose the last commits but never corrupts the file.
 * No Backstage setting or library sets SQLite pragmas on the connections of its pool, hence this wrapper.
 */
import {
  DatabaseService,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { DatabaseManager } from '@backstage/backend-defaults/database';
import { ConfigReader } from '@backstage/config';

type Knex = Awaited<ReturnType<DatabaseService['getClient']>>;

interface SqliteConnection {
  pragma(source: string): unknown;
}

const tuned = new WeakSet<Knex>();

/** Sets the pragmas on every connection the pool of a file-backed SQLite client opens from now on. */
export function useWriteAheadLog(knex: Knex): void {
  if (tuned.has(knex)) return;
  tuned.add(knex);
  const config = knex.client.config as {
    client?: unknown;
    connection?: { filename?: string };
  };
  if (!String(config.client).includes('sqlite')) return;
  const filename = config.connection?.filename;
  if (!filename || filename === ':memory:') return;
  knex.client.pool.on(
    'createSuccess',
    (_id: unknown, connection: SqliteConnection) => {
      connection.pragma('journal_mode = WAL');
      connection.pragma('synchronous = NORMAL');
    },
  );
}

/** Backstage's database service factory, with {@link useWriteAheadLog} on every SQLite file. */
export const portalDatabaseServiceFactory = createServiceFactory({
  service: coreServices.database,
  deps: {
    config: coreServices.rootConfig,
    lifecycle: coreServices.lifecycle,
    logger: coreServices.logger,
    pluginMetadata: coreServices.pluginMetadata,
    rootLifecycle: coreServices.rootLifecycle,
    rootLogger: coreServices.rootLogger,
  },
  async createRootContext({ config, rootLifecycle, rootLogger }) {
    return DatabaseManager.fromConfig(
      config.getOptional('backend.database')
        ? config
        : new ConfigReader({
            backend: {
              database: { client: 'better-sqlite3', connection: ':memory:' },
            },
          }),
      { rootLifecycle, rootLogger },
    );
  },
  async factory({ pluginMetadata, lifecycle, logger }, manager) {
    const database = manager.forPlugin(pluginMetadata.getId(), {
      lifecycle,
      logger,
    });
    return {
      migrations: database.migrations,
      async getClient() {
        const knex = await database.getClient();
        useWriteAheadLog(knex);
        return knex;
      },
    };
  },
});
