import {
  ClusterCondition,
  HealthReason,
  HealthStatus,
  hasNegativePolarity,
} from '@shipyard/plugin-shipyard-common';
import {
  ClusterHealth,
  ClusterHealthEvaluator,
  ClusterHealthInput,
} from './types';

/** The children of the `Available` summary condition whose failure makes a cluster unhealthy (not merely degraded). */
const CRITICAL_CONDITIONS = new Set([
  'InfrastructureReady',
  'ControlPlaneAvailable',
  'ControlPlaneInitialized',
  'RemoteConnectionProbe',
]);

function find(conditions: ClusterCondition[], type: string) {
  return conditions.find(c => c.type === type);
}

function reasonOf(
  c: ClusterCondition,
  severity: HealthReason['severity'],
): HealthReason {
  const reason: HealthReason = {
    source: 'capi',
    severity,
    type: c.reason ? `${c.type}/${c.reason}` : c.type,
    message: c.message ?? `${c.type} is ${c.status}`,
  };
  if (c.lastTransitionTime) reason.since = c.lastTransitionTime;
  return reason;
}

/** Cluster API's conditions of progress on a Cluster (v1beta2): True while it rolls out or scales. */
const PROGRESS_CONDITIONS: Record<string, string> = {
  RollingOut: 'Rolling out',
  ScalingUp: 'Scaling up',
  ScalingDown: 'Scaling down',
};

/** Failing conditions that a rollout or a scale-up explains (replicas coming and going). */
const PROGRESS_SYMPTOMS = new Set([
  'WorkersAvailable',
  'ControlPlaneMachinesReady',
  'WorkerMachinesReady',
  'ControlPlaneMachinesUpToDate',
  'WorkerMachinesUpToDate',
  'MachinesReady',
  'MachinesUpToDate',
  // replica shortfalls (below)
  'ControlPlaneReplicas',
  'WorkerReplicas',
]);

/** Reason type of a hosted control plane whose pods are not all ready. */
export const HOSTED_PODS_REASON = 'HostedControlPlanePodsNotReady';

/** Reason type of a cluster in progress; its `since` starts the grace period (see `aggregateHealth`). */
export const PROGRESSING_REASON = 'Progressing';

/**
 * What Cluster API says about progress: the progress conditions that are True (since the earliest of them), or,
 * when none is, the last one that ended (replicas still becoming available after a scale-up).
 */
function progressOf(
  conditions: ClusterCondition[],
): { message: string; since?: string } | undefined {
  const active = conditions.filter(
    c => c.type in PROGRESS_CONDITIONS && c.status === 'True',
  );
  if (active.length > 0) {
    const times = active
      .map(c => c.lastTransitionTime)
      .filter((t): t is string => Boolean(t))
      .sort();
    return {
      message: `${active
        .map(c => PROGRESS_CONDITIONS[c.type])
        .join(', ')} (Cluster API)`,
      since: times[0],
    };
  }
  const ended = conditions
    .filter(
      c =>
        c.type in PROGRESS_CONDITIONS &&
        c.status === 'False' &&
        c.lastTransitionTime,
    )
    .sort((a, b) =>
      (a.lastTransitionTime ?? '') < (b.lastTransitionTime ?? '') ? 1 : -1,
    )[0];
  if (!ended) return undefined;
  return {
    message: `Machines becoming available after ${PROGRESS_CONDITIONS[
      ended.type
    ].toLowerCase()}`,
    since: ended.lastTransitionTime,
  };
}

function isProvisioningPhase(phase: string): boolean {
  return phase === 'Pending' || phase === 'Provisioning';
}

/** Fewer than wanted, when both counts are known. */
function isShort(have: number | undefined, want: number | undefined): boolean {
  return have !== undefined && want !== undefined && have < want;
}

/**
 * The initial health model, from what Cluster API reports on the management cluster:
 *
 * | signal | status |
 * | --- | --- |
 * | deletionTimestamp set, or phase `Deleting` | `deleting` |
 * | phase `Failed` | `unhealthy` |
 * | phase `Pending`/`Provisioning`, or control plane not yet initialised | `provisioning` |
 * | `Available` True, all replicas available, no failed machines | `healthy` |
 * | `Available` True but replicas missing, failed machines, or MHC remediation | `degraded` |
 * | `Available` False from `ControlPlaneAvailable`/`InfrastructureReady`/`RemoteConnectionProbe` | `unhealthy` |
 * | `Available` False otherwise (e.g. only `WorkersAvailable`) | `degraded` |
 * | `degraded` only by missing replicas while `RollingOut`/`ScalingUp`/`ScalingDown` (or just after) | `progressing` |
 * | v1beta1 without v1beta2 conditions: `Ready` True/False(Warning)/False(Error) | `healthy`/`degraded`/`unhealthy` |
 * | nothing known | `unknown` |
 */
