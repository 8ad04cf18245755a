import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';

/*
 * PostgreSQL 15 for one test file, so that a suite run on its own covers PostgreSQL as `make test` does: the server
 * the test run started (scripts/postgres.sh exports its URL), else a throwaway one started here with the local
 * initdb/pg_ctl on a random port and stopped after the file's tests. Backstage's TestDatabases reads the URL from the
 * environment when it is created, so the server starts synchronously at module load, before `TestDatabases.create`.
 */

export const POSTGRES15_URL_VARIABLE =
  'BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING';

const BIN_DIRS = ['/usr/lib/postgresql/15/bin', '/usr/local/bin', '/usr/bin'];

/** The directory with PostgreSQL 15's initdb and pg_ctl, if any. */
function postgres15Bin(): string | undefined {
  for (const dir of BIN_DIRS) {
    const initdb = path.join(dir, 'initdb');
    if (!fs.existsSync(initdb) || !fs.existsSync(path.join(dir, 'pg_ctl'))) {
      continue;
    }
    try {
      const version = execFileSync(initdb, ['--version'], { encoding: 'utf8' });
      if (/\(PostgreSQL\) 15\./.test(version)) return dir;
    } catch {
      // not runnable: try the next directory
    }
  }
  return undefined;
}

function freePort(): number {
  return Number(
    execFileSync(
      process.execPath,
      [
        '-e',
        'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})',
      ],
      { encoding: 'utf8' },
    ).trim(),
  );
}

/** Test databases that cover PostgreSQL 15 when it can run here; see {@link createTestDatabases}. */
export interface ShipyardTestDatabases {
  databases: TestDatabases;
  /** Why PostgreSQL 15 is not among the databases (undefined when it is). */
  postgresSkipReason?: string;
}

/**
 * `TestDatabases` of the given ids for the calling test file, with PostgreSQL 15 whenever it can run here: the
 * server of the test run, or a throwaway one started now and stopped after the file's tests (after the databases are
 * shut down). Call at module level.
 */
export function createTestDatabases(
  ids: TestDatabaseId[],
): ShipyardTestDatabases {
  let stop: (() => void) | undefined;
  let postgresSkipReason: string | undefined;
  if (ids.includes('POSTGRES_15') && !process.env[POSTGRES15_URL_VARIABLE]) {
    const started = startPostgres15();
    stop = started.stop;
    postgresSkipReason = started.skipReason;
  }
  const databases = TestDatabases.create({ ids });
  if (stop) afterAll(stop);
  return { databases, postgresSkipReason };
}

function startPostgres15(): { stop?: () => void; skipReason?: string } {
  const bin = postgres15Bin();
  if (!bin) {
    return {
      skipReason: `PostgreSQL 15 is not installed (no initdb/pg_ctl in ${BIN_DIRS.join(
        ', ',
      )}) and ${POSTGRES15_URL_VARIABLE} is not set`,
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-test-pg-'));
  // initdb refuses to run as root: run the server as the postgres user then
  const asPostgres = process.getuid?.() === 0;
  if (asPostgres) execFileSync('chown', ['postgres', dir]);
  const run = (file: string, args: string[]) =>
    asPostgres
      ? execFileSync('runuser', ['-u', 'postgres', '--', file, ...args], {
          stdio: 'pipe',
        })
      : execFileSync(file, args, { stdio: 'pipe' });
  const data = path.join(dir, 'data');
  const port = freePort();
  try {
    run(path.join(bin, 'initdb'), [
      '-D',
      data,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
    ]);
    run(path.join(bin, 'pg_ctl'), [
      '-D',
      data,
      '-l',
      path.join(dir, 'server.log'),
      '-w',
      '-o',
      `-h 127.0.0.1 -p ${port} -k ${dir} -c max_connections=300 -c fsync=off`,
      'start',
    ]);
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `Starting PostgreSQL 15 from ${bin} failed: ${
        (error as { stderr?: Buffer }).stderr?.toString() ?? error
      }`,
    );
  }
  const url = `postgresql://postgres@127.0.0.1:${port}`;
  process.env[POSTGRES15_URL_VARIABLE] = url;
  return {
    stop: () => {
      try {
        run(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
        delete process.env[POSTGRES15_URL_VARIABLE];
      }
    },
  };
}
