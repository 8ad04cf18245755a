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
});
