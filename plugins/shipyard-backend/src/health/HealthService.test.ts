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

/** A health service on `store` that does not probe (history and refreshes only). */
function historyService(store: HealthStore): HealthService {
  return new HealthService({
    config: { ...DEFAULT_HEALTH_CONFIG, enabled: false },
    logger: mockServices.logger.mock(),
    index: new FleetIndex(),
    store,
    connectionOf: () => undefined,
    objectives: DEFAULT_OBJECTIVES_CONFIG,
  });
}

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
    health = historyService(store);
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

describe('stopping the health service', () => {
  it('waits for a refresh under way, and a refresh after the stop reads nothing', async () => {
    const knex = await databases.init('SQLITE_3');
    await HealthStore.migrate(knex);
    const store = new HealthStore(knex);
    const health = historyService(store);
    await health.start();
    const load = store.loadResults.bind(store);
    let release!: () => void;
    const held = new Promise<void>(resolve => {
      release = resolve;
    });
    const loads = jest
      .spyOn(store, 'loadResults')
      .mockImplementation(async since => {
        await held;
        return load(since);
      });
    const refreshing = health.refresh();
    let stopped = false;
    const stopping = health.stop().then(() => {
      stopped = true;
    });
    for (let i = 0; i < 5; i++)
      await new Promise(resolve => setImmediate(resolve));
    // the refresh still reads the database: the stop waits for it (a database closed under it would fail it)
    expect(stopped).toBe(false);
    release();
    await refreshing;
    await stopping;
    expect(stopped).toBe(true);
    expect(loads).toHaveBeenCalledTimes(1);
    expect(await health.refresh()).toBe(0);
    expect(loads).toHaveBeenCalledTimes(1);
  });
});

describe('the scheduled probe round', () => {
  it('runs as a global task whose timeout leaves room for a round held to its CPU budget, and gives the round up when the scheduler ends its time', async () => {
    const index = new FleetIndex();
    for (const name of ['a', 'b', 'c']) index.upsert(makeSummary({ name }));
    const logger = mockServices.logger.mock();
    const health = new HealthService({
      config: DEFAULT_HEALTH_CONFIG,
      logger,
      index,
      connectionOf: () => undefined,
      objectives: DEFAULT_OBJECTIVES_CONFIG,
    });
    const scheduler = mockServices.scheduler.mock();
    try {
      await health.schedule(scheduler);
      const round = scheduler.scheduleTask.mock.calls
        .map(([task]) => task)
        .find(task => task.id === 'shipyard:health:round')!;
      expect(round).toMatchObject({
        scope: 'global',
        frequency: { milliseconds: 60_000 },
        // a paced round of a large fleet takes several intervals: another replica must not start one beside it
        timeout: { milliseconds: DEFAULT_HEALTH_CONFIG.roundTimeoutMs },
      });
      expect(DEFAULT_HEALTH_CONFIG.roundTimeoutMs).toBe(300_000);

      // the scheduler aborts the task's signal at its timeout (and when its claim is lost): the round then starts no
      // more probes, so that it never overlaps the next one, and says so
      const timeUp = new AbortController();
      timeUp.abort();
      await round.fn(timeUp.signal);
      expect(logger.warn).toHaveBeenCalledWith(
        expect.stringMatching(
          /^Shipyard health round: given up at its time limit of 300000 ms after starting 0 of 3 probes/,
        ),
      );
      // a round given its time probes everything
      await round.fn(new AbortController().signal);
      expect(logger.info).toHaveBeenCalledWith(
        expect.stringMatching(/^Shipyard health round: probed 3 of 3 clusters/),
      );
    } finally {
      await health.stop();
    }
  });
});
