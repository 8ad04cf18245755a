import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  TestBackend,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { metricsServiceMock } from '@backstage/backend-test-utils/alpha';
import { Entity } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { FleetSim, startFleetSim } from '@shipyard/fleet-sim';
// the real Shipyard backend is the point of this end-to-end test
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import shipyardPlugin from '@shipyard/plugin-shipyard-backend';
import {
  ClusterSummary,
  ListClustersResponse,
} from '@shipyard/plugin-shipyard-common';
import { clusterEntityName } from './entities/naming';
import { catalogModuleShipyard } from './module';
import { MUTATIONS_METRIC } from './providers/metrics';

jest.setTimeout(60_000);

const CLUSTERS = 'cluster.x-k8s.io/clusters';

const counters = new Map<string, number>();
const metrics = metricsServiceMock.mock({
  createCounter: (name: string) => ({
    add: (value: number, attributes?: Record<string, unknown>) => {
      const key = `${name}|${attributes?.provider}|${
        attributes?.type ?? attributes?.outcome
      }`;
      counters.set(key, (counters.get(key) ?? 0) + value);
    },
  }),
});
const deltas = () =>
  counters.get(`${MUTATIONS_METRIC}|ClusterEntityProvider|delta`) ?? 0;

async function eventually<T>(
  fn: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 45_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await fn();
  while (!accept(last)) {
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out; last value: ${JSON.stringify(last)?.slice(0, 1500)}`,
      );
    }
    await new Promise(r => setTimeout(r, 100));
    last = await fn();
  }
  return last;
}

describe('catalog module shipyard against the Shipyard backend and the fleet simulator', () => {
  const events = mockServices.events();
  const scheduler = mockServices.scheduler();
  let sim: FleetSim;
  let backend: TestBackend;

  const base = () => `http://localhost:${backend.server.port()}/api`;
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${base()}${path}`, {
      headers: { Authorization: mockCredentials.user.header() },
    });
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
    return (await res.json()) as T;
  };
  const fleet = async () =>
    (
      await get<ListClustersResponse>(
        '/shipyard/clusters?limit=500&facets=false',
      )
    ).items;
  const clusterEntities = async () =>
    (
      await get<{ items: Entity[] }>(
        `/catalog/entities/by-query?limit=500&filter=${encodeURIComponent(
          'kind=resource,spec.type=kubernetes-cluster',
        )}`,
      )
    ).items;
  const fullSync = () => scheduler.triggerTask('ClusterEntityProvider:refresh');

  beforeAll(async () => {
    sim = await startFleetSim({
      managementClusters: 2,
      clusters: 10,
      seed: 'catalog-module',
      anomalies: false,
      timing: { stepMs: 20 },
    });
    backend = await startTestBackend({
      features: [
        catalogPlugin,
        shipyardPlugin,
        catalogModuleShipyard,
        createServiceFactory({
          service: eventsServiceRef,
          deps: {},
          factory: () => events,
        }),
        createServiceFactory({
          service: coreServices.scheduler,
          deps: {},
          factory: () => scheduler,
        }),
        metrics.factory,
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://portal.test' },
            catalog: {
              stitchingStrategy: {
                mode: 'deferred',
                pollingInterval: { milliseconds: 100 },
              },
              providers: { shipyard: { clusters: { pageSize: 4 } } },
            },
            shipyard: {
              platformTeam: 'group:default/platform-team',
              managementClusters: sim.managementClusters.map(m => ({
                name: m.name,
                url: m.url,
                caData: m.caData,
                auth: { type: 'serviceAccountToken', token: m.token },
              })),
              sync: {
                persistIntervalMs: 50,
                staleAfterMs: 300,
                backoff: { initialDelayMs: 20, maxDelayMs: 200 },
              },
            },
          },
        }),
      ],
    });
    await eventually(
      fleet,
      items => items.length === sim.workloadClusters().length,
    );
    await fullSync();
  });

  afterAll(async () => {
    await backend?.stop();
    await sim?.stop();
  });

  it('has one entity per simulated cluster, with the owners the backend resolved', async () => {
    const truth = await fleet();
    const list = await eventually(
      clusterEntities,
      l => l.length === truth.length,
    );
    expect(list).toHaveLength(sim.workloadClusters().length);
    const byName = new Map(list.map(e => [e.metadata.name, e]));
    for (const s of truth) {
      const entity = byName.get(clusterEntityName(s));
      expect(entity?.spec?.owner).toBe(s.owner);
      expect(entity?.metadata.title).toBe(s.title);
    }
    // the simulator's owner labels are what the catalog shows
    for (const c of sim.model.clusters) {
      const label = c.labels['shipyard.io/owner'];
      if (!label) continue;
      const entity = byName.get(
        clusterEntityName({
          managementCluster: c.management,
          namespace: c.namespace,
          name: c.name,
        }),
      );
      expect(entity?.spec?.owner).toBe(`group:default/${label}`);
    }
  });

  it('gives the same namespace/name on two management clusters two entities, through change events', async () => {
    const [a, b] = sim.managementClusters.map(m => m.name);
    const template = JSON.parse(
      sim.management(a).api.list(sim.management(a).api.type(CLUSTERS), {})
        .texts[0],
    );
    const before = deltas();
    for (const mc of [a, b]) {
      const api = sim.management(mc).api;
      api.create(api.type(CLUSTERS), 'default', {
        apiVersion: template.apiVersion,
        kind: 'Cluster',
        metadata: {
          name: 'dup-01',
          namespace: 'default',
          labels: { 'shipyard.io/owner': mc === a ? 'team-a' : 'team-b' },
        },
        spec: template.spec,
      });
    }
    const list = await eventually(clusterEntities, l =>
      [a, b].every(mc =>
        l.some(
          e =>
            e.metadata.name ===
            clusterEntityName({
              managementCluster: mc,
              namespace: 'default',
              name: 'dup-01',
            }),
        ),
      ),
    );
    const dupA = list.find(e => e.metadata.name === `${a}--default--dup-01`);
    const dupB = list.find(e => e.metadata.name === `${b}--default--dup-01`);
    expect(dupA?.spec?.owner).toBe('group:default/team-a');
    expect(dupB?.spec?.owner).toBe('group:default/team-b');
    expect(dupA?.metadata.title).toBe('dup-01');
    expect(deltas()).toBeGreaterThan(before);
  });

  it('writes nothing when only health changes', async () => {
    const target = (await fleet()).find(s => s.health === 'healthy');
    expect(target).toBeDefined();
    const key = target as ClusterSummary;
    const before = deltas();
    sim.faults.controlPlaneDown({
      management: key.managementCluster,
      namespace: key.namespace,
      name: key.name,
    });
    await eventually(
      async () => (await fleet()).find(s => s.uid === key.uid)?.health,
      h => h !== 'healthy',
    );
    await new Promise(r => setTimeout(r, 500));
    expect(deltas()).toBe(before);
    sim.faults.clear();
  });

  it('keeps the clusters of an unreachable management cluster and removes a deleted one', async () => {
    const count = (await clusterEntities()).length;
    const mc = sim.managementClusters[1].name;
    sim.faults.unreachable(mc, 'refuse');
    await eventually(
      () =>
        get<{ items: Array<{ name: string; state: string }> }>(
          '/shipyard/management-clusters',
        ),
      r => r.items.find(m => m.name === mc)?.state === 'stale',
    );
    await fullSync();
    expect((await clusterEntities()).length).toBe(count);
    sim.faults.reachable(mc);
    sim.faults.clear();

    const victim = (await fleet()).find(
      s => s.managementCluster === sim.managementClusters[0].name,
    );
    const v = victim as ClusterSummary;
    const api = sim.management(v.managementCluster).api;
    api.delete(api.type(CLUSTERS), v.namespace, v.name);
    await eventually(
      clusterEntities,
      l => !l.some(e => e.metadata.name === clusterEntityName(v)),
      30_000,
    );
    expect((await clusterEntities()).length).toBe(count - 1);
  });
});
