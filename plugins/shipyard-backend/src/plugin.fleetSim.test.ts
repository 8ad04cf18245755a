import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  TestDatabaseId,
  TestDatabases,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  FleetSim,
  shipyardManagementClusters,
  startFleetSim,
} from '@shipyard/fleet-sim';
import type {
  ClusterSummary,
  ManagementClusterStatus,
} from '@shipyard/plugin-shipyard-common';
import { Knex } from 'knex';
import request from 'supertest';
import { shipyardPlugin } from './plugin';
import { CaptureLogger } from './testUtils/captureLogger';
import { GroundTruthCluster, SimKube, groundTruth } from './testUtils/simKube';
import { eventually } from '@shipyard/test-utils';

/*
 * The real backend (`startTestBackend`) against the fleet simulator: several management clusters speaking the
 * Kubernetes API over HTTPS, with simulated Cluster API controllers and injectable faults.
 */

jest.setTimeout(90_000);

const DEFAULT_OWNER = 'group:default/platform';

function backendConfig(sim: FleetSim) {
  return {
    shipyard: {
      platformTeam: DEFAULT_OWNER,
      managementClusters: shipyardManagementClusters(sim.managementClusters),
      sync: {
        persistIntervalMs: 50,
        staleAfterMs: 500,
        requestTimeoutMs: 3000,
        backoff: { initialDelayMs: 20, maxDelayMs: 200 },
      },
      // workload probes are covered by the health tests; here only Cluster API state matters
      health: { enabled: false },
    },
  };
}

type Server = Parameters<typeof request>[0];

