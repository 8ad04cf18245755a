import { TestDatabaseId, mockServices } from '@backstage/backend-test-utils';
import { FleetSim, startFleetSim } from '@shipyard/fleet-sim';
import {
  holdClusterAt,
  scalingUpWithWorkerMissing,
} from './__testUtils__/suiteSim';
import {
  ClusterSummary,
  ManagementClusterStatus,
  responseBody,
} from '@shipyard/plugin-shipyard-common';
import {
  ShipyardBackend,
  ShipyardTestClient,
  eventually,
  listAllClusters,
  managementClusterStates,
  startSimulatedFleet,
  waitConnected,
  createTestDatabases,
} from '@shipyard/test-utils';
import { Knex } from 'knex';
import { shipyardPlugin } from './plugin';
import {
  GroundTruthCluster,
  SimKube,
  groundTruth,
} from './__testUtils__/simKube';

/*
 * The real backend (`startTestBackend`) against the fleet simulator: several management clusters speaking the
 * Kubernetes API over HTTPS, with simulated Cluster API controllers and injectable faults.
 */

jest.setTimeout(90_000);

const DEFAULT_OWNER = 'group:default/platform';

function keyOf(c: {
  managementCluster: string;
  namespace: string;
  name: string;
}) {
  return `${c.managementCluster}/${c.namespace}/${c.name}`;
}

/** Asserts that the API lists exactly the simulator's clusters, each once, with the facts that matter. */
async function expectApiMatchesGroundTruth(
  client: ShipyardTestClient,
  sim: FleetSim,
): Promise<Map<string, GroundTruthCluster>> {
  const truth = await groundTruth(sim, DEFAULT_OWNER);
  const items = await listAllClusters(client);
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
  client: ShipyardTestClient,
  name: string,
): Promise<ManagementClusterStatus> {
  const found = (await managementClusterStates(client)).get(name);
  expect(found).toBeDefined();
  return found!;
}

/** The clusters of one management cluster (`GET /clusters?managementCluster=`). */
async function clustersOf(client: ShipyardTestClient, mc: string) {
  return responseBody(
    await client.listClusters({
      query: { managementCluster: [mc], limit: 500 },
    }),
  );
}

