import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { FleetSim, startFleetSim } from '@shipyard/fleet-sim';
import {
  ClusterSummary,
  INVENTORY_API_VERSION,
  kubeconfigSecretName,
  kubernetesMinorOf,
} from '@shipyard/plugin-shipyard-common';
import { clusterEntityName } from '@shipyard/plugin-shipyard-node';
import {
  ShipyardBackend,
  eventually,
  listAllClusters,
  startSimulatedFleet,
} from '@shipyard/test-utils';
import { shipyardPlugin } from '../plugin';
import { SimKube } from '../__testUtils__/simKube';

/*
 * Publishing the fleet as the cluster inventory API against the simulator: one inventory ClusterProfile
 * (`multicluster.x-k8s.io/v1alpha1`) per Cluster API cluster in the configured namespace, matching the fleet, and
 * following it (a control plane that goes down, an upgrade, a deletion), repaired when someone else edits or
 * deletes it, leaving other producers' objects alone.
 */

jest.setTimeout(180_000);

const NAMESPACE = 'fleet-inventory';

/** The next minor's version the simulator knows. */
const NEXT: Record<string, string> = {
  '1.31': 'v1.32.11',
  '1.32': 'v1.33.9',
  '1.33': 'v1.34.7',
  '1.34': 'v1.35.5',
  '1.35': 'v1.36.2',
};

const keyOf = (c: {
  managementCluster: string;
  namespace: string;
  name: string;
}) => `${c.managementCluster}/${c.namespace}/${c.name}`;

function property(object: any, name: string): string | undefined {
  return object.status?.properties?.find((p: any) => p.name === name)?.value;
}

function condition(object: any, type: string): any {
  return object.status?.conditions?.find((c: any) => c.type === type);
}

