/** Worker objects: MachineDeployment, MachineSet, MachinePool (and its infrastructure), MachineHealthCheck. */
import { KindRef } from './distributions';
import {
  Cond,
  Counts,
  check,
  conditions,
  no,
  v1beta1Conditions,
} from './conditions';
import {
  CAPI_VERSION,
  MetaInput,
  apiVersion,
  contractRef,
  objectMeta,
} from './kinds';
import { JsonObject, asObject } from '../util/json';

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
