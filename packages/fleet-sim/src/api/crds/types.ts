/**
 * The custom resource types the management clusters serve: the Cluster API kinds and those of the providers and
 * distributions the fleet uses, with their versions, short names, printer columns and subresources (a data table).
 */
import {
  ALL_VERBS,
  PrinterColumn,
  ResourceType,
  ScaleSubresource,
} from '../resourceType';
import { builtinSchema } from '.';

export type ColumnSpec = [
  name: string,
  jsonPath: string,
  type?: string,
  priority?: number,
];

export function columns(specs: ColumnSpec[]): PrinterColumn[] {
  return specs.map(([name, jsonPath, type = 'string', priority]) => ({
    name,
    jsonPath,
    type,
    ...(priority ? { priority } : {}),
  }));
}

const AGE: ColumnSpec = ['Age', '.metadata.creationTimestamp', 'date'];
const PAUSED: ColumnSpec = [
  'Paused',
  '.status.conditions[?(@.type=="Paused")].status',
  'string',
  10,
];
const CLUSTER_LABEL: ColumnSpec = [
  'Cluster',
  ".metadata.labels['cluster\\.x-k8s\\.io/cluster-name']",
];
/** The replica columns of a v1beta1 control plane that runs replicas (KubeadmControlPlane's, which k0smotron copies). */
const CONTROL_PLANE_REPLICAS: ColumnSpec[] = [
  ['API Server Available', '.status.ready', 'boolean'],
  ['Desired', '.spec.replicas', 'integer', 10],
  ['Replicas', '.status.replicas', 'integer'],
  ['Ready', '.status.readyReplicas', 'integer'],
  ['Updated', '.status.updatedReplicas', 'integer'],
  ['Unavailable', '.status.unavailableReplicas', 'integer'],
  AGE,
  ['Version', '.spec.version'],
];

interface CrdInput {
  group: string;
  kind: string;
  plural?: string;
  shortNames?: string[];
  namespaced?: boolean;
  status?: boolean;
  scale?: ScaleSubresource;
  /** Served versions, storage first. */
  versions: string[];
  deprecatedVersions?: string[];
  columns?: Record<string, ColumnSpec[]>;
  family?: string;
  /** Categories of `kubectl get <category>` (default `cluster-api`). */
  categories?: string[];
}

function crd(input: CrdInput): ResourceType {
  const plural = input.plural ?? `${input.kind.toLowerCase()}s`;
  return {
    id: `${input.group}/${plural}`,
    group: input.group,
    kind: input.kind,
    listKind: `${input.kind}List`,
    plural,
    singular: input.kind.toLowerCase(),
    namespaced: input.namespaced ?? true,
    shortNames: input.shortNames ?? [],
    categories: input.categories ?? ['cluster-api'],
    versions: input.versions.map((name, index) => ({
      name,
      served: true,
      storage: index === 0,
      deprecated: input.deprecatedVersions?.includes(name) || undefined,
      columns: columns(input.columns?.[name] ?? input.columns?.['*'] ?? [AGE]),
      schema: builtinSchema(input.group, input.kind, name),
    })),
    status: input.status ?? true,
    scale: input.scale,
    custom: true,
    verbs: ALL_VERBS,
    returnDeletedObject: true,
    family: input.family,
  };
}

const CAPI = 'cluster.x-k8s.io';
const CONTROL_PLANE = 'controlplane.cluster.x-k8s.io';
const INFRA = 'infrastructure.cluster.x-k8s.io';
const BOOTSTRAP = 'bootstrap.cluster.x-k8s.io';
const BOTH = ['v1beta2', 'v1beta1'];
const OLD = ['v1beta1'];

const REPLICA_SCALE: ScaleSubresource = {
  specReplicasPath: '.spec.replicas',
  statusReplicasPath: '.status.replicas',
  labelSelectorPath: '.status.selector',
};

