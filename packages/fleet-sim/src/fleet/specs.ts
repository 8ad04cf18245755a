import { Flavor, KindRef, REGIONS, zoneOf } from './distributions';
import {
  CAPI_VERSION,
  FINALIZERS,
  apiVersion,
  contractRef,
  ownerRef,
  ts,
} from './objects';
import { JsonObject } from '../util/json';

export interface MetaInput {
  namespace: string;
  name: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  owners?: JsonObject[];
  finalizers?: string[];
  createdAt?: number;
  generation?: number;
}

export function objectMeta(m: MetaInput): JsonObject {
  const out: JsonObject = { name: m.name, namespace: m.namespace };
  if (m.uid) out.uid = m.uid;
  if (m.generation !== undefined) out.generation = m.generation;
  if (m.createdAt !== undefined) out.creationTimestamp = ts(m.createdAt);
  if (m.labels && Object.keys(m.labels).length) out.labels = { ...m.labels };
  if (m.annotations && Object.keys(m.annotations).length)
    out.annotations = { ...m.annotations };
  if (m.owners?.length) out.ownerReferences = m.owners;
  if (m.finalizers?.length) out.finalizers = [...m.finalizers];
  return out;
}

export function clusterOwner(
  name: string,
  uid: string,
  controller = true,
): JsonObject {
  return ownerRef(CAPI_VERSION, 'Cluster', name, uid, controller);
}

export function endpointHost(
  flavor: Flavor,
  clusterName: string,
  region: string,
  namespace: string,
): string {
  switch (flavor.provider) {
    case 'aws':
      return flavor.distribution === 'eks'
        ? `${clusterName}-${namespace}.gr7.${region}.eks.amazonaws.com`
        : `${clusterName}-apiserver-${namespace}.elb.${region}.amazonaws.com`;
    case 'azure':
      return `${clusterName}-${namespace}-dns.hcp.${region}.azmk8s.io`;
    case 'gcp':
      return `${clusterName}.${region}.gke.internal`;
    default:
      return `${clusterName}-lb.${namespace}.svc`;
  }
}

/** The infrastructure cluster object (DevCluster, AWSManagedCluster, …). */
export function infraClusterObject(
  flavor: Flavor,
  meta: MetaInput,
  clusterName: string,
  region: string,
  ready: boolean,
): JsonObject {
  const ref = flavor.infraCluster;
  const spec: JsonObject = {};
  const host = endpointHost(flavor, clusterName, region, meta.namespace);
  switch (ref.kind) {
    case 'DevCluster':
      spec.backend = {
        docker: {
          loadBalancer: {},
          failureDomains: [1, 2, 3].map(i => ({
            name: `fd${i}`,
            controlPlane: true,
          })),
        },
      };
      break;
    case 'AWSCluster':
    case 'AWSManagedCluster':
    case 'ROSACluster':
      spec.region = region;
      break;
    case 'AzureManagedCluster':
      break;
    case 'GCPManagedCluster':
      spec.project = `shipyard-${meta.namespace}`;
      spec.region = region;
      spec.network = { name: `${clusterName}-net` };
      break;
    default:
      break;
  }
  if (ready)
    spec.controlPlaneEndpoint = {
      host,
      port: flavor.provider === 'docker' ? 6443 : 443,
    };
  return {
    apiVersion: apiVersion(ref),
    kind: ref.kind,
    metadata: objectMeta(meta),
    spec,
  };
}

export interface ControlPlaneInput {
  flavor: Flavor;
  clusterName: string;
  replicas: number;
  specVersion: string;
  region: string;
  machineTemplate?: { kind: KindRef; name: string };
}

