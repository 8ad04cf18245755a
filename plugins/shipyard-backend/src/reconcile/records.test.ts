import { kubernetesMinorOfDistribution } from './fold';
import {
  projectCluster,
  projectControlPlane,
  projectMachine,
  projectMachineDeployment,
} from './records';

describe('projection', () => {
  it('reads a v1beta1 Cluster, preferring status.v1beta2 conditions and counters', () => {
    const record = projectCluster(
      {
        apiVersion: 'cluster.x-k8s.io/v1beta1',
        kind: 'Cluster',
        metadata: {
          name: 'old',
          namespace: 'ns',
          uid: 'u1',
          annotations: {
            'shipyard.io/owner': 'team-x',
            'kubectl.kubernetes.io/last-applied-configuration': '{…}',
          },
        },
        spec: {
          topology: { class: 'legacy-class', version: 'v1.28.3' },
          infrastructureRef: {
            apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
            kind: 'AWSCluster',
            name: 'old',
          },
          controlPlaneRef: {
            apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1',
            kind: 'KubeadmControlPlane',
            name: 'old-cp',
          },
        },
        status: {
          phase: 'Provisioned',
          infrastructureReady: true,
          controlPlaneReady: true,
          conditions: [{ type: 'Ready', status: 'True', severity: '' }],
          v1beta2: {
            conditions: [
              { type: 'Available', status: 'True', reason: 'Available' },
            ],
            controlPlane: {
              desiredReplicas: 3,
              readyReplicas: 3,
              availableReplicas: 3,
            },
          },
        },
      },
      new Set(['shipyard.io/owner']),
    );
    expect(record).toMatchObject({
      clusterClass: 'legacy-class',
      version: 'v1.28.3',
      infrastructureKind: 'AWSCluster',
      controlPlaneKind: 'KubeadmControlPlane',
      controlPlaneName: 'old-cp',
      infrastructureProvisioned: true,
      controlPlaneInitialized: true,
      conditions: [{ type: 'Available', status: 'True', reason: 'Available' }],
      controlPlaneCounters: { desired: 3, ready: 3, available: 3 },
      annotations: { 'shipyard.io/owner': 'team-x' },
    });
  });

  it('marks counters whose status has not yet observed the latest spec', () => {
    const md = (generation: number, observedGeneration: number) =>
      projectMachineDeployment({
        apiVersion: 'cluster.x-k8s.io/v1beta2',
        metadata: {
          name: 'c1-md-0',
          generation,
          labels: { 'cluster.x-k8s.io/cluster-name': 'c1' },
        } as any,
        spec: {
          clusterName: 'c1',
          replicas: 2,
          template: { spec: { version: 'v1.36.2' } },
        },
        status: {
          observedGeneration,
          replicas: 2,
          readyReplicas: 2,
          upToDateReplicas: 2,
        },
      }).replicas;
    // the topology controller just moved the template to v1.36.2: the counters still count the old Machines
    expect(md(3, 2)).toEqual({
      desired: 2,
      current: 2,
      ready: 2,
      upToDate: 2,
      statusBehindSpec: true,
    });
    expect(md(3, 3)).toEqual({ desired: 2, current: 2, ready: 2, upToDate: 2 });
  });

  it('trims Machines to what the views need', () => {
    const m = projectMachine({
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      metadata: {
        name: 'm1',
        labels: { 'cluster.x-k8s.io/cluster-name': 'c1' },
        ownerReferences: [
          {
            apiVersion: 'cluster.x-k8s.io/v1beta2',
            kind: 'MachineSet',
            name: 'ms1',
            uid: 'x',
            controller: true,
          },
        ],
      },
      spec: {
        clusterName: 'c1',
        version: 'v1.31.0',
        bootstrap: { dataSecretName: 'secret' },
      },
      status: {
        phase: 'Running',
        nodeRef: { name: 'node-1' },
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    });
    expect(m).toEqual({
      name: 'm1',
      clusterName: 'c1',
      phase: 'Running',
      version: 'v1.31.0',
      nodeName: 'node-1',
      machineSetName: 'ms1',
      controlPlane: false,
      ready: 'True',
    });
  });
});

describe('kubernetesMinorOfDistribution', () => {
  it('maps OpenShift minors to the Kubernetes minor they ship', () => {
    expect(kubernetesMinorOfDistribution('openshift', '4.17.9')).toBe('1.30');
    expect(kubernetesMinorOfDistribution('openshift', 'v1.31.2')).toBe('1.31');
    expect(kubernetesMinorOfDistribution('eks', 'v1.31.2-eks-1234')).toBe(
      '1.31',
    );
    expect(kubernetesMinorOfDistribution('k3s', undefined)).toBeUndefined();
  });
});

describe('control plane versions', () => {
  const cp = (kind: string, spec: object, status: object) =>
    projectControlPlane({
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
      kind,
      metadata: { name: 'c1', namespace: 'ns' },
      spec,
      status,
    });

  it.each([
    [
      'AzureManagedControlPlane',
      { version: 'v1.33.4' },
      { version: 'v1.33.4' },
      'v1.33.4',
      'v1.33.4',
    ],
    [
      'GCPManagedControlPlane',
      { controlPlaneVersion: '1.32.7-gke.1012000' },
      { currentVersion: '1.32.7-gke.1012000' },
      '1.32.7-gke.1012000',
      '1.32.7-gke.1012000',
    ],
    [
      'K0sControlPlane',
      { version: 'v1.31.2+k0s.0' },
      {},
      'v1.31.2+k0s.0',
      undefined,
    ],
  ])(
    'reads %s’s declared and observed version',
    (kind, spec, status, version, observed) => {
      const record = cp(kind, spec, status);
      expect(record.version).toBe(version);
      expect(record.observedVersion).toBe(observed);
    },
  );
});