export class CapiHealthEvaluator implements ClusterHealthEvaluator {
  evaluate(input: ClusterHealthInput): ClusterHealth {
    const reasons: HealthReason[] = [];
    const phase = input.phase;
    if (input.deletingSince || phase === 'Deleting') {
      return {
        status: 'deleting',
        reasons: [
          {
            source: 'capi',
            severity: 'info',
            type: 'Deleting',
            message: 'The cluster is being deleted',
            ...(input.deletingSince ? { since: input.deletingSince } : {}),
          },
        ],
      };
    }
    const failing = input.conditions.filter(
      c => c.status === 'False' && !hasNegativePolarity(c.type),
    );
    if (phase === 'Failed') {
      return {
        status: 'unhealthy',
        reasons: [
          {
            source: 'capi',
            severity: 'error',
            type: 'Failed',
            message: 'The cluster is in phase Failed',
          },
          ...failing.map(c => reasonOf(c, 'error')),
        ],
      };
    }
    if (
      isProvisioningPhase(phase) ||
      input.controlPlaneInitialized === false ||
      input.infrastructureProvisioned === false
    ) {
      return {
        status: 'provisioning',
        reasons: failing.map(c => reasonOf(c, 'info')),
      };
    }

    let status: HealthStatus;
    const available = find(input.conditions, 'Available');
    if (available) {
      if (available.status === 'True') {
        status = 'healthy';
      } else if (available.status === 'False') {
        const critical = failing.some(c => CRITICAL_CONDITIONS.has(c.type));
        status = critical ? 'unhealthy' : 'degraded';
        const children = failing.filter(c => c.type !== 'Available');
        if (children.length === 0) {
          reasons.push(reasonOf(available, critical ? 'error' : 'warning'));
        }
        for (const c of children) {
          reasons.push(
            reasonOf(c, CRITICAL_CONDITIONS.has(c.type) ? 'error' : 'warning'),
          );
        }
      } else {
        status = 'unknown';
        reasons.push(reasonOf(available, 'warning'));
      }
    } else {
      const ready = find(input.conditions, 'Ready');
      if (!ready) {
        status = 'unknown';
        reasons.push({
          source: 'capi',
          severity: 'warning',
          type: 'NoConditions',
          message: 'The cluster reports no Available or Ready condition',
        });
      } else if (ready.status === 'True') {
        status = 'healthy';
      } else if (ready.status === 'False') {
        status = ready.severity === 'Error' ? 'unhealthy' : 'degraded';
        for (const c of failing) {
          reasons.push(
            reasonOf(c, c.severity === 'Error' ? 'error' : 'warning'),
          );
        }
      } else {
        status = 'unknown';
        reasons.push(reasonOf(ready, 'warning'));
      }
    }

    // replica shortfalls and failed machines degrade an otherwise healthy cluster
    const shortfalls: HealthReason[] = [];
    const shortfall = (type: string, message: string) =>
      shortfalls.push({ source: 'capi', severity: 'warning', type, message });
    const cp = input.controlPlane;
    if (isShort(cp.available, cp.desired)) {
      shortfall(
        'ControlPlaneReplicas',
        `${cp.available} of ${cp.desired} control plane replicas available`,
      );
    }
    const w = input.workers;
    if (isShort(w.available, w.desired)) {
      shortfall(
        'WorkerReplicas',
        `${w.available} of ${w.desired} worker replicas available`,
      );
    }
    const failed = input.machinesByPhase.Failed ?? 0;
    if (failed > 0) {
      shortfall(
        'MachinesFailed',
        `${failed} machine${failed === 1 ? '' : 's'} failed`,
      );
    }
    for (const mhc of input.machineHealthChecks) {
      if (isShort(mhc.currentHealthy, mhc.expectedMachines)) {
        shortfall(
          'MachineHealthCheck',
          `MachineHealthCheck ${mhc.name}: ${mhc.currentHealthy} of ${mhc.expectedMachines} machines healthy`,
        );
      }
    }
    if (shortfalls.length > 0) {
      if (status === 'healthy') status = 'degraded';
      reasons.push(...shortfalls);
    }
    // a control plane hosted as pods: its pods' readiness is the control plane's (none ready: its API is down)
    const hosted = input.hostedControlPlane;
    if (hosted && hosted.readyReplicas < hosted.replicas) {
      const none = hosted.readyReplicas === 0;
      if (none) status = 'unhealthy';
      else if (status === 'healthy') status = 'degraded';
      reasons.unshift({
        source: 'capi',
        severity: none ? 'error' : 'warning',
        type: HOSTED_PODS_REASON,
        message: `Hosted control plane pods not ready: ${hosted.readyReplicas} of ${hosted.replicas} ready (${hosted.workloadKind} ${hosted.namespace}/${hosted.workloadName} on ${hosted.hostCluster})`,
      });
    }
    // missing replicas that a rollout or a scale-up explains are progress, not degradation: `progressing` with
    // info reasons; the aggregation makes it `degraded` once the progress outlasts the grace period
    if (status === 'degraded') {
      const progress = progressOf(input.conditions);
      const explained = reasons.every(r =>
        PROGRESS_SYMPTOMS.has(r.type.split('/')[0]),
      );
      if (progress && explained && reasons.length > 0) {
        const out: HealthReason = {
          source: 'capi',
          severity: 'info',
          type: PROGRESSING_REASON,
          message: progress.message,
        };
        if (progress.since) out.since = progress.since;
        return {
          status: 'progressing',
          reasons: [
            out,
            ...reasons.map(r => ({ ...r, severity: 'info' as const })),
          ],
        };
      }
    }
    return { status, reasons };
  }
}
