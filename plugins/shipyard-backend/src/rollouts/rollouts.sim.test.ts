import { mockCredentials } from '@backstage/backend-test-utils';
import type { FleetSim } from '@shipyard/fleet-sim';
import { eventuallyWithin, createTestDatabases } from '@shipyard/test-utils';
import { Knex } from 'knex';
import request from 'supertest';
import {
  BOB,
  PAT,
  PLATFORM,
  recordVersionChanges,
  startRolloutsBackend,
} from '../__testUtils__/rolloutsSim';
import { simulatorForSuite } from '../__testUtils__/suiteSim';

import type { Rollout } from './model';

const eventually = eventuallyWithin({ timeoutMs: 60_000, intervalMs: 200 });

/*
 * Rollouts on the simulator through the real backend: a three-stage rollout (canaries, the non-production
 * clusters, production behind an approval gate) over the clusters on Kubernetes 1.34 and 1.35, with a restart of the
 * backend mid-stage, a refused approval, and an injected failure that halts a stage within its budget.
 */

jest.setTimeout(180_000);

const { databases } = createTestDatabases(['SQLITE_3']);

describe('fleet rollouts on the simulator', () => {
  let sim: FleetSim;
  let knex: Knex;
  /** Topology version changes per cluster, as the management clusters stored them. */
  let versionChanges: Map<string, string[]>;

  simulatorForSuite(
    { managementClusters: 2, clusters: 100, seed: 'rollouts' },
    s => {
      sim = s;
      versionChanges = recordVersionChanges(s);
    },
  );
  beforeAll(async () => {
    knex = await databases.init('SQLITE_3');
  });

  const startBackend = () => startRolloutsBackend({ sim, knex });

  const as = (user: string) => ({
    Authorization: mockCredentials.user.header(user),
  });

  it('runs three stages, survives a restart, refuses an approval without permission, and halts on a failure', async () => {
    let backend = await startBackend();
    let server = backend.server;
    const spec = {
      name: 'to 1.36',
      target: { kubernetesVersion: 'v1.36.2' },
      selector: { kubernetesMinor: ['1.34', '1.35'] },
      stages: [
        { name: 'canary', maxClusters: 2, concurrency: 2 },
        {
          name: 'non-production',
          selector: { lifecycle: ['development', 'staging', 'experimental'] },
          concurrency: '50%',
          failureBudget: 0,
        },
        {
          name: 'production',
          approval: { groups: [PLATFORM] },
          concurrency: 3,
        },
      ],
    };
    // the fleet is listed, and no seeded deprecated API blocks the selected clusters
    const planned = await eventually(async () => {
      const res = await request(server)
        .post('/api/shipyard/rollouts/plan')
        .set(as(PAT))
        .send(spec);
      expect(res.status).toBe(200);
      const count = res.body.stages.flatMap((s: any) => s.clusters).length;
      expect(count).toBeGreaterThanOrEqual(10);
      return res.body;
    });
    for (const c of planned.stages.flatMap((s: any) => s.clusters)) {
      const [management, namespace, name] = c.key.split('/');
      sim.faults.deprecatedApis({ management, namespace, name }, []);
    }
    const keys = (stage: any) => stage.clusters.map((c: any) => c.key);
    expect(planned.stages.map((s: any) => s.clusters.length)).toEqual([
      2,
      expect.any(Number),
      expect.any(Number),
    ]);

    const created = await request(server)
      .post('/api/shipyard/rollouts')
      .set(as(PAT))
      .send(spec);
    expect(created.status).toBe(201);
    const id = created.body.id;
    const get = async (): Promise<Rollout> => {
      const res = await request(server)
        .get(`/api/shipyard/rollouts/${id}`)
        .set(as(PAT));
      expect(res.status).toBe(200);
      return res.body;
    };

    // restart while the canaries upgrade
    await eventually(async () => {
      const r = await get();
      expect(r.stages[0].clusters.some(c => c.state === 'upgrading')).toBe(
        true,
      );
    });
    await backend.stop();
    backend = await startBackend();
    server = backend.server;

    // the canaries finish; the second stage runs; fail one of its clusters once it upgrades
    const second = await eventually(async () => {
      const r = await get();
      expect(r.stages[0].state).toBe('completed');
      const upgrading = r.stages[1].clusters.find(c => c.state === 'upgrading');
      expect(upgrading).toBeDefined();
      return { r, victim: upgrading!.key };
    }, 90_000);
    const [management, namespace, name] = second.victim.split('/');
    sim.faults.controlPlaneDown({ management, namespace, name });

    const halted = await eventually(async () => {
      const r = await get();
      expect(r.state).toBe('halted');
      return r;
    }, 90_000);
    expect(halted.stages[1].state).toBe('halted');
    expect(
      halted.stages[1].clusters.find(c => c.key === second.victim),
    ).toMatchObject({ state: 'failed' });
    expect(halted.message).toMatch(/more than the failure budget of 0/);
    // the production stage never started, and none of its clusters was touched
    expect(halted.stages[2].state).toBe('pending');
    for (const key of keys(halted.stages[2])) {
      expect(versionChanges.get(key)).toBeUndefined();
    }
    // no cluster was bumped twice to the same version, across the restart
    for (const [, versions] of versionChanges) {
      expect(new Set(versions).size).toBe(versions.length);
    }
    for (const key of keys(halted.stages[0])) {
      expect(versionChanges.get(key)?.at(-1)).toBe('v1.36.2');
    }

    // bob may not approve: 403 and an audit record
    const refused = await request(server)
      .post(`/api/shipyard/rollouts/${id}/approve`)
      .set(as(BOB))
      .send({ stage: 'production' });
    expect(refused.status).toBe(403);
    const audit = await knex('shipyard_audit')
      .where({ action: 'rollout.approve', outcome: 'refused', actor: BOB })
      .select();
    expect(audit).toHaveLength(1);

    // the operator accepts the failure and resumes; the production gate holds until pat approves
    sim.faults.controlPlaneDown({ management, namespace, name }, false);
    const resumed = await request(server)
      .post(`/api/shipyard/rollouts/${id}/resume`)
      .set(as(PAT))
      .send({ reason: 'the failed cluster is being looked at' });
    expect(resumed.status).toBe(200);
    await eventually(async () => {
      const r = await get();
      expect(r.stages[1].state).toBe('completed');
      expect(r.stages[2]).toMatchObject({
        state: 'waiting-approval',
        waitingOn: { gate: 'approval' },
      });
    }, 90_000);
    for (const key of keys(halted.stages[2])) {
      expect(versionChanges.get(key)).toBeUndefined();
    }
    const approved = await request(server)
      .post(`/api/shipyard/rollouts/${id}/approve`)
      .set(as(PAT))
      .send({ comment: 'change 4711' });
    expect(approved.status).toBe(200);
    const done = await eventually(async () => {
      const r = await get();
      expect(r.state).toBe('completed');
      return r;
    }, 120_000);
    expect(
      done.stages[2].clusters.filter(c => c.state === 'succeeded').length,
    ).toBeGreaterThan(0);
    for (const [, versions] of versionChanges) {
      expect(new Set(versions).size).toBe(versions.length);
    }
    const actions = (
      await knex('shipyard_audit').where('action', 'like', 'rollout.%')
    ).map(r => r.action);
    expect(new Set(actions)).toEqual(
      new Set([
        'rollout.create',
        'rollout.stage',
        'rollout.step',
        'rollout.halt',
        'rollout.approve',
        'rollout.resume',
        'rollout.gate',
        'rollout.complete',
      ]),
    );
    await backend.stop();
  });
});