/** The custom resource types served, Cluster API's first. */
export function customResourceTypes(): ResourceType[] {
  return [
    crd({
      group: CAPI,
      kind: 'Cluster',
      shortNames: ['cl'],
      versions: BOTH,
      deprecatedVersions: OLD,
      columns: {
        v1beta2: [
          ['ClusterClass', '.spec.topology.classRef.name'],
          ['Available', '.status.conditions[?(@.type=="Available")].status'],
          ['CP Desired', '.status.controlPlane.desiredReplicas', 'integer'],
          ['CP Current', '.status.controlPlane.replicas', 'integer', 10],
          ['CP Ready', '.status.controlPlane.readyReplicas', 'integer', 10],
          ['CP Available', '.status.controlPlane.availableReplicas', 'integer'],
          ['CP Up-to-date', '.status.controlPlane.upToDateReplicas', 'integer'],
          ['W Desired', '.status.workers.desiredReplicas', 'integer'],
          ['W Current', '.status.workers.replicas', 'integer', 10],
          ['W Ready', '.status.workers.readyReplicas', 'integer', 10],
          ['W Available', '.status.workers.availableReplicas', 'integer'],
          ['W Up-to-date', '.status.workers.upToDateReplicas', 'integer'],
          PAUSED,
          ['Phase', '.status.phase'],
          AGE,
          ['Version', '.spec.topology.version'],
        ],
        v1beta1: [
          ['ClusterClass', '.spec.topology.class'],
          ['Phase', '.status.phase'],
          AGE,
          ['Version', '.spec.topology.version'],
        ],
      },
    }),
    crd({
      group: CAPI,
      kind: 'ClusterClass',
      plural: 'clusterclasses',
      shortNames: ['cc'],
      versions: BOTH,
      deprecatedVersions: OLD,
      columns: {
        v1beta2: [
          PAUSED,
          [
            'Variables Ready',
            '.status.conditions[?(@.type=="VariablesReady")].status',
          ],
          AGE,
        ],
        v1beta1: [AGE],
      },
    }),
    crd({
      group: CAPI,
      kind: 'MachineDeployment',
      shortNames: ['md'],
      versions: BOTH,
      deprecatedVersions: OLD,
      scale: REPLICA_SCALE,
      columns: {
        v1beta2: [
          ['Cluster', '.spec.clusterName'],
          ['Available', '.status.conditions[?(@.type=="Available")].status'],
          ['Desired', '.spec.replicas', 'integer'],
          ['Current', '.status.replicas', 'integer'],
          ['Ready', '.status.readyReplicas', 'integer'],
          ['Available', '.status.availableReplicas', 'integer'],
          ['Up-to-date', '.status.upToDateReplicas', 'integer'],
          PAUSED,
          ['Phase', '.status.phase'],
          AGE,
          ['Version', '.spec.template.spec.version'],
        ],
        v1beta1: [
          ['Cluster', '.spec.clusterName'],
          ['Desired', '.spec.replicas', 'integer', 10],
          ['Replicas', '.status.replicas', 'integer'],
          ['Ready', '.status.readyReplicas', 'integer'],
          ['Updated', '.status.updatedReplicas', 'integer'],
          ['Unavailable', '.status.unavailableReplicas', 'integer'],
          ['Phase', '.status.phase'],
          AGE,
          ['Version', '.spec.template.spec.version'],
        ],
      },
    }),
    crd({
      group: CAPI,
      kind: 'MachineSet',
      shortNames: ['ms'],
      versions: BOTH,
      deprecatedVersions: OLD,
      scale: REPLICA_SCALE,
      columns: {
        v1beta2: [
          ['Cluster', '.spec.clusterName'],
          ['Desired', '.spec.replicas', 'integer'],
          ['Current', '.status.replicas', 'integer'],
          ['Ready', '.status.readyReplicas', 'integer'],
          ['Available', '.status.availableReplicas', 'integer'],
          ['Up-to-date', '.status.upToDateReplicas', 'integer'],
          PAUSED,
          AGE,
          ['Version', '.spec.template.spec.version'],
        ],
        v1beta1: [
          ['Cluster', '.spec.clusterName'],
          ['Desired', '.spec.replicas', 'integer', 10],
          ['Replicas', '.status.replicas', 'integer'],
          ['Ready', '.status.readyReplicas', 'integer'],
          ['Available', '.status.availableReplicas', 'integer'],
          AGE,
          ['Version', '.spec.template.spec.version'],
        ],
      },
    }),
    crd({
      group: CAPI,
      kind: 'Machine',
      shortNames: ['ma'],
      versions: BOTH,
      deprecatedVersions: OLD,
      columns: {
        v1beta2: [
          ['Cluster', '.spec.clusterName'],
          ['Node Name', '.status.nodeRef.name'],
          ['Provider ID', '.spec.providerID', 'string', 10],
          ['Failure domain', '.status.failureDomain'],
          ['Ready', '.status.conditions[?(@.type=="Ready")].status'],
          ['Available', '.status.conditions[?(@.type=="Available")].status'],
          ['Up-to-date', '.status.conditions[?(@.type=="UpToDate")].status'],
          [
            'Internal-IP',
            '.status.addresses[?(@.type=="InternalIP")].address',
            'string',
            10,
          ],
          [
            'External-IP',
            '.status.addresses[?(@.type=="ExternalIP")].address',
            'string',
            10,
          ],
          ['OS-Image', '.status.nodeInfo.osImage', 'string', 10],
          PAUSED,
          ['Phase', '.status.phase'],
          AGE,
          ['Version', '.spec.version'],
        ],
        v1beta1: [
          ['Cluster', '.spec.clusterName'],
          ['NodeName', '.status.nodeRef.name'],
          ['ProviderID', '.spec.providerID'],
          ['Phase', '.status.phase'],
          AGE,
          ['Version', '.spec.version'],
        ],
      },
    }),
    crd({
      group: CAPI,
      kind: 'MachinePool',
      shortNames: ['mp'],
      versions: BOTH,
      deprecatedVersions: OLD,
      scale: {
        specReplicasPath: '.spec.replicas',
        statusReplicasPath: '.status.replicas',
      },
      columns: {
        v1beta2: [
          ['Cluster', '.spec.clusterName'],
          ['Desired', '.spec.replicas', 'integer'],
          ['Current', '.status.replicas', 'integer'],
          ['Ready', '.status.readyReplicas', 'integer'],
          ['Available', '.status.availableReplicas', 'integer'],
          ['Up-to-date', '.status.upToDateReplicas', 'integer'],
          PAUSED,
          ['Phase', '.status.phase'],
          AGE,
          ['Version', '.spec.template.spec.version'],
        ],
        v1beta1: [
          ['Cluster', '.spec.clusterName'],
          ['Desired', '.spec.replicas', 'integer', 10],
          ['Replicas', '.status.replicas'],
          ['Phase', '.status.phase'],
          AGE,
          ['Version', '.spec.template.spec.version'],
        ],
      },
    }),
    crd({
      group: CAPI,
      kind: 'MachineHealthCheck',
      shortNames: ['mhc', 'mhcs'],
      versions: BOTH,
      deprecatedVersions: OLD,
      columns: {
        v1beta2: [
          ['Cluster', '.spec.clusterName'],
          ['Replicas', '.status.expectedMachines', 'integer'],
          ['Healthy', '.status.currentHealthy', 'integer'],
          PAUSED,
          AGE,
        ],
        v1beta1: [
          ['Cluster', '.spec.clusterName'],
          ['ExpectedMachines', '.status.expectedMachines', 'integer'],
          ['MaxUnhealthy', '.spec.maxUnhealthy'],
          ['CurrentHealthy', '.status.currentHealthy', 'integer'],
          AGE,
        ],
      },
    }),

    crd({
      group: CONTROL_PLANE,
      kind: 'KubeadmControlPlane',
      shortNames: ['kcp'],
      versions: BOTH,
      deprecatedVersions: OLD,
      scale: REPLICA_SCALE,
      family: 'kubeadm',
      columns: {
        v1beta2: [
          CLUSTER_LABEL,
          ['Available', '.status.conditions[?(@.type=="Available")].status'],
          ['Desired', '.spec.replicas', 'integer'],
          ['Current', '.status.replicas', 'integer'],
          ['Ready', '.status.readyReplicas', 'integer'],
          ['Available', '.status.availableReplicas', 'integer'],
          ['Up-to-date', '.status.upToDateReplicas', 'integer'],
          PAUSED,
          [
            'Initialized',
            '.status.initialization.controlPlaneInitialized',
            'boolean',
          ],
          AGE,
          ['Version', '.spec.version'],
        ],
        v1beta1: [
          CLUSTER_LABEL,
          ['Initialized', '.status.initialized', 'boolean'],
          ...CONTROL_PLANE_REPLICAS,
        ],
      },
    }),
    crd({
      group: CONTROL_PLANE,
      kind: 'KubeadmControlPlaneTemplate',
      versions: BOTH,
      deprecatedVersions: OLD,
      status: false,
      family: 'kubeadm',
      columns: {
        v1beta2: [
          [
            'ClusterClass',
            '.metadata.ownerReferences[?(@.kind=="ClusterClass")].name',
          ],
          AGE,
        ],
        v1beta1: [AGE],
      },
    }),
    crd({
      group: CONTROL_PLANE,
      kind: 'KThreesControlPlane',
      shortNames: ['ktcp'],
      versions: ['v1beta2', 'v1beta1'],
      deprecatedVersions: OLD,
      scale: REPLICA_SCALE,
      family: 'k3s',
      columns: {
        '*': [
          CLUSTER_LABEL,
          ['Initialized', '.status.initialized', 'boolean'],
          ['API Server Available', '.status.ready', 'boolean'],
          ['Replicas', '.status.replicas', 'integer'],
          ['Ready', '.status.readyReplicas', 'integer'],
          AGE,
          ['Version', '.spec.version'],
        ],
      },
    }),
    crd({
      group: CONTROL_PLANE,
      kind: 'RKE2ControlPlane',
      shortNames: ['rcp'],
      versions: ['v1beta2', 'v1beta1'],
      deprecatedVersions: OLD,
      scale: REPLICA_SCALE,
      family: 'rke2',
      columns: {
        '*': [
          CLUSTER_LABEL,
          ['Replicas', '.status.replicas', 'integer'],
          ['Ready', '.status.readyReplicas', 'integer'],
          AGE,
          ['Version', '.spec.version'],
        ],
      },
    }),
    crd({
      group: CONTROL_PLANE,
      kind: 'K0sControlPlane',
      shortNames: ['kcp0'],
      versions: ['v1beta1'],
      scale: REPLICA_SCALE,
      family: 'k0s',
      columns: {
        '*': [
          CLUSTER_LABEL,
          ['Ready', '.status.ready', 'boolean'],
          ['Replicas', '.status.replicas', 'integer'],
          AGE,
          ['Version', '.spec.version'],
        ],
      },
    }),
    crd({
      group: CONTROL_PLANE,
      kind: 'K0smotronControlPlane',
      versions: ['v1beta1'],
      scale: REPLICA_SCALE,
      family: 'k0smotron',
      columns: {
        '*': [CLUSTER_LABEL, ...CONTROL_PLANE_REPLICAS],
      },
    }),
    crd({
      group: CONTROL_PLANE,
      kind: 'KamajiControlPlane',
      shortNames: ['ktcp'],
      versions: ['v1alpha1'],
      scale: REPLICA_SCALE,
      family: 'kamaji',
      columns: {
        '*': [
          ['Version', '.spec.version'],
          ['Initialized', '.status.initialized', 'boolean'],
          ['Ready', '.status.ready', 'boolean'],
          AGE,
        ],
      },
    }),
    crd({
      group: CONTROL_PLANE,
      kind: 'K0smotronControlPlaneTemplate',
      versions: ['v1beta1'],
      status: false,
      family: 'k0smotron',
    }),
    crd({
      group: CONTROL_PLANE,
      kind: 'KamajiControlPlaneTemplate',
      versions: ['v1alpha1'],
      status: false,
      family: 'kamaji',
    }),
    crd({
      group: CONTROL_PLANE,
      kind: 'KThreesControlPlaneTemplate',
      versions: ['v1beta2', 'v1beta1'],
      deprecatedVersions: OLD,
      status: false,
      family: 'k3s',
    }),
    crd({
      group: CONTROL_PLANE,
      kind: 'RKE2ControlPlaneTemplate',
      versions: ['v1beta2', 'v1beta1'],
      deprecatedVersions: OLD,
      status: false,
      family: 'rke2',
    }),
    crd({
      group: CONTROL_PLANE,
      kind: 'AWSManagedControlPlaneTemplate',
      versions: ['v1beta2'],
      status: false,
      family: 'aws',
    }),
    crd({
      group: CONTROL_PLANE,
      kind: 'AWSManagedControlPlane',
      shortNames: ['awsmcp'],
      versions: ['v1beta2', 'v1beta1'],
      deprecatedVersions: OLD,
      family: 'aws',
      columns: {
        '*': [
          CLUSTER_LABEL,
          ['Ready', '.status.ready'],
          ['EKS Cluster', '.spec.eksClusterName'],
          ['Endpoint', '.spec.controlPlaneEndpoint.host', 'string', 1],
          AGE,
          ['Version', '.spec.version'],
        ],
      },
    }),
    crd({
      group: CONTROL_PLANE,
      kind: 'ROSAControlPlane',
      shortNames: ['rosacp'],
      versions: ['v1beta2'],
      family: 'aws',
      columns: {
        '*': [
          CLUSTER_LABEL,
          ['Ready', '.status.ready'],
          AGE,
          ['Version', '.spec.version'],
        ],
      },
    }),

    crd({
      group: INFRA,
      kind: 'DevCluster',
      versions: BOTH,
      deprecatedVersions: OLD,
      family: 'docker',
      columns: { '*': [CLUSTER_LABEL, AGE] },
    }),
    crd({
      group: INFRA,
      kind: 'DevClusterTemplate',
      versions: BOTH,
      deprecatedVersions: OLD,
      status: false,
      family: 'docker',
    }),
    crd({
      group: INFRA,
      kind: 'DevMachine',
      versions: BOTH,
      deprecatedVersions: OLD,
      family: 'docker',
      columns: {
        v1beta2: [
          CLUSTER_LABEL,
          ['Provider ID', '.spec.providerID', 'string', 10],
          ['Failure domain', '.status.failureDomain'],
          [
            'IP',
            '.status.addresses[?(@.type=="InternalIP")].address',
            'string',
            10,
          ],
          PAUSED,
          ['Provisioned', '.status.initialization.provisioned'],
          AGE,
        ],
        v1beta1: [
          CLUSTER_LABEL,
          ['Machine', '.metadata.ownerReferences[?(@.kind=="Machine")].name'],
          ['ProviderID', '.spec.providerID'],
          ['Ready', '.status.ready'],
          AGE,
        ],
      },
    }),
    crd({
      group: INFRA,
      kind: 'DevMachineTemplate',
      versions: BOTH,
      deprecatedVersions: OLD,
      family: 'docker',
    }),
    crd({
      group: INFRA,
      kind: 'DevMachinePoolTemplate',
      versions: BOTH,
      deprecatedVersions: OLD,
      status: false,
      family: 'docker',
    }),
    crd({
      group: INFRA,
      kind: 'DockerCluster',
      versions: BOTH,
      deprecatedVersions: BOTH,
      family: 'docker',
      columns: { '*': [CLUSTER_LABEL, AGE] },
    }),
    crd({
      group: INFRA,
      kind: 'DockerClusterTemplate',
      versions: BOTH,
      deprecatedVersions: BOTH,
      status: false,
      family: 'docker',
    }),
    crd({
      group: INFRA,
      kind: 'DockerMachineTemplate',
      versions: BOTH,
      deprecatedVersions: BOTH,
      family: 'docker',
    }),
    crd({
      group: INFRA,
      kind: 'AWSManagedCluster',
      shortNames: ['awsmc'],
      versions: ['v1beta2', 'v1beta1'],
      deprecatedVersions: OLD,
      family: 'aws',
      columns: {
        '*': [
          CLUSTER_LABEL,
          ['Ready', '.status.ready'],
          ['Endpoint', '.spec.controlPlaneEndpoint.host'],
          AGE,
        ],
      },
    }),
    crd({
      group: INFRA,
      kind: 'AWSCluster',
      shortNames: ['awsc'],
      versions: ['v1beta2', 'v1beta1'],
      deprecatedVersions: OLD,
      family: 'aws',
      columns: {
        '*': [
          CLUSTER_LABEL,
          ['Ready', '.status.ready'],
          ['VPC', '.spec.network.vpc.id'],
          ['Bastion IP', '.status.bastion.publicIp'],
          AGE,
        ],
      },
    }),
    crd({
      group: INFRA,
      kind: 'AWSClusterTemplate',
      versions: ['v1beta2'],
      status: false,
      family: 'aws',
    }),
    crd({
      group: INFRA,
      kind: 'AWSManagedClusterTemplate',
      versions: ['v1beta2'],
      status: false,
      family: 'aws',
    }),
    crd({
      group: INFRA,
      kind: 'AWSMachineTemplate',
      shortNames: ['awsmt'],
      versions: ['v1beta2', 'v1beta1'],
      deprecatedVersions: OLD,
      family: 'aws',
    }),
    crd({
      group: INFRA,
      kind: 'ROSACluster',
      versions: ['v1beta2'],
      family: 'aws',
      columns: { '*': [CLUSTER_LABEL, ['Ready', '.status.ready'], AGE] },
    }),
    crd({
      group: INFRA,
      kind: 'ROSAMachinePool',
      shortNames: ['rosamp'],
      versions: ['v1beta2'],
      family: 'aws',
      columns: {
        '*': [
          ['Ready', '.status.ready'],
          ['Replicas', '.status.replicas'],
          AGE,
        ],
      },
    }),
    crd({
      group: INFRA,
      kind: 'AzureManagedCluster',
      shortNames: ['amc'],
      versions: ['v1beta1'],
      family: 'azure',
      columns: { '*': [CLUSTER_LABEL, ['Ready', '.status.ready'], AGE] },
    }),
    crd({
      group: INFRA,
      kind: 'AzureManagedControlPlane',
      shortNames: ['amcp'],
      versions: ['v1beta1'],
      family: 'azure',
      columns: {
        '*': [
          CLUSTER_LABEL,
          ['Ready', '.status.ready'],
          ['Severity', '.status.conditions[?(@.type=="Ready")].severity'],
          AGE,
          ['Version', '.spec.version'],
        ],
      },
    }),
    crd({
      group: INFRA,
      kind: 'AzureManagedMachinePool',
      shortNames: ['ammp'],
      versions: ['v1beta1'],
      family: 'azure',
      columns: {
        '*': [
          CLUSTER_LABEL,
          ['Ready', '.status.ready'],
          ['Mode', '.spec.mode'],
          AGE,
        ],
      },
    }),
    crd({
      group: INFRA,
      kind: 'GCPManagedCluster',
      shortNames: ['gcpmc'],
      versions: ['v1beta1'],
      family: 'gcp',
      columns: {
        '*': [
          CLUSTER_LABEL,
          ['Ready', '.status.ready'],
          ['Project', '.spec.project'],
          AGE,
        ],
      },
    }),
    crd({
      group: INFRA,
      kind: 'GCPManagedControlPlane',
      shortNames: ['gcpmcp'],
      versions: ['v1beta1'],
      family: 'gcp',
      columns: {
        '*': [
          CLUSTER_LABEL,
          ['Ready', '.status.ready'],
          ['CurrentVersion', '.status.currentVersion'],
          AGE,
        ],
      },
    }),
    crd({
      group: INFRA,
      kind: 'GCPManagedMachinePool',
      shortNames: ['gcpmmp'],
      versions: ['v1beta1'],
      family: 'gcp',
      columns: { '*': [CLUSTER_LABEL, ['Ready', '.status.ready'], AGE] },
    }),

    crd({
      group: BOOTSTRAP,
      kind: 'KubeadmConfig',
      versions: BOTH,
      deprecatedVersions: OLD,
      family: 'kubeadm',
      columns: { '*': [CLUSTER_LABEL, AGE] },
    }),
    crd({
      group: BOOTSTRAP,
      kind: 'KubeadmConfigTemplate',
      versions: BOTH,
      deprecatedVersions: OLD,
      status: false,
      family: 'kubeadm',
      columns: {
        v1beta2: [
          [
            'ClusterClass',
            '.metadata.ownerReferences[?(@.kind=="ClusterClass")].name',
          ],
          ['Cluster', '.metadata.ownerReferences[?(@.kind=="Cluster")].name'],
          AGE,
        ],
        v1beta1: [AGE],
      },
    }),
    crd({
      group: BOOTSTRAP,
      kind: 'KThreesConfigTemplate',
      versions: ['v1beta2', 'v1beta1'],
      deprecatedVersions: OLD,
      status: false,
      family: 'k3s',
    }),
    crd({
      group: BOOTSTRAP,
      kind: 'RKE2ConfigTemplate',
      versions: ['v1beta2', 'v1beta1'],
      deprecatedVersions: OLD,
      status: false,
      family: 'rke2',
    }),
    crd({
      group: BOOTSTRAP,
      kind: 'K0sWorkerConfigTemplate',
      versions: ['v1beta1'],
      status: false,
      family: 'k0s',
    }),
    crd({
      group: BOOTSTRAP,
      kind: 'EKSConfigTemplate',
      shortNames: ['eksct'],
      versions: ['v1beta2', 'v1beta1'],
      deprecatedVersions: OLD,
      status: false,
      family: 'aws',
    }),
    ...addonTypes(),
    ...inventoryTypes(),
  ];
}

