import { builtinSchema } from './crds';
import { JsonObject } from '../util/json';

/** A printer column of a custom resource (`additionalPrinterColumns`). */
export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  priority?: number;
  format?: string;
}

export interface ResourceVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  columns?: PrinterColumn[];
  /** The `openAPIV3Schema` of this version. */
  schema?: JsonObject;
}

export interface ScaleSubresource {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

/** A resource served by the simulated API servers. */
export interface ResourceType {
  /** `group/plural`, `core/plural` for the legacy group. */
  id: string;
  group: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  versions: ResourceVersion[];
  status: boolean;
  scale?: ScaleSubresource;
  /** Custom resource semantics (generation on spec change, no strategic merge, no unconditional update). */
  custom: boolean;
  verbs: string[];
  /** Extra field selectors beyond `metadata.name` / `metadata.namespace`. */
  fields?: Record<string, (obj: JsonObject) => string | undefined>;
  /** Whether DELETE answers with the object (true) or a Status (false). */
  returnDeletedObject: boolean;
  /** The provider or distribution family the kind belongs to, for documentation. */
  family?: string;
}

/** The type id of the served CustomResourceDefinitions. */
export const CRD_TYPE_ID = 'apiextensions.k8s.io/customresourcedefinitions';

const ALL_VERBS = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];

type ColumnSpec = [
  name: string,
  jsonPath: string,
  type?: string,
  priority?: number,
];

function columns(specs: ColumnSpec[]): PrinterColumn[] {
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
    categories: ['cluster-api'],
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

function core(
  kind: string,
  plural: string,
  options: Partial<ResourceType> & { shortNames?: string[] },
): ResourceType {
  return {
    id: `core/${plural}`,
    group: '',
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    namespaced: true,
    shortNames: [],
    categories: [],
    versions: [{ name: 'v1', served: true, storage: true }],
    status: false,
    custom: false,
    verbs: ALL_VERBS,
    returnDeletedObject: false,
    ...options,
  };
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function field(obj: JsonObject, ...path: string[]): string | undefined {
  let current: unknown = obj;
  for (const p of path) {
    if (
      typeof current !== 'object' ||
      current === null ||
      Array.isArray(current)
    ) {
      return undefined;
    }
    current = (current as JsonObject)[p];
  }
  if (typeof current === 'boolean' || typeof current === 'number') {
    return String(current);
  }
  return str(current);
}

/** Every resource type the simulated management clusters serve. */
export function builtinResourceTypes(): ResourceType[] {
  return [
    core('Namespace', 'namespaces', {
      namespaced: false,
      shortNames: ['ns'],
      status: true,
      returnDeletedObject: true,
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
      fields: { 'status.phase': o => field(o, 'status', 'phase') },
    }),
    core('Secret', 'secrets', { fields: { type: o => field(o, 'type') } }),
    core('ConfigMap', 'configmaps', { shortNames: ['cm'] }),
    core('ServiceAccount', 'serviceaccounts', { shortNames: ['sa'] }),
    core('Node', 'nodes', {
      namespaced: false,
      shortNames: ['no'],
      status: true,
      fields: {
        'spec.unschedulable': o => field(o, 'spec', 'unschedulable') ?? 'false',
      },
    }),
    core('Pod', 'pods', {
      shortNames: ['po'],
      categories: ['all'],
      status: true,
      returnDeletedObject: true,
      fields: {
        'spec.nodeName': o => field(o, 'spec', 'nodeName'),
        'status.phase': o => field(o, 'status', 'phase'),
      },
    }),
    core('Event', 'events', {
      shortNames: ['ev'],
      fields: {
        'involvedObject.kind': o => field(o, 'involvedObject', 'kind'),
        'involvedObject.name': o => field(o, 'involvedObject', 'name'),
        'involvedObject.namespace': o =>
          field(o, 'involvedObject', 'namespace'),
        'involvedObject.uid': o => field(o, 'involvedObject', 'uid'),
        'involvedObject.apiVersion': o =>
          field(o, 'involvedObject', 'apiVersion'),
        reason: o => field(o, 'reason'),
        type: o => field(o, 'type'),
        source: o => field(o, 'source', 'component'),
      },
    }),
    {
      id: CRD_TYPE_ID,
      group: 'apiextensions.k8s.io',
      kind: 'CustomResourceDefinition',
      listKind: 'CustomResourceDefinitionList',
      plural: 'customresourcedefinitions',
      singular: 'customresourcedefinition',
      namespaced: false,
      shortNames: ['crd', 'crds'],
      categories: ['api-extensions'],
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          columns: columns([
            ['Created At', '.metadata.creationTimestamp', 'date'],
          ]),
        },
      ],
      status: true,
      custom: false,
      // the simulator's kinds are fixed: their definitions are read-only
      verbs: ['get', 'list', 'watch'],
      returnDeletedObject: true,
    },

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
          ['API Server Available', '.status.ready', 'boolean'],
          ['Desired', '.spec.replicas', 'integer', 10],
          ['Replicas', '.status.replicas', 'integer'],
          ['Ready', '.status.readyReplicas', 'integer'],
          ['Updated', '.status.updatedReplicas', 'integer'],
          ['Unavailable', '.status.unavailableReplicas', 'integer'],
          AGE,
          ['Version', '.spec.version'],
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
  ];
}

