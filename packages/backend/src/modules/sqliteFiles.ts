/*
 * The portal's database service: Backstage's own (`DatabaseManager`, the same configuration), with every SQLite file
 * opened in write-ahead-log mode and `synchronous = NORMAL`, and every SQLite connection keeping its prepared
 * statements.
 *
 * Backstage opens SQLite files in rollback-journal mode with an fsync of the journal and the database at every
 * commit; the catalog commits several transactions per entity it processes and stitches, so on a busy disk a cold
 * start of the portal with thousands of clusters spent most of its time waiting in fsync with its event loop blocked
 * (`shipyard-catalog-bench`). In WAL mode with `synchronous = NORMAL` a commit appends to the log without an fsync;
 * a crash of the process loses nothing, a power loss may lose the last commits but never corrupts the file. The commit
 * that fills the log past a threshold checkpoints it into the file on the backend's thread, two fsyncs each: past
 * 10,000 pages here instead of SQLite's 1,000 (at 2,000 clusters a cold start of the catalog did 1,002 fsyncs of 9 ms
 * before, 116 after), at most some 40 MB of log on disk.
 *
 * Knex's better-sqlite3 client prepares every statement it runs anew (SQLite parses and plans it each time) and
 * leaves the statement to the garbage collector; the catalog runs some thirty statements of a few dozen shapes per
 * entity it processes and stitches. Each connection here keeps its last 500 prepared statements by SQL text and runs
 * them again: better-sqlite3 runs a statement to its end and resets it, so a kept one is never busy when it is asked
 * for again, and SQLite prepares a kept statement again by itself after a schema change.
 *
 * better-sqlite3 runs a statement synchronously and knex awaits its result as a value that is already there, so a chain
 * of queries — the catalog processing and stitching entity after entity — never lets the event loop turn: a chain of
 * 2,000 small queries held the thread for 300 ms without one turn, and every request, timer and answer of another
 * plugin waited for its end (while the catalog filled with 25,000 clusters, a permission decision, a few round trips
 * between plugins of the same backend, took 400–800 ms). A kept statement whose run ends past
 * {@link QUERY_TURN_MS} of its connection's queries since the event loop last turned answers after `setImmediate`,
 * where the event loop first serves what waits. The share is per connection (each plugin has its own database): with
 * one share for the thread, the auth backend's user-info lookup that a fresh permission decision waits for answered a
 * turn later at each of its queries whenever the catalog's chain had used the turn.
 *
 * No Backstage setting or library sets SQLite pragmas, keeps statements on the connections of its pool or lets a
 * synchronous driver yield, hence this wrapper.
 */
import {
  DatabaseService,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { DatabaseManager } from '@backstage/backend-defaults/database';
import { ConfigReader } from '@backstage/config';
import { LRUCache } from 'lru-cache';

type Knex = Awaited<ReturnType<DatabaseService['getClient']>>;

interface SqliteStatement {
  safeIntegers(toggle: boolean): unknown;
  all(...bindings: unknown[]): unknown;
  run(...bindings: unknown[]): unknown;
}

interface SqliteConnection {
  pragma(source: string): unknown;
  prepare(source: string): SqliteStatement;
}

/** Pages in the write-ahead log after which a commit checkpoints it into the database file (SQLite's default: 1,000). */
export const WAL_CHECKPOINT_PAGES = 10_000;

/** How many prepared statements each connection keeps. */
export const STATEMENT_CACHE_SIZE = 500;

const tuned = new WeakSet<Knex>();

/**
 * How long (ms) the backend's thread runs queries back to back before a query answers in a later turn of the event
 * loop.
 */
export const QUERY_TURN_MS = 10;

/**
 * A connection's share of a turn of the event loop: `paced` answers a query's result as it is until the connection has
 * run queries for {@link QUERY_TURN_MS} in this turn (counted from its first query of the turn), then once the event
 * loop has turned. One per connection, so one per plugin: a plugin's chain of queries (the catalog processing and
 * stitching) does not hold back another plugin's queries (the auth backend's user info that a permission decision
 * waits for), which would otherwise wait a turn each behind the chain.
 */
function turnShare(): { paced<T>(result: T): T | Promise<T> } {
  /** When this connection's queries of the current turn began (undefined: none yet). */
  let turnStartedAt: number | undefined;
  return {
    paced(result) {
      const now = performance.now();
      if (turnStartedAt === undefined) {
        turnStartedAt = now;
        // the next turn starts a new count (this runs before any answer deferred below)
        setImmediate(() => {
          turnStartedAt = undefined;
        });
      }
      if (now - turnStartedAt < QUERY_TURN_MS) return result;
      return new Promise(resolve => setImmediate(() => resolve(result)));
    },
  };
}

/** Makes `all` and `run` of `statement` answer through its connection's `share` (knex awaits either). */
function pace(
  statement: SqliteStatement,
  share: ReturnType<typeof turnShare>,
): SqliteStatement {
  const all = statement.all.bind(statement);
  const run = statement.run.bind(statement);
  statement.all = (...bindings) => share.paced(all(...bindings));
  statement.run = (...bindings) => share.paced(run(...bindings));
  return statement;
}

/**
 * Keeps the last {@link STATEMENT_CACHE_SIZE} statements `connection` prepared and answers `prepare` of the same SQL
 * text with the kept statement, in the connection's default integer mode (a query of knex may have changed it). The
 * statements' `all` and `run` let the event loop turn after {@link QUERY_TURN_MS} of the connection's queries in a
 * turn (see the file's header).
 */
export function keepPreparedStatements(
  connection: SqliteConnection,
  options: { safeIntegers?: boolean } = {},
): void {
  const statements = new LRUCache<string, SqliteStatement>({
    max: STATEMENT_CACHE_SIZE,
  });
  const prepare = connection.prepare.bind(connection);
  const safeIntegers = options.safeIntegers === true;
  const share = turnShare();
  connection.prepare = (source: string) => {
    const kept = statements.get(source);
    if (kept) {
      kept.safeIntegers(safeIntegers);
      return kept;
    }
    const statement = pace(prepare(source), share);
    statements.set(source, statement);
    return statement;
  };
}

/**
 * Tunes every connection the pool of a better-sqlite3 client opens from now on: its prepared statements kept
 * ({@link keepPreparedStatements}), and a file in write-ahead-log mode with `synchronous = NORMAL`.
 */
export function tuneSqlite(knex: Knex): void {
  if (tuned.has(knex)) return;
  tuned.add(knex);
  const config = knex.client.config as {
    client?: unknown;
    connection?: { filename?: string };
  };
  if (!String(config.client).includes('sqlite')) return;
  const better = String(config.client).includes('better-sqlite3');
  const filename = config.connection?.filename;
  const file = !!filename && filename !== ':memory:';
  const { connectionSettings } = knex.client as {
    connectionSettings?: { options?: { safeIntegers?: boolean } };
  };
  knex.client.pool.on(
    'createSuccess',
    (_id: unknown, connection: SqliteConnection) => {
      if (better) {
        keepPreparedStatements(connection, {
          safeIntegers: connectionSettings?.options?.safeIntegers,
        });
      }
      if (file) {
        connection.pragma('journal_mode = WAL');
        connection.pragma('synchronous = NORMAL');
        connection.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
      }
    },
  );
}

/** Backstage's database service factory, with {@link tuneSqlite} on every SQLite client. */
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
        tuneSqlite(knex);
        return knex;
      },
    };
  },
});
