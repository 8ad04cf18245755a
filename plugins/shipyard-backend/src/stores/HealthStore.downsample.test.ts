import { mockServices, TestDatabaseId } from '@backstage/backend-test-utils';
import { HealthStatus } from '@shipyard/plugin-shipyard-common';
import {
  createTestDatabases,
  describePostgres15Coverage,
} from '@shipyard/test-utils';
import { Knex } from 'knex';
import { DEFAULT_HEALTH_CONFIG, readHealthConfig } from '../health/config';
import { HealthService } from '../health/HealthService';
import { FleetIndex } from '../index/FleetIndex';
import { tally } from '../objectives/compute';
import { canonicalBucket, HealthStore, TransitionInput } from './HealthStore';
import { ConfigReader } from '@backstage/config';

/*
 * Retention and downsampling of the health history, on SQLite and PostgreSQL. Every expected row below was worked out
 * by hand from the history it names.
 */

jest.setTimeout(60_000);

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T = Date.parse('2026-01-10T00:00:00Z');
const at = (ms: number) => new Date(ms).toISOString();
const rules = {
  badStates: new Set<HealthStatus>(['unhealthy', 'unknown']),
  excludeMaintenance: true,
};

describe('canonicalBucket', () => {
  it('keeps each state’s time in the bucket, begins with the state before it and ends with the state after it', () => {
    const row = (m: number, status: HealthStatus, maintenance = false) => ({
      at_ms: T + m * MIN,
      status,
      maintenance,
    });
    // healthy before 00:00; 05 unhealthy, 10 healthy, 15 unhealthy, 20 healthy, 40 degraded, 50 healthy:
    // healthy 5 + 5 + 20 + 10 = 40, unhealthy 10, degraded 10
    expect(
      canonicalBucket(
        [
          row(5, 'unhealthy'),
          row(10, 'healthy'),
          row(15, 'unhealthy'),
          row(20, 'healthy'),
          row(40, 'degraded'),
          row(50, 'healthy'),
        ],
        T,
        T + HOUR,
        { status: 'healthy', maintenance: false },
      ),
    ).toEqual([
      { atMs: T, status: 'unhealthy', maintenance: false },
      { atMs: T + 10 * MIN, status: 'degraded', maintenance: false },
      { atMs: T + 20 * MIN, status: 'healthy', maintenance: false },
    ]);
    // begins unhealthy (no row: it continues), maintenance is a state of its own, ends degraded
    expect(
      canonicalBucket(
        [
          row(10, 'healthy', true),
          row(20, 'unhealthy'),
          row(30, 'healthy', true),
          row(45, 'degraded'),
        ],
        T,
        T + HOUR,
        { status: 'unhealthy', maintenance: false },
      ),
    ).toEqual([
      // unhealthy 10 + 10 = 20 (from 00:00, no row), healthy in maintenance 10 + 15 = 25, degraded 15
      { atMs: T + 20 * MIN, status: 'healthy', maintenance: true },
      { atMs: T + 45 * MIN, status: 'degraded', maintenance: false },
    ]);
    // the history begins in the bucket: it begins at its first row
    expect(
      canonicalBucket(
        [
          row(30, 'provisioning'),
          row(35, 'healthy'),
          row(40, 'unhealthy'),
          row(45, 'healthy'),
        ],
        T,
        T + HOUR,
      ),
    ).toEqual([
      { atMs: T + 30 * MIN, status: 'provisioning', maintenance: false },
      { atMs: T + 35 * MIN, status: 'unhealthy', maintenance: false },
      { atMs: T + 40 * MIN, status: 'healthy', maintenance: false },
    ]);
  });
});

const testDatabases = createTestDatabases(['POSTGRES_15', 'SQLITE_3']);
const { databases } = testDatabases;
describePostgres15Coverage(
  testDatabases,
  'health history retention and downsampling',
);

