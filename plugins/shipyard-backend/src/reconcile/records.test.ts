import { kubernetesMinorOfDistribution } from './fold';
import {
  projectCluster,
  projectControlPlane,
  projectMachine,
  projectMachineDeployment,
  projectMachineHealthCheck,
  projectMachinePool,
  projectMachineSet,
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

describe('projected records, written out', () => {
  // the JSON of a record (its keys in order, what is unknown left out) is what summaries and trees are made of
  const v2 = 'cluster.x-k8s.io/v1beta2';
  const v1 = 'cluster.x-k8s.io/v1beta1';
  const labels = { 'cluster.x-k8s.io/cluster-name': 'c1' };

  it('writes out MachineDeployments, MachineSets, MachinePools and MachineHealthChecks', () => {
    const full = {
      apiVersion: v2,
      metadata: {
        name: 'c1-md-0',
        generation: 3,
        labels: {
          ...labels,
          'topology.cluster.x-k8s.io/deployment-name': 'md-0',
          'cluster.x-k8s.io/deployment-name': 'c1-md-0',
        },
        ownerReferences: [
          {
            apiVersion: v2,
            kind: 'MachineDeployment',
            name: 'c1-md-0',
            uid: 'u',
            controller: true,
          },
        ],
      },
      spec: {
        clusterName: 'c1',
        replicas: 3,
        template: { spec: { version: 'v1.31.2' } },
      },
      status: {
        phase: 'Running',
        observedGeneration: 2,
        replicas: 3,
        readyReplicas: 2,
        availableReplicas: 2,
        upToDateReplicas: 1,
        expectedMachines: 3,
        currentHealthy: 2,
        remediationsAllowed: 1,
        conditions: [
          { type: 'Ready', status: 'True' },
          {
            type: 'Available',
            status: 'False',
            reason: 'NotAvailable',
            message: '1 of 3 replicas not available',
            lastTransitionTime: '2026-01-01T00:00:00Z',
          },
        ],
      },
    };
    const bare = {
      apiVersion: v2,
      metadata: { name: 'bare' },
      spec: {},
      status: {},
    };
    const write = (x: unknown) => JSON.stringify(x);
    expect(write(projectMachineDeployment(full))).toBe(
      '{"name":"c1-md-0","clusterName":"c1","class":"md-0","version":"v1.31.2","phase":"Running",' +
        '"replicas":{"statusBehindSpec":true,"desired":3,"current":3,"ready":2,"available":2,"upToDate":1},' +
        '"readiness":{"status":"False","reason":"NotAvailable","message":"1 of 3 replicas not available",' +
        '"since":"2026-01-01T00:00:00Z"}}',
    );
    expect(write(projectMachineDeployment(bare))).toBe(
      '{"name":"bare","replicas":{},"readiness":{"status":"Unknown"}}',
    );
    expect(write(projectMachineSet(full))).toBe(
      '{"name":"c1-md-0","clusterName":"c1","deploymentName":"c1-md-0",' +
        '"replicas":{"statusBehindSpec":true,"desired":3,"current":3,"ready":2,"available":2,"upToDate":1}}',
    );
    expect(write(projectMachineSet(bare))).toBe(
      '{"name":"bare","replicas":{}}',
    );
    expect(write(projectMachinePool(full))).toBe(
      '{"name":"c1-md-0","clusterName":"c1","version":"v1.31.2","phase":"Running",' +
        '"replicas":{"statusBehindSpec":true,"desired":3,"current":3,"ready":2,"available":2,"upToDate":1},' +
        '"readiness":{"status":"False","reason":"NotAvailable","message":"1 of 3 replicas not available",' +
        '"since":"2026-01-01T00:00:00Z"}}',
    );
    expect(write(projectMachinePool(bare))).toBe(
      '{"name":"bare","replicas":{},"readiness":{"status":"Unknown"}}',
    );
    expect(write(projectMachineHealthCheck(full))).toBe(
      '{"name":"c1-md-0","clusterName":"c1","expectedMachines":3,"currentHealthy":2,"remediationsAllowed":1}',
    );
    expect(write(projectMachineHealthCheck(bare))).toBe('{"name":"bare"}');
    // v1beta1: the v1beta2 counters and conditions under status.v1beta2 win, the old names are the fallback
    const old = {
      apiVersion: v1,
      metadata: { name: 'old', labels },
      spec: { replicas: 2 },
      status: {
        replicas: 2,
        readyReplicas: 1,
        updatedReplicas: 2,
        conditions: [{ type: 'Ready', status: 'Maybe', reason: '' }],
        v1beta2: { availableReplicas: 1 },
      },
    };
    expect(write(projectMachineDeployment(old))).toBe(
      '{"name":"old","clusterName":"c1",' +
        '"replicas":{"desired":2,"current":2,"ready":1,"available":1,"upToDate":2},' +
        '"readiness":{"status":"Unknown"}}',
    );
  });

  it('writes out Machines of every kind of owner and readiness', () => {
    const machine = (metadata: object, status: object) =>
      JSON.stringify(
        projectMachine({
          apiVersion: v2,
          metadata: { name: 'm1', labels, ...metadata },
          spec: { clusterName: 'c1' },
          status,
        }),
      );
    expect(
      machine(
        {
          labels: { ...labels, 'cluster.x-k8s.io/control-plane': '' },
          ownerReferences: [
            {
              apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2',
              kind: 'KubeadmControlPlane',
              name: 'c1-cp',
              uid: 'u',
              controller: true,
            },
          ],
        },
        {
          phase: 'Running',
          nodeRef: { name: 'm1' },
          conditions: [
            {
              type: 'Ready',
              status: 'False',
              reason: 'NodeNotReady',
              message: 'kubelet stopped posting',
              lastTransitionTime: '2026-01-02T00:00:00Z',
            },
          ],
        },
      ),
    ).toBe(
      '{"name":"m1","clusterName":"c1","phase":"Running","nodeName":"m1","controlPlane":true,' +
        '"ready":"False","readyReason":"NodeNotReady","readyMessage":"kubelet stopped posting",' +
        '"readySince":"2026-01-02T00:00:00Z"}',
    );
    expect(
      machine(
        {
          ownerReferences: [
            {
              apiVersion: v2,
              kind: 'MachinePool',
              name: 'mp1',
              uid: 'u',
              controller: true,
            },
          ],
        },
        { conditions: [{ type: 'Available', status: 'True', message: '' }] },
      ),
    ).toBe(
      '{"name":"m1","clusterName":"c1","phase":"Unknown","machinePoolName":"mp1","controlPlane":false,"ready":"True"}',
    );
    expect(machine({}, {})).toBe(
      '{"name":"m1","clusterName":"c1","phase":"Unknown","controlPlane":false,"ready":"Unknown"}',
    );
  });

  it('writes out conditions of Clusters and control planes, and the control plane readiness', () => {
    const conditions = [
      {
        type: 'Available',
        status: 'True',
        reason: 'Available',
        lastTransitionTime: '2026-01-03T00:00:00Z',
      },
      {
        type: 'WorkersAvailable',
        status: 'False',
        reason: 'NotAvailable',
        message: 'md-0 not available',
        severity: 'Warning',
        lastTransitionTime: '2026-01-03T00:00:00Z',
      },
      { type: 'Paused', status: 'false' },
      { status: 'True' },
      null,
    ];
    const cluster = projectCluster(
      {
        apiVersion: v2,
        kind: 'Cluster',
        metadata: { name: 'c1', namespace: 'ns', uid: 'u1' },
        spec: {},
        status: {
          conditions,
          controlPlane: { desiredReplicas: 3, replicas: 3 },
          workers: {},
        },
      },
      new Set(),
    );
    const written =
      '[{"type":"Available","status":"True","reason":"Available","lastTransitionTime":"2026-01-03T00:00:00Z"},' +
      '{"type":"WorkersAvailable","status":"False","reason":"NotAvailable","message":"md-0 not available",' +
      '"severity":"Warning","lastTransitionTime":"2026-01-03T00:00:00Z"},' +
      '{"type":"Paused","status":"Unknown"}]';
    expect(JSON.stringify(cluster.conditions)).toBe(written);
    expect(JSON.stringify(cluster.controlPlaneCounters)).toBe(
      '{"desired":3,"current":3}',
    );
    expect(JSON.stringify(cluster.workerCounters)).toBe('{}');
    const cp = projectControlPlane({
      apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2',
      kind: 'KubeadmControlPlane',
      metadata: { name: 'c1-cp', namespace: 'ns', labels: { ...labels } },
      spec: { replicas: 3, version: 'v1.31.2' },
      status: { replicas: 3, readyReplicas: 3, version: 'v1.31.2', conditions },
    });
    expect(JSON.stringify(cp)).toBe(
      '{"namespace":"ns","name":"c1-cp","kind":"KubeadmControlPlane","clusterName":"c1","version":"v1.31.2",' +
        '"observedVersion":"v1.31.2","replicas":{"desired":3,"current":3,"ready":3},' +
        '"readiness":{"status":"True","reason":"Available","since":"2026-01-03T00:00:00Z"},' +
        `"conditions":${written}}`,
    );
  });
});
