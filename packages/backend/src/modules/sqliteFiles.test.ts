import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  DatabaseService,
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  QUERY_TURN_MS,
  keepPreparedStatements,
  portalDatabaseServiceFactory,
} from './sqliteFiles';

jest.setTimeout(60_000);

type Knex = Awaited<ReturnType<DatabaseService['getClient']>>;

/** A backend with the portal's database service and a plugin that runs `probe` against its database at start. */
function startWithProbe(
  database: { client: string; connection: string | { directory: string } },
  probe: (knex: Knex) => Promise<void>,
) {
  const plugin = createBackendPlugin({
    pluginId: 'probe',
    register(env) {
      env.registerInit({
        deps: { database: coreServices.database },
        async init({ database: service }) {
          await probe(await service.getClient());
        },
      });
    },
  });
  return startTestBackend({
    features: [
      plugin,
      portalDatabaseServiceFactory,
      mockServices.rootConfig.factory({ data: { backend: { database } } }),
    ],
  });
}

describe('portalDatabaseServiceFactory', () => {
  it('opens the SQLite file of each plugin in write-ahead-log mode without an fsync at every commit', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-sqlite-'));
    const seen: Array<{
      journal: unknown;
      synchronous: unknown;
      checkpoint: unknown;
    }> = [];
    const backend = await startWithProbe(
      { client: 'better-sqlite3', connection: { directory: dir } },
      async knex => {
        await knex.schema.createTable('t', t => t.integer('n'));
        await knex('t').insert({ n: 1 });
        const [journal] = await knex.raw('PRAGMA journal_mode');
        const [synchronous] = await knex.raw('PRAGMA synchronous');
        const [checkpoint] = await knex.raw('PRAGMA wal_autocheckpoint');
        seen.push({
          journal: journal.journal_mode,
          synchronous: synchronous.synchronous,
          checkpoint: checkpoint.wal_autocheckpoint,
        });
      },
    );
    try {
      // synchronous = NORMAL (1): in WAL mode a commit is durable against a crash of the process without an fsync;
      // a commit checkpoints the log after 10,000 pages
      expect(seen).toEqual([
        { journal: 'wal', synchronous: 1, checkpoint: 10_000 },
      ]);
      expect(fs.existsSync(path.join(dir, 'probe.sqlite-wal'))).toBe(true);
    } finally {
      await backend.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves in-memory SQLite as it is', async () => {
    const seen: unknown[] = [];
    const backend = await startWithProbe(
      { client: 'better-sqlite3', connection: ':memory:' },
      async knex => {
        const [journal] = await knex.raw('PRAGMA journal_mode');
        seen.push(journal.journal_mode);
      },
    );
    await backend.stop();
    expect(seen).toEqual(['memory']);
  });

  it('prepares a statement once per connection and runs it again for the same SQL, with right results across schema changes and integer modes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-sqlite-'));
    const seen: Record<string, unknown> = {};
    const backend = await startWithProbe(
      { client: 'better-sqlite3', connection: { directory: dir } },
      async knex => {
        const connection = await knex.client.acquireConnection();
        try {
          const first = connection.prepare('select 1 as n');
          seen.same = connection.prepare('select 1 as n') === first;
          seen.other = connection.prepare('select 2 as n') !== first;
        } finally {
          await knex.client.releaseConnection(connection);
        }

        await knex.schema.createTable('t', t => t.integer('n'));
        await knex('t').insert({ n: 1 });
        seen.before = await knex('t').select('*');
        // the kept `select *` sees a column added since it was prepared
        await knex.schema.alterTable('t', t => t.text('s'));
        await knex('t').update({ s: 'x' });
        seen.after = await knex('t').select('*');

        // a query in safe-integer mode leaves the kept statement in the connection's mode for the next query
        const sql = 'select 9007199254740993 as n';
        const [big] = await knex.raw(sql).options({ safeIntegers: true });
        const [plain] = await knex.raw(sql);
        seen.big = typeof big.n;
        seen.plain = typeof plain.n;
      },
    );
    try {
      expect(seen).toEqual({
        same: true,
        other: true,
        before: [{ n: 1 }],
        after: [{ n: 1, s: 'x' }],
        big: 'bigint',
        plain: 'number',
      });
    } finally {
      await backend.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('paces each connection on its own: one plugin’s chain of queries does not hold back another plugin’s query', () => {
    // each plugin has a database (a connection) of its own: the catalog's processing and the auth backend's user info
    const Database = require('better-sqlite3');
    const busy = new Database(':memory:');
    const other = new Database(':memory:');
    try {
      keepPreparedStatements(busy);
      keepPreparedStatements(other);
      const chain = busy.prepare('select 1 as one');
      const lookup = other.prepare('select 2 as two');
      // the busy connection runs queries back to back for longer than a turn's share
      const started = performance.now();
      while (performance.now() - started < QUERY_TURN_MS + 5) chain.all();
      // its next query answers in a later turn of the event loop...
      const later = chain.all();
      expect(later).toBeInstanceOf(Promise);
      // ...while the other connection's first query of the turn answers at once
      expect(lookup.all()).toEqual([{ two: 2 }]);
      return later;
    } finally {
      busy.close();
      other.close();
    }
  });

  it('lets the event loop turn during a long chain of queries', async () => {
    const seen: Record<string, number> = {};
    const backend = await startWithProbe(
      { client: 'better-sqlite3', connection: ':memory:' },
      async knex => {
        await knex.schema.createTable('t', t => t.integer('n'));
        // what waits for the event loop meanwhile: a request, a timer, another plugin's answer
        let turns = 0;
        let chain = true;
        const turn = () => {
          turns += 1;
          if (chain) setImmediate(turn);
        };
        setImmediate(turn);
        const started = performance.now();
        let queries = 0;
        while (performance.now() - started < 200) {
          await knex('t').insert({ n: queries });
          await knex('t').where({ n: queries }).first();
          queries += 2;
        }
        chain = false;
        seen.turns = turns;
        seen.rows = Number((await knex('t').count({ c: '*' }))[0].c);
        seen.queries = queries;
      },
    );
    await backend.stop();
    // every query answered, and the event loop turned while they ran (never, when each answered at once)
    expect(seen.rows).toBe(seen.queries / 2);
    expect(seen.turns).toBeGreaterThanOrEqual(2);
  });
});
