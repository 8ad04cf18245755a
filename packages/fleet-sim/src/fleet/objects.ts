import { Flavor, KindRef, kubeletVersion, nodeLook } from './distributions';
import { JsonObject, JsonValue, asArray, isObject } from '../util/json';

export const LABELS = {
  clusterName: 'cluster.x-k8s.io/cluster-name',
  deploymentName: 'cluster.x-k8s.io/deployment-name',
  setName: 'cluster.x-k8s.io/set-name',
  poolName: 'cluster.x-k8s.io/pool-name',
  controlPlane: 'cluster.x-k8s.io/control-plane',
  controlPlaneName: 'cluster.x-k8s.io/control-plane-name',
  topologyOwned: 'topology.cluster.x-k8s.io/owned',
  topologyDeploymentName: 'topology.cluster.x-k8s.io/deployment-name',
  topologyPoolName: 'topology.cluster.x-k8s.io/pool-name',
  templateHash: 'machine-template-hash',
  owner: 'shipyard.io/owner',
  system: 'shipyard.io/system',
  lifecycle: 'shipyard.io/lifecycle',
  profile: 'shipyard.io/profile',
  profileVersion: 'shipyard.io/profile-version',
  environment: 'environment',
  region: 'topology.kubernetes.io/region',
} as const;

export const FINALIZERS = {
  cluster: 'cluster.cluster.x-k8s.io',
  machine: 'machine.cluster.x-k8s.io',
  machineSet: 'cluster.x-k8s.io/machineset',
  machineDeployment: 'cluster.x-k8s.io/machinedeployment',
  controlPlane: 'kubeadm.controlplane.cluster.x-k8s.io',
  machinePool: 'machinepool.cluster.x-k8s.io',
} as const;

export const CAPI_VERSION = 'cluster.x-k8s.io/v1beta2';

const timestampCache = new Map<number, string>();

/** RFC 3339 with second precision, as Kubernetes serializes `metav1.Time`. */
export function ts(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  let text = timestampCache.get(seconds);
  if (text === undefined) {
    if (timestampCache.size > 50_000) timestampCache.clear();
    text = `${new Date(seconds * 1000).toISOString().slice(0, 19)}Z`;
    timestampCache.set(seconds, text);
  }
  return text;
}

export function apiVersion(ref: KindRef): string {
  return `${ref.group}/${ref.version}`;
}

export function contractRef(ref: KindRef, name: string): JsonObject {
  return { apiGroup: ref.group, kind: ref.kind, name };
}

export function ownerRef(
  apiVersionText: string,
  kind: string,
  name: string,
  uid: string,
  controller = true,
): JsonObject {
  const ref: JsonObject = { apiVersion: apiVersionText, kind, name, uid };
  if (controller) {
    ref.controller = true;
    ref.blockOwnerDeletion = true;
  }
  return ref;
}

export type CondStatus = 'True' | 'False' | 'Unknown';

export interface Cond {
  type: string;
  status: CondStatus;
  reason: string;
  message?: string;
}

/** Builds v1beta2 conditions, keeping lastTransitionTime of unchanged ones from `previous`. */
export function conditions(
  list: Cond[],
  at: number,
  generation: number | undefined,
  previous?: JsonValue,
): JsonObject[] {
  const old = new Map<string, JsonObject>();
  for (const c of asArray(previous) ?? []) {
    if (isObject(c) && typeof c.type === 'string') old.set(c.type, c);
  }
  return list.map(c => {
    const prev = old.get(c.type);
    const out: JsonObject = {
      type: c.type,
      status: c.status,
      reason: c.reason,
      message:
        c.status === 'True' && c.message === undefined ? '' : c.message ?? '',
    };
    out.lastTransitionTime =
      prev &&
      prev.status === c.status &&
      typeof prev.lastTransitionTime === 'string'
        ? prev.lastTransitionTime
        : ts(at);
    if (generation !== undefined) out.observedGeneration = generation;
    return out;
  });
}

