/**
 * A seeded cluster's Machines (control plane and workers, with their infrastructure machines), MachineDeployments,
 * MachineSets, MachinePools and MachineHealthCheck, converged as the controllers would leave them and built through
 * the same `capi/` builders (see `seededCluster.ts`).
 */
import { labelSelectorString } from '../api/selectors';
import { KindRef } from '../capi/distributions';
import { controlPlaneBootstrapKind } from '../capi/controlPlane';
import {
  CAPI_VERSION,
  FINALIZERS,
  LABELS,
  TYPE_IDS,
  apiVersion,
  clusterOwner,
  ownerRef,
} from '../capi/kinds';
import {
  bootstrapConfigKind,
  infraMachineObject,
  machineFailureDomain,
  machineInfraKind,
  machineObject,
  machineStatus,
  nodeNameFor,
  providerId,
} from '../capi/machine';
import {
  infraMachinePoolObject,
  machineDeploymentObject,
  machineHealthCheckObject,
  machinePoolObject,
  machineSetObject,
  replicaStatus,
} from '../capi/workers';
import { JsonObject } from '../util/json';
import { SeedCluster, SeedPool } from './model';
import {
  ClusterSeed,
  seededUid,
  clusterUid,
  controlPlaneUid,
  machineIndex,
  ip,
  hexOf,
  readyAt,
  desiredSpecVersion,
  machineSpecVersion,
  templateRefs,
  notReadyWorkers,
  poolCounts,
  workerSelector,
  deploymentLabels,
  machineSetLabels,
  workerLabels,
  controlPlaneMachineLabels,
} from './seedFacts';

// ---- Machines ------------------------------------------------------------------------------

interface SeededMachine {
  name: string;
  /** Index among the cluster's machines, as addresses are handed out. */
  index: number;
  controlPlane: boolean;
  labels: Record<string, string>;
  owner: JsonObject;
  bootstrapKind?: KindRef;
  createdAt: number;
  nodeReady: boolean;
}

function seededMachineOf(s: ClusterSeed, m: SeededMachine): JsonObject {
  const { c } = s;
  const fl = c.flavor;
  const address = ip(c, m.index);
  const failureDomain = machineFailureDomain(fl, c.region, m.index);
  const pid = providerId(fl, c.region, m.name, m.index, hexOf(m.name));
  const obj = machineObject(
    {
      namespace: c.namespace,
      name: m.name,
      labels: m.labels,
      owners: [m.owner],
      finalizers: [FINALIZERS.machine],
      createdAt: m.createdAt,
      generation: 2,
    },
    {
      clusterName: c.name,
      version: machineSpecVersion(c),
      bootstrapKind: m.bootstrapKind,
      infraKind: machineInfraKind(fl),
      providerID: pid,
      failureDomain,
    },
  );
  obj.status = machineStatus({
    phase: 'Running',
    nodeName: nodeNameFor(fl, c.region, m.name, address),
    ip: address,
    providerID: pid,
    failureDomain,
    flavor: fl,
    kube: c.kube,
    nodeReady: m.nodeReady,
    upToDate: true,
    generation: 2,
    at: m.createdAt + 4 * 60_000,
    controlPlane: m.controlPlane,
  });
  return obj;
}

/** A control plane Machine, the `index`th of the control plane; NotReady while the control plane is down. */
export function seededControlPlaneMachine(
  s: ClusterSeed,
  index: number,
): JsonObject {
  const { c } = s;
  const cp = c.flavor.controlPlane;
  return seededMachineOf(s, {
    name: c.controlPlaneMachines[index],
    index,
    controlPlane: true,
    labels: controlPlaneMachineLabels(c),
    owner: ownerRef(
      apiVersion(cp),
      cp.kind,
      c.controlPlaneName,
      controlPlaneUid(s),
    ),
    bootstrapKind: controlPlaneBootstrapKind(cp.kind),
    createdAt: c.createdAt + index * 60_000,
    nodeReady: s.faults?.controlPlaneDown !== true,
  });
}

/** The `machine`th worker Machine of pool `pool`, owned by the pool's MachineSet. */
export function seededWorkerMachine(
  s: ClusterSeed,
  pool: number,
  machine: number,
): JsonObject {
  const { c } = s;
  const p = c.pools[pool];
  const name = p?.machines[machine] ?? '';
  return seededMachineOf(s, {
    name,
    index: machineIndex(c, pool, machine),
    controlPlane: false,
    labels: p ? workerLabels(c, p) : {},
    owner: ownerRef(
      CAPI_VERSION,
      'MachineSet',
      p?.setName ?? '',
      seededUid(s.ctx, TYPE_IDS.machineSet, c.namespace, p?.setName ?? ''),
    ),
    bootstrapKind: bootstrapConfigKind(c.flavor.bootstrapTemplate),
    createdAt: c.createdAt + 3 * 60_000,
    nodeReady: !notReadyWorkers(s).has(name),
  });
}

function infraMachineOf(
  s: ClusterSeed,
  name: string,
  index: number,
  controlPlane: boolean,
): JsonObject {
  const { c } = s;
  const fl = c.flavor;
  const kind = fl.infraMachine ?? {
    group: 'infrastructure.cluster.x-k8s.io',
    version: 'v1beta2',
    kind: 'DevMachine',
  };
  return infraMachineObject(
    kind,
    {
      namespace: c.namespace,
      name,
      labels: {
        [LABELS.clusterName]: c.name,
        ...(controlPlane ? { [LABELS.controlPlane]: '' } : {}),
      },
      owners: [
        ownerRef(
          CAPI_VERSION,
          'Machine',
          name,
          seededUid(s.ctx, TYPE_IDS.machine, c.namespace, name),
        ),
      ],
      createdAt: c.createdAt + 3 * 60_000,
      generation: 1,
    },
    providerId(fl, c.region, name, index, hexOf(name)),
    true,
    ip(c, index),
    `fd${(index % 3) + 1}`,
  );
}