/** Looks up resource types by id, plural, kind and short name. */
export class ResourceRegistry {
  readonly types: ResourceType[];
  private readonly byId = new Map<string, ResourceType>();
  private readonly byGroupPlural = new Map<string, ResourceType>();
  private readonly byGroupKind = new Map<string, ResourceType>();

  constructor(types: ResourceType[]) {
    this.types = types;
    for (const t of types) {
      this.byId.set(t.id, t);
      this.byGroupPlural.set(`${t.group}/${t.plural}`, t);
      this.byGroupKind.set(`${t.group}/${t.kind}`, t);
    }
  }

  get(id: string): ResourceType {
    const t = this.byId.get(id);
    if (!t) {
      throw new Error(`unknown resource type ${id}`);
    }
    return t;
  }

  find(group: string, plural: string): ResourceType | undefined {
    return this.byGroupPlural.get(`${group}/${plural}`);
  }

  byKind(group: string, kind: string): ResourceType | undefined {
    return this.byGroupKind.get(`${group}/${kind}`);
  }

  /** The groups in discovery order with their versions, preferred first. */
  groups(): Array<{ name: string; versions: string[] }> {
    const order: string[] = [];
    const versions = new Map<string, Set<string>>();
    for (const t of this.types) {
      if (t.group === '') continue;
      if (!versions.has(t.group)) {
        order.push(t.group);
        versions.set(t.group, new Set());
      }
      for (const v of t.versions) {
        if (v.served) versions.get(t.group)!.add(v.name);
      }
    }
    return order.map(name => ({
      name,
      versions: [...versions.get(name)!].sort(compareKubeVersions),
    }));
  }

  /** Types served in `group`/`version`. */
  inGroupVersion(group: string, version: string): ResourceType[] {
    return this.types.filter(
      t =>
        t.group === group &&
        t.versions.some(v => v.name === version && v.served),
    );
  }
}

export function storageVersion(t: ResourceType): string {
  return (t.versions.find(v => v.storage) ?? t.versions[0]).name;
}

export function apiVersionOf(t: ResourceType, version: string): string {
  return t.group ? `${t.group}/${version}` : version;
}

/** Orders Kubernetes API versions as discovery does: GA, then beta, then alpha, newest first. */
export function compareKubeVersions(a: string, b: string): number {
  const parse = (v: string): [number, number, number] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [0, 0, 0];
    const levels: Record<string, number> = { alpha: 1, beta: 2 };
    const level = m[2] === undefined ? 3 : levels[m[2]];
    return [level, Number(m[1]), Number(m[3] ?? 0)];
  };
  const [la, ma, na] = parse(a);
  const [lb, mb, nb] = parse(b);
  if (la !== lb) return lb - la;
  if (ma !== mb) return mb - ma;
  return nb - na;
}
