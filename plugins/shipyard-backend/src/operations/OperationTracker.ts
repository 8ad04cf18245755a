import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ClusterSummary,
  rolloutProgress,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import crypto from 'node:crypto';
import { ClusterOperations } from './ClusterOperations';
import { OperationStore, TrackedOperation } from './OperationStore';

/** Where an operation stands, read from the cluster as the fleet shows it (undefined: the cluster is gone). */
export interface OperationProgress {
  done: boolean;
  /** Progress, or why it cannot complete. */
  message: string;
}

/** How far a resize is: each named pool at its target, every machine of it ready and up to date. */
export function scaleProgress(
  target: Record<string, unknown>,
  summary: ClusterSummary,
): OperationProgress {
  const workers = (target.workers ?? {}) as Record<string, number>;
  const parts: string[] = [];
  let done = true;
  for (const [name, replicas] of Object.entries(workers)) {
    const pool =
      summary.machineDeployments.find(m => m.name === name) ??
      summary.machinePools.find(m => m.name === name);
    const r = pool?.replicas ?? {};
    const settled =
      r.desired === replicas &&
      (r.current ?? replicas) === replicas &&
      r.ready === replicas &&
      (r.upToDate ?? replicas) === replicas;
    if (!settled) done = false;
    parts.push(`${name}: ${r.ready ?? 0}/${replicas} ready`);
  }
  if (typeof target.controlPlaneReplicas === 'number') {
    const r = summary.controlPlane;
    const n = target.controlPlaneReplicas;
    if (!(r.desired === n && (r.current ?? n) === n && r.ready === n)) {
      done = false;
    }
    parts.push(`control plane: ${r.ready ?? 0}/${n} ready`);
  }
  const provisioning =
    (summary.machinesByPhase as Record<string, number>)?.Provisioning ?? 0;
  const deleting =
    (summary.machinesByPhase as Record<string, number>)?.Deleting ?? 0;
  if (!done && provisioning) parts.push(`${provisioning} provisioning`);
  if (!done && deleting) parts.push(`${deleting} draining`);
  return { done, message: parts.join('; ') };
}

/** How far a decommission is: done when Cluster API confirmed the deletion (the fleet dropped the cluster). */
export function deleteProgress(summary: ClusterSummary): OperationProgress {
  const byPhase = (summary.machinesByPhase ?? {}) as Record<string, number>;
  const machines = summary.machineCount;
  const draining = byPhase.Deleting ?? 0;
  const reason = summary.healthReasons.find(r => r.severity !== 'info');
  return {
    done: false,
    message: `phase ${summary.phase}; ${machines} machines left${
      draining ? ` (${draining} draining)` : ''
    }${machines === 0 ? '; releasing the infrastructure' : ''}${
      reason ? `; ${reason.message}` : ''
    }`,
  };
}

/** How far a move to a newer profile version is: as an upgrade, every machine on the new spec, and the new label. */
export function updateProgress(
  target: Record<string, unknown>,
  summary: ClusterSummary,
): OperationProgress {
  const version =
    typeof target.kubernetesVersion === 'string'
      ? target.kubernetesVersion
      : undefined;
  const progress = rolloutProgress(summary, version);
  const pending = [...progress.pending];
  if (
    typeof target.profileVersion === 'string' &&
    summary.profileVersion !== target.profileVersion
  ) {
    pending.unshift(
      `profile version ${summary.profileVersion ?? 'unknown'}, not ${
        target.profileVersion
      }`,
    );
  }
  return pending.length === 0
    ? {
        done: true,
        message: `rolled out: profile version ${String(
          target.profileVersion,
        )}, Kubernetes ${summary.kubernetesVersion ?? '?'}`,
      }
    : { done: false, message: pending.join('; ') };
}

const LEFT_THE_FLEET: OperationProgress = {
  done: false,
  message: 'the cluster is no longer in the fleet',
};

/** How far each operation is while the fleet holds its cluster, and once the cluster left the fleet. */
const PROGRESS: Record<
  TrackedOperation['action'],
  {
    of(
      target: Record<string, unknown>,
      summary: ClusterSummary,
    ): OperationProgress;
    gone: OperationProgress;
  }
