// this module declares a test for the suites that call it, so it exports what a test file would not
/* eslint-disable jest/no-export */
import type { ShipyardTestDatabases } from './postgres';

/**
 * Declares a test that the file's suites run on PostgreSQL 15 as well as SQLite (its `databases` from
 * {@link createTestDatabases} of both); where PostgreSQL 15 cannot run here it is skipped, with the reason in the
 * title of its suite, `<subject> on PostgreSQL 15`. Call at module level.
 */
export function describePostgres15Coverage(
  testDatabases: ShipyardTestDatabases,
  subject: string,
): void {
  const { databases, postgresSkipReason } = testDatabases;
  const onPostgres = postgresSkipReason ? describe.skip : describe;
  onPostgres(
    `${subject} on PostgreSQL 15${
      postgresSkipReason ? ` (skipped: ${postgresSkipReason})` : ''
    }`,
    () => {
      it('runs on PostgreSQL 15 as well as SQLite', () => {
        expect(databases.eachSupportedId()).toEqual([
          ['POSTGRES_15'],
          ['SQLITE_3'],
        ]);
      });
    },
  );
}
