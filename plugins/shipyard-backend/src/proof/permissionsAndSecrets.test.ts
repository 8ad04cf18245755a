import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { mockServices } from '@backstage/backend-test-utils';
import { FleetSim } from '@shipyard/fleet-sim';
import request from 'supertest';
import { fleetCredentials } from '@shipyard/test-utils';
import {
  ProofFleet,
  eventually,
  keyOf,
  listAllClusters,
  startProofFleet,
} from '../__testUtils__/proofUtils';
import { ownerDecision } from '../__testUtils__/access';
import { openEventStream } from '../__testUtils__/events';

/*
 * Security: a team limited to its own clusters (a conditional decision, as the portal's restrictReadToOwners
 * policy returns) sees only those in lists, facets, counts, the summary, details, history and the event stream;
 * and no API response or log line carries a credential of the fleet.
 */

jest.setTimeout(60_000);

const TEAM = 'group:default/team-a';
const CLUSTERS = 'cluster.x-k8s.io/clusters';

/** Every string that must never leave the backend, plus generic patterns of credentials. */
function secretsOf(sim: FleetSim): string[] {
  return [...fleetCredentials(sim)].filter(s => s && s.length >= 8);
}
const PATTERNS = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /client-key-data/,
  /certificate-authority-data/,
  /\btoken:\s*\S{8,}/,
  /Bearer [A-Za-z0-9._-]{8,}/,
];

function expectNoCredentials(texts: string[], secrets: string[]) {
  for (const text of texts) {
    for (const secret of secrets) {
      if (text.includes(secret))
        throw new Error(`a credential leaked in: ${text.slice(0, 200)}`);
    }
    for (const pattern of PATTERNS) {
      if (pattern.test(text))
        throw new Error(`${pattern} matched in: ${text.slice(0, 200)}`);
    }
  }
}

