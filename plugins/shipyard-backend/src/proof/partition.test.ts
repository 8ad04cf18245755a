import { FleetSim } from '@shipyard/fleet-sim';
import request from 'supertest';
import {
  ProofFleet,
  eventually,
  keyOf,
  listAllClusters,
  managementClusterStates,
  startProofFleet,
  waitConnected,
} from '../__testUtils__/proofUtils';

/*
 * A network partition behind a load balancer: the management API accepts connections and never answers, and the
 * watches it had open fall silent without closing (the simulator's black hole). With the production timings (the
 * defaults of shipyard.sync, the simulator's 15 s bookmarks), the management cluster is stale within 45 s of the
 * partition, as a refused one is, and what GET /management-clusters says is what the scaffolder's "connected"
 * pre-check reads. Its clusters stay, marked stale; nothing is deleted; the partition heals without a trace.
 */

jest.setTimeout(120_000);

describe('a black-holed management cluster', () => {
  let sim: FleetSim;
  let backend: ProofFleet;
  const logs: string[] = [];

  beforeAll(async () => {
    backend = await startProofFleet({
      sim: {
        managementClusters: 2,
        clusters: 8,
        seed: 'partition',
        anomalies: false,
        timing: { stepMs: 50, bookmarkMs: 15_000 },
      },
      settle: true,
      logs,
      config: {
        shipyard: {
          // the production timings of detection; a short backoff only so that the test ends soon after healing
          sync: {
            staleAfterMs: 30_000,
            requestTimeoutMs: 30_000,
            persistIntervalMs: 1000,
            backoff: { initialDelayMs: 200, maxDelayMs: 2000 },
          },
        },
      },
    });
    sim = backend.sim;
  });

  afterAll(async () => {
    sim?.faults.clear();
    await backend?.stop();
  });

  it('is stale within 45 s of the partition, keeps its clusters, and recovers when it heals', async () => {
    const [cut, other] = sim.managementClusters.map(m => m.name);
    const before = (await listAllClusters(backend.client)).map(keyOf).sort();
    const started = Date.now();
    sim.faults.unreachable(cut, 'blackhole');
    let staleAfterMs = 0;
    await eventually(async () => {
      const mcs = await managementClusterStates(backend.client);
      expect(mcs.get(cut)?.state).toBe('stale');
      staleAfterMs = Date.now() - started;
    }, 60_000);
    expect(staleAfterMs).toBeLessThanOrEqual(45_000);
    const mcs = await managementClusterStates(backend.client);
    // the scaffolder's pre-check refuses what is not connected; the other management cluster is untouched
    expect(mcs.get(cut)?.state).not.toBe('connected');
    expect(mcs.get(other)?.state).toBe('connected');
    expect(mcs.get(cut)?.lastError).toMatch(/no (answer|response|event)/);
    const during = await listAllClusters(backend.client);
    expect(during.map(keyOf).sort()).toEqual(before);
    for (const c of during) {
      expect({ key: keyOf(c), state: c.source.state }).toEqual({
        key: keyOf(c),
        state: c.managementCluster === cut ? 'stale' : 'connected',
      });
    }

    sim.faults.reachable(cut);
    await waitConnected(backend.client, [cut], 30_000);
    const after = await request(backend.server).get(
      '/api/shipyard/management-clusters',
    );
    expect(
      after.body.items.find((m: any) => m.name === cut).staleSince,
    ).toBeUndefined();
  });
});
