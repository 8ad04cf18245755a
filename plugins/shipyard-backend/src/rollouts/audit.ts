import {
  ClusterAuditAction,
  ClusterAuditOutcome,
  parseClusterKey,
  toStorableAuditRecord,
} from '@shipyard/plugin-shipyard-common';
import { AuditStore } from '../stores/AuditStore';
import { Rollout, RolloutCluster, RolloutStage } from './model';

/*
 * How rollouts are audited: one entry per decision of the executor and per request of a user, written into the
 * audit trail with the rollout's id and name and, for a cluster's step, the cluster's fields.
 */

/** One audit record of a rollout. */
export interface RolloutAuditEntry {
  actor: string;
  action: ClusterAuditAction;
  outcome: ClusterAuditOutcome;
  rollout: Rollout;
  stage?: string;
  cluster?: string;
  message: string;
  details?: Record<string, string | number | boolean | null>;
}

/** Writes a rollout audit entry into the audit trail (the cluster's fields when it names one). */
export async function auditRollout(
  store: AuditStore,
  entry: RolloutAuditEntry,
  now: Date,
): Promise<void> {
  const cluster = entry.cluster ? parseClusterKey(entry.cluster) : undefined;
  await store.add(
    toStorableAuditRecord({
      actor: entry.actor,
      action: entry.action,
      outcome: entry.outcome,
      ...(cluster
        ? {
            managementCluster: cluster.managementCluster,
            namespace: cluster.namespace,
            cluster: cluster.name,
          }
        : {}),
      message: entry.message,
      details: {
        rollout: entry.rollout.id,
        rolloutName: entry.rollout.spec.name,
        ...(entry.stage ? { stage: entry.stage } : {}),
        ...entry.details,
      },
    }),
    now,
  );
}

/** An audit entry decided in a round, written once the round's decisions are stored. */
export type PendingAudit = Omit<RolloutAuditEntry, 'actor' | 'rollout'>;

/** The audit entry of a cluster's step: the state it reached, and why. */
export function stepAudit(
  stage: RolloutStage,
  c: RolloutCluster,
  outcome: ClusterAuditOutcome,
) {
  return {
    action: 'rollout.step' as const,
    outcome,
    stage: stage.name,
    cluster: c.key,
    message: `${c.key}: ${c.state}${c.message ? ` (${c.message})` : ''}`,
  };
}
