import { ConfigReader } from '@backstage/config';
import { ClusterSummary } from '@shipyard/plugin-shipyard-common';
import { OwnershipResolver } from '../config/ownership';
import { makeSummary } from '../__testUtils__/summaries';
import { readInventoryConfig } from './config';
import { inventoryClusterSummary, isPublishedBy } from './consume';
import { projectInventory, projectionText, readPublished } from './project';

const summary = (overrides: Partial<ClusterSummary> & { name: string }) =>
  ({
    ...makeSummary(overrides),
    source: { state: 'connected', resynced: true },
  } as ClusterSummary);

const options = {
  clusterManager: 'shipyard',
  accessProvider: 'kubeconfig-secretreader',
};

describe('shipyard.inventory', () => {
  it('names every problem at once', () => {
    const config = new ConfigReader({
      shipyard: {
        inventory: {
          clusterManager: 'Not A Name',
          publish: { namespace: 'Bad_NS', concurrency: 0 },
          consume: [
            { name: 'mgmt-eu-1', managementCluster: 'mgmt-eu-1' },
            { name: 'a--b' },
          ],
        },
      },
    });
    let message = '';
    try {
      readInventoryConfig(config, ['mgmt-eu-1']);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split('; ')).toEqual([
      'shipyard.inventory.clusterManager must be a lowercase DNS name of at most 63 characters',
      'shipyard.inventory.publish.managementCluster must name a management cluster',
      'shipyard.inventory.publish.namespace must be a namespace name (lowercase letters, digits and -)',
      'shipyard.inventory.publish.concurrency must be a whole number from 1 to 64',
      'shipyard.inventory.consume[0].name mgmt-eu-1 is the name of a management cluster: give the inventory source its own name',
      'shipyard.inventory.consume[1].name must be lowercase letters, digits and single dashes, at most 63 characters',
      'shipyard.inventory.consume[1].managementCluster must name a management cluster',
    ]);
  });

  it('defaults to publishing and reading nothing', () => {
    expect(readInventoryConfig(new ConfigReader({}))).toEqual({
      clusterManager: 'shipyard',
      consume: [],
    });
  });
});

describe('the inventory ClusterProfile of a cluster', () => {
  it('maps health and phase onto ControlPlaneHealthy and Joined', () => {
    const conditions = (s: ClusterSummary) =>
      projectInventory(s, options).status.conditions.map(
        c => `${c.type}=${c.status}/${c.reason}`,
      );
    expect(
      conditions(summary({ name: 'a', apiServerUrl: 'https://a' })),
    ).toEqual(['ControlPlaneHealthy=True/Healthy', 'Joined=True/Provisioned']);
    expect(
      conditions(
        summary({
          name: 'b',
          health: 'unhealthy',
          healthReasons: [
            {
              source: 'probe',
              severity: 'error',
              type: 'ApiServerUnreachable',
              message: 'connection refused',
            },
          ],
        }),
      ),
    ).toEqual([
      'ControlPlaneHealthy=False/Unhealthy',
      'Joined=True/Provisioned',
    ]);
    expect(
      conditions(
        summary({ name: 'c', health: 'provisioning', phase: 'Provisioning' }),
      ),
    ).toEqual([
      'ControlPlaneHealthy=False/Provisioning',
      'Joined=False/Provisioning',
    ]);
    expect(
      conditions(
        summary({
          name: 'd',
          health: 'deleting',
          phase: 'Deleting',
          deletingSince: '2026-01-01T00:00:00Z',
        }),
      ),
    ).toEqual(['ControlPlaneHealthy=False/Deleting', 'Joined=False/Deleting']);
    expect(conditions(summary({ name: 'e', health: 'degraded' }))[0]).toBe(
      'ControlPlaneHealthy=True/Degraded',
    );
    expect(conditions(summary({ name: 'f', health: 'unknown' }))[0]).toBe(
      'ControlPlaneHealthy=Unknown/Unknown',
    );
  });

  it('names the kubeconfig Secret, never a credential, and reads back what it wrote', () => {
    const s = summary({
      name: 'prod',
      namespace: 'team-a',
      apiServerUrl: 'https://prod.example:6443',
      distribution: 'eks',
      provider: 'aws',
      labels: { 'topology.kubernetes.io/region': 'eu-west-1' },
      observedKubernetesVersion: 'v1.33.2',
      kubernetesVersion: 'v1.33.1',
    });
    const p = projectInventory(s, options);
    expect(p.name).toBe('mc-a--team-a--prod');
    expect(p.status.version).toEqual({ kubernetes: 'v1.33.2' });
    expect(
      p.status.accessProviders?.[0].cluster.extensions[0].extension,
    ).toEqual({ name: 'prod-kubeconfig', namespace: 'team-a', key: 'value' });
    expect(
      Object.fromEntries(p.status.properties.map(x => [x.name, x.value])),
    ).toMatchObject({
      'topology.kubernetes.io/region': 'eu-west-1',
      'shipyard.io/distribution': 'eks',
      'shipyard.io/provider': 'aws',
      'shipyard.io/owner': 'group:default/team-a',
    });
    const onServer = {
      metadata: {
        name: p.name,
        labels: { ...p.labels, other: 'x' },
        annotations: p.annotations,
      },
      spec: p.spec,
      status: {
        ...p.status,
        conditions: p.status.conditions.map(c => ({
          ...c,
          lastTransitionTime: '2026-01-01T00:00:00Z',
        })),
      },
    };
    const read = readPublished(onServer, 'shipyard');
    expect(read && projectionText(read.projection)).toBe(projectionText(p));
    expect(read?.transitions.get('Joined')).toEqual({
      status: 'True',
      at: '2026-01-01T00:00:00Z',
    });
    expect(readPublished(onServer, 'someone-else')).toBeUndefined();
  });
});

