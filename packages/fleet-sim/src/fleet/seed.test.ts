import { startFleetSim, FleetSim, FleetSimChange } from '../sim/sim';

// Starts a simulator and waits for its provisioning clusters to settle; the machines running the tests may be busy.
jest.setTimeout(60_000);

/**
 * The time in a failed probe's message, the one part of a converged Cluster that moves with the clock, and the
 * resourceVersion that a write of it bumps.
 */
const MOVING = /probe last succeeded at [0-9TZ:-]+|"resourceVersion":"\d+"/g;

describe('seeded fleet and controllers', () => {
  let sim: FleetSim;

  beforeAll(async () => {
    sim = await startFleetSim({
      managementClusters: 2,
      clusters: 300,
      seed: 'one-truth',
      timing: { stepMs: 20 },
    });
    await sim.controller.whenIdle();
  });

  afterAll(async () => {
    await sim.stop();
  });

  it('seeds every object as the controllers write it: reconciling the settled fleet writes nothing', async () => {
    const changes: FleetSimChange[] = [];
    const unsubscribe = sim.onChange(c => changes.push(c));
    const states = new Set<string>();
    for (const c of sim.model.clusters) {
      states.add(c.state);
      // a fault change that changes nothing makes the controllers reconcile the cluster and everything in it
      sim.faults.slow(
        { management: c.management, namespace: c.namespace, name: c.name },
        0,
      );
    }
    await sim.controller.whenIdle();
    unsubscribe();
    expect([...states].sort()).toEqual([
      'controlPlaneDown',
      'degraded',
      'healthy',
      'provisioning',
      'unreachable',
      'upgrading',
    ]);
    const differences = changes
      .filter(
        c =>
          c.type !== 'MODIFIED' ||
          c.json.replace(MOVING, '') !== c.previousJson()?.replace(MOVING, ''),
      )
      .map(c => `${c.type} ${c.kind} ${c.namespace}/${c.name}`);
    expect(differences).toEqual([]);
  });
});
