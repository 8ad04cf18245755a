import { LoadTarget, startLoad } from './load';
import { Random } from '../util/random';
import type { SeedCluster } from '../fleet/model';

/** A management cluster whose only change is a heartbeat annotation on its one Cluster. */
function target(): { target: LoadTarget; patches: () => number } {
  let patches = 0;
  const api = {
    store: { get: () => ({}) },
    type: () => ({}),
    patch: () => {
      patches++;
    },
  };
  return {
    target: { api, controller: {} } as unknown as LoadTarget,
    patches: () => patches,
  };
}

const cluster = {
  management: 'm',
  namespace: 'ns',
  name: 'c',
} as SeedCluster;

describe('load driver rate', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it.each([3, 7, 11, 13, 29, 37, 41, 53, 61, 97, 113, 199, 251, 333])(
    'never makes more changes than are due at %i/s',
    eventsPerSecond => {
      const { target: t, patches } = target();
      const load = startLoad(
        new Map([['m', t]]),
        () => [cluster],
        {
          eventsPerSecond,
          mix: { annotate: 1, health: 0, scale: 0, upgrade: 0 },
        },
        new Random('rate'),
      );
      for (let tick = 0; tick < 500; tick++) {
        jest.advanceTimersByTime(20);
        const stats = load.stats();
        expect([tick, stats.changes]).toEqual([
          tick,
          Math.min(stats.changes, stats.requested),
        ]);
      }
      load.stop();
      const stats = load.stats();
      expect(stats.changes).toBe(patches());
      expect(stats.changes + stats.dropped).toBe(stats.requested);
    },
  );
});