describe.each(databases.eachSupportedId())(
  'health history retention and downsampling on %s',
  (databaseId: TestDatabaseId) => {
    let knex: Knex;
    let store: HealthStore;
    const key = 'mc/ns/flapping';
    const other = 'mc/ns/steady';
    const opts = { maxEntriesPerCluster: 20_000 };

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      await HealthStore.migrate(knex);
      store = new HealthStore(knex);
    });

    const rowsOf = async (k: string) =>
      (
        await knex('shipyard_health_history')
          .where('cluster_key', k)
          .orderBy('id')
          .select('id', 'at_ms', 'at', 'status', 'previous_status', 'reasons')
      ).map(r => ({
        id: Number(r.id),
        at: `${r.at.slice(8, 10)}T${r.at.slice(11, 16)}`,
        atMs: Number(r.at_ms),
        status: r.status,
        previous: r.previous_status,
        reasons: JSON.parse(r.reasons).map((x: { type: string }) => x.type),
      }));
    const stepsOf = async (k: string) =>
      (await store.steps({ keys: [k] })).map(s => ({
        atMs: s.atMs,
        status: s.status,
        maintenance: s.maintenance,
      }));
    const append = (entries: Array<[number, HealthStatus, string?]>, k = key) =>
      store.appendTransitions(
        entries.map(
          ([ms, status, reason]): TransitionInput => ({
            key: k,
            status,
            reasons: reason
              ? [
                  {
                    source: 'probe',
                    severity: 'error',
                    type: reason,
                    message: reason,
                  },
                ]
              : [],
            at: at(ms),
          }),
        ),
        opts,
      );

    /** A flapping hour 9 days ago (00:00–01:00 on the 1st), one incident within the last week. */
    async function seed() {
      const h = T - 9 * DAY;
      await append([
        [h - DAY, 'healthy'],
        [h + 5 * MIN, 'unhealthy', 'ApiServerUnreachable'],
        [h + 10 * MIN, 'healthy'],
        [h + 15 * MIN, 'unhealthy', 'ProbeTimeout'],
        [h + 20 * MIN, 'healthy'],
        [h + 40 * MIN, 'degraded', 'ApiServerSlow'],
        [h + 50 * MIN, 'healthy'],
        // a single incident in a later hour: nothing to merge
        [h + 2 * HOUR + 5 * MIN, 'unhealthy', 'ApiServerNotReady'],
        [h + 2 * HOUR + 25 * MIN, 'healthy'],
        // within the last 7 days: kept as it happened
        [T - 2 * DAY, 'unhealthy', 'ApiServerErrors'],
        [T - 2 * DAY + 1 * MIN, 'healthy'],
        [T - 2 * DAY + 2 * MIN, 'unhealthy', 'ApiServerErrors'],
        [T - 2 * DAY + 3 * MIN, 'healthy'],
      ]);
      await append([[h - 2 * DAY, 'healthy']], other);
      return h;
    }

    it('merges a flapping hour into one step per state, exactly, in place, and leaves the rest as it was', async () => {
      const h = await seed();
      const before = await stepsOf(key);
      const rows = await rowsOf(key);
      expect(rows).toHaveLength(13);

      const r = await store.downsampleHistory({
        beforeMs: T - 7 * DAY,
        bucketMs: HOUR,
      });
      expect(r).toEqual({ clusters: 1, updated: 3, deleted: 3 });
      const after = await rowsOf(key);
      // the hour 00:00–01:00 of the 1st: unhealthy 10 min, degraded 10 min, healthy 40 min (healthy before it)
      expect(after.map(x => [x.at, x.status, x.previous, x.reasons])).toEqual([
        ['31T00:00', 'healthy', null, []],
        ['01T00:00', 'unhealthy', 'healthy', ['ProbeTimeout']],
        ['01T00:10', 'degraded', 'unhealthy', ['ApiServerSlow']],
        ['01T00:20', 'healthy', 'degraded', []],
        ['01T02:05', 'unhealthy', 'healthy', ['ApiServerNotReady']],
        ['01T02:25', 'healthy', 'unhealthy', []],
        ['08T00:00', 'unhealthy', 'healthy', ['ApiServerErrors']],
        ['08T00:01', 'healthy', 'unhealthy', []],
        ['08T00:02', 'unhealthy', 'healthy', ['ApiServerErrors']],
        ['08T00:03', 'healthy', 'unhealthy', []],
      ]);
      // the bucket's own ids, in time order; the ids after it untouched
      expect(after.map(x => x.id)).toEqual(
        [...rows.slice(0, 4), ...rows.slice(7)].map(x => x.id),
      );
      // newest first as the history API reads it
      const page = await store.history(key, { limit: 3 });
      expect(page.items.map(i => i.at)).toEqual([
        at(T - 2 * DAY + 3 * MIN),
        at(T - 2 * DAY + 2 * MIN),
        at(T - 2 * DAY + MIN),
      ]);

      // every figure over whole hours is the same as before: the day of the flapping hour, the whole history
      const steps = await stepsOf(key);
      for (const [from, to] of [
        [h, h + HOUR],
        [h - DAY, h + DAY],
        [h - DAY, T],
      ]) {
        expect(tally(steps, from, to, rules)).toEqual(
          tally(before, from, to, rules),
        );
      }
      expect(tally(steps, h, h + HOUR, rules)).toEqual({
        goodMs: 50 * MIN,
        badMs: 10 * MIN,
        excludedMs: 0,
        noDataMs: 0,
      });
      // a range that begins inside the hour is off by at most that hour's other states
      const inside = tally(steps, h + 30 * MIN, T, rules);
      const exact = tally(before, h + 30 * MIN, T, rules);
      expect(Math.abs(inside.badMs - exact.badMs)).toBeLessThanOrEqual(
        10 * MIN,
      );

      // a second pass changes nothing
      expect(
        await store.downsampleHistory({
          beforeMs: T - 7 * DAY,
          bucketMs: HOUR,
        }),
      ).toEqual({ clusters: 0, updated: 0, deleted: 0 });
      expect(await rowsOf(key)).toEqual(after);
      expect(await rowsOf(other)).toHaveLength(1);
    });

    it('merges a day into one step per state with daily buckets, and a repeated state into the one before it', async () => {
      const h = await seed();
      // a repeated status (two replicas that both recorded it) in the flapping hour
      await knex('shipyard_health_history').insert({
        cluster_key: key,
        at_ms: h + 55 * MIN,
        at: at(h + 55 * MIN),
        status: 'healthy',
        previous_status: 'healthy',
        reasons: '[]',
        maintenance: false,
      });
      const before = await stepsOf(key);
      await store.downsampleHistory({ beforeMs: T - 7 * DAY, bucketMs: DAY });
      // the 1st: unhealthy 5 + 5 + 20 = 30 min, degraded 10 min, healthy the other 23 h 20 min
      expect((await rowsOf(key)).map(x => [x.at, x.status])).toEqual([
        ['31T00:00', 'healthy'],
        ['01T00:00', 'unhealthy'],
        ['01T00:30', 'degraded'],
        ['01T00:40', 'healthy'],
        ['08T00:00', 'unhealthy'],
        ['08T00:01', 'healthy'],
        ['08T00:02', 'unhealthy'],
        ['08T00:03', 'healthy'],
      ]);
      const steps = await stepsOf(key);
      expect(tally(steps, h, h + DAY, rules)).toEqual(
        tally(before, h, h + DAY, rules),
      );
    });

    it('looks only at buckets from where the last pass ended when told', async () => {
      const h = await seed();
      // the 9th day ago is before `sinceMs`: left as it is
      const r = await store.downsampleHistory({
        beforeMs: T - 7 * DAY,
        bucketMs: HOUR,
        sinceMs: h + HOUR,
      });
      expect(r).toEqual({ clusters: 0, updated: 0, deleted: 0 });
      expect(await rowsOf(key)).toHaveLength(13);
      // a flapping hour after it is merged, the status in force before it read from the row before `sinceMs`
      await append(
        [
          [T - 8 * DAY + 10 * MIN, 'unknown'],
          [T - 8 * DAY + 12 * MIN, 'healthy'],
          [T - 8 * DAY + 14 * MIN, 'unknown'],
          [T - 8 * DAY + 16 * MIN, 'healthy'],
        ],
        other,
      );
      const r2 = await store.downsampleHistory({
        beforeMs: T - 7 * DAY,
        bucketMs: HOUR,
        sinceMs: h + HOUR,
      });
      expect(r2).toEqual({ clusters: 1, updated: 2, deleted: 2 });
      expect((await rowsOf(other)).map(x => [x.at, x.status])).toEqual([
        ['30T00:00', 'healthy'],
        ['02T00:00', 'unknown'],
        ['02T00:04', 'healthy'],
      ]);
    });

    it('keeps what the retention keeps and the status at its start, and prunes and downsamples once per interval', async () => {
      await seed();
      let clock = T;
      const logger = mockServices.logger.mock();
      const health = new HealthService({
        config: {
          ...DEFAULT_HEALTH_CONFIG,
          enabled: false,
          history: {
            ...DEFAULT_HEALTH_CONFIG.history,
            retentionDays: 8,
            housekeepingIntervalMinutes: 7 * 24 * 60,
          },
        },
        logger,
        index: new FleetIndex({ now: () => new Date(clock) }),
        store,
        connectionOf: () => undefined,
        now: () => clock,
      });
      try {
        await health.historyHousekeeping();
        // older than 8 days: gone but for each cluster's status at the start of the kept history
        expect((await rowsOf(key)).map(x => [x.at, x.status])).toEqual([
          ['01T02:25', 'healthy'],
          ['08T00:00', 'unhealthy'],
          ['08T00:01', 'healthy'],
          ['08T00:02', 'unhealthy'],
          ['08T00:03', 'healthy'],
        ]);
        expect(await rowsOf(other)).toHaveLength(1);
        // within the interval nothing runs; then the incident now more than a week old is merged into its hour
        clock = T + 6 * DAY;
        await health.historyHousekeeping();
        expect(await rowsOf(key)).toHaveLength(5);
        await health.historyHousekeeping({ force: true });
        // the 8th, 00:00–01:00: unhealthy 2 min, healthy 58 min
        expect((await rowsOf(key)).map(x => [x.at, x.status])).toEqual([
          ['01T02:25', 'healthy'],
          ['08T00:00', 'unhealthy'],
          ['08T00:02', 'healthy'],
        ]);
        expect(logger.info).toHaveBeenCalledWith(
          expect.stringMatching(
            /housekeeping deleted 8 transitions past the retention and merged 0 by downsampling/,
          ),
        );
        expect(logger.info).toHaveBeenCalledWith(
          expect.stringMatching(
            /housekeeping deleted 0 transitions past the retention and merged 2 by downsampling/,
          ),
        );
      } finally {
        await health.stop();
      }
    });
  },
);

describe('history configuration', () => {
  it('keeps 90 days, downsamples after 7 days to hours, and refuses a bucket that does not divide a day', () => {
    expect(readHealthConfig(new ConfigReader({})).history).toEqual({
      retentionDays: 90,
      maxEntriesPerCluster: 20_000,
      downsampleAfterDays: 7,
      downsampleMinutes: 60,
      housekeepingIntervalMinutes: 60,
    });
    const read = (history: object) =>
      readHealthConfig(new ConfigReader({ shipyard: { health: { history } } }))
        .history;
    expect(read({ downsampleMinutes: 0 }).downsampleMinutes).toBe(0);
    expect(read({ downsampleMinutes: 1440 }).downsampleMinutes).toBe(1440);
    expect(() => read({ downsampleMinutes: 7 })).toThrow(
      /downsampleMinutes must be 0 \(no downsampling\) or a whole number of minutes that divides a day/,
    );
    expect(() => read({ downsampleAfterDays: 0 })).toThrow(
      /history\.downsampleAfterDays must be a number >= 1/,
    );
  });
});