/**
 * The SIG-Multicluster cluster inventory API (KEP-4322): `ClusterProfile` objects that cluster managers publish
 * and multi-cluster tools read. A different kind from Shipyard's catalog `ClusterProfile`.
 */
function inventoryTypes(): ResourceType[] {
  return [
    crd({
      group: 'multicluster.x-k8s.io',
      kind: 'ClusterProfile',
      versions: ['v1alpha1'],
      categories: [],
      columns: {
        '*': [
          ['Display Name', '.spec.displayName'],
          ['Cluster Manager', '.spec.clusterManager.name'],
          [
            'Control Plane Healthy',
            '.status.conditions[?(@.type=="ControlPlaneHealthy")].status',
          ],
          ['Kubernetes', '.status.version.kubernetes'],
          AGE,
        ],
      },
    }),
  ];
}

const ADDONS = 'addons.cluster.x-k8s.io';

/**
 * Cluster API's add-on kinds (ClusterResourceSet and its per-cluster binding) and those of the Cluster API add-on
 * provider for Helm (HelmChartProxy, and the HelmReleaseProxy it keeps per matching Cluster), in one group.
 */
function addonTypes(): ResourceType[] {
  return [
    crd({
      group: ADDONS,
      kind: 'ClusterResourceSet',
      shortNames: ['crs'],
      versions: BOTH,
      deprecatedVersions: OLD,
      columns: { '*': [AGE] },
    }),
    crd({
      group: ADDONS,
      kind: 'ClusterResourceSetBinding',
      shortNames: ['crsb'],
      versions: BOTH,
      deprecatedVersions: OLD,
      status: false,
      columns: { '*': [['Cluster', '.spec.clusterName'], AGE] },
    }),
    crd({
      group: ADDONS,
      kind: 'HelmChartProxy',
      shortNames: ['hcp'],
      plural: 'helmchartproxies',
      versions: ['v1beta1', 'v1alpha1'],
      columns: {
        '*': [
          ['Ready', '.status.conditions[?(@.type=="Ready")].status'],
          ['Reason', '.status.conditions[?(@.type=="Ready")].reason'],
          AGE,
        ],
      },
    }),
    crd({
      group: ADDONS,
      kind: 'HelmReleaseProxy',
      shortNames: ['hrp'],
      plural: 'helmreleaseproxies',
      versions: ['v1beta1', 'v1alpha1'],
      columns: {
        '*': [
          ['Cluster', '.spec.clusterRef.name'],
          ['Ready', '.status.ready'],
          ['Status', '.status.status'],
          ['Revision', '.status.revision'],
          ['Namespace', '.status.namespace'],
        ],
      },
    }),
  ];
}