/** Every cluster the API lists, following cursors. */
async function listAll(server: Server): Promise<ClusterSummary[]> {
  const items: ClusterSummary[] = [];
  let cursor: string | undefined;
  do {
    const res = await request(server)
      .get('/api/shipyard/clusters')
      .query({ limit: 500, facets: 'false', ...(cursor ? { cursor } : {}) });
    expect(res.status).toBe(200);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
}

function keyOf(c: {
  managementCluster: string;
  namespace: string;
  name: string;
}) {
  return `${c.managementCluster}/${c.namespace}/${c.name}`;
}

/** Asserts that the API lists exactly the simulator's clusters, each once, with the facts that matter. */
async function expectApiMatchesGroundTruth(
  server: Server,
  sim: FleetSim,
): Promise<Map<string, GroundTruthCluster>> {
  const truth = await groundTruth(sim, DEFAULT_OWNER);
  const items = await listAll(server);
  const keys = items.map(keyOf);
  expect(new Set(keys).size).toBe(keys.length);
  expect([...keys].sort()).toEqual([...truth.keys()].sort());
  const actual = items.map(i => ({
    key: keyOf(i),
    owner: i.owner,
    provider: i.provider,
    distribution: i.distribution,
    profile: i.profile,
    system: i.system,
    phase: i.phase,
    machineCount: i.machineCount,
    deleting: Boolean(i.deletingSince),
    kubernetesMinor: i.kubernetesMinor,
  }));
  const expected = items.map(i => truth.get(keyOf(i)));
  expect(actual).toEqual(expected);
  return truth;
}

async function managementCluster(
  server: Server,
  name: string,
): Promise<ManagementClusterStatus> {
  const res = await request(server).get('/api/shipyard/management-clusters');
  expect(res.status).toBe(200);
  const found = res.body.items.find(
    (m: ManagementClusterStatus) => m.name === name,
  );
  expect(found).toBeDefined();
  return found;
}

/** Waits until every management cluster is listed and watched. */
async function waitUntilConnected(server: Server, sim: FleetSim) {
  await eventually(async () => {
    const res = await request(server).get('/api/shipyard/management-clusters');
    const states = res.body.items?.map((m: ManagementClusterStatus) => m.state);
    if (
      states?.length !== sim.managementClusters.length ||
      states.some((s: string) => s !== 'connected')
    ) {
      throw new Error(`not connected yet: ${JSON.stringify(states)}`);
    }
  });
}

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'shipyard backend against the fleet simulator (%p)',
  (databaseId: TestDatabaseId) => {
    let sim: FleetSim;
    let knex: Knex;

    beforeAll(async () => {
      sim = await startFleetSim({
        managementClusters: 3,
        clusters: 36,
        seed: 'shipyard-backend-it',
        timing: { stepMs: 20, bookmarkMs: 1000 },
      });
      knex = await databases.init(databaseId);
    });

    afterAll(async () => {
      await sim?.stop();
    });

    let logs: string[] = [];

    async function startBackend() {
      logs = [];
      const logger = new CaptureLogger(logs);
      return startTestBackend({
        features: [
          shipyardPlugin,
          createServiceFactory({
            service: coreServices.logger,
            deps: {},
            factory: () => logger,
          }),
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({ data: backendConfig(sim) }),
        ],
      });
    }

    describe('with a running backend', () => {
      let backend: Awaited<ReturnType<typeof startTestBackend>>;
      let server: Server;

      beforeAll(async () => {
        backend = await startBackend();
        server = backend.server;
        await waitUntilConnected(server, sim);
      });

      afterAll(async () => {
        await backend?.stop();
      });

      it('serves exactly the simulator’s seeded fleet of several management clusters', async () => {
        await sim.controller.whenIdle();
        sim.controller.pause();
        try {
          const truth = await eventually(() =>
            expectApiMatchesGroundTruth(server, sim),
          );
          expect(truth.size).toBe(36);
          const summary = await request(server).get('/api/shipyard/summary');
          expect(summary.body.totalCount).toBe(truth.size);
          for (const mc of sim.managementClusters) {
            const status = await managementCluster(server, mc.name);
            const count = [...truth.keys()].filter(k =>
              k.startsWith(`${mc.name}/`),
            ).length;
            expect(status.objectCounts.clusters).toBe(count);
            expect(summary.body.byManagementCluster[mc.name]).toBe(count);
          }
          // facet counts agree with filtering
          const page = await request(server).get(
            '/api/shipyard/clusters?limit=5',
          );
          // every cluster has one Kubernetes minor, so the version facet accounts for the whole fleet
          const minors = page.body.facets.kubernetesMinor as Array<{
            count: number;
          }>;
          expect(minors.reduce((n, f) => n + f.count, 0)).toBe(truth.size);
          for (const { value, count } of page.body.facets.distribution) {
            const filtered = await request(server)
              .get('/api/shipyard/clusters')
              .query({ distribution: value, limit: 1 });
            expect(filtered.body.totalCount).toBe(count);
          }
        } finally {
          sim.controller.resume();
        }
      });

      it('shows a cluster created, scaled and deleted in the simulator', async () => {
        const mc = sim.managementClusters[0];
        const kube = new SimKube(mc);
        const template = (await kube.list('clusters')).find(
          c =>
            c.spec?.topology?.classRef?.name &&
            c.spec.topology.workers?.machineDeployments?.length,
        );
        expect(template).toBeDefined();
        const namespace = template.metadata.namespace;
        const name = 'it-created-1';
        const created = await kube.request(
          'POST',
          SimKube.clusterPath(namespace),
          {
            apiVersion: 'cluster.x-k8s.io/v1beta2',
            kind: 'Cluster',
            metadata: {
              name,
              namespace,
              labels: { 'shipyard.io/owner': 'team-it' },
            },
            spec: {
              clusterNetwork: template.spec.clusterNetwork,
              topology: template.spec.topology,
            },
          },
        );
        expect(created.status).toBe(201);
        const path = `/api/shipyard/clusters/${mc.name}/${namespace}/${name}`;
        // every health the cluster shows while it comes up and scales: a fresh control plane and a scale-up are
        // progress, never degraded
        const seen = new Set<string>();
        let watching = true;
        const watch = (async () => {
          while (watching) {
            const res = await request(server).get(path);
            if (res.status === 200) seen.add(res.body.summary.health);
            await new Promise(r => setTimeout(r, 25));
          }
        })();
        const machinesInSim = async () =>
          (await kube.list('machines')).filter(
            m =>
              m.metadata.namespace === namespace &&
              m.metadata.labels?.['cluster.x-k8s.io/cluster-name'] === name,
          ).length;
        /** The cluster once it settled: every worker available and every Machine of the simulator counted. */
        const settled = () =>
          eventually(async () => {
            const res = await request(server).get(path);
            expect(res.status).toBe(200);
            const summary = res.body.summary as ClusterSummary;
            expect(summary.phase).toBe('Provisioned');
            expect(summary.workers.desired).toBeGreaterThan(0);
            expect(summary.workers.available).toBe(summary.workers.desired);
            expect(summary.machineCount).toBe(await machinesInSim());
            return summary;
          });
        const first = await settled();
        expect(first.owner).toBe('group:default/team-it');
        const listed = await request(server)
          .get('/api/shipyard/clusters')
          .query({ owner: 'group:default/team-it' });
        expect(listed.body.items.map(keyOf)).toEqual([
          `${mc.name}/${namespace}/${name}`,
        ]);

        // scale the first MachineDeployment up by one
        expect(first.machineDeployments.length).toBeGreaterThan(0);
        const topology = JSON.parse(JSON.stringify(template.spec.topology));
        topology.workers.machineDeployments[0].replicas =
          (topology.workers.machineDeployments[0].replicas ?? 1) + 1;
        const scaled = await kube.request(
          'PATCH',
          SimKube.clusterPath(namespace, name),
          { spec: { topology: { workers: topology.workers } } },
          'application/merge-patch+json',
        );
        expect(scaled.status).toBe(200);
        await eventually(async () => {
          const summary = await settled();
          expect(summary.workers.desired).toBe(
            (first.workers.desired ?? 0) + 1,
          );
          expect(summary.machineCount).toBe(first.machineCount + 1);
        });
        watching = false;
        await watch;
        expect(seen).toContain('progressing');
        expect(seen).not.toContain('degraded');
        expect(seen).not.toContain('unhealthy');

        // delete it: deleting first, then gone
        const deleted = await kube.request(
          'DELETE',
          SimKube.clusterPath(namespace, name),
        );
        expect([200, 202]).toContain(deleted.status);
        await eventually(async () => {
          const res = await request(server).get(path);
          expect(res.status).toBe(404);
        });
        await eventually(() => expectApiMatchesGroundTruth(server, sim));
      });

      it('keeps the clusters of an unreachable management cluster (stale, last seen) and recovers', async () => {
        const mc = sim.managementClusters[1];
        const before = (await listAll(server)).filter(
          i => i.managementCluster === mc.name,
        );
        expect(before.length).toBeGreaterThan(0);
        sim.faults.unreachable(mc.name, 'refuse');
        try {
          const stale = await eventually(async () => {
            const status = await managementCluster(server, mc.name);
            expect(status.state).toBe('stale');
            expect(status.staleSince).toBeDefined();
            return status;
          });
          const during = await request(server)
            .get('/api/shipyard/clusters')
            .query({ managementCluster: mc.name, limit: 500 });
          expect(during.body.totalCount).toBe(before.length);
          for (const item of during.body.items as ClusterSummary[]) {
            expect(item.source).toMatchObject({
              state: 'stale',
              staleSince: stale.staleSince,
              resynced: true,
            });
            expect(item.source.lastSeenAt).toBeDefined();
            expect(Date.parse(item.source.lastSeenAt!)).toBeLessThanOrEqual(
              Date.parse(stale.staleSince!) + 1000,
            );
          }
          const summary = await request(server).get('/api/shipyard/summary');
          expect(summary.body.staleCount).toBe(before.length);
          // the other management clusters are untouched
          const other = await managementCluster(
            server,
            sim.managementClusters[0].name,
          );
          expect(other.state).toBe('connected');
        } finally {
          sim.faults.reachable(mc.name);
        }
        await eventually(async () => {
          expect((await managementCluster(server, mc.name)).state).toBe(
            'connected',
          );
          const after = await request(server)
            .get('/api/shipyard/clusters')
            .query({ managementCluster: mc.name, limit: 500 });
          expect(after.body.totalCount).toBe(before.length);
          for (const item of after.body.items as ClusterSummary[]) {
            expect(item.source.state).toBe('connected');
            expect(item.source.staleSince).toBeUndefined();
          }
        });
        await eventually(() => expectApiMatchesGroundTruth(server, sim));
      });

      it('relists after a forced 410 without duplicates or losses', async () => {
        const mc = sim.managementClusters[2];
        const internal = sim.management(mc.name).api;
        const kube = new SimKube(mc);
        const clusters = await kube.list('clusters');
        const victim = clusters[0];
        const template = clusters.find(
          c => c.spec?.topology?.classRef?.name && c !== victim,
        );
        const syncedBefore = (
          await managementCluster(server, mc.name)
        ).kinds.find(k => k.kind === 'Cluster')?.lastSyncAt;

        // while the backend cannot watch, a cluster goes away and another appears; then the API server
        // restarts and compacts its history, so resuming watches get 410 Expired and must relist
        sim.faults.unreachable(mc.name, 'refuse');
        const clusterType = internal.type('cluster.x-k8s.io/clusters');
        internal.delete(
          clusterType,
          victim.metadata.namespace,
          victim.metadata.name,
          { internal: true },
        );
        internal.create(
          clusterType,
          template.metadata.namespace,
          {
            apiVersion: 'cluster.x-k8s.io/v1beta2',
            kind: 'Cluster',
            metadata: {
              name: 'it-during-gap',
              namespace: template.metadata.namespace,
            },
            spec: {
              clusterNetwork: template.spec.clusterNetwork,
              topology: template.spec.topology,
            },
          },
          { internal: true },
        );
        await sim.controller.whenIdle();
        sim.faults.restartManagementApi(mc.name);
        sim.faults.reachable(mc.name);

        await eventually(async () => {
          const status = await managementCluster(server, mc.name);
          expect(status.state).toBe('connected');
          const synced = status.kinds.find(
            k => k.kind === 'Cluster',
          )?.lastSyncAt;
          expect(synced && syncedBefore && synced > syncedBefore).toBe(true);
          const missing = await request(server).get(
            `/api/shipyard/clusters/${mc.name}/${victim.metadata.namespace}/${victim.metadata.name}`,
          );
          expect(missing.status).toBe(404);
          const added = await request(server).get(
            `/api/shipyard/clusters/${mc.name}/${template.metadata.namespace}/it-during-gap`,
          );
          expect(added.status).toBe(200);
        });
        expect(
          logs.some(l =>
            l.includes(`${mc.name} Cluster watch expired, relisting`),
          ),
        ).toBe(true);
        await sim.controller.whenIdle();
        await eventually(() => expectApiMatchesGroundTruth(server, sim));
      });
    });

    it('serves the persisted fleet after a restart before the first sync completes, then re-syncs', async () => {
      const first = await startBackend();
      let truth: Map<string, GroundTruthCluster>;
      try {
        await sim.controller.whenIdle();
        truth = await eventually(() =>
          expectApiMatchesGroundTruth(first.server, sim),
        );
        await eventually(async () => {
          const rows = await knex('shipyard_clusters').count({ n: '*' });
          expect(Number(rows[0].n)).toBe(truth.size);
        });
      } finally {
        await first.stop();
      }

      sim.controller.pause();
      for (const mc of sim.managementClusters) {
        sim.faults.unreachable(mc.name, 'blackhole');
      }
      const second = await startBackend();
      try {
        const restored = await listAll(second.server);
        expect(restored.map(keyOf).sort()).toEqual([...truth.keys()].sort());
        for (const item of restored) {
          expect(item.source).toMatchObject({
            state: 'restored',
            resynced: false,
          });
          expect(item.owner).toBe(truth.get(keyOf(item))!.owner);
        }
        const mcs = await request(second.server).get(
          '/api/shipyard/management-clusters',
        );
        expect(
          mcs.body.items.every(
            (m: ManagementClusterStatus) =>
              m.state !== 'connected' && !m.resynced,
          ),
        ).toBe(true);

        for (const mc of sim.managementClusters) sim.faults.reachable(mc.name);
        await eventually(async () => {
          const items = await listAll(second.server);
          expect(items.every(i => i.source.state === 'connected')).toBe(true);
          expect(items.every(i => i.source.resynced)).toBe(true);
          const res = await request(second.server).get(
            '/api/shipyard/management-clusters',
          );
          expect(
            res.body.items.map((m: ManagementClusterStatus) => m.resynced),
          ).toEqual(sim.managementClusters.map(() => true));
        });
        await eventually(() => expectApiMatchesGroundTruth(second.server, sim));
      } finally {
        sim.faults.clear();
        sim.controller.resume();
        await second.stop();
      }
    });
  },
);
