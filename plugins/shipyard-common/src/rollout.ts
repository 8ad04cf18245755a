import { kubernetesMinorOf, parseKubernetesVersion } from './versions';
import type { ClusterSummary, ReplicaCounters } from './types';
import type {
  MaintenanceWindow,
  RolloutState,
  operations,
} from './schema/openapi/generated/models';
import {
  maintenanceWindowDaysValues,
  pathsRolloutsIdOperationPostParametersPathOperationValues,
  rolloutStateValues,
} from './schema/openapi/generated/models/schema';
import { enumValues } from './schema/enumValues';

/** Where a fleet rollout is (`GET /rollouts?state=…`). */
export type { RolloutState } from './schema/openapi/generated/models';

/** Every state of a fleet rollout, as the spec lists them. */
export const ROLLOUT_STATES = enumValues<RolloutState>(rolloutStateValues);

/** What may be done with a fleet rollout under way: `POST /rollouts/:id/(pause|resume|abort)`. */
export type RolloutOperationName =
  operations['operateRollout']['parameters']['path']['operation'];

/** Every operation on a fleet rollout under way, as the spec lists them. */
export const ROLLOUT_OPERATIONS = enumValues<RolloutOperationName>(
  pathsRolloutsIdOperationPostParametersPathOperationValues,
);

/** A day of the week of a rollout's maintenance window (`mon` … `sun`). */
export type Weekday = MaintenanceWindow['days'][number];

/** The days of the week, Monday first, as the spec lists them. */
export const WEEKDAYS = enumValues<Weekday>(maintenanceWindowDaysValues);

/** What a rollout check reads of a cluster summary. */
export type RolloutInput = Pick<
  ClusterSummary,
  | 'kubernetesVersion'
  | 'conditions'
  | 'controlPlane'
  | 'machineDeployments'
  | 'machinePools'
>;

/** Whether a cluster's rollout is over, and what is still pending when it is not. */
export interface RolloutProgress {
  complete: boolean;
  /** Human-readable items still rolling out (`control plane 1/3 up to date`, `md-0 0/2 up to date`, `rolling out`). */
  pending: string[];
}

/**
 * `name n/m up to date` when some replicas are not up to date yet or old ones are still there, `name status behind
 * its spec` while its controller has not yet observed its latest spec (the counters then describe the previous one);
 * else nothing.
 */
function replicasPending(name: string, r: ReplicaCounters): string | undefined {
  if (r.statusBehindSpec) return `${name} status behind its spec`;
  const desired = r.desired;
  if (desired === undefined) return undefined;
  if (r.upToDate !== undefined && r.upToDate < desired) {
    return `${name} ${r.upToDate}/${desired} up to date`;
  }
  if (r.current !== undefined && r.current > desired) {
    return `${name} ${r.current - desired} old replica${
      r.current - desired === 1 ? '' : 's'
    } still running`;
  }
  return undefined;
}

/**
 * Whether Cluster API says the cluster's rollout is over (to `version` when given): the desired version is the
 * target, no `RollingOut` condition is True and no `*MachinesUpToDate` condition False, the control plane and every
 * MachineDeployment and MachinePool have observed their latest spec, have all their replicas up to date and no old
 * ones left, and their templates name the target version (without `version`: the minor of the cluster's desired
 * version).
 */
export function rolloutProgress(
  summary: RolloutInput,
  version?: string,
): RolloutProgress {
  const pending: string[] = [];
  if (version && summary.kubernetesVersion !== version) {
    pending.push(
      `desired version ${
        summary.kubernetesVersion ?? 'unknown'
      }, not ${version}`,
    );
  }
  const conditions = summary.conditions ?? [];
  if (conditions.some(c => c.type === 'RollingOut' && c.status === 'True')) {
    pending.push('rolling out');
  }
  for (const c of conditions) {
    if (c.type.endsWith('MachinesUpToDate') && c.status === 'False') {
      pending.push(`${c.type} is False`);
    }
  }
  const cp = replicasPending('control plane', summary.controlPlane ?? {});
  if (cp) pending.push(cp);
  for (const pool of [
    ...(summary.machineDeployments ?? []),
    ...(summary.machinePools ?? []),
  ]) {
    if (version && pool.version && pool.version !== version) {
      pending.push(`${pool.name} on ${pool.version}`);
      continue;
    }
    const desiredMinor = kubernetesMinorOf(summary.kubernetesVersion);
    if (
      !version &&
      pool.version &&
      desiredMinor &&
      kubernetesMinorOf(pool.version) !== desiredMinor
    ) {
      pending.push(`${pool.name} on ${pool.version}`);
      continue;
    }
    const p = replicasPending(pool.name, pool.replicas ?? {});
    if (p) pending.push(p);
  }
  return { complete: pending.length === 0, pending };
}

/**
 * Whether the workload cluster runs another Kubernetes version than its control plane declares (an upgrade in
 * progress): another minor, or another patch when the declared version names one. Distribution suffixes and the
 * `v` prefix do not count (`v1.34.7` runs as `v1.34.7-eks-ea14a35`), nor does an OpenShift version against the
 * Kubernetes version it ships (the declared minor is already that Kubernetes minor).
 */
export function runsOtherVersion(
  summary: Pick<
    ClusterSummary,
    | 'kubernetesVersion'
    | 'kubernetesMinor'
    | 'observedKubernetesVersion'
    | 'distribution'
  >,
): boolean {
  const observed = parseKubernetesVersion(summary.observedKubernetesVersion);
  if (!observed) return false;
  const minor =
    summary.kubernetesMinor ?? kubernetesMinorOf(summary.kubernetesVersion);
  if (minor && minor !== `${observed.major}.${observed.minor}`) return true;
  if (summary.distribution === 'openshift') return false;
  const declared = summary.kubernetesVersion ?? '';
  const hasPatch = /^v?\d+\.\d+\.\d+/.test(declared);
  const parsed = parseKubernetesVersion(declared);
  return Boolean(hasPatch && parsed && parsed.patch !== observed.patch);
}
