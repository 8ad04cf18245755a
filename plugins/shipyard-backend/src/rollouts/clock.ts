/*
 * The clock of fleet rollouts (maintenance windows, soak times, step timeouts, the times they record): the system
 * clock, replaceable as a service so that tests of the whole backend can move time to a window or past a timeout.
 */
import {
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';

/** What rollouts read the time from. */
export interface RolloutClock {
  now(): number;
}

/** The rollouts' clock (default: the system clock). */
export const rolloutClockServiceRef = createServiceRef<RolloutClock>({
  id: 'shipyard.rollouts.clock',
  scope: 'plugin',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {},
      factory: () => ({ now: () => Date.now() }),
    }),
});