export function controlPlaneObject(
  meta: MetaInput,
  input: ControlPlaneInput,
): JsonObject {
  const ref = input.flavor.controlPlane;
  const spec: JsonObject = {};
  switch (ref.kind) {
    case 'KubeadmControlPlane':
      spec.replicas = input.replicas;
      spec.version = input.specVersion;
      spec.machineTemplate = {
        spec: {
          infrastructureRef: input.machineTemplate
            ? contractRef(
                input.machineTemplate.kind,
                input.machineTemplate.name,
              )
            : null,
        },
      };
      spec.kubeadmConfigSpec = {
        clusterConfiguration: {
          apiServer: { certSANs: ['localhost', '127.0.0.1'] },
        },
        initConfiguration: { nodeRegistration: {} },
        joinConfiguration: { nodeRegistration: {} },
      };
      spec.rollout = {
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } },
      };
      break;
    case 'KThreesControlPlane':
    case 'RKE2ControlPlane':
      spec.replicas = input.replicas;
      spec.version = input.specVersion;
      spec.machineTemplate = {
        spec: {
          infrastructureRef: input.machineTemplate
            ? contractRef(
                input.machineTemplate.kind,
                input.machineTemplate.name,
              )
            : null,
        },
      };
      break;
    case 'K0sControlPlane':
      spec.replicas = input.replicas;
      spec.version = input.specVersion;
      spec.machineTemplate = {
        infrastructureRef: input.machineTemplate
          ? {
              apiVersion: apiVersion(input.machineTemplate.kind),
              kind: input.machineTemplate.kind.kind,
              name: input.machineTemplate.name,
              namespace: meta.namespace,
            }
          : null,
      };
      spec.k0sConfigSpec = {
        k0s: { apiVersion: 'k0s.k0sproject.io/v1beta1', kind: 'ClusterConfig' },
      };
      break;
    case 'AWSManagedControlPlane':
      spec.version = input.specVersion;
      spec.region = input.region;
      spec.eksClusterName = `${meta.namespace}_${input.clusterName}`;
      spec.endpointAccess = { public: false, private: true };
      break;
    case 'ROSAControlPlane':
      spec.version = input.specVersion;
      spec.region = input.region;
      spec.rosaClusterName = input.clusterName.slice(0, 15);
      spec.channelGroup = 'stable';
      break;
    case 'AzureManagedControlPlane':
      spec.version = input.specVersion;
      spec.location = input.region;
      spec.resourceGroupName = `rg-${meta.namespace}-${input.clusterName}`;
      spec.sku = { tier: 'Standard' };
      spec.networkPlugin = 'azure';
      break;
    case 'GCPManagedControlPlane':
      spec.controlPlaneVersion = input.specVersion;
      spec.location = input.region;
      spec.project = `shipyard-${meta.namespace}`;
      spec.releaseChannel = 'regular';
      break;
    default:
      spec.version = input.specVersion;
  }
  return {
    apiVersion: apiVersion(ref),
    kind: ref.kind,
    metadata: objectMeta(meta),
    spec,
  };
}

export interface WorkerTemplateInput {
  clusterName: string;
  version: string;
  infraTemplate: { kind: KindRef; name: string };
  bootstrapTemplate?: { kind: KindRef; name: string };
  failureDomain?: string;
}

function machineTemplateSpec(
  input: WorkerTemplateInput,
  labels: Record<string, string>,
): JsonObject {
  const spec: JsonObject = {
    clusterName: input.clusterName,
    version: input.version,
    bootstrap: input.bootstrapTemplate
      ? {
          configRef: contractRef(
            input.bootstrapTemplate.kind,
            input.bootstrapTemplate.name,
          ),
        }
      : { dataSecretName: '' },
    infrastructureRef: contractRef(
      input.infraTemplate.kind,
      input.infraTemplate.name,
    ),
  };
  if (input.failureDomain) spec.failureDomain = input.failureDomain;
  return { metadata: { labels }, spec };
}