describe('a team limited to its own clusters, and no credential anywhere', () => {
  let sim: FleetSim;
  let backend: ProofFleet;
  const logs: string[] = [];
  const responses: string[] = [];

  beforeAll(async () => {
    const permissions = mockServices.permissions.mock({
      authorizeConditional: async requests =>
        requests.map(() => ownerDecision([TEAM])) as any,
    });
    backend = await startProofFleet({
      sim: {
        managementClusters: 2,
        clusters: 16,
        seed: 'permissions',
        anomalies: false,
        timing: { stepMs: 20 },
      },
      logs,
      config: {
        shipyard: {
          health: {
            enabled: true,
            intervalMs: 300,
            initialDelayMs: 0,
            timeoutMs: 800,
          },
        },
      },
      features: [permissions.factory, schedulerServiceFactory],
    });
    sim = backend.sim;
  });

  afterAll(async () => {
    await backend?.stop();
  });

  const get = async (path: string) => {
    const res = await request(backend.server).get(`/api/shipyard${path}`);
    responses.push(res.text);
    return res;
  };

  it('sees only its clusters in lists, facets, counts, summary, details, history and events', async () => {
    const owned = sim.model.clusters.filter(
      c => c.labels['shipyard.io/owner'] === 'team-a',
    );
    expect(owned.length).toBeGreaterThan(0);
    const ownedKeys = owned
      .map(c => `${c.management}/${c.namespace}/${c.name}`)
      .sort();
    const others = sim.model.clusters.filter(
      c => !ownedKeys.includes(`${c.management}/${c.namespace}/${c.name}`),
    );
    expect(others.length).toBeGreaterThan(0);
    await eventually(async () => {
      const items = await listAllClusters(backend.client);
      expect(items.map(keyOf).sort()).toEqual(ownedKeys);
    });
    const list = await get('/clusters?limit=500');
    expect(list.body.totalCount).toBe(owned.length);
    for (const [facet, values] of Object.entries(
      list.body.facets as Record<string, Array<{ count: number }>>,
    )) {
      const sum = values.reduce((n, v) => n + v.count, 0);
      const most = Math.max(0, ...values.map(v => v.count));
      // each cluster counts at most once per facet (labels and drift kinds: once per value)
      expect({
        facet,
        ok:
          facet === 'label' || facet === 'drift'
            ? most <= owned.length
            : sum <= owned.length,
      }).toEqual({ facet, ok: true });
    }
    expect(list.body.facets.owner).toEqual([
      { value: TEAM, count: owned.length },
    ]);
    const summary = await get('/summary');
    expect(summary.body.totalCount).toBe(owned.length);
    expect(Object.values(summary.body.byOwner ?? { x: owned.length })).toEqual([
      owned.length,
    ]);
    const filtered = await get(
      `/clusters?owner=${encodeURIComponent('group:default/team-b')}`,
    );
    expect(filtered.body.totalCount).toBe(0);
    const q = await get(`/clusters?q=${encodeURIComponent(others[0].name)}`);
    expect(q.body.items.map(keyOf)).not.toContain(
      `${others[0].management}/${others[0].namespace}/${others[0].name}`,
    );
    const other = others[0];
    expect(
      (
        await get(
          `/clusters/${other.management}/${other.namespace}/${other.name}`,
        )
      ).status,
    ).toBe(404);
    expect(
      (
        await get(
          `/clusters/${other.management}/${other.namespace}/${other.name}/history`,
        )
      ).status,
    ).toBe(404);
    const mine = owned[0];
    expect(
      (await get(`/clusters/${mine.management}/${mine.namespace}/${mine.name}`))
        .status,
    ).toBe(200);

    // the event stream tells about its clusters only
    const stream = openEventStream(backend.server);
    try {
      await eventually(() => expect(stream.received).toContain('event: hello'));
      const touch = (c: typeof mine) => {
        const api = sim.management(c.management).api;
        const obj = JSON.parse(
          JSON.stringify(api.get(api.type(CLUSTERS), c.namespace, c.name)),
        );
        obj.metadata.labels = {
          ...obj.metadata.labels,
          touched: String(Date.now()),
        };
        api.store.put(CLUSTERS, `${c.namespace}/${c.name}`, obj);
      };
      touch(other);
      touch(mine);
      await eventually(() => expect(stream.received).toContain(mine.name));
      await new Promise(r => setTimeout(r, 300));
      expect(stream.received).not.toContain(`"${other.name}"`);
      expect(stream.received).not.toContain(`/${other.name}`);
      responses.push(stream.received);
    } finally {
      stream.close();
    }
  });

  it('receives no deletion of a cluster it cannot read, and the deletion of its own', async () => {
    const owned = sim.model.clusters.filter(
      c => c.labels['shipyard.io/owner'] === 'team-a',
    );
    const other = sim.model.clusters.find(
      c => c.labels['shipyard.io/owner'] !== 'team-a',
    )!;
    const mine = owned[owned.length - 1];
    const stream = openEventStream(backend.server);
    try {
      await eventually(() => expect(stream.received).toContain('event: hello'));
      // confirmed deletions, the foreign one first
      for (const c of [other, mine]) {
        sim
          .management(c.management)
          .api.store.remove(CLUSTERS, `${c.namespace}/${c.name}`);
      }
      await eventually(() =>
        expect(stream.received).toMatch(
          new RegExp(`"name":"${mine.name}","type":"deleted"`),
        ),
      );
      await new Promise(r => setTimeout(r, 300));
      responses.push(stream.received);
      expect(stream.received).not.toContain(`"${other.name}"`);
    } finally {
      stream.close();
    }
  });

  it('never puts a credential in an API response or a log line', async () => {
    await eventually(async () => {
      const res = await get('/clusters?limit=500');
      expect(res.body.items.every((i: any) => i.probe)).toBe(true);
    });
    await get('/management-clusters');
    await get('/summary');
    await get('/cluster-classes');
    for (const c of sim.model.clusters.slice(0, 6)) {
      await get(`/clusters/${c.management}/${c.namespace}/${c.name}`);
      await get(`/clusters/${c.management}/${c.namespace}/${c.name}/history`);
    }
    expect(responses.length).toBeGreaterThan(10);
    expect(logs.length).toBeGreaterThan(0);
    expectNoCredentials([...responses, ...logs], secretsOf(sim));
  });
});
