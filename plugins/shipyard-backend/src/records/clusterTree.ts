import {
  ClusterTreeNode,
  ConditionStatus,
} from '@shipyard/plugin-shipyard-common';
import { ClusterState } from './ClusterState';
import {
  ControlPlaneRecord,
  MachineDeploymentRecord,
  MachinePoolRecord,
  MachineRecord,
  ReadinessRecord,
} from './types';

/**
 * The object tree of one cluster (`GET /clusters/:mc/:ns/:name`): its infrastructure, its control plane with its
 * machines, and its workers (machine deployments and pools with their machines), each with its readiness.
 * Undefined when the records hold no Cluster object of it.
 */
export function clusterTree(
  state: ClusterState,
  controlPlane: ControlPlaneRecord | undefined,
): ClusterTreeNode | undefined {
  const c = state.cluster;
  if (!c) return undefined;
  const readiness = (
    conditions: Array<{
      type: string;
      status: ConditionStatus;
      reason?: string;
      message?: string;
      lastTransitionTime?: string;
    }>,
    type: string,
  ): ReadinessRecord => {
    const cond = conditions.find(x => x.type === type);
    return cond
      ? {
          status: cond.status,
          reason: cond.reason,
          message: cond.message,
          since: cond.lastTransitionTime,
        }
      : { status: 'Unknown' };
  };
  const node = (
    kind: string,
    nodeName: string,
    r: ReadinessRecord,
    extra: Partial<ClusterTreeNode> = {},
  ): ClusterTreeNode => {
    const out: ClusterTreeNode = { kind, name: nodeName, ready: r.status };
    if (r.reason) out.reason = r.reason;
    if (r.message) out.message = r.message;
    if (r.since) out.since = r.since;
    for (const [k, v] of Object.entries(extra)) {
      if (v !== undefined) (out as any)[k] = v;
    }
    return out;
  };
  const machineNode = (m: MachineRecord) =>
    node(
      'Machine',
      m.name,
      {
        status: m.ready,
        reason: m.readyReason,
        message: m.readyMessage,
        since: m.readySince,
      },
      {
        phase: m.phase,
        version: m.version,
        nodeName: m.nodeName,
      },
    );
  const byName = (a: { name: string }, b: { name: string }) =>
    a.name < b.name ? -1 : 1;
  const machines = [...state.machines.values()].sort(byName);
  const mdOfMachine = (m: (typeof machines)[number]) =>
    (m.machineSetName
      ? state.machineSets.get(m.machineSetName)?.deploymentName
      : undefined) ?? m.deploymentName;

  const children: ClusterTreeNode[] = [];
  const clusterAvailable =
    c.conditions.find(x => x.type === 'Available') ??
    c.conditions.find(x => x.type === 'Ready');
  if (c.infrastructureKind) {
    const infra =
      c.conditions.find(x => x.type === 'InfrastructureReady') ?? undefined;
    children.push(
      node(
        'ClusterInfrastructure',
        `${c.infrastructureKind}/${c.name}`,
        infra
          ? readiness(c.conditions, 'InfrastructureReady')
          : { status: c.infrastructureProvisioned ? 'True' : 'Unknown' },
      ),
    );
  }
  const cp = controlPlane;
  const cpMachines = machines.filter(m => m.controlPlane);
  if (cp || c.controlPlaneKind || cpMachines.length > 0) {
    children.push(
      node(
        'ControlPlane',
        `${cp?.kind ?? c.controlPlaneKind ?? 'ControlPlane'}/${
          cp?.name ?? c.controlPlaneName ?? c.name
        }`,
        cp?.readiness ?? readiness(c.conditions, 'ControlPlaneAvailable'),
        {
          version: cp?.version,
          replicas: cp?.replicas,
          conditions: cp?.conditions,
          children: cpMachines.map(machineNode),
        },
      ),
    );
  }
  const workerChildren: ClusterTreeNode[] = [];
  const mds = [...state.machineDeployments.values()].sort(byName);
  const placed = new Set<string>();
  const poolNode = (
    kind: 'MachineDeployment' | 'MachinePool',
    pool: MachineDeploymentRecord | MachinePoolRecord,
    poolMachines: MachineRecord[],
  ) => {
    poolMachines.forEach(m => placed.add(m.name));
    workerChildren.push(
      node(kind, pool.name, pool.readiness, {
        phase: pool.phase,
        version: pool.version,
        replicas: pool.replicas,
        children: poolMachines.map(machineNode),
      }),
    );
  };
  for (const md of mds) {
    poolNode(
      'MachineDeployment',
      md,
      machines.filter(m => !m.controlPlane && mdOfMachine(m) === md.name),
    );
  }
  for (const mp of [...state.machinePools.values()].sort(byName)) {
    poolNode(
      'MachinePool',
      mp,
      machines.filter(m => m.machinePoolName === mp.name),
    );
  }
  for (const m of machines) {
    if (!m.controlPlane && !placed.has(m.name)) {
      workerChildren.push(machineNode(m));
    }
  }
  if (workerChildren.length > 0) {
    children.push(
      node('Workers', 'Workers', readiness(c.conditions, 'WorkersAvailable'), {
        children: workerChildren,
      }),
    );
  }
  return node(
    'Cluster',
    c.name,
    clusterAvailable
      ? readiness(c.conditions, clusterAvailable.type)
      : { status: 'Unknown' },
    {
      phase: c.phase,
      version: c.version,
      conditions: c.conditions,
      children,
    },
  );
}
