import { Entity } from '@backstage/catalog-model';
import {
  ANNOTATION_CLUSTER_ORIGIN,
  ANNOTATION_INVENTORY_CLUSTER_MANAGER,
  ClusterSummary,
  INVENTORY_API_VERSION,
} from '@shipyard/plugin-shipyard-common';
import { SimKube, eventually } from '@shipyard/test-utils';
import { useSimCatalogBackend } from './__testUtils__/simCatalog';
import { clusterEntityName } from './entities/naming';

/*
 * Consuming the cluster inventory API: an inventory ClusterProfile (`multicluster.x-k8s.io/v1alpha1`) that another
 * cluster manager published on a management cluster becomes a cluster of the fleet (origin `inventory`), probed
 * through the kubeconfig Secret its access provider names, and a catalog entity; Shipyard's own published objects
 * are skipped; a deleted object leaves the fleet and the catalog.
 */

jest.setTimeout(150_000);

const NAMESPACE = 'fleet-inventory';
const SOURCE = 'inventory-hub';
const HUB = 'mgmt-eu-1';

describe('inventory ClusterProfiles of other cluster managers', () => {
  const suite = useSimCatalogBackend({
    seed: 'catalog-inventory',
    clusters: 4,
    pageSize: 50,
    timeoutMs: 60_000,
    shipyard: {
      inventory: {
        consume: [
          { name: SOURCE, managementCluster: HUB, namespace: NAMESPACE },
        ],
      },
    },
  });
  const { fleet, fullSync, scheduler } = suite;

  /** A request to the hub management cluster's Kubernetes API. */
  const hub: SimKube['request'] = (...request) =>
    new SimKube(
      suite.sim.managementClusters.find(m => m.name === HUB)!,
    ).request(...request);

  const collection = `/apis/${INVENTORY_API_VERSION}/namespaces/${NAMESPACE}/clusterprofiles`;
  const keyOf = (c: {
    managementCluster: string;
    namespace: string;
    name: string;
  }) => `${c.managementCluster}/${c.namespace}/${c.name}`;
  const consumedKey = (name: string) => `${SOURCE}/${NAMESPACE}/${name}`;
  const consumed = async (name: string): Promise<ClusterSummary | undefined> =>
    (await fleet()).find(c => keyOf(c) === consumedKey(name));
  const entityName = (name: string) =>
    clusterEntityName({
      managementCluster: SOURCE,
      namespace: NAMESPACE,
      name,
    });
  const entity = async (name: string): Promise<Entity | undefined> => {
    try {
      return await suite.get<Entity>(
        `/catalog/entities/by-name/resource/default/${entityName(name)}`,
      );
    } catch {
      return undefined;
    }
  };

  it('joins the fleet, its health probes and the catalog, and leaves them when deleted', async () => {
    expect(suite.sim.managementClusters.map(m => m.name)).toContain(HUB);
    // another tool registered a managed cloud cluster: its API server is one the simulator serves
    const cloud = suite.sim.workloadClusters()[0];
    expect(
      (
        await hub('POST', '/api/v1/namespaces', {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: NAMESPACE },
        })
      ).status,
    ).toBe(201);
    const kubeconfig = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'analytics',
          cluster: {
            server: cloud.url,
            'certificate-authority-data': cloud.caData,
          },
        },
      ],
      users: [{ name: 'reader', user: { token: cloud.token } }],
      contexts: [
        {
          name: 'analytics',
          context: { cluster: 'analytics', user: 'reader' },
        },
      ],
      'current-context': 'analytics',
    };
    expect(
      (
        await hub('POST', `/api/v1/namespaces/${NAMESPACE}/secrets`, {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'analytics-access', namespace: NAMESPACE },
          data: {
            kubeconfig: Buffer.from(JSON.stringify(kubeconfig)).toString(
              'base64',
            ),
          },
        })
      ).status,
    ).toBe(201);
    const created = await hub('POST', collection, {
      apiVersion: INVENTORY_API_VERSION,
      kind: 'ClusterProfile',
      metadata: {
        name: 'gke-analytics',
        namespace: NAMESPACE,
        labels: { 'x-k8s.io/cluster-manager': 'gke-fleet' },
      },
      spec: {
        displayName: 'Analytics (GKE)',
        clusterManager: { name: 'gke-fleet' },
      },
    });
    expect(created.status).toBe(201);
    const status = await hub(
      'PATCH',
      `${collection}/gke-analytics/status`,
      {
        status: {
          conditions: [
            {
              type: 'ControlPlaneHealthy',
              status: 'True',
              reason: 'Healthy',
              message: 'the control plane serves',
              lastTransitionTime: '2026-01-01T00:00:00Z',
            },
            {
              type: 'Joined',
              status: 'True',
              reason: 'Joined',
              message: 'joined',
              lastTransitionTime: '2026-01-01T00:00:00Z',
            },
          ],
          version: { kubernetes: cloud.kubernetesVersion },
          properties: [
            { name: 'shipyard.io/distribution', value: 'GKE' },
            { name: 'platform.open-cluster-management.io', value: 'GCP' },
            { name: 'topology.kubernetes.io/region', value: 'europe-west4' },
            { name: 'shipyard.io/owner', value: 'group:default/team-b' },
          ],
          accessProviders: [
            {
              name: 'kubeconfig-secretreader',
              cluster: {
                server: cloud.url,
                extensions: [
                  {
                    name: 'client.authentication.k8s.io/exec',
                    extension: {
                      name: 'analytics-access',
                      namespace: NAMESPACE,
                      key: 'kubeconfig',
                    },
                  },
                ],
              },
            },
          ],
        },
      },
      'application/merge-patch+json',
    );
    expect(status.status).toBe(200);
    // an object Shipyard published itself (as cluster manager `shipyard`) is not read back
    expect(
      (
        await hub('POST', collection, {
          apiVersion: INVENTORY_API_VERSION,
          kind: 'ClusterProfile',
          metadata: {
            name: 'mgmt-us-1--team-a--own',
            namespace: NAMESPACE,
            labels: { 'x-k8s.io/cluster-manager': 'shipyard' },
          },
          spec: { clusterManager: { name: 'shipyard' } },
        })
      ).status,
    ).toBe(201);

    const summary = await eventually(async () => {
      const s = await consumed('gke-analytics');
      expect(s).toBeDefined();
      return s!;
    }, 60_000);
    expect(summary).toMatchObject({
      origin: 'inventory',
      inventory: {
        source: SOURCE,
        managementCluster: HUB,
        clusterManager: 'gke-fleet',
        accessProviders: ['kubeconfig-secretreader'],
      },
      title: 'Analytics (GKE)',
      owner: 'group:default/team-b',
      distribution: 'gke',
      provider: 'gcp',
      kubernetesVersion: cloud.kubernetesVersion,
      apiServerUrl: cloud.url,
      health: 'healthy',
      apiVersion: INVENTORY_API_VERSION,
    });
    expect(summary.labels['topology.kubernetes.io/region']).toBe(
      'europe-west4',
    );
    expect(await consumed('mgmt-us-1--team-a--own')).toBeUndefined();
    const filtered = await fleet();
    expect(filtered.filter(c => c.origin === 'inventory')).toHaveLength(1);

    // the health probe reaches it with the kubeconfig its access provider names
    await eventually(async () => {
      await scheduler.triggerTask('shipyard:health:round');
      const s = await consumed('gke-analytics');
      expect(s?.probe?.ok).toBe(true);
      expect(s?.nodes?.total).toBeGreaterThan(0);
      return s;
    }, 60_000);

    // a catalog entity, owned by its team, without a management cluster to depend on
    await fullSync();
    const e = await eventually(async () => {
      const found = await entity('gke-analytics');
      expect(found).toBeDefined();
      return found!;
    }, 60_000);
    expect(e.spec).toMatchObject({
      type: 'kubernetes-cluster',
      owner: 'group:default/team-b',
    });
    expect(e.spec?.dependsOn ?? []).toEqual([]);
    expect(e.metadata.title).toBe('Analytics (GKE)');
    expect(e.metadata.annotations).toMatchObject({
      [ANNOTATION_CLUSTER_ORIGIN]: 'inventory',
      [ANNOTATION_INVENTORY_CLUSTER_MANAGER]: 'gke-fleet',
    });
    expect(JSON.stringify(e)).not.toContain(cloud.token);

    // the producer removes it: it leaves the fleet and the catalog
    expect(
      (await hub('DELETE', `${collection}/gke-analytics`)).status,
    ).toBeLessThan(300);
    await eventually(async () => {
      expect(await consumed('gke-analytics')).toBeUndefined();
    }, 60_000);
    await fullSync();
    await eventually(async () => {
      expect(await entity('gke-analytics')).toBeUndefined();
    }, 60_000);
  });
});
