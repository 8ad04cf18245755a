import knexFactory, { Knex } from 'knex';
import { HealthStore } from './HealthStore';

describe('HealthStore', () => {
  let knex: Knex;
  let store: HealthStore;
  const key = 'mc/ns/c';
  const opts = { maxEntriesPerCluster: 200 };

  beforeEach(async () => {
    knex = knexFactory({
      client: 'better-sqlite3',
      connection: ':memory:',
      useNullAsDefault: true,
    });
    await HealthStore.migrate(knex);
    store = new HealthStore(knex);
  });

  afterEach(async () => {
    await knex.destroy();
  });

  const statuses = async () =>
    (await store.history(key, { limit: 50 })).items
      .map(i => `${i.at.slice(0, 10)} ${i.health}`)
      .reverse();

  it('begins a new cluster’s history with its seed, then appends every change in order', async () => {
    await store.appendTransitions(
      [
        {
          key,
          status: 'healthy',
          reasons: [],
          at: '2026-01-02T00:00:00.000Z',
          seed: [
            {
              at: '2026-01-01T00:00:00.000Z',
              status: 'provisioning',
              reasons: [],
            },
          ],
        },
        {
          key,
          status: 'degraded',
          reasons: [],
          at: '2026-01-03T00:00:00.000Z',
        },
        { key, status: 'healthy', reasons: [], at: '2026-01-03T00:00:02.000Z' },
      ],
      opts,
    );
    // a replica that saw the same change later, or a repeated status, adds nothing
    await store.appendTransitions(
      [
        {
          key,
          status: 'degraded',
          reasons: [],
          at: '2026-01-03T00:00:01.000Z',
        },
        { key, status: 'healthy', reasons: [], at: '2026-01-04T00:00:00.000Z' },
      ],
      opts,
    );
    expect(await statuses()).toEqual([
      '2026-01-01 provisioning',
      '2026-01-02 healthy',
      '2026-01-03 degraded',
      '2026-01-03 healthy',
    ]);
  });

  it('keeps the status at the start of the retained window when pruning', async () => {
    await store.appendTransitions(
      [
        {
          key,
          status: 'healthy',
          reasons: [],
          at: '2025-01-02T00:00:00.000Z',
          seed: [
            {
              at: '2025-01-01T00:00:00.000Z',
              status: 'provisioning',
              reasons: [],
            },
          ],
        },
        {
          key,
          status: 'degraded',
          reasons: [],
          at: '2026-01-03T00:00:00.000Z',
        },
      ],
      opts,
    );
    await store.pruneHistory(Date.parse('2026-01-01T00:00:00Z'));
    expect(await statuses()).toEqual([
      '2025-01-02 healthy',
      '2026-01-03 degraded',
    ]);
  });

  it('records maintenance starting and ending as steps, and reads the steps of a window with the one in force at its start', async () => {
    const at = (day: number, hour = 0) =>
      new Date(Date.UTC(2026, 0, day, hour)).toISOString();
    await store.appendTransitions(
      [
        { key, status: 'healthy', reasons: [], at: at(1) },
        { key, status: 'healthy', reasons: [], at: at(2), maintenance: true },
        {
          key,
          status: 'degraded',
          reasons: [],
          at: at(2, 1),
          maintenance: true,
        },
        {
          key,
          status: 'degraded',
          reasons: [],
          at: at(2, 2),
          maintenance: true,
        },
        { key, status: 'healthy', reasons: [], at: at(3) },
        { key: 'mc/ns/other', status: 'unknown', reasons: [], at: at(1) },
      ],
      opts,
    );
    const steps = await store.steps({ sinceMs: Date.parse(at(2, 12)) });
    expect(
      steps.map(s => [
        s.key,
        new Date(s.atMs).toISOString(),
        s.status,
        s.maintenance,
      ]),
    ).toEqual([
      [key, at(2, 1), 'degraded', true],
      [key, at(3), 'healthy', false],
      ['mc/ns/other', at(1), 'unknown', false],
    ]);
    const all = await store.steps({});
    expect(all.filter(s => s.key === key)).toHaveLength(4);
    const last = all[all.length - 1].id;
    expect(await store.steps({ afterId: last })).toEqual([]);
    await store.appendTransitions(
      [{ key, status: 'unhealthy', reasons: [], at: at(4) }],
      opts,
    );
    expect((await store.steps({ afterId: last })).map(s => s.status)).toEqual([
      'unhealthy',
    ]);
    expect(
      (
        await store.steps({ sinceMs: Date.parse(at(5)), keys: ['mc/ns/other'] })
      ).map(s => s.key),
    ).toEqual(['mc/ns/other']);
  });
});