const { databases } = createTestDatabases(['POSTGRES_15', 'SQLITE_3']);

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

    /** The backend against the simulator, on the suite's database; ready when every management cluster is. */
    async function startBackend(): Promise<ShipyardBackend> {
      logs = [];
      return startSimulatedFleet({
        plugin: shipyardPlugin,
        sim,
        logs,
        waitConnected: false,
        config: {
          // workload probes are covered by the health tests; here only Cluster API state matters
          shipyard: {
            platformTeam: DEFAULT_OWNER,
            sync: { staleAfterMs: 500 },
          },
        },
        features: [mockServices.database.factory({ knex })],
      });
    }

    describe('with a running backend', () => {
      let backend: ShipyardBackend;
      let client: ShipyardTestClient;

      beforeAll(async () => {
        backend = await startBackend();
        client = backend.client;
        await waitConnected(
          client,
          sim.managementClusters.map(m => m.name),
        );
      });

      afterAll(async () => {
        await backend?.stop();
      });

      it('serves exactly the simulator’s seeded fleet of several management clusters', async () => {
        await sim.controller.whenIdle();
        sim.controller.pause();
        try {
          const truth = await eventually(() =>
            expectApiMatchesGroundTruth(client, sim),
          );
          expect(truth.size).toBe(36);
          const summary = await responseBody(await client.getFleetSummary());
          expect(summary.totalCount).toBe(truth.size);
          for (const mc of sim.managementClusters) {
            const status = await managementCluster(client, mc.name);
            const count = [...truth.keys()].filter(k =>
              k.startsWith(`${mc.name}/`),
            ).length;
            expect(status.objectCounts.clusters).toBe(count);
            expect(summary.byManagementCluster[mc.name]).toBe(count);
          }
          // facet counts agree with filtering
          const page = await responseBody(
            await client.listClusters({ query: { limit: 5 } }),
          );
          // every cluster has one Kubernetes minor, so the version facet accounts for the whole fleet
          const minors = page.facets!.kubernetesMinor;
          expect(minors.reduce((n, f) => n + f.count, 0)).toBe(truth.size);
          for (const { value, count } of page.facets!.distribution) {
            const filtered = await responseBody(
              await client.listClusters({
                query: { distribution: [value], limit: 1 },
              }),
            );
            expect(filtered.totalCount).toBe(count);
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
        const getCreated = () =>
          client.getCluster({
            path: { managementCluster: mc.name, namespace, name },
          });
        // every health the cluster shows while it comes up and scales: a fresh control plane and a scale-up are
        // progress, never degraded
        const seen = new Set<string>();
        let watching = true;
        const watch = (async () => {
          while (watching) {
            const res = await getCreated();
            if (res.status === 200) seen.add((await res.json()).summary.health);
            await new Promise(r => setTimeout(r, 25));
          }
        })();
        try {
          /** How many objects of a kind the simulator holds for the cluster. */
          const ofClusterInSim = async (kind: string) =>
            (await kube.list(kind)).filter(
              m =>
                m.metadata.namespace === namespace &&
                m.metadata.labels?.['cluster.x-k8s.io/cluster-name'] === name,
            ).length;
          /**
           * The cluster once it settled: every worker available, every MachineDeployment and Machine of the simulator
           * counted (each kind comes in its own watch stream: the Cluster's status may show its workers before the
           * MachineDeployments arrive).
           */
          const settled = () =>
            eventually(async () => {
              const { summary } = await responseBody(await getCreated());
              expect(summary.phase).toBe('Provisioned');
              expect(summary.workers.desired).toBeGreaterThan(0);
              expect(summary.workers.available).toBe(summary.workers.desired);
              expect(summary.machineCount).toBe(
                await ofClusterInSim('machines'),
              );
              expect(summary.machineDeployments.length).toBe(
                await ofClusterInSim('machinedeployments'),
              );
              return summary;
            });
          const first = await settled();
          expect(first.owner).toBe('group:default/team-it');
          const listed = await responseBody(
            await client.listClusters({
              query: { owner: ['group:default/team-it'] },
            }),
          );
          expect(listed.items.map(keyOf)).toEqual([
            `${mc.name}/${namespace}/${name}`,
          ]);

          // scale the first MachineDeployment up by one. The simulator's steps take 20 ms, less than a turn of a busy
          // backend (whose summary shows the latest state of a turn's events): its controllers are held at the first
          // state of the scale-up with a worker missing until the backend has shown it.
          expect(first.machineDeployments.length).toBeGreaterThan(0);
          const hold = holdClusterAt(
            sim,
            { management: mc.name, namespace, name },
            scalingUpWithWorkerMissing,
          );
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
          try {
            await hold.reached;
            await eventually(async () => {
              const { summary } = await responseBody(await getCreated());
              expect(summary.health).toBe('progressing');
            });
          } finally {
            hold.release();
          }
          await eventually(async () => {
            const summary = await settled();
            expect(summary.workers.desired).toBe(
              (first.workers.desired ?? 0) + 1,
            );
            expect(summary.machineCount).toBe(first.machineCount + 1);
          });
        } finally {
          watching = false;
          await watch;
        }
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
          expect((await getCreated()).status).toBe(404);
        });
        await eventually(() => expectApiMatchesGroundTruth(client, sim));
      });

      it('keeps the clusters of an unreachable management cluster (stale, last seen) and recovers', async () => {
        const mc = sim.managementClusters[1];
        const before = (await listAllClusters(client)).filter(
          i => i.managementCluster === mc.name,
        );
        expect(before.length).toBeGreaterThan(0);
        sim.faults.unreachable(mc.name, 'refuse');
        try {
          const stale = await eventually(async () => {
            const status = await managementCluster(client, mc.name);
            expect(status.state).toBe('stale');
            expect(status.staleSince).toBeDefined();
            return status;
          });
          const during = await clustersOf(client, mc.name);
          expect(during.totalCount).toBe(before.length);
          for (const item of during.items as ClusterSummary[]) {
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
          const summary = await responseBody(await client.getFleetSummary());
          expect(summary.staleCount).toBe(before.length);
          // the other management clusters are untouched
          const other = await managementCluster(
            client,
            sim.managementClusters[0].name,
          );
          expect(other.state).toBe('connected');
        } finally {
          sim.faults.reachable(mc.name);
        }
        await eventually(async () => {
          expect((await managementCluster(client, mc.name)).state).toBe(
            'connected',
          );
          const after = await clustersOf(client, mc.name);
          expect(after.totalCount).toBe(before.length);
          for (const item of after.items as ClusterSummary[]) {
            expect(item.source.state).toBe('connected');
            expect(item.source.staleSince).toBeUndefined();
          }
        });
        await eventually(() => expectApiMatchesGroundTruth(client, sim));
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
          await managementCluster(client, mc.name)
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
          const status = await managementCluster(client, mc.name);
          expect(status.state).toBe('connected');
          const synced = status.kinds.find(
            k => k.kind === 'Cluster',
          )?.lastSyncAt;
          expect(synced && syncedBefore && synced > syncedBefore).toBe(true);
          const missing = await client.getCluster({
            path: {
              managementCluster: mc.name,
              namespace: victim.metadata.namespace,
              name: victim.metadata.name,
            },
          });
          expect(missing.status).toBe(404);
          const added = await client.getCluster({
            path: {
              managementCluster: mc.name,
              namespace: template.metadata.namespace,
              name: 'it-during-gap',
            },
          });
          expect(added.status).toBe(200);
        });
        expect(
          logs.some(l =>
            l.includes(`${mc.name} Cluster watch expired, relisting`),
          ),
        ).toBe(true);
        await sim.controller.whenIdle();
        await eventually(() => expectApiMatchesGroundTruth(client, sim));
      });
    });

    it('serves the persisted fleet after a restart before the first sync completes, then re-syncs', async () => {
      const first = await startBackend();
      let truth: Map<string, GroundTruthCluster>;
      try {
        await sim.controller.whenIdle();
        truth = await eventually(() =>
          expectApiMatchesGroundTruth(first.client, sim),
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
        const restored = await listAllClusters(second.client);
        expect(restored.map(keyOf).sort()).toEqual([...truth.keys()].sort());
        for (const item of restored) {
          expect(item.source).toMatchObject({
            state: 'restored',
            resynced: false,
          });
          expect(item.owner).toBe(truth.get(keyOf(item))!.owner);
        }
        const mcs = await managementClusterStates(second.client);
        expect(
          [...mcs.values()].every(m => m.state !== 'connected' && !m.resynced),
        ).toBe(true);

        for (const mc of sim.managementClusters) sim.faults.reachable(mc.name);
        await eventually(async () => {
          const items = await listAllClusters(second.client);
          expect(items.every(i => i.source.state === 'connected')).toBe(true);
          expect(items.every(i => i.source.resynced)).toBe(true);
          const mcs2 = await managementClusterStates(second.client);
          expect(
            sim.managementClusters.map(m => mcs2.get(m.name)?.resynced),
          ).toEqual(sim.managementClusters.map(() => true));
        });
        await eventually(() => expectApiMatchesGroundTruth(second.client, sim));
      } finally {
        sim.faults.clear();
        sim.controller.resume();
        await second.stop();
      }
    });
  },
);
