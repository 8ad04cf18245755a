import { mockServices } from '@backstage/backend-test-utils';
import { createTestDatabases } from '@shipyard/test-utils';
import { Knex } from 'knex';
import { DEFAULT_OBJECTIVES_CONFIG } from '../objectives/config';
import { FleetIndex, StoredClusterSummary } from '../index/FleetIndex';
import { HealthStore } from '../stores/HealthStore';
import { makeSummary } from '../__testUtils__/summaries';
import { DEFAULT_HEALTH_CONFIG } from './config';
import { HealthService } from './HealthService';

jest.setTimeout(60_000);

const { databases } = createTestDatabases(['SQLITE_3']);

describe('health history of a busy fleet', () => {
  let knex: Knex;
  let health: HealthService | undefined;

  beforeEach(async () => {
    knex = await databases.init('SQLITE_3');
    await HealthStore.migrate(knex);
  });

  afterEach(async () => {
    await health?.stop();
    health = undefined;
  });

  it('appends the transitions of changes that come turn after turn in one write, every one in order', async () => {
    const store = new HealthStore(knex);
    const append = store.appendTransitions.bind(store);
    const writes: string[][] = [];
    jest
      .spyOn(store, 'appendTransitions')
      .mockImplementation(async (entries, options) => {
        writes.push(entries.map(e => `${e.key} ${e.status}`));
        return append(entries, options);
      });
    health = new HealthService({
      config: { ...DEFAULT_HEALTH_CONFIG, enabled: false },
      logger: mockServices.logger.mock(),
      index: new FleetIndex(),
      store,
      connectionOf: () => undefined,
      objectives: DEFAULT_OBJECTIVES_CONFIG,
    });
    await health.start();
    const statuses: Array<StoredClusterSummary['health']> = [
      'healthy',
      'degraded',
      'healthy',
      'unhealthy',
      'healthy',
      'degraded',
    ];
    // each change in a turn of the event loop of its own, as the changes of a watched fleet come
    for (const status of statuses) {
      health.aggregator.upsert(makeSummary({ name: 'a', health: status }));
      await new Promise(resolve => setImmediate(resolve));
    }
    await health.historyWritten();
    expect(writes).toEqual([statuses.map(s => `mc-a/default/a ${s}`)]);
    const history = await health.history('mc-a/default/a', { limit: 10 });
    expect(history.items.map(t => t.health)).toEqual([...statuses].reverse());
  });
});