> = {
  'cluster.scale': { of: scaleProgress, gone: LEFT_THE_FLEET },
  'cluster.delete': {
    of: (_target, summary) => deleteProgress(summary),
    gone: { done: true, message: 'Cluster API confirmed the deletion' },
  },
  'cluster.update': { of: updateProgress, gone: LEFT_THE_FLEET },
};

/**
 * Follows the operations the fleet carries out after their write, from the fleet index: completed (audited as
 * `completed`) when the cluster shows the result; `stalled` (audited once) past the deadline, and still followed,
 * so that a late completion is recorded too. The state is in the database: a restarted backend, or another
 * replica, goes on where this one stopped.
 */
export class OperationTracker {
  constructor(
    private readonly options: {
      store: OperationStore;
      operations: ClusterOperations;
      logger: LoggerService;
    },
  ) {}

  get store(): OperationStore {
    return this.options.store;
  }

  /**
   * The answer of an operation with the id of the operation that follows it, when it wrote a change (a dry run or
   * an unchanged cluster has nothing to follow).
   */
  async followChange<
    R extends { dryRun: boolean; unchanged: boolean; summary: ClusterSummary },
  >(
    result: R,
    input: {
      action: TrackedOperation['action'];
      actor: string;
      target: Record<string, unknown>;
      deadlineMs: number;
    },
  ): Promise<R & { operationId?: string }> {
    if (result.dryRun || result.unchanged) return result;
    const op = await this.follow({ ...input, summary: result.summary });
    return { ...result, operationId: op.id };
  }

  /** Starts following an operation that was just written. */
  async follow(input: {
    action: TrackedOperation['action'];
    summary: ClusterSummary;
    actor: string;
    target: Record<string, unknown>;
    deadlineMs: number;
    now?: Date;
  }): Promise<TrackedOperation> {
    const now = input.now ?? new Date();
    const op: TrackedOperation = {
      id: crypto.randomUUID(),
      action: input.action,
      key: {
        managementCluster: input.summary.managementCluster,
        namespace: input.summary.namespace,
        name: input.summary.name,
      },
      actor: input.actor,
      ...(input.summary.owner ? { owner: input.summary.owner } : {}),
      ...(input.summary.profile ? { profile: input.summary.profile } : {}),
      state: 'running',
      target: input.target,
      startedAt: now.toISOString(),
      deadlineAt: new Date(now.getTime() + input.deadlineMs).toISOString(),
      updatedAt: now.toISOString(),
      message: 'started',
    };
    await this.options.store.insert(op);
    return op;
  }

  /** The progress of an operation now. */
  progressOf(op: TrackedOperation): OperationProgress {
    const summary = this.options.operations.index.get(
      stringifyClusterKey(op.key),
    )?.summary;
    const progress = PROGRESS[op.action];
    return summary ? progress.of(op.target, summary) : progress.gone;
  }

  /** One round: completes, stalls or leaves each followed operation. Answers how many changed state. */
  async check(now = new Date()): Promise<number> {
    let changed = 0;
    for (const op of await this.options.store.active()) {
      const progress = this.progressOf(op);
      const audit = (
        outcome: 'completed' | 'stalled',
        message: string,
      ): Promise<void> =>
        this.options.operations.record(
          {
            action: op.action,
            actor: { ref: op.actor, ownershipRefs: [] },
            key: op.key,
          },
          outcome,
          message,
          {
            summary: {
              owner: op.owner,
              profile: op.profile,
            } as ClusterSummary,
            details: {
              operationId: op.id,
              startedAt: op.startedAt,
              ...(outcome === 'completed'
                ? { durationMs: now.getTime() - Date.parse(op.startedAt) }
                : {}),
            },
          },
        );
      if (progress.done) {
        if (
          await this.options.store.update(
            op,
            op.state,
            'completed',
            progress.message,
            now,
          )
        ) {
          await audit('completed', progress.message);
          changed += 1;
        }
      } else if (
        op.state === 'running' &&
        now.getTime() > Date.parse(op.deadlineAt)
      ) {
        const message = `not done by ${op.deadlineAt}: ${progress.message}`;
        if (
          await this.options.store.update(
            op,
            'running',
            'stalled',
            message,
            now,
          )
        ) {
          await audit('stalled', message);
          this.options.logger.warn(
            `Shipyard: ${op.action} of ${stringifyClusterKey(
              op.key,
            )} stalled: ${progress.message}`,
          );
          changed += 1;
        }
      }
    }
    return changed;
  }
}