/** Deprecated (v1beta1) conditions shown to v1beta1 readers. */
export function v1beta1Conditions(
  list: Array<{
    type: string;
    ok: boolean;
    reason?: string;
    severity?: string;
  }>,
  at: number,
  previous?: JsonValue,
): JsonObject[] {
  const old = new Map<string, JsonObject>();
  for (const c of asArray(previous) ?? []) {
    if (isObject(c) && typeof c.type === 'string') old.set(c.type, c);
  }
  return list.map(c => {
    const status = c.ok ? 'True' : 'False';
    const prev = old.get(c.type);
    const out: JsonObject = {
      type: c.type,
      status,
      lastTransitionTime:
        prev &&
        prev.status === status &&
        typeof prev.lastTransitionTime === 'string'
          ? prev.lastTransitionTime
          : ts(at),
    };
    if (!c.ok) {
      out.severity = c.severity ?? 'Warning';
      if (c.reason) out.reason = c.reason;
    }
    return out;
  });
}

export function yes(type: string, reason: string, message?: string): Cond {
  return { type, status: 'True', reason, message };
}

export function no(type: string, reason: string, message?: string): Cond {
  return { type, status: 'False', reason, message };
}

export function unknown(type: string, reason: string, message?: string): Cond {
  return { type, status: 'Unknown', reason, message };
}

export function check(
  type: string,
  ok: boolean,
  okReason: string,
  badReason: string,
  badMessage?: string,
  okMessage?: string,
): Cond {
  return ok ? yes(type, okReason, okMessage) : no(type, badReason, badMessage);
}

export interface Counts {
  desired: number;
  replicas: number;
  ready: number;
  available: number;
  upToDate: number;
}

export function counts(
  desired: number,
  replicas = desired,
  ready = replicas,
  available = ready,
  upToDate = replicas,
): Counts {
  return { desired, replicas, ready, available, upToDate };
}

export function addCounts(a: Counts, b: Counts): Counts {
  return {
    desired: a.desired + b.desired,
    replicas: a.replicas + b.replicas,
    ready: a.ready + b.ready,
    available: a.available + b.available,
    upToDate: a.upToDate + b.upToDate,
  };
}

export const ZERO: Counts = counts(0, 0, 0, 0, 0);

function countsStatus(c: Counts): JsonObject {
  return {
    desiredReplicas: c.desired,
    replicas: c.replicas,
    readyReplicas: c.ready,
    availableReplicas: c.available,
    upToDateReplicas: c.upToDate,
  };
}

export type ClusterPhase =
  | 'Pending'
  | 'Provisioning'
  | 'Provisioned'
  | 'Deleting'
  | 'Failed';

export interface ClusterState {
  phase: ClusterPhase;
  infraReady: boolean;
  cpInitialized: boolean;
  cpAvailable: boolean;
  cpMessage?: string;
  remoteOk: boolean;
  remoteMessage?: string;
  cp: Counts;
  workers: Counts;
  topology: boolean;
  topologyOk?: boolean;
  topologyReason?: string;
  topologyMessage?: string;
  rollingOut: boolean;
  deleting: boolean;
  paused: boolean;
  generation: number;
  at: number;
  previous?: JsonObject;
  failureDomains?: string[];
}