export function seededControlPlaneInfraMachine(
  s: ClusterSeed,
  index: number,
): JsonObject {
  return infraMachineOf(s, s.c.controlPlaneMachines[index], index, true);
}

export function seededWorkerInfraMachine(
  s: ClusterSeed,
  pool: number,
  machine: number,
): JsonObject {
  const { c } = s;
  return infraMachineOf(
    s,
    c.pools[pool]?.machines[machine] ?? '',
    machineIndex(c, pool, machine),
    false,
  );
}

// ---- workers -------------------------------------------------------------------------------

function workerMeta(
  s: ClusterSeed,
  name: string,
  labels: Record<string, string>,
  owner: JsonObject,
  finalizer: string,
) {
  return {
    namespace: s.c.namespace,
    name,
    labels,
    owners: [owner],
    finalizers: [finalizer],
    createdAt: s.c.createdAt + 60_000,
    generation: 1,
  };
}

function workerTemplate(c: SeedCluster, pool: SeedPool) {
  return {
    clusterName: c.name,
    version: machineSpecVersion(c),
    ...templateRefs(c, pool),
  };
}

export function seededMachineDeployment(
  s: ClusterSeed,
  pool: number,
): JsonObject {
  const { c } = s;
  const p = c.pools[pool];
  const selector = workerSelector(c, p, false);
  const obj = machineDeploymentObject(
    workerMeta(
      s,
      p.objectName,
      deploymentLabels(c, p),
      clusterOwner(c.name, clusterUid(s), false),
      FINALIZERS.machineDeployment,
    ),
    p.replicas,
    selector,
    workerLabels(c, p),
    workerTemplate(c, p),
  );
  obj.status = replicaStatus('MachineDeployment', {
    counts: poolCounts(s, p, notReadyWorkers(s)),
    generation: 1,
    at: readyAt(c),
    selector: labelSelectorString({ matchLabels: selector }),
    versions: [{ version: machineSpecVersion(c), replicas: p.replicas }],
  });
  return obj;
}

export function seededMachineSet(s: ClusterSeed, pool: number): JsonObject {
  const { c } = s;
  const p = c.pools[pool];
  const selector = workerSelector(c, p, true);
  const obj = machineSetObject(
    workerMeta(
      s,
      p.setName,
      machineSetLabels(c, p),
      ownerRef(
        CAPI_VERSION,
        'MachineDeployment',
        p.objectName,
        seededUid(s.ctx, TYPE_IDS.machineDeployment, c.namespace, p.objectName),
      ),
      FINALIZERS.machineSet,
    ),
    p.replicas,
    selector,
    workerLabels(c, p),
    workerTemplate(c, p),
  );
  obj.status = replicaStatus('MachineSet', {
    counts: poolCounts(s, p, notReadyWorkers(s)),
    generation: 1,
    at: readyAt(c),
    selector: labelSelectorString({ matchLabels: selector }),
  });
  return obj;
}

function machinePoolInfraKind(c: SeedCluster): KindRef {
  return (
    c.flavor.machinePoolInfra ?? {
      group: 'infrastructure.cluster.x-k8s.io',
      version: 'v1beta1',
      kind: 'AzureManagedMachinePool',
    }
  );
}

export function seededMachinePool(s: ClusterSeed, pool: number): JsonObject {
  const { c } = s;
  const p = c.pools[pool];
  const obj = machinePoolObject(
    workerMeta(
      s,
      p.objectName,
      { [LABELS.clusterName]: c.name },
      clusterOwner(c.name, clusterUid(s), false),
      FINALIZERS.machinePool,
    ),
    c.name,
    p.replicas,
    desiredSpecVersion(c),
    { kind: machinePoolInfraKind(c), name: p.objectName },
  );
  obj.status = replicaStatus('MachinePool', {
    counts: poolCounts(s, p, new Set()),
    generation: 1,
    at: readyAt(c),
    selector: '',
  });
  return obj;
}

export function seededInfraMachinePool(
  s: ClusterSeed,
  pool: number,
): JsonObject {
  const { c } = s;
  const p = c.pools[pool];
  return infraMachinePoolObject(
    machinePoolInfraKind(c),
    {
      namespace: c.namespace,
      name: p.objectName,
      labels: { [LABELS.clusterName]: c.name },
      owners: [
        ownerRef(
          CAPI_VERSION,
          'MachinePool',
          p.objectName,
          seededUid(s.ctx, TYPE_IDS.machinePool, c.namespace, p.objectName),
        ),
      ],
      createdAt: c.createdAt + 60_000,
      generation: 1,
    },
    p.instanceType,
    p.replicas,
    true,
    pool === 0 ? 'System' : 'User',
  );
}

export function seededMachineHealthCheck(s: ClusterSeed): JsonObject {
  const { c } = s;
  const expected = c.pools.reduce((sum, p) => sum + p.replicas, 0);
  return machineHealthCheckObject(
    {
      namespace: c.namespace,
      name: `${c.name}-workers`,
      labels: { [LABELS.clusterName]: c.name },
      owners: [clusterOwner(c.name, clusterUid(s), false)],
      createdAt: c.createdAt,
      generation: 1,
    },
    c.name,
    { [LABELS.clusterName]: c.name },
    expected,
    expected,
  );
}
