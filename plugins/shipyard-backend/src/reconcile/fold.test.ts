import { OwnershipResolver } from '../config/ownership';
import { portalOwnership } from '../__testUtils__/ownership';
import { CapiHealthEvaluator } from '../health';
import { ClusterState } from '../records/ClusterState';
import { foldClusterSummary } from './fold';
import {
  projectCluster,
  projectControlPlane,
  projectMachine,
  projectMachineDeployment,
} from './records';

describe('foldClusterSummary', () => {
  const ownership = portalOwnership();
  const v2 = 'cluster.x-k8s.io/v1beta2';
  const clusterLabels = { 'cluster.x-k8s.io/cluster-name': 'c1' };

  function state(annotations: Record<string, string>, paused: boolean) {
    const s = new ClusterState('ns', 'c1');
    s.cluster = projectCluster(
      {
        apiVersion: v2,
        kind: 'Cluster',
        metadata: {
          name: 'c1',
          namespace: 'ns',
          uid: 'u1',
          creationTimestamp: '2026-01-01T00:00:00Z',
          labels: {
            'shipyard.io/owner': 'team-a',
            'shipyard.io/system': 'payments',
            'shipyard.io/lifecycle': 'production',
            'shipyard.io/profile': 'web',
            'shipyard.io/profile-version': '2',
            'shipyard.io/is-management-cluster': 'mc-b',
          },
          annotations,
        },
        spec: {
          paused,
          topology: {
            classRef: { name: 'aws-class' },
            version: 'v1.31.2',
            workers: {
              machineDeployments: [{ name: 'md-0', class: 'default' }],
            },
          },
          infrastructureRef: { kind: 'AWSCluster', name: 'c1' },
          controlPlaneRef: { kind: 'KubeadmControlPlane', name: 'c1-cp' },
          controlPlaneEndpoint: { host: 'c1.example.test', port: 6443 },
        },
        status: {
          phase: 'Provisioned',
          conditions: [
            {
              type: 'Available',
              status: 'True',
              reason: 'Available',
              lastTransitionTime: '2026-01-01T00:10:00Z',
            },
          ],
          initialization: {
            infrastructureProvisioned: true,
            controlPlaneInitialized: true,
          },
        },
      },
      new Set(['shipyard.io/title', 'shipyard.io/owner']),
    );
    s.machineDeployments.set(
      'c1-md-0',
      projectMachineDeployment({
        apiVersion: v2,
        metadata: {
          name: 'c1-md-0',
          labels: {
            ...clusterLabels,
            'topology.cluster.x-k8s.io/deployment-name': 'md-0',
          },
        },
        spec: {
          clusterName: 'c1',
          replicas: 2,
          template: { spec: { version: 'v1.31.2' } },
        },
        status: { phase: 'Running', replicas: 2, readyReplicas: 2 },
      }),
    );
    for (const name of ['m1', 'm2']) {
      s.machines.set(
        name,
        projectMachine({
          apiVersion: v2,
          metadata: { name, labels: clusterLabels },
          spec: { clusterName: 'c1', version: 'v1.31.2' },
          status: { phase: 'Running' },
        }),
      );
    }
    return s;
  }

  const controlPlane = projectControlPlane({
    apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2',
    kind: 'KubeadmControlPlane',
    metadata: { name: 'c1-cp', namespace: 'ns', labels: clusterLabels },
    spec: { replicas: 3, version: 'v1.31.2' },
    status: {
      replicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      version: 'v1.31.1',
    },
  });

  it('writes every field it knows, in a fixed order, and leaves out what it does not', () => {
    const summary = foldClusterSummary(
      state(
        {
          'shipyard.io/title': 'Checkout',
          'shipyard.io/availability-objective': '99.9/30d',
          'cluster.x-k8s.io/paused': '',
        },
        true,
      ),
      {
        managementCluster: 'mc-a',
        ownership,
        health: new CapiHealthEvaluator(),
        controlPlane,
        addons: [
          { name: 'cni', state: 'installed', source: 'HelmReleaseProxy' },
        ],
      },
    );
    expect(Object.keys(summary!)).toEqual([
      'managementCluster',
      'namespace',
      'name',
      'uid',
      'title',
      'owner',
      'phase',
      'health',
      'healthReasons',
      'conditions',
      'controlPlane',
      'workers',
      'machineDeployments',
      'machinePools',
      'machinesByPhase',
      'machineCount',
      'labels',
      'lastChangedAt',
      'apiVersion',
      'system',
      'lifecycle',
      'profile',
      'profileVersion',
      'clusterClass',
      'provider',
      'infrastructureKind',
      'controlPlaneKind',
      'distribution',
      'kubernetesVersion',
      'observedKubernetesVersion',
      'kubernetesMinor',
      'apiServerUrl',
      'createdAt',
      'paused',
      'availabilityObjective',
      'addons',
      'managementClusterOf',
    ]);
    expect(summary).toMatchObject({
      title: 'Checkout',
      owner: 'group:default/team-a',
      system: 'system:default/payments',
      lifecycle: 'production',
      profile: 'web',
      profileVersion: '2',
      clusterClass: 'aws-class',
      provider: 'aws',
      infrastructureKind: 'AWSCluster',
      controlPlaneKind: 'KubeadmControlPlane',
      distribution: 'kubeadm',
      kubernetesVersion: 'v1.31.2',
      observedKubernetesVersion: 'v1.31.1',
      kubernetesMinor: '1.31',
      apiServerUrl: 'https://c1.example.test:6443',
      createdAt: '2026-01-01T00:00:00Z',
      paused: {},
      availabilityObjective: '99.9/30d',
      managementClusterOf: 'mc-b',
      machineDeployments: [
        {
          name: 'c1-md-0',
          replicas: { desired: 2, current: 2, ready: 2 },
          class: 'default',
          version: 'v1.31.2',
          phase: 'Running',
        },
      ],
      machinesByPhase: { Running: 2 },
      machineCount: 2,
      controlPlane: { desired: 3, current: 3, ready: 3, available: 3 },
    });
  });

  it('leaves out the optional fields nothing tells', () => {
    const s = state({}, false);
    const summary = foldClusterSummary(s, {
      managementCluster: 'mc-a',
      ownership: new OwnershipResolver({
        ownerKeys: [],
        systemKeys: [],
        lifecycleKeys: [],
        profileKeys: [],
        profileVersionKeys: [],
        namespaceOwners: {},
        defaultOwner: 'group:default/platform',
      }),
      health: new CapiHealthEvaluator(),
    });
    const keys = Object.keys(summary!);
    expect(keys.slice(keys.indexOf('apiVersion') + 1)).toEqual([
      'clusterClass',
      'provider',
      'infrastructureKind',
      'controlPlaneKind',
      'distribution',
      'kubernetesVersion',
      'kubernetesMinor',
      'apiServerUrl',
      'createdAt',
      'managementClusterOf',
    ]);
    expect(summary?.owner).toBe('group:default/platform');
  });
});