/** The v1beta2 status of a Cluster. */
export function clusterStatus(s: ClusterState): JsonObject {
  const prevConds = s.previous?.conditions;
  const workersOk = s.workers.available >= s.workers.desired;
  const cpMachinesReady = s.cp.ready >= s.cp.replicas;
  const workerMachinesReady = s.workers.ready >= s.workers.replicas;
  const scalingUp =
    s.cp.replicas < s.cp.desired || s.workers.replicas < s.workers.desired;
  const scalingDown =
    s.cp.replicas > s.cp.desired || s.workers.replicas > s.workers.desired;
  const available =
    s.infraReady &&
    s.cpAvailable &&
    workersOk &&
    s.remoteOk &&
    !s.deleting &&
    (!s.topology || s.topologyOk !== false);
  const problems: string[] = [];
  if (!s.infraReady)
    problems.push('* InfrastructureReady: infrastructure is not ready yet');
  if (!s.cpAvailable)
    problems.push(
      `* ControlPlaneAvailable: ${
        s.cpMessage ?? 'control plane is not available'
      }`,
    );
  if (!workersOk)
    problems.push(
      `* WorkersAvailable: ${s.workers.desired - s.workers.available} of ${
        s.workers.desired
      } worker machines are not available`,
    );
  if (!s.remoteOk)
    problems.push(
      `* RemoteConnectionProbe: ${
        s.remoteMessage ?? 'Remote connection not established yet'
      }`,
    );
  if (s.topology && s.topologyOk === false)
    problems.push(
      `* TopologyReconciled: ${s.topologyMessage ?? 'topology not reconciled'}`,
    );
  if (s.deleting) problems.push('* Deleting: Cluster is being deleted');
  const list: Cond[] = [
    check(
      'Available',
      available,
      'Available',
      'NotAvailable',
      problems.join('\n'),
    ),
    check(
      'InfrastructureReady',
      s.infraReady,
      'Ready',
      'NotReady',
      'infrastructure is not ready yet',
    ),
    check(
      'ControlPlaneInitialized',
      s.cpInitialized,
      'Initialized',
      'NotInitialized',
      'Control plane not yet initialized',
    ),
    check(
      'ControlPlaneAvailable',
      s.cpAvailable,
      'Available',
      'NotAvailable',
      s.cpMessage ?? 'control plane is not available',
    ),
    check(
      'WorkersAvailable',
      workersOk,
      'Available',
      'NotAvailable',
      `${s.workers.desired - s.workers.available} of ${
        s.workers.desired
      } worker machines are not available`,
    ),
    check(
      'ControlPlaneMachinesReady',
      cpMachinesReady,
      'Ready',
      'NotReady',
      `${s.cp.replicas - s.cp.ready} control plane machines are not ready`,
    ),
    check(
      'WorkerMachinesReady',
      workerMachinesReady,
      'Ready',
      'NotReady',
      `${s.workers.replicas - s.workers.ready} worker machines are not ready`,
    ),
    check(
      'ControlPlaneMachinesUpToDate',
      s.cp.upToDate >= s.cp.replicas,
      'UpToDate',
      'NotUpToDate',
      'control plane machines are not up-to-date',
    ),
    check(
      'WorkerMachinesUpToDate',
      s.workers.upToDate >= s.workers.replicas,
      'UpToDate',
      'NotUpToDate',
      'worker machines are not up-to-date',
    ),
    s.cpInitialized
      ? check(
          'RemoteConnectionProbe',
          s.remoteOk,
          'ProbeSucceeded',
          'ProbeFailed',
          s.remoteMessage ?? 'Remote connection probe failed',
        )
      : unknown(
          'RemoteConnectionProbe',
          'ProbeFailed',
          'Remote connection not established yet',
        ),
    check(
      'RollingOut',
      s.rollingOut,
      'RollingOut',
      'NotRollingOut',
      undefined,
      'Rolling out new Machines',
    ),
    check(
      'ScalingUp',
      scalingUp,
      'ScalingUp',
      'NotScalingUp',
      undefined,
      'Scaling up',
    ),
    check(
      'ScalingDown',
      scalingDown,
      'ScalingDown',
      'NotScalingDown',
      undefined,
      'Scaling down',
    ),
    no('Remediating', 'NotRemediating'),
    check(
      'Deleting',
      s.deleting,
      'Deleting',
      'NotDeleting',
      undefined,
      'Deleting Cluster',
    ),
    check('Paused', s.paused, 'Paused', 'NotPaused'),
  ];
  if (s.topology) {
    list.push(
      check(
        'TopologyReconciled',
        s.topologyOk !== false,
        'ReconcileSucceeded',
        s.topologyReason ?? 'ReconcileFailed',
        s.topologyMessage,
      ),
    );
  }
  const status: JsonObject = {
    conditions: conditions(list, s.at, s.generation, prevConds),
    controlPlane: countsStatus(s.cp),
    workers: countsStatus(s.workers),
    initialization: {
      infrastructureProvisioned: s.infraReady,
      controlPlaneInitialized: s.cpInitialized,
    },
    observedGeneration: s.generation,
    phase: s.phase,
    deprecated: {
      v1beta1: {
        conditions: v1beta1Conditions(
          [
            { type: 'Ready', ok: available, reason: 'NotAvailable' },
            {
              type: 'ControlPlaneInitialized',
              ok: s.cpInitialized,
              reason: 'WaitingForControlPlaneProviderInitialized',
              severity: 'Info',
            },
            {
              type: 'ControlPlaneReady',
              ok: s.cpAvailable,
              reason: 'ControlPlaneNotReady',
            },
            {
              type: 'InfrastructureReady',
              ok: s.infraReady,
              reason: 'WaitingForInfrastructure',
              severity: 'Info',
            },
          ],
          s.at,
          asObject(asObject(s.previous?.deprecated)?.v1beta1)?.conditions,
        ),
      },
    },
  };
  if (s.failureDomains?.length) {
    status.failureDomains = s.failureDomains.map(name => ({
      name,
      controlPlane: true,
    }));
  }
  return status;
}

