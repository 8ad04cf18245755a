/** What a Cluster's status looks like for a set of facts about its parts. */
import {
  Cond,
  Counts,
  check,
  conditions,
  no,
  unknown,
  v1beta1Conditions,
} from './conditions';
import { Flavor, zoneOf } from './distributions';
import { ts } from './kinds';
import { JsonObject, asObject } from '../util/json';

/** The failure domains a Cluster reports: Docker's fd1–fd3, or the first three zones of the cluster's region. */
export function clusterFailureDomains(
  flavor: Flavor,
  region: string,
): string[] {
  return flavor.provider === 'docker'
    ? ['fd1', 'fd2', 'fd3']
    : [0, 1, 2].map(i => zoneOf(flavor.provider, region, i));
}

/**
 * What a Cluster says about the faults of its workload cluster: its API server unreachable (the remote connection
 * probe last succeeded at `probedAt`), or its control plane down.
 */
export function clusterFaultMessages(
  unreachable: boolean,
  controlPlaneDown: boolean,
  probedAt: number,
): Pick<ClusterState, 'cpMessage' | 'remoteMessage'> {
  let remoteMessage: string | undefined;
  if (unreachable)
    remoteMessage = `Remote connection probe failed, probe last succeeded at ${ts(
      probedAt,
    )}`;
  else if (controlPlaneDown)
    remoteMessage =
      'Remote connection probe failed: the server is currently unable to handle the request';
  return {
    cpMessage: controlPlaneDown
      ? 'Control plane is not available: etcd is not healthy'
      : undefined,
    remoteMessage,
  };
}

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
