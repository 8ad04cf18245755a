/*
 * How the audit trail names its actions and outcomes for people: every action and outcome the backend records has
 * a readable label, grouped as the audit page's action filter lists them.
 */
import {
  CLUSTER_AUDIT_ACTIONS,
  CLUSTER_AUDIT_OUTCOMES,
  ClusterAuditAction,
  ClusterAuditOutcome,
} from '@shipyard/plugin-shipyard-common';

export const AUDIT_ACTION_LABELS: Record<ClusterAuditAction, string> = {
  'cluster.create': 'Request cluster',
  'cluster.upgrade': 'Upgrade Kubernetes',
  'cluster.pause': 'Pause reconciliation',
  'cluster.resume': 'Resume reconciliation',
  'cluster.scale': 'Resize',
  'cluster.delete': 'Decommission',
  'cluster.update': 'Move to profile version',
  'rollout.create': 'Start rollout',
  'rollout.approve': 'Approve rollout',
  'rollout.pause': 'Pause rollout',
  'rollout.resume': 'Resume rollout',
  'rollout.abort': 'Abort rollout',
  'rollout.gate': 'Rollout gate',
  'rollout.stage': 'Rollout stage',
  'rollout.step': 'Rollout step',
  'rollout.halt': 'Rollout halted',
  'rollout.complete': 'Rollout completed',
};

export const AUDIT_OUTCOME_LABELS: Record<ClusterAuditOutcome, string> = {
  succeeded: 'Succeeded',
  refused: 'Refused',
  failed: 'Failed',
  completed: 'Completed',
  stalled: 'Stalled',
};

/** The actions in the filter's two groups: one cluster, and fleet rollouts. */
export const AUDIT_ACTION_GROUPS: Array<{
  title: string;
  actions: ClusterAuditAction[];
}> = [
  {
    title: 'Clusters',
    actions: CLUSTER_AUDIT_ACTIONS.filter(a => a.startsWith('cluster.')),
  },
  {
    title: 'Rollouts',
    actions: CLUSTER_AUDIT_ACTIONS.filter(a => a.startsWith('rollout.')),
  },
];

export function isAuditAction(value: unknown): value is ClusterAuditAction {
  return CLUSTER_AUDIT_ACTIONS.includes(value as ClusterAuditAction);
}

export function isAuditOutcome(value: unknown): value is ClusterAuditOutcome {
  return CLUSTER_AUDIT_OUTCOMES.includes(value as ClusterAuditOutcome);
}

/** An action's label; an action this version does not know, as recorded. */
export function auditActionLabel(action: string): string {
  return isAuditAction(action) ? AUDIT_ACTION_LABELS[action] : action;
}

/** An outcome's label; an outcome this version does not know, as recorded. */
export function auditOutcomeLabel(outcome: string): string {
  return isAuditOutcome(outcome) ? AUDIT_OUTCOME_LABELS[outcome] : outcome;
}
