import { FleetSim, FleetSimOptions, startFleetSim } from '@shipyard/fleet-sim';

/**
 * A simulator for the tests of the enclosing `describe`: started before them (calm unless `options` say otherwise:
 * no anomalies, 20 ms steps) and handed to `receive`, stopped after them.
 */
export function simulatorForSuite(
  options: FleetSimOptions,
  receive: (sim: FleetSim) => void,
): void {
  let sim: FleetSim | undefined;
  beforeAll(async () => {
    sim = await startFleetSim({
      anomalies: false,
      ...options,
      timing: { stepMs: 20, ...options.timing },
    });
    receive(sim);
  });
  afterAll(async () => {
    await sim?.stop();
  });
}