describe('an inventory ClusterProfile of another cluster manager', () => {
  const ownership = new OwnershipResolver({
    ownerKeys: ['shipyard.io/owner'],
    systemKeys: [],
    lifecycleKeys: [],
    profileKeys: [],
    profileVersionKeys: [],
    namespaceOwners: { 'fleet-inventory': 'group:default/team-c' },
    defaultOwner: 'group:default/platform',
  });

  it('becomes a summary of origin inventory, with the other producers’ property names understood', () => {
    const object = {
      metadata: {
        name: 'aks-1',
        namespace: 'fleet-inventory',
        uid: 'u-1',
        labels: { 'x-k8s.io/cluster-manager': 'ocm' },
      },
      spec: { clusterManager: { name: 'ocm' } },
      status: {
        conditions: [
          {
            type: 'ControlPlaneHealthy',
            status: 'False',
            reason: 'Unreachable',
            message: 'lease expired',
            lastTransitionTime: '2026-01-01T00:00:00Z',
          },
        ],
        version: { kubernetes: 'v1.32.4' },
        properties: [
          { name: 'product.open-cluster-management.io', value: 'AKS' },
          { name: 'platform.open-cluster-management.io', value: 'Azure' },
          { name: 'region.open-cluster-management.io', value: 'westeurope' },
        ],
        credentialProviders: [
          { name: 'token', cluster: { server: 'https://aks-1.example' } },
        ],
      },
    };
    const read = inventoryClusterSummary(object, {
      source: 'hub',
      managementCluster: 'mgmt-eu-1',
      ownership,
    });
    expect(read?.secretRef).toBeUndefined();
    expect(read?.summary).toMatchObject({
      managementCluster: 'hub',
      namespace: 'fleet-inventory',
      name: 'aks-1',
      owner: 'group:default/team-c',
      distribution: 'aks',
      provider: 'azure',
      kubernetesMinor: '1.32',
      apiServerUrl: 'https://aks-1.example',
      health: 'unhealthy',
      origin: 'inventory',
      inventory: {
        source: 'hub',
        managementCluster: 'mgmt-eu-1',
        clusterManager: 'ocm',
        accessProviders: ['token'],
      },
      labels: { 'topology.kubernetes.io/region': 'westeurope' },
    });
    expect(read?.summary.healthReasons).toEqual([
      {
        source: 'inventory',
        severity: 'error',
        type: 'ControlPlaneHealthy/Unreachable',
        message: 'lease expired',
        since: '2026-01-01T00:00:00Z',
      },
    ]);
    expect(isPublishedBy(object, 'shipyard')).toBe(false);
    expect(isPublishedBy(object, 'ocm')).toBe(true);
  });
});
