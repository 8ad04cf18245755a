import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import {
  ClusterClassSummary,
  ClusterSummary,
  ManagementClusterStatus,
  noObjectCounts,
} from '@shipyard/plugin-shipyard-common';
import { ShipyardCatalogConfig, readShipyardCatalogConfig } from '../config';

/** A cluster summary as `GET /clusters` returns it. */
export function summary(
  overrides: Partial<ClusterSummary> & Pick<ClusterSummary, 'name'>,
): ClusterSummary {
  const base: ClusterSummary = {
    managementCluster: 'mgmt-eu-1',
    namespace: 'team-a',
    name: overrides.name,
    uid: `uid-${overrides.managementCluster ?? 'mgmt-eu-1'}-${
      overrides.namespace ?? 'team-a'
    }-${overrides.name}`,
    title: overrides.name,
    owner: 'group:default/team-a',
    lifecycle: 'production',
    clusterClass: 'eks-standard',
    provider: 'aws',
    infrastructureKind: 'AWSManagedCluster',
    controlPlaneKind: 'AWSManagedControlPlane',
    distribution: 'eks',
    kubernetesVersion: 'v1.35.5',
    kubernetesMinor: '1.35',
    phase: 'Provisioned',
    health: 'healthy',
    healthReasons: [],
    conditions: [],
    controlPlane: { desired: 3, ready: 3 },
    workers: { desired: 3, ready: 3 },
    machineDeployments: [],
    machinePools: [],
    machinesByPhase: { Running: 6 },
    machineCount: 6,
    apiServerUrl: `https://${overrides.name}.example.com:6443`,
    createdAt: '2025-01-01T00:00:00Z',
    labels: {},
    lastChangedAt: '2025-01-01T00:00:00Z',
    apiVersion: 'cluster.x-k8s.io/v1beta2',
    source: { state: 'connected', resynced: true },
  };
  return { ...base, ...overrides };
}

export function managementCluster(
  name: string,
  overrides: Partial<ManagementClusterStatus> = {},
): ManagementClusterStatus {
  return {
    name,
    url: `https://${name}.example.com:6443`,
    state: 'connected',
    resynced: true,
    capiVersion: 'cluster.x-k8s.io/v1beta2',
    objectCounts: noObjectCounts(),
    kinds: [],
    ...overrides,
  };
}

export function clusterClass(
  overrides: Partial<ClusterClassSummary> & Pick<ClusterClassSummary, 'name'>,
): ClusterClassSummary {
  return {
    managementCluster: 'mgmt-eu-1',
    namespace: 'default',
    generation: 3,
    infrastructureKind: 'DevClusterTemplate',
    controlPlaneKind: 'KubeadmControlPlaneTemplate',
    provider: 'docker',
    distribution: 'kubeadm',
    machineDeploymentClasses: ['default-worker'],
    machinePoolClasses: [],
    variables: [
      {
        name: 'imageRepository',
        required: true,
        schema: { type: 'string', default: 'registry.k8s.io' },
      },
      {
        name: 'podSecurityStandard',
        required: false,
        schema: {
          type: 'object',
          properties: { enforce: { type: 'string', default: 'baseline' } },
        },
        description: 'Pod Security Standard levels',
      },
    ],
    labels: {},
    ...overrides,
  };
}

export function catalogConfig(data: JsonObject = {}): ShipyardCatalogConfig {
  return readShipyardCatalogConfig(
    new ConfigReader({
      app: { baseUrl: 'https://portal.example.com' },
      shipyard: { platformTeam: 'group:default/platform-team' },
      ...data,
    }),
  );
}
