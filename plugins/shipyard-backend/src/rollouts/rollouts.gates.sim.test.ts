import { mockCredentials } from '@backstage/backend-test-utils';
import type { FleetSim } from '@shipyard/fleet-sim';
import { eventuallyWithin, createTestDatabases } from '@shipyard/test-utils';
import { Knex } from 'knex';
import request from 'supertest';
import {
  PAT,
  recordVersionChanges,
  startRolloutsBackend,
} from '../__testUtils__/rolloutsSim';
import type { Rollout } from './model';
import { simulatorForSuite } from '../__testUtils__/suiteSim';

/*
 * Gates on the simulator through the real backend, with the rollouts' clock injected: about 20 clusters (the topology
 * clusters on Kubernetes 1.33 to 1.35 of a 150-cluster fleet) in three stages. The first stage waits for its maintenance window
 * and starts no cluster before it opens; in the second, a cluster whose new machines never finish provisioning (a
 * simulator fault) stalls, fails when its step times out, halts the stage and is reported; the third stays untouched.
 */

jest.setTimeout(180_000);

const eventually = eventuallyWithin({ timeoutMs: 60_000, intervalMs: 200 });
const { databases } = createTestDatabases(['SQLITE_3']);

// Monday 2026-12-07 09:00 UTC; the window opens Mondays at 22:00 in Berlin (21:00 UTC)
const MONDAY_MORNING = Date.parse('2026-12-07T09:00:00Z');
const WINDOW_OPENS = Date.parse('2026-12-07T21:00:00Z');

describe('rollout gates on the simulator', () => {
  let sim: FleetSim;
  let knex: Knex;
  let versionChanges: Map<string, string[]>;
  /** The rollouts' clock: real time moved by `skew`. */
  let skew = 0;
  const clock = { now: () => Date.now() + skew };

  simulatorForSuite(
    { managementClusters: 2, clusters: 150, seed: 'rollout-gates' },
    s => {
      sim = s;
      versionChanges = recordVersionChanges(s);
    },
  );
  beforeAll(async () => {
    knex = await databases.init('SQLITE_3');
    skew = MONDAY_MORNING - Date.now();
  });

  const as = { Authorization: mockCredentials.user.header(PAT) };
  const ref = (key: string) => {
    const [management, namespace, name] = key.split('/');
    return { management, namespace, name };
  };

  it('waits for the maintenance window, and halts the stage of a stalled cluster with the reason', async () => {
    const backend = await startRolloutsBackend({
      sim,
      knex,
      clock,
      unhealthyGraceSeconds: 3600,
    });
    const server = backend.server;
    const windowed = {
      name: 'windowed',
      maxClusters: 4,
      concurrency: 4,
      maintenanceWindows: [
        {
          days: ['mon'],
          start: '22:00',
          durationMinutes: 120,
          timeZone: 'Europe/Berlin',
        },
      ],
    };
    const base = {
      name: 'to 1.36 in the window',
      target: { kubernetesVersion: 'v1.36.2' },
      selector: { kubernetesMinor: ['1.33', '1.34', '1.35'] },
    };

    // the fleet is listed; pick two clusters of one step for the second stage
    const draft = await eventually(async () => {
      const res = await request(server)
        .post('/api/shipyard/rollouts/plan')
        .set(as)
        .send({ ...base, stages: [windowed, { name: 'rest' }] });
      expect(res.status).toBe(200);
      expect(
        res.body.stages.flatMap((s: any) => s.clusters).length,
      ).toBeGreaterThanOrEqual(12);
      return res.body;
    });
    for (const c of draft.stages.flatMap((s: any) => s.clusters)) {
      sim.faults.deprecatedApis(ref(c.key), []);
    }
    const oneStep = draft.stages[1].clusters
      .filter((c: any) => c.steps.length === 1)
      .map((c: any) => c.key);
    expect(oneStep.length).toBeGreaterThanOrEqual(2);
    const [victim, other] = oneStep;
    sim.faults.stallProvisioning(ref(victim));

    const created = await request(server)
      .post('/api/shipyard/rollouts')
      .set(as)
      .send({
        ...base,
        stages: [
          windowed,
          {
            name: 'stalls',
            selector: { cluster: [victim, other] },
            concurrency: 2,
            failureBudget: 0,
            stepTimeoutSeconds: 120,
          },
          { name: 'rest', concurrency: 5 },
        ],
      });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const get = async (): Promise<Rollout> => {
      const res = await request(server)
        .get(`/api/shipyard/rollouts/${id}`)
        .set(as);
      expect(res.status).toBe(200);
      return res.body;
    };
    expect(created.body.stages.map((s: any) => s.clusters.length)).toEqual([
      4,
      2,
      expect.any(Number),
    ]);
    const total = created.body.stages.flatMap((s: any) => s.clusters).length;
    expect(total).toBeGreaterThanOrEqual(12);
    expect(total).toBeLessThanOrEqual(35);

    // outside the window: the stage says what it waits for and until when, and no cluster is bumped
    const waiting = await eventually(async () => {
      const r = await get();
      expect(r.stages[0]).toMatchObject({
        state: 'running',
        waitingOn: {
          gate: 'maintenance-window',
          until: new Date(WINDOW_OPENS).toISOString(),
        },
      });
      return r;
    });
    expect(waiting.stages[0].clusters.every(c => c.state === 'pending')).toBe(
      true,
    );
    // several rounds later still nothing has moved
    await new Promise(resolve => setTimeout(resolve, 3000));
    expect((await get()).stages[0].clusters.map(c => c.state)).toEqual([
      'pending',
      'pending',
      'pending',
      'pending',
    ]);
    expect(versionChanges.size).toBe(0);

    // the window opens: the stage runs and completes; the second stage starts its two clusters
    skew = WINDOW_OPENS + 5 * 60_000 - Date.now();
    const stalling = await eventually(async () => {
      const r = await get();
      expect(r.stages[0].state).toBe('completed');
      expect(r.stages[1].clusters.find(c => c.key === other)?.state).toBe(
        'succeeded',
      );
      expect(r.stages[1].clusters.find(c => c.key === victim)?.state).toBe(
        'upgrading',
      );
      return r;
    }, 90_000);
    for (const c of stalling.stages[0].clusters) {
      expect(versionChanges.get(c.key)?.at(-1)).toBe('v1.36.2');
    }
    // the stalled cluster is bumped and rolling out, its new machines never ready
    expect(versionChanges.get(victim)).toEqual(['v1.36.2']);

    // its step times out: it fails with the reason, the stage halts within its budget of 0, the rollout reports it
    skew += 130_000;
    const halted = await eventually(async () => {
      const r = await get();
      expect(r.state).toBe('halted');
      return r;
    });
    expect(halted.stages[1].state).toBe('halted');
    const failed = halted.stages[1].clusters.find(c => c.key === victim)!;
    expect(failed.state).toBe('failed');
    expect(failed.message).toMatch(/not rolled out to v1\.36\.2 after 120 s/);
    expect(halted.stages[1].message).toContain(victim);
    expect(halted.message).toMatch(/more than the failure budget of 0/);
    // the last stage never started and none of its clusters was touched
    expect(halted.stages[2].state).toBe('pending');
    for (const c of halted.stages[2].clusters) {
      expect(versionChanges.get(c.key)).toBeUndefined();
    }
    const halts = await knex('shipyard_audit')
      .where({ action: 'rollout.halt' })
      .select();
    expect(halts).toHaveLength(1);
    expect(halts[0].message ?? JSON.stringify(halts[0])).toContain(victim);
    sim.faults.stallProvisioning(ref(victim), false);
    await backend.stop();
  });
});