describe('the fleet published as inventory ClusterProfiles', () => {
  let sim: FleetSim;
  let backend: ShipyardBackend;
  let hub: SimKube;
  // the resync runs when the test says so
  const scheduler = mockServices.scheduler();
  const collection = `/apis/${INVENTORY_API_VERSION}/namespaces/${NAMESPACE}/clusterprofiles`;

  async function published(): Promise<Map<string, any>> {
    const res = await hub.request('GET', collection);
    expect(res.status).toBe(200);
    return new Map(res.body.items.map((o: any) => [o.metadata.name, o]));
  }

  async function publishedOf(summary: ClusterSummary): Promise<any> {
    const res = await hub.request(
      'GET',
      `${collection}/${clusterEntityName(summary)}`,
    );
    return res.status === 200 ? res.body : undefined;
  }

  const kubeOf = (c: ClusterSummary) =>
    new SimKube(
      sim.managementClusters.find(m => m.name === c.managementCluster)!,
    );

  async function summaryOf(key: string): Promise<ClusterSummary | undefined> {
    return (await listAllClusters(backend.client)).find(c => keyOf(c) === key);
  }

  beforeAll(async () => {
    sim = await startFleetSim({
      managementClusters: 2,
      clusters: 12,
      seed: 'inventory-publish',
      anomalies: false,
      timing: { stepMs: 20, bookmarkMs: 1000 },
    });
    hub = new SimKube(sim.managementClusters[0]);
    const ns = await hub.request('POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: NAMESPACE },
    });
    if (ns.status !== 201) throw new Error(`namespace: HTTP ${ns.status}`);
    // another cluster manager's object in the same namespace: never touched
    const foreign = await hub.request('POST', collection, {
      apiVersion: INVENTORY_API_VERSION,
      kind: 'ClusterProfile',
      metadata: {
        name: 'gke-analytics',
        namespace: NAMESPACE,
        labels: { 'x-k8s.io/cluster-manager': 'gke-fleet' },
      },
      spec: { displayName: 'analytics', clusterManager: { name: 'gke-fleet' } },
    });
    if (foreign.status !== 201)
      throw new Error(`foreign object: HTTP ${foreign.status}`);
    backend = await startSimulatedFleet({
      plugin: shipyardPlugin,
      sim,
      features: [
        createServiceFactory({
          service: coreServices.scheduler,
          deps: {},
          factory: () => scheduler,
        }),
      ],
      config: {
        shipyard: {
          inventory: {
            publish: {
              managementCluster: sim.managementClusters[0].name,
              namespace: NAMESPACE,
              resyncIntervalSeconds: 1,
            },
          },
        },
      },
    });
  });

  afterAll(async () => {
    await backend?.stop();
    await sim?.stop();
  });

  it('writes one object per Cluster API cluster, with the conditions, version, properties and access provider of its summary', async () => {
    const clusters = await eventually(async () => {
      const items = await listAllClusters(backend.client);
      expect(items.length).toBe(sim.workloadClusters().length);
      const objects = await published();
      // the fleet's objects plus the other producer's one
      expect(objects.size).toBe(items.length + 1);
      for (const c of items) {
        const o = objects.get(clusterEntityName(c));
        expect(o).toBeDefined();
        expect(c.health).toBe('healthy');
        expect(condition(o, 'ControlPlaneHealthy')?.status).toBe('True');
        expect(o.status.version?.kubernetes).toBe(
          c.observedKubernetesVersion ?? c.kubernetesVersion,
        );
      }
      return items;
    }, 60_000);
    const objects = await published();
    const model = new Map(
      sim
        .workloadClusters()
        .map(w => [keyOf({ ...w, managementCluster: w.management }), w]),
    );
    for (const c of clusters) {
      const o = objects.get(clusterEntityName(c));
      const truth = model.get(keyOf(c))!;
      expect(o.metadata.labels).toMatchObject({
        'x-k8s.io/cluster-manager': 'shipyard',
        'shipyard.io/management-cluster': c.managementCluster,
      });
      expect(o.metadata.annotations['shipyard.io/cluster']).toBe(keyOf(c));
      expect(o.spec).toEqual({
        displayName: c.title,
        clusterManager: { name: 'shipyard' },
      });
      expect(c.health).toBe('healthy');
      expect(condition(o, 'ControlPlaneHealthy')).toMatchObject({
        status: 'True',
        reason: 'Healthy',
      });
      expect(condition(o, 'Joined')).toMatchObject({
        status: 'True',
        reason: 'Provisioned',
      });
      expect(
        Date.parse(condition(o, 'Joined').lastTransitionTime),
      ).not.toBeNaN();
      expect(property(o, 'shipyard.io/distribution')).toBe(truth.distribution);
      expect(property(o, 'shipyard.io/provider')).toBe(truth.provider);
      expect(property(o, 'shipyard.io/owner')).toBe(c.owner);
      expect(property(o, 'topology.kubernetes.io/region')).toBe(
        truth.labels['topology.kubernetes.io/region'],
      );
      expect(property(o, 'clusterset.k8s.io/cluster-id')).toBe(c.uid);
      expect(o.status.accessProviders).toEqual([
        {
          name: 'kubeconfig-secretreader',
          cluster: {
            server: c.apiServerUrl,
            extensions: [
              {
                name: 'client.authentication.k8s.io/exec',
                extension: {
                  name: kubeconfigSecretName(c.name),
                  namespace: c.namespace,
                  key: 'value',
                },
              },
            ],
          },
        },
      ]);
      // a reference, never a credential
      expect(JSON.stringify(o)).not.toContain(truth.token);
    }
    const foreign = objects.get('gke-analytics');
    expect(foreign.spec.clusterManager.name).toBe('gke-fleet');
    expect(foreign.status).toBeUndefined();
  });

  it('follows the fleet: a control plane down and back, an upgrade, a deletion', async () => {
    const clusters = await listAllClusters(backend.client);
    const upgraded = clusters.find(
      c => c.clusterClass && NEXT[kubernetesMinorOf(c.kubernetesVersion) ?? ''],
    );
    const down = clusters.find(c => c !== upgraded);
    const deleted = clusters.filter(c => c !== down && c !== upgraded)[0];
    expect(down && upgraded && deleted).toBeTruthy();
    const others = clusters.filter(c => ![down, upgraded, deleted].includes(c));
    const untouched = await publishedOf(others[0]);

    // the control plane goes down: ControlPlaneHealthy False, then True again
    const ref = {
      management: down!.managementCluster,
      namespace: down!.namespace,
      name: down!.name,
    };
    const before = condition(await publishedOf(down!), 'ControlPlaneHealthy');
    sim.faults.controlPlaneDown(ref, true);
    try {
      await eventually(async () => {
        const o = await publishedOf(down!);
        expect(condition(o, 'ControlPlaneHealthy')).toMatchObject({
          status: 'False',
          reason: 'Unhealthy',
        });
        expect(condition(o, 'ControlPlaneHealthy').message).toContain(
          'ControlPlane',
        );
      }, 60_000);
    } finally {
      sim.faults.clear(ref);
    }
    await eventually(async () => {
      const o = await publishedOf(down!);
      expect(condition(o, 'ControlPlaneHealthy')?.status).toBe('True');
      expect(
        Date.parse(condition(o, 'ControlPlaneHealthy').lastTransitionTime),
      ).toBeGreaterThanOrEqual(Date.parse(before.lastTransitionTime));
    }, 60_000);

    // an upgrade: the published version follows the version the cluster runs
    const target = NEXT[kubernetesMinorOf(upgraded!.kubernetesVersion) ?? ''];
    const upgradedKube = await kubeOf(upgraded!).request(
      'PATCH',
      SimKube.clusterPath(upgraded!.namespace, upgraded!.name),
      { spec: { topology: { version: target } } },
      'application/merge-patch+json',
    );
    expect(upgradedKube.status).toBe(200);
    await eventually(async () => {
      const s = await summaryOf(keyOf(upgraded!));
      expect(s?.observedKubernetesVersion ?? s?.kubernetesVersion).toBe(target);
      expect((await publishedOf(upgraded!)).status.version.kubernetes).toBe(
        target,
      );
    }, 90_000);

    // a deletion confirmed by Cluster API removes the object
    const del = await kubeOf(deleted).request(
      'DELETE',
      SimKube.clusterPath(deleted.namespace, deleted.name),
    );
    expect(del.status).toBeLessThan(300);
    await eventually(async () => {
      expect(await summaryOf(keyOf(deleted))).toBeUndefined();
      expect(await publishedOf(deleted)).toBeUndefined();
    }, 90_000);

    // nothing else was rewritten
    expect((await publishedOf(others[0])).metadata.resourceVersion).toBe(
      untouched.metadata.resourceVersion,
    );
    const objects = await published();
    expect(objects.size).toBe(clusters.length - 1 + 1);
  });

  it('repairs objects someone else edited or deleted, and removes its own objects of clusters that no longer exist', async () => {
    const [edited, removed] = await listAllClusters(backend.client);
    const path = (c: ClusterSummary) => `${collection}/${clusterEntityName(c)}`;
    const patched = await hub.request(
      'PATCH',
      `${path(edited)}/status`,
      { status: { version: { kubernetes: 'v0.0.1' } } },
      'application/merge-patch+json',
    );
    expect(patched.status).toBe(200);
    expect((await hub.request('DELETE', path(removed))).status).toBeLessThan(
      300,
    );
    // an object of ours for a cluster the (listed) management cluster does not have
    const orphan = await hub.request('POST', collection, {
      apiVersion: INVENTORY_API_VERSION,
      kind: 'ClusterProfile',
      metadata: {
        name: 'gone',
        namespace: NAMESPACE,
        labels: {
          'x-k8s.io/cluster-manager': 'shipyard',
          'shipyard.io/management-cluster': sim.managementClusters[0].name,
        },
        annotations: {
          'shipyard.io/cluster': `${sim.managementClusters[0].name}/default/gone`,
        },
      },
      spec: { clusterManager: { name: 'shipyard' } },
    });
    expect(orphan.status).toBe(201);
    await eventually(async () => {
      await scheduler.triggerTask('shipyard:inventory:resync');
      expect((await publishedOf(edited)).status.version.kubernetes).toBe(
        edited.observedKubernetesVersion ?? edited.kubernetesVersion,
      );
      expect(await publishedOf(removed)).toBeDefined();
      expect((await hub.request('GET', `${collection}/gone`)).status).toBe(404);
    }, 30_000);
    expect(
      (await hub.request('GET', `${collection}/gke-analytics`)).status,
    ).toBe(200);
  });
});
