import { actionsRegistryServiceFactory } from '@backstage/backend-defaults/alpha';
import { mockCredentials } from '@backstage/backend-test-utils';
import type { FleetSim } from '@shipyard/fleet-sim';
import { eventuallyWithin, createTestDatabases } from '@shipyard/test-utils';
import { Knex } from 'knex';
import request from 'supertest';
import {
  PAT,
  PLATFORM,
  startRolloutsBackend,
} from '../__testUtils__/rolloutsSim';
import { simulatorForSuite } from '../__testUtils__/suiteSim';

/*
 * A service calling the rollout actions by itself (a service token, no user behind it): it may read the rollouts of
 * the clusters it may read, but starting, approving and operating a rollout is a user's decision; the refusal is a
 * 403 that says so, audited with the service as its actor, and nothing changes.
 */

jest.setTimeout(120_000);

const eventually = eventuallyWithin({ timeoutMs: 60_000, intervalMs: 200 });
const { databases } = createTestDatabases(['SQLITE_3']);

const SERVICE = 'external:fleet-agent';

describe('rollout actions of a service by itself', () => {
  let sim: FleetSim;
  let knex: Knex;

  simulatorForSuite(
    { managementClusters: 1, clusters: 12, seed: 'rollout-services' },
    s => {
      sim = s;
    },
  );
  beforeAll(async () => {
    knex = await databases.init('SQLITE_3');
  });

  it('reads rollouts, and is refused (403, audited) when it starts, approves or operates one', async () => {
    const backend = await startRolloutsBackend({
      sim,
      knex,
      features: [actionsRegistryServiceFactory],
    });
    const server = backend.server;
    try {
      const asPat = { Authorization: mockCredentials.user.header(PAT) };
      // a service's own token (no user on whose behalf it acts)
      const serviceHeader = mockCredentials.service.header({
        onBehalfOf: mockCredentials.service(SERVICE),
        targetPluginId: 'shipyard',
      });
      const invoke = (action: string, input: unknown) =>
        request(server)
          .post(
            `/api/shipyard/.backstage/actions/v1/actions/shipyard:${action}/invoke`,
          )
          .set({ Authorization: serviceHeader })
          .send(input as object);
      const spec = {
        name: 'to 1.36, approved first',
        target: { kubernetesVersion: 'v1.36.2' },
        selector: {},
        stages: [{ name: 'all', approval: { groups: [PLATFORM] } }],
      };
      // no deprecated API in use holds a cluster back; a rollout of a user, waiting for its approval
      for (const w of sim.workloadClusters()) {
        sim.faults.deprecatedApis(
          { management: w.management, namespace: w.namespace, name: w.name },
          [],
        );
      }
      const created = await eventually(async () => {
        const res = await request(server)
          .post('/api/shipyard/rollouts')
          .set(asPat)
          .send(spec);
        expect(res.status).toBe(201);
        return res.body;
      });
      const rolloutsBefore = await knex('shipyard_rollouts').count({ n: '*' });

      const read = await invoke('rollout-get', { id: created.id });
      expect(read.status).toBe(200);
      expect(read.body.output.rollout).toMatchObject({
        id: created.id,
        createdBy: PAT,
      });

      const refusal =
        /Rollouts must be started, approved and operated by a signed-in user/;
      const start = await invoke('rollout-create', spec);
      const approve = await invoke('rollout-approve', { id: created.id });
      const pause = await invoke('rollout-pause', { id: created.id });
      for (const res of [start, approve, pause]) {
        expect({ status: res.status, error: res.body.error }).toMatchObject({
          status: 403,
          error: {
            name: 'NotAllowedError',
            message: expect.stringMatching(refusal),
          },
        });
      }

      // nothing changed: no other rollout, the stage not approved, the rollout not paused
      expect(await knex('shipyard_rollouts').count({ n: '*' })).toEqual(
        rolloutsBefore,
      );
      const after = await request(server)
        .get(`/api/shipyard/rollouts/${created.id}`)
        .set(asPat);
      expect(after.body.state).toBe('running');
      expect(after.body.stages[0].approvedBy).toBeUndefined();

      // each refusal audited, with the service as its actor
      const audit = await knex('shipyard_audit')
        .where({ actor: SERVICE })
        .orderBy('id');
      expect(
        audit.map(a => ({ action: a.action, outcome: a.outcome })),
      ).toEqual([
        { action: 'rollout.create', outcome: 'refused' },
        { action: 'rollout.approve', outcome: 'refused' },
        { action: 'rollout.pause', outcome: 'refused' },
      ]);
      for (const a of audit) expect(a.message).toMatch(refusal);
    } finally {
      await backend.stop();
    }
  });
});