export function machineDeploymentObject(
  meta: MetaInput,
  replicas: number,
  selector: Record<string, string>,
  templateLabels: Record<string, string>,
  input: WorkerTemplateInput,
): JsonObject {
  return {
    apiVersion: CAPI_VERSION,
    kind: 'MachineDeployment',
    metadata: objectMeta(meta),
    spec: {
      clusterName: input.clusterName,
      replicas,
      selector: { matchLabels: selector },
      template: machineTemplateSpec(input, templateLabels),
      rollout: {
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
        },
      },
    },
  };
}

export function machineSetObject(
  meta: MetaInput,
  replicas: number,
  selector: Record<string, string>,
  templateLabels: Record<string, string>,
  input: WorkerTemplateInput,
): JsonObject {
  return {
    apiVersion: CAPI_VERSION,
    kind: 'MachineSet',
    metadata: objectMeta(meta),
    spec: {
      clusterName: input.clusterName,
      replicas,
      selector: { matchLabels: selector },
      template: machineTemplateSpec(input, templateLabels),
    },
  };
}

export interface MachineInput {
  clusterName: string;
  version: string;
  bootstrapKind?: KindRef;
  infraKind?: KindRef;
  providerID?: string;
  failureDomain?: string;
}

export function machineObject(
  meta: MetaInput,
  input: MachineInput,
): JsonObject {
  const bootstrapKind = input.bootstrapKind;
  const spec: JsonObject = {
    clusterName: input.clusterName,
    version: input.version,
    bootstrap: bootstrapKind
      ? {
          configRef: contractRef(bootstrapKind, meta.name),
          dataSecretName: meta.name,
        }
      : { dataSecretName: meta.name },
    infrastructureRef: input.infraKind
      ? contractRef(input.infraKind, meta.name)
      : {
          apiGroup: 'infrastructure.cluster.x-k8s.io',
          kind: 'DevMachine',
          name: meta.name,
        },
  };
  if (input.providerID) spec.providerID = input.providerID;
  if (input.failureDomain) spec.failureDomain = input.failureDomain;
  return {
    apiVersion: CAPI_VERSION,
    kind: 'Machine',
    metadata: objectMeta(meta),
    spec,
  };
}

export function bootstrapConfigKind(
  template: KindRef | undefined,
): KindRef | undefined {
  if (!template) return undefined;
  return { ...template, kind: template.kind.replace(/Template$/, '') };
}

export function infraMachineKind(
  template: KindRef | undefined,
): KindRef | undefined {
  if (!template) return undefined;
  return { ...template, kind: template.kind.replace(/Template$/, '') };
}

export function infraMachineObject(
  kind: KindRef,
  meta: MetaInput,
  providerID: string | undefined,
  ready: boolean,
  ip: string,
  failureDomain?: string,
): JsonObject {
  const obj: JsonObject = {
    apiVersion: apiVersion(kind),
    kind: kind.kind,
    metadata: objectMeta(meta),
    spec: {
      backend: { docker: { extraMounts: [] } },
      ...(providerID ? { providerID } : {}),
    },
  };
  obj.status = {
    initialization: { provisioned: ready },
    ...(ready ? { addresses: [{ type: 'InternalIP', address: ip }] } : {}),
    ...(failureDomain ? { failureDomain } : {}),
    conditions: [
      {
        type: 'Ready',
        status: ready ? 'True' : 'False',
        reason: ready ? 'Ready' : 'NotReady',
        message: '',
        lastTransitionTime: ts(meta.createdAt ?? Date.now()),
      },
    ],
  };
  return obj;
}

export function machinePoolObject(
  meta: MetaInput,
  clusterName: string,
  replicas: number,
  version: string,
  infra: { kind: KindRef; name: string },
): JsonObject {
  return {
    apiVersion: CAPI_VERSION,
    kind: 'MachinePool',
    metadata: objectMeta(meta),
    spec: {
      clusterName,
      replicas,
      template: {
        spec: {
          clusterName,
          version,
          bootstrap: { dataSecretName: '' },
          infrastructureRef: contractRef(infra.kind, infra.name),
        },
      },
    },
  };
}

