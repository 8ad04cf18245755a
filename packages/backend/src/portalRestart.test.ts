/*
 * `make start` keeps its state: scripts/portal.js points the portal's databases at files under the state folder
 * (.shipyard/portal-<port>/database), so a restart of the backend serves the audit trail, the health history and
 * the persisted fleet it had, even while no management cluster answers yet.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { ConfigSources } from '@backstage/config-loader';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { databaseServiceFactory } from '@backstage/backend-defaults/database';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  FleetSim,
  shipyardManagementClusters,
  startFleetSim,
} from '@shipyard/fleet-sim';
import { eventuallyWithin } from '@shipyard/test-utils';

// the portal's own start script decides where its state lives
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
const { writeStateConfig } = require('../../../scripts/portalState');

jest.setTimeout(90_000);

const root = path.resolve(__dirname, '../../..');

/** The configuration make start loads: its files and the generated state overlay, merged as Backstage merges them. */
async function makeStartConfig(stateDir: string) {
  const files = [
    path.join(root, 'app-config.yaml'),
    path.join(root, 'app-config.demo.yaml'),
    path.join(root, 'app-config.portal.yaml'),
    writeStateConfig(stateDir),
  ];
  const source = ConfigSources.default({
    argv: files.flatMap(f => ['--config', f]),
    substitutionFunc: async name => `placeholder-${name}`,
  });
  const config = await ConfigSources.toConfig(source);
  const data = config.get() as Record<string, any>;
  config.close();
  return data;
}

const eventually = eventuallyWithin({ timeoutMs: 30_000, intervalMs: 100 });

/** GET a JSON document as the portal's guest; throws with the answer when it is not 200. */
async function getJson(server: any, url: string): Promise<any> {
  const res = await request(server)
    .get(url)
    .set('authorization', mockCredentials.user.header('user:default/guest'));
  if (res.status !== 200)
    throw new Error(`GET ${url}: ${res.status} ${res.text}`);
  return res.body;
}

describe('a make-start portal restart', () => {
  let sim: FleetSim;
  let stateDir: string;

  beforeAll(async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-state-'));
    sim = await startFleetSim({
      managementClusters: 1,
      clusters: 6,
      seed: 'portal-restart',
      anomalies: false,
      timing: { stepMs: 20 },
    });
    await sim.controller.whenIdle();
  });

  afterAll(async () => {
    await sim?.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  async function startPortalBackend() {
    const data = await makeStartConfig(stateDir);
    // the listener comes from the test backend; the fleet from the simulator, with quick timings
    delete data.backend.listen;
    data.shipyard = {
      ...data.shipyard,
      managementClusters: shipyardManagementClusters(sim.managementClusters),
      sync: {
        persistIntervalMs: 50,
        staleAfterMs: 400,
        requestTimeoutMs: 3000,
        backoff: { initialDelayMs: 20, maxDelayMs: 200 },
      },
      // the simulated fleet's clusters were created months ago: a history kept 30 days would lose their creation
      // to the retention cleanup, whenever it happens to run, and the comparison would say nothing about restarts
      health: {
        enabled: true,
        intervalMs: 300,
        initialDelayMs: 0,
        history: { retentionDays: 3650 },
      },
    };
    return startTestBackend({
      features: [
        require('@shipyard/plugin-shipyard-backend').default,
        databaseServiceFactory,
        schedulerServiceFactory,
        mockServices.rootConfig.factory({ data }),
        // the portal's permission policy is not what this test is about
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
        // the guest of the demo organisation is a platform-team member, who may read the audit trail
        mockServices.userInfo.mock({
          getUserInfo: async () => ({
            userEntityRef: 'user:default/guest',
            ownershipEntityRefs: [
              'user:default/guest',
              data.shipyard.platformTeam,
            ],
          }),
        }).factory,
      ],
    });
  }

  const keys = (items: any[]) =>
    items.map(c => `${c.managementCluster}/${c.namespace}/${c.name}`).sort();

  it('uses a file-backed SQLite database under the state folder', async () => {
    const data = await makeStartConfig(stateDir);
    expect(data.backend.database.client).toBe('better-sqlite3');
    expect(data.backend.database.connection).toEqual({
      directory: path.join(stateDir, 'database'),
    });
  });

  it('keeps the audit trail, the health history and the fleet', async () => {
    const first = await startPortalBackend();
    let fleet: string[];
    let cluster: any;
    let history: any[];
    try {
      fleet = await eventually(async () => {
        const body = await getJson(
          first.server,
          '/api/shipyard/clusters?limit=500',
        );
        expect(body.items).toHaveLength(sim.model.clusters.length);
        return keys(body.items);
      });
      cluster = sim.model.clusters[0];
      const historyPath = `/api/shipyard/clusters/${cluster.management}/${cluster.namespace}/${cluster.name}/history`;
      history = await eventually(async () => {
        const body = await getJson(first.server, historyPath);
        expect(body.items.length).toBeGreaterThan(0);
        return body.items;
      });
      const audit = await request(first.server)
        .post('/api/shipyard/audit')
        .set('authorization', mockCredentials.service.header())
        .send({
          actor: 'user:default/guest',
          action: 'cluster.create',
          outcome: 'refused',
          cluster: 'before-restart',
          taskId: 'restart-1',
        });
      expect(audit.status).toBe(201);
    } finally {
      await first.stop();
    }
    expect(
      fs.existsSync(path.join(stateDir, 'database', 'shipyard.sqlite')),
    ).toBe(true);

    // the management cluster does not answer the restarted portal: what it serves comes from the files
    for (const m of sim.managementClusters) {
      sim.faults.unreachable(m.name, 'blackhole');
    }
    const second = await startPortalBackend();
    try {
      const listed = await getJson(
        second.server,
        '/api/shipyard/clusters?limit=500',
      );
      expect(keys(listed.items)).toEqual(fleet);
      expect(
        listed.items.every((c: any) => c.source.state === 'restored'),
      ).toBe(true);
      const again = await getJson(
        second.server,
        `/api/shipyard/clusters/${cluster.management}/${cluster.namespace}/${cluster.name}/history`,
      );
      expect(again.items.slice(-history.length)).toEqual(history);
      const trail = await getJson(
        second.server,
        '/api/shipyard/audit?limit=500',
      );
      expect(trail.items).toEqual([
        expect.objectContaining({
          taskId: 'restart-1',
          cluster: 'before-restart',
          outcome: 'refused',
        }),
      ]);
    } finally {
      await second.stop();
      sim.faults.clear();
    }
  });
});
