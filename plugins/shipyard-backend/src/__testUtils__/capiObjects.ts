import type { FakeKubeApi } from './FakeKubeApi';

/* Cluster API objects for the fake API server of the unit suites: a topology Cluster and its children. */

/** A v1beta2 topology Cluster object. */
export function capiCluster(
  name: string,
  options: {
    namespace?: string;
    labels?: Record<string, string>;
    available?: boolean;
    phase?: string;
    version?: string;
    workers?: number;
  } = {},
) {
  const available = options.available ?? true;
  return {
    metadata: {
      name,
      namespace: options.namespace ?? 'default',
      labels: options.labels ?? {},
    },
    spec: {
      topology: {
        classRef: { name: 'quick-start' },
        version: options.version ?? 'v1.31.2',
        controlPlane: { replicas: 1 },
        workers: {
          machineDeployments: [
            {
              class: 'default-worker',
              name: 'md-0',
              replicas: options.workers ?? 2,
            },
          ],
        },
      },
      infrastructureRef: {
        apiGroup: 'infrastructure.cluster.x-k8s.io',
        kind: 'DockerCluster',
        name,
      },
      controlPlaneRef: {
        apiGroup: 'controlplane.cluster.x-k8s.io',
        kind: 'KubeadmControlPlane',
        name: `${name}-cp`,
      },
      controlPlaneEndpoint: { host: `${name}.example.test`, port: 6443 },
    },
    status: {
      phase: options.phase ?? 'Provisioned',
      initialization: {
        infrastructureProvisioned: true,
        controlPlaneInitialized: true,
      },
      conditions: [
        {
          type: 'Available',
          status: available ? 'True' : 'False',
          reason: available ? 'Available' : 'NotAvailable',
          lastTransitionTime: '2025-01-01T00:00:00Z',
        },
        {
          type: 'ControlPlaneAvailable',
          status: available ? 'True' : 'False',
          reason: available ? 'Available' : 'NotAvailable',
          message: available ? undefined : 'control plane is down',
          lastTransitionTime: '2025-01-01T00:00:00Z',
        },
      ],
      controlPlane: {
        desiredReplicas: 1,
        replicas: 1,
        readyReplicas: available ? 1 : 0,
        availableReplicas: available ? 1 : 0,
        upToDateReplicas: 1,
      },
      workers: {
        desiredReplicas: options.workers ?? 2,
        replicas: options.workers ?? 2,
        readyReplicas: options.workers ?? 2,
        availableReplicas: options.workers ?? 2,
        upToDateReplicas: options.workers ?? 2,
      },
    },
  };
}

/** Objects of a cluster's children: control plane, one MachineDeployment with its MachineSet and Machines. */
export function capiChildren(
  clusterName: string,
  workers = 2,
  namespace = 'default',
) {
  const labels = { 'cluster.x-k8s.io/cluster-name': clusterName };
  const machines: any[] = [];
  machines.push({
    metadata: {
      name: `${clusterName}-cp-0`,
      namespace,
      labels: { ...labels, 'cluster.x-k8s.io/control-plane': '' },
      ownerReferences: [
        {
          apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2',
          kind: 'KubeadmControlPlane',
          name: `${clusterName}-cp`,
          uid: 'x',
          controller: true,
        },
      ],
    },
    spec: { clusterName, version: 'v1.31.2' },
    status: {
      phase: 'Running',
      nodeRef: { name: `${clusterName}-cp-0` },
      conditions: [{ type: 'Available', status: 'True', reason: 'Available' }],
    },
  });
  for (let i = 0; i < workers; i++) {
    machines.push({
      metadata: {
        name: `${clusterName}-md-0-${i}`,
        namespace,
        labels: {
          ...labels,
          'cluster.x-k8s.io/deployment-name': `${clusterName}-md-0`,
        },
        ownerReferences: [
          {
            apiVersion: 'cluster.x-k8s.io/v1beta2',
            kind: 'MachineSet',
            name: `${clusterName}-md-0-abc`,
            uid: 'y',
            controller: true,
          },
        ],
      },
      spec: { clusterName, version: 'v1.31.2' },
      status: {
        phase: 'Running',
        nodeRef: { name: `${clusterName}-md-0-${i}` },
        conditions: [
          { type: 'Available', status: 'True', reason: 'Available' },
        ],
      },
    });
  }
  return {
    controlPlane: {
      metadata: {
        name: `${clusterName}-cp`,
        namespace,
        labels,
        ownerReferences: [
          {
            apiVersion: 'cluster.x-k8s.io/v1beta2',
            kind: 'Cluster',
            name: clusterName,
            uid: 'z',
            controller: true,
          },
        ],
      },
      spec: { replicas: 1, version: 'v1.31.2' },
      status: {
        replicas: 1,
        readyReplicas: 1,
        availableReplicas: 1,
        upToDateReplicas: 1,
        version: 'v1.31.2',
        conditions: [
          { type: 'Available', status: 'True', reason: 'Available' },
        ],
      },
    },
    machineDeployment: {
      metadata: {
        name: `${clusterName}-md-0`,
        namespace,
        labels: {
          ...labels,
          'topology.cluster.x-k8s.io/deployment-name': 'md-0',
        },
      },
      spec: {
        clusterName,
        replicas: workers,
        template: { spec: { version: 'v1.31.2' } },
      },
      status: {
        phase: 'Running',
        replicas: workers,
        readyReplicas: workers,
        availableReplicas: workers,
        upToDateReplicas: workers,
        conditions: [
          { type: 'Available', status: 'True', reason: 'Available' },
        ],
      },
    },
    machineSet: {
      metadata: {
        name: `${clusterName}-md-0-abc`,
        namespace,
        labels,
        ownerReferences: [
          {
            apiVersion: 'cluster.x-k8s.io/v1beta2',
            kind: 'MachineDeployment',
            name: `${clusterName}-md-0`,
            uid: 'w',
            controller: true,
          },
        ],
      },
      spec: { clusterName, replicas: workers },
      status: {
        replicas: workers,
        readyReplicas: workers,
        availableReplicas: workers,
      },
    },
    machines,
  };
}

/** Puts a whole cluster (Cluster and children) into a fake API. */
export function putCluster(
  api: FakeKubeApi,
  name: string,
  options: Parameters<typeof capiCluster>[1] = {},
) {
  const namespace = options.namespace ?? 'default';
  api.put('clusters', capiCluster(name, options));
  const c = capiChildren(name, options.workers ?? 2, namespace);
  api.put('kubeadmcontrolplanes', c.controlPlane);
  api.put('machinedeployments', c.machineDeployment);
  api.put('machinesets', c.machineSet);
  for (const m of c.machines) api.put('machines', m);
}