export function infraMachinePoolObject(
  kind: KindRef,
  meta: MetaInput,
  instanceType: string,
  replicas: number,
  ready: boolean,
  mode: string,
): JsonObject {
  const spec: JsonObject = {};
  switch (kind.kind) {
    case 'AzureManagedMachinePool':
      spec.mode = mode;
      spec.sku = instanceType;
      spec.name = meta.name.replace(/[^a-z0-9]/g, '').slice(-12) || 'pool0';
      spec.osDiskSizeGB = 128;
      break;
    case 'GCPManagedMachinePool':
      spec.nodePoolName = meta.name;
      spec.machineType = instanceType;
      break;
    case 'ROSAMachinePool':
      spec.nodePoolName = meta.name.slice(-15);
      spec.instanceType = instanceType;
      spec.autoRepair = true;
      break;
    default:
      break;
  }
  return {
    apiVersion: apiVersion(kind),
    kind: kind.kind,
    metadata: objectMeta(meta),
    spec,
    status: { ready, replicas },
  };
}

export function kubeconfigText(
  clusterName: string,
  server: string,
  caData: string,
  token: string,
): string {
  const user = `${clusterName}-admin`;
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${clusterName}`,
    '  cluster:',
    `    server: ${server}`,
    ...(caData ? [`    certificate-authority-data: ${caData}`] : []),
    'users:',
    `- name: ${user}`,
    '  user:',
    `    token: ${token}`,
    'contexts:',
    `- name: ${user}@${clusterName}`,
    '  context:',
    `    cluster: ${clusterName}`,
    `    user: ${user}`,
    `current-context: ${user}@${clusterName}`,
    '',
  ].join('\n');
}

export function kubeconfigSecret(
  meta: MetaInput,
  kubeconfig: string,
): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: objectMeta(meta),
    type: 'cluster.x-k8s.io/secret',
    data: { value: Buffer.from(kubeconfig).toString('base64') },
  };
}

export function machineHealthCheckObject(
  meta: MetaInput,
  clusterName: string,
  selector: Record<string, string>,
  expected: number,
  healthy: number,
): JsonObject {
  return {
    apiVersion: CAPI_VERSION,
    kind: 'MachineHealthCheck',
    metadata: objectMeta(meta),
    spec: {
      clusterName,
      selector: { matchLabels: selector },
      checks: {
        nodeStartupTimeoutSeconds: 600,
        unhealthyNodeConditions: [
          { type: 'Ready', status: 'Unknown', timeoutSeconds: 300 },
          { type: 'Ready', status: 'False', timeoutSeconds: 300 },
        ],
      },
      remediation: { triggerIf: { unhealthyLessThanOrEqualTo: '40%' } },
    },
    status: {
      expectedMachines: expected,
      currentHealthy: healthy,
      remediationsAllowed: Math.max(
        0,
        Math.floor(expected * 0.4) - (expected - healthy),
      ),
    },
  };
}

/** A machine's provider ID. */
export function providerId(
  flavor: Flavor,
  region: string,
  machineName: string,
  index: number,
  hex: string,
): string {
  switch (flavor.provider) {
    case 'aws':
      return `aws:///${zoneOf('aws', region, index)}/i-0${hex.slice(0, 16)}`;
    case 'azure':
      return `azure:///subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/${machineName}`;
    case 'gcp':
      return `gce://shipyard/${zoneOf('gcp', region, index)}/${machineName}`;
    default:
      return `docker:////${machineName}`;
  }
}

/** A node name as the provider names it. */
export function nodeNameFor(
  flavor: Flavor,
  region: string,
  machineName: string,
  ip: string,
): string {
  if (flavor.provider === 'aws') {
    const r =
      region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`;
    return `ip-${ip.replace(/\./g, '-')}.${r}`;
  }
  return machineName;
}

export function defaultRegion(flavor: Flavor): string {
  return REGIONS[flavor.provider][0];
}

export const MACHINE_FINALIZER = FINALIZERS.machine;
