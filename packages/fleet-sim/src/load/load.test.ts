import { startFleetSim, FleetSim } from '../sim/sim';
import { eventually, request, watch } from '../__testUtils__';

// Each suite starts a simulator; the machines running the tests may be busy.
jest.setTimeout(30_000);

describe('load driver', () => {
  let sim: FleetSim;

  beforeAll(async () => {
    sim = await startFleetSim({
      managementClusters: 1,
      clusters: 20,
      seed: 'load',
      anomalies: false,
      timing: { stepMs: 20 },
    });
  });

  afterAll(async () => {
    await sim.stop();
  });

  it('changes objects at the requested rate and the changes reach watchers', async () => {
    const m = sim.managementClusters[0];
    const ca = Buffer.from(m.caData, 'base64').toString('utf8');
    const rv = (
      await request(`${m.url}/apis/cluster.x-k8s.io/v1beta2/machines`, {
        token: m.token,
        ca,
      })
    ).json().metadata.resourceVersion;
    const w = watch(
      `${m.url}/apis/cluster.x-k8s.io/v1beta2/clusters?watch=true&resourceVersion=${rv}`,
      m.token,
      ca,
    );
    const machines = watch(
      `${m.url}/apis/cluster.x-k8s.io/v1beta2/machines?watch=true&resourceVersion=${rv}`,
      m.token,
      ca,
    );
    const load = sim.startLoad({ eventsPerSecond: 200, durationMs: 600 });
    await eventually(() => !load.stats().running, 5000);
    const stats = load.stats();
    // 600 ms at 200/s: at most 120 changes are due; a busy machine makes fewer and counts the rest as dropped
    expect(stats.requested).toBeLessThanOrEqual(121);
    expect(stats.changes).toBeGreaterThan(0);
    expect(stats.changes).toBeLessThanOrEqual(stats.requested);
    // every change due is made or counted as dropped (the driver fell a second behind, or the run ended first)
    expect(stats.changes + stats.dropped).toBeGreaterThanOrEqual(
      stats.requested - 2,
    );
    expect(stats.byKind.health).toBeGreaterThan(0);
    expect(stats.byKind.annotate).toBeGreaterThan(0);
    await eventually(
      () =>
        w.events.some(
          e =>
            e.object.metadata.annotations?.['fleet-sim.shipyard.io/heartbeat'],
        ),
      5000,
    );
    await eventually(
      () =>
        machines.events.some(
          e =>
            e.type === 'MODIFIED' &&
            e.object.status.conditions.some(
              (c: any) => c.type === 'NodeHealthy' && c.status === 'False',
            ),
        ),
      5000,
    );
    w.close();
    machines.close();
    await sim.controller.whenIdle();
  });
});
