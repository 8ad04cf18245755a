import { startFleetSim, FleetSim } from './sim';
import { request } from '../__testUtils__';
import { RequestCounter } from './requestCounter';

jest.setTimeout(30_000);

describe('RequestCounter', () => {
  it('counts by endpoint kind and management cluster', () => {
    const counter = new RequestCounter();
    counter.count('mgmt-a', false);
    counter.count('mgmt-a', true);
    counter.count('mgmt-b', true);
    expect(counter.stats()).toEqual({
      total: 3,
      management: 1,
      workload: 2,
      byManagement: { 'mgmt-a': 2, 'mgmt-b': 1 },
    });
  });
});

describe('request statistics of the simulator', () => {
  let sim: FleetSim;

  beforeAll(async () => {
    sim = await startFleetSim({
      managementClusters: 1,
      clusters: 2,
      seed: 'requests',
      anomalies: false,
      timing: { stepMs: 30 },
    });
  });

  afterAll(() => sim.stop());

  it('counts every API request, refused or not', async () => {
    const ca = Buffer.from(sim.caData, 'base64').toString('utf8');
    const mc = sim.managementClusters[0];
    const wl = sim.workloadClusters()[0];
    const before = sim.stats().requests;
    await request(`${mc.url}/version`, { token: mc.token, ca });
    await request(`${mc.url}/api/v1/namespaces`, { token: 'wrong', ca });
    await request(`${wl.url}/version`, { token: wl.token, ca });
    const after = sim.stats().requests;
    expect(after.management - before.management).toBe(2);
    expect(after.workload - before.workload).toBe(1);
    expect(after.total - before.total).toBe(3);
    expect(after.byManagement[mc.name]).toBeGreaterThanOrEqual(3);
  });
});