function asObject(v: unknown): JsonObject | undefined {
  return isObject(v) ? v : undefined;
}

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
  nodeMessage?: string;
  upToDate: boolean;
  generation: number;
  at: number;
  previous?: JsonObject;
  controlPlane: boolean;
}

export function machineStatus(s: MachineState): JsonObject {
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
      s.nodeMessage ?? '* NodeHealthy: Waiting for a Node',
    ),
    check(
      'Ready',
      ready,
      'Ready',
      'NotReady',
      s.nodeMessage ?? '* NodeHealthy: Waiting for a Node',
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
          s.nodeMessage ?? 'kubelet stopped posting node status',
        )
      : unknown('NodeReady', 'NodeDoesNotExist', 'Waiting for a Node'),
    hasNode
      ? check(
          'NodeHealthy',
          s.nodeReady,
          'NodeHealthy',
          'NodeNotHealthy',
          s.nodeMessage ?? '* Node.Ready: kubelet stopped posting node status',
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

export interface ReplicaSetState {
  counts: Counts;
  generation: number;
  at: number;
  previous?: JsonObject;
  selector: string;
  rollingOut?: boolean;
  deleting?: boolean;
  versions?: Array<{ version: string; replicas: number }>;
}

/** Status of MachineDeployment, MachineSet and MachinePool (v1beta2). */
export function replicaStatus(
  kind: 'MachineDeployment' | 'MachineSet' | 'MachinePool',
  s: ReplicaSetState,
): JsonObject {
  const c = s.counts;
  const availableOk = c.available >= c.desired;
  const list: Cond[] = [];
  if (kind !== 'MachineSet') {
    list.push(
      check(
        'Available',
        availableOk,
        'Available',
        'NotAvailable',
        `${c.desired - c.available} available replicas, at least ${
          c.desired
        } required`,
      ),
    );
  }
  list.push(
    check(
      'MachinesReady',
      c.ready >= c.replicas,
      'Ready',
      'NotReady',
      `${c.replicas - c.ready} Machines are not ready`,
    ),
    check(
      'MachinesUpToDate',
      c.upToDate >= c.replicas,
      'UpToDate',
      'NotUpToDate',
      `${c.replicas - c.upToDate} Machines are not up-to-date`,
    ),
  );
  if (kind === 'MachineDeployment')
    list.push(
      check(
        'RollingOut',
        Boolean(s.rollingOut),
        'RollingOut',
        'NotRollingOut',
        undefined,
        'Rolling out',
      ),
    );
  list.push(
    check(
      'ScalingUp',
      c.replicas < c.desired,
      'ScalingUp',
      'NotScalingUp',
      undefined,
      `Scaling up from ${c.replicas} to ${c.desired} replicas`,
    ),
    check(
      'ScalingDown',
      c.replicas > c.desired,
      'ScalingDown',
      'NotScalingDown',
      undefined,
      `Scaling down from ${c.replicas} to ${c.desired} replicas`,
    ),
    no('Remediating', 'NotRemediating'),
    check('Deleting', Boolean(s.deleting), 'Deleting', 'NotDeleting'),
    no('Paused', 'NotPaused'),
  );
  const status: JsonObject = {
    replicas: c.replicas,
    readyReplicas: c.ready,
    availableReplicas: c.available,
    upToDateReplicas: c.upToDate,
    conditions: conditions(list, s.at, s.generation, s.previous?.conditions),
    observedGeneration: s.generation,
    ...(kind === 'MachinePool' ? {} : { selector: s.selector }),
    deprecated: {
      v1beta1: {
        readyReplicas: c.ready,
        availableReplicas: c.available,
        ...(kind === 'MachineDeployment'
          ? { updatedReplicas: c.upToDate }
          : {}),
        ...(kind !== 'MachineSet'
          ? { unavailableReplicas: Math.max(0, c.desired - c.available) }
          : { fullyLabeledReplicas: c.replicas }),
        conditions: v1beta1Conditions(
          [
            {
              type: 'Ready',
              ok: availableOk,
              reason: 'WaitingForAvailableMachines',
            },
          ],
          s.at,
          asObject(asObject(s.previous?.deprecated)?.v1beta1)?.conditions,
        ),
      },
    },
  };
  if (kind !== 'MachineSet') {
    status.phase = replicaPhase(s.deleting, c);
    if (kind === 'MachinePool' && !s.deleting)
      status.phase = c.ready >= c.desired ? 'Running' : 'Provisioning';
  }
  if (s.versions?.length) status.versions = s.versions;
  if (kind === 'MachinePool') {
    status.initialization = {
      bootstrapDataSecretCreated: true,
      infrastructureProvisioned: c.replicas > 0,
    };
  }
  return status;
}

function replicaPhase(deleting: boolean | undefined, c: Counts): string {
  if (deleting) return 'Deleting';
  if (c.replicas < c.desired) return 'ScalingUp';
  if (c.replicas > c.desired) return 'ScalingDown';
  return 'Running';
}

export interface ControlPlaneState {
  flavor: Flavor;
  counts: Counts;
  initialized: boolean;
  available: boolean;
  availableMessage?: string;
  version?: string;
  generation: number;
  at: number;
  previous?: JsonObject;
  selector: string;
  rollingOut?: boolean;
  deleting?: boolean;
}

/** Status of the control plane object of any flavor. */
export function controlPlaneStatus(s: ControlPlaneState): JsonObject {
  const c = s.counts;
  const kind = s.flavor.controlPlane.kind;
  const v1beta2Shape =
    s.flavor.controlPlane.version === 'v1beta2' &&
    kind !== 'AWSManagedControlPlane' &&
    kind !== 'ROSAControlPlane';
  const list: Cond[] = [
    check(
      'Available',
      s.available,
      'Available',
      'NotAvailable',
      s.availableMessage ?? 'control plane is not available',
    ),
    check(
      'Initialized',
      s.initialized,
      'Initialized',
      'NotInitialized',
      'control plane not yet initialized',
    ),
  ];
  if (s.flavor.machineControlPlane) {
    list.push(
      check('CertificatesAvailable', true, 'Available', 'NotAvailable'),
      check(
        'EtcdClusterHealthy',
        s.available,
        'Healthy',
        'NotHealthy',
        s.availableMessage,
      ),
      check(
        'ControlPlaneComponentsHealthy',
        s.available,
        'Healthy',
        'NotHealthy',
        s.availableMessage,
      ),
      check('MachinesReady', c.ready >= c.replicas, 'Ready', 'NotReady'),
      check(
        'MachinesUpToDate',
        c.upToDate >= c.replicas,
        'UpToDate',
        'NotUpToDate',
      ),
      check(
        'RollingOut',
        Boolean(s.rollingOut),
        'RollingOut',
        'NotRollingOut',
        undefined,
        'Rolling out',
      ),
      check('ScalingUp', c.replicas < c.desired, 'ScalingUp', 'NotScalingUp'),
      check(
        'ScalingDown',
        c.replicas > c.desired,
        'ScalingDown',
        'NotScalingDown',
      ),
      no('Remediating', 'NotRemediating'),
      check('Deleting', Boolean(s.deleting), 'Deleting', 'NotDeleting'),
      no('Paused', 'NotPaused'),
    );
  }
  const conds = conditions(
    list,
    s.at,
    s.generation,
    v1beta2Shape
      ? s.previous?.conditions
      : asObject(s.previous?.v1beta2)?.conditions,
  );
  const status: JsonObject = { observedGeneration: s.generation };
  if (v1beta2Shape) {
    Object.assign(status, {
      conditions: conds,
      initialization: { controlPlaneInitialized: s.initialized },
      replicas: c.replicas,
      readyReplicas: c.ready,
      availableReplicas: c.available,
      upToDateReplicas: c.upToDate,
      selector: s.selector,
      deprecated: {
        v1beta1: {
          readyReplicas: c.ready,
          updatedReplicas: c.upToDate,
          unavailableReplicas: Math.max(0, c.desired - c.available),
          conditions: v1beta1Conditions(
            [{ type: 'Ready', ok: s.available, reason: 'NotReady' }],
            s.at,
            asObject(asObject(s.previous?.deprecated)?.v1beta1)?.conditions,
          ),
        },
      },
    });
  } else {
    Object.assign(status, {
      ready: s.available,
      initialized: s.initialized,
      conditions: v1beta1Conditions(
        [
          { type: 'Ready', ok: s.available, reason: 'ControlPlaneNotReady' },
          {
            type: 'ControlPlaneReady',
            ok: s.available,
            reason: 'ControlPlaneNotReady',
          },
        ],
        s.at,
        s.previous?.conditions,
      ),
      v1beta2: { conditions: conds },
    });
    if (s.flavor.machineControlPlane) {
      Object.assign(status, {
        replicas: c.replicas,
        readyReplicas: c.ready,
        updatedReplicas: c.upToDate,
        unavailableReplicas: Math.max(0, c.desired - c.available),
        selector: s.selector,
      });
    }
    if (kind === 'AWSManagedControlPlane' || kind === 'ROSAControlPlane') {
      status.externalManagedControlPlane = true;
    }
  }
  if (s.version) {
    if (kind === 'GCPManagedControlPlane') status.currentVersion = s.version;
    else status.version = s.version;
  }
  return status;
}

/** Status of an infrastructure cluster or infrastructure machine pool. */
export function infraStatus(
  kind: KindRef,
  ready: boolean,
  at: number,
  previous?: JsonObject,
): JsonObject {
  if (
    kind.version === 'v1beta2' &&
    (kind.kind.startsWith('Dev') || kind.kind.startsWith('Docker'))
  ) {
    return {
      initialization: { provisioned: ready },
      conditions: conditions(
        [
          check('Ready', ready, 'Ready', 'NotReady', 'provisioning'),
          no('Paused', 'NotPaused'),
        ],
        at,
        undefined,
        previous?.conditions,
      ),
    };
  }
  return {
    ready,
    conditions: v1beta1Conditions(
      [{ type: 'Ready', ok: ready, reason: 'Provisioning', severity: 'Info' }],
      at,
      previous?.conditions,
    ),
  };
}
