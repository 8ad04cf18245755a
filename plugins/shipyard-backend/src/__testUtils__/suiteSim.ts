import {
  FLEET_SIM_TYPE_IDS,
  FleetSim,
  FleetSimOptions,
  startFleetSim,
} from '@shipyard/fleet-sim';

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

/** A hold of the simulator's controllers (see {@link holdClusterAt}). */
export interface SimHold {
  /** Resolves when the cluster reached the state and the controllers are paused. */
  reached: Promise<void>;
  /** Resumes the controllers (and stops waiting for the state). */
  release(): void;
}

/**
 * Pauses the simulator's controllers at the first write of a Cluster object that `when` holds true of, until
 * released. The simulator's steps (20 ms in the tests) are shorter than a turn of a busy backend, whose summary shows
 * the latest state of the events read in a turn: a test that expects the backend to show a passing state holds it.
 */
export function holdClusterAt(
  sim: FleetSim,
  cluster: { management?: string; namespace: string; name: string },
  when: (object: { status?: { conditions?: unknown[] } }) => boolean,
  timeoutMs = 20_000,
): SimHold {
  let reach: () => void = () => undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const reached = new Promise<void>((resolve, reject) => {
    reach = resolve;
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `${cluster.namespace}/${cluster.name} did not reach the held state within ${timeoutMs} ms`,
          ),
        ),
      timeoutMs,
    );
  });
  const stop = sim.onChange(change => {
    if (
      change.resource !== FLEET_SIM_TYPE_IDS.cluster ||
      change.type !== 'MODIFIED' ||
      change.namespace !== cluster.namespace ||
      change.name !== cluster.name ||
      (cluster.management !== undefined &&
        change.managementCluster !== cluster.management) ||
      !when(JSON.parse(change.json))
    ) {
      return;
    }
    stop();
    clearTimeout(timer);
    sim.controller.pause();
    reach();
  });
  return {
    reached,
    release: () => {
      stop();
      clearTimeout(timer);
      sim.controller.resume();
    },
  };
}

/** Whether a Cluster object is in the first state of a scale-up: `ScalingUp` and a worker not available. */
export function scalingUpWithWorkerMissing(object: {
  status?: { conditions?: unknown[] };
}): boolean {
  const conditions = (object.status?.conditions ?? []) as Array<{
    type?: string;
    status?: string;
  }>;
  const is = (type: string, status: string) =>
    conditions.some(c => c.type === type && c.status === status);
  return is('ScalingUp', 'True') && is('WorkersAvailable', 'False');
}
