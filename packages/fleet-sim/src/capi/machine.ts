/** A Machine and its infrastructure machine: spec, status, provider ID and node name. */
import {
  Flavor,
  KindRef,
  kubeletVersion,
  nodeLook,
  zoneOf,
} from './distributions';
import {
  Cond,
  check,
  conditions,
  no,
  unknown,
  v1beta1Conditions,
} from './conditions';
import {
  CAPI_VERSION,
  MetaInput,
  apiVersion,
  contractRef,
  objectMeta,
  ts,
} from './kinds';
import { JsonObject, asObject } from '../util/json';

export type MachinePhase =
  | 'Pending'
  | 'Provisioning'
  | 'Provisioned'
  | 'Running'
  | 'Deleting'
  | 'Failed';

export interface MachineState {
  phase: MachinePhase;
  nodeName: string;
  ip: string;
  providerID?: string;
  failureDomain?: string;
  flavor: Flavor;
  kube: string;
  nodeReady: boolean;
  upToDate: boolean;
  generation: number;
  at: number;
  previous?: JsonObject;
  controlPlane: boolean;
}

/** Why a Machine whose Node is NotReady is not ready. */
const NODE_NOT_READY = '* Node.Ready: kubelet stopped posting node status';

export function machineStatus(s: MachineState): JsonObject {
  const nodeMessage = s.nodeReady ? undefined : NODE_NOT_READY;
  const running = s.phase === 'Running';
  const deleting = s.phase === 'Deleting';
  const bootstrapReady = s.phase !== 'Pending';
  const infraReady = s.phase === 'Provisioned' || running || deleting;
  const hasNode = running || deleting;
  const ready = hasNode && s.nodeReady && !deleting;
  const list: Cond[] = [
    check(
      'Available',
      ready,
      'Available',
      'NotReady',
      nodeMessage ?? '* NodeHealthy: Waiting for a Node',
    ),
    check(
      'Ready',
      ready,
      'Ready',
      'NotReady',
      nodeMessage ?? '* NodeHealthy: Waiting for a Node',
    ),
    check(
      'UpToDate',
      s.upToDate,
      'UpToDate',
      'NotUpToDate',
      '* Version is not up-to-date',
    ),
    check(
      'BootstrapConfigReady',
      bootstrapReady,
      'Ready',
      'NotReady',
      'Waiting for the control plane to be initialized',
    ),
    check(
      'InfrastructureReady',
      infraReady,
      'Ready',
      'NotReady',
      `${
        s.flavor.infraMachine?.kind ?? 'Machine infrastructure'
      } is not ready yet`,
    ),
    hasNode
      ? check(
          'NodeReady',
          s.nodeReady,
          'NodeReady',
          'NodeNotReady',
          nodeMessage ?? 'kubelet stopped posting node status',
        )
      : unknown('NodeReady', 'NodeDoesNotExist', 'Waiting for a Node'),
    hasNode
      ? check(
          'NodeHealthy',
          s.nodeReady,
          'NodeHealthy',
          'NodeNotHealthy',
          nodeMessage ?? NODE_NOT_READY,
        )
      : unknown('NodeHealthy', 'NodeDoesNotExist', 'Waiting for a Node'),
    check(
      'Deleting',
      deleting,
      'Deleting',
      'NotDeleting',
      undefined,
      'Drain not started',
    ),
    no('Paused', 'NotPaused'),
  ];
  const status: JsonObject = {
    phase: s.phase,
    conditions: conditions(list, s.at, s.generation, s.previous?.conditions),
    initialization: {
      bootstrapDataSecretCreated: bootstrapReady,
      infrastructureProvisioned: infraReady,
    },
    observedGeneration: s.generation,
    lastUpdated: ts(s.at),
    deprecated: {
      v1beta1: {
        conditions: v1beta1Conditions(
          [
            { type: 'Ready', ok: ready, reason: 'NodeNotReady' },
            {
              type: 'BootstrapReady',
              ok: bootstrapReady,
              reason: 'WaitingForControlPlaneAvailable',
              severity: 'Info',
            },
            {
              type: 'InfrastructureReady',
              ok: infraReady,
              reason: 'WaitingForInfrastructure',
              severity: 'Info',
            },
            { type: 'NodeHealthy', ok: ready, reason: 'NodeConditionsFailed' },
          ],
          s.at,
          asObject(asObject(s.previous?.deprecated)?.v1beta1)?.conditions,
        ),
      },
    },
  };
  if (s.failureDomain) status.failureDomain = s.failureDomain;
  if (infraReady) {
    status.addresses = [
      { type: 'InternalIP', address: s.ip },
      { type: 'InternalDNS', address: s.nodeName },
      { type: 'Hostname', address: s.nodeName },
    ];
  }
  if (hasNode) {
    status.nodeRef = { name: s.nodeName };
    const look = nodeLook(s.flavor.distribution);
    status.nodeInfo = {
      architecture: look.architecture,
      bootID: '',
      containerRuntimeVersion: look.containerRuntimeVersion,
      kernelVersion: look.kernelVersion,
      kubeProxyVersion: kubeletVersion(s.flavor.distribution, s.kube),
      kubeletVersion: kubeletVersion(s.flavor.distribution, s.kube),
      machineID: '',
      operatingSystem: look.operatingSystem,
      osImage: look.osImage,
      systemUUID: '',
    };
  }
  return status;
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

/** A Machine's failure domain by its index in the cluster: Docker's fd1–fd3, or the zones of the cluster's region. */
export function machineFailureDomain(
  flavor: Flavor,
  region: string,
  index: number,
): string {
  return flavor.provider === 'docker'
    ? `fd${(index % 3) + 1}`
    : zoneOf(flavor.provider, region, index);
}

/** The infrastructure machine kind of a flavor's Machines (from its machine template, or its own). */
export function machineInfraKind(flavor: Flavor): KindRef | undefined {
  return infraMachineKind(flavor.machineTemplate) ?? flavor.infraMachine;
}
