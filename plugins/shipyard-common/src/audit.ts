/*
 * Audit records of cluster requests and upgrades: who asked for what, when, and how it ended. Written by the
 * scaffolder module (`POST /api/shipyard/audit`, service principals only) and readable by the platform team
 * (`GET /api/shipyard/audit`).
 */

/** What was asked for. */
export type ClusterAuditAction = 'cluster.create' | 'cluster.upgrade';

/** How it ended: done, refused by a check (nothing written), or failed while writing. */
export type ClusterAuditOutcome = 'succeeded' | 'refused' | 'failed';

/** The audit actions and outcomes, for validation. */
export const CLUSTER_AUDIT_ACTIONS: readonly ClusterAuditAction[] = [
  'cluster.create',
  'cluster.upgrade',
];
export const CLUSTER_AUDIT_OUTCOMES: readonly ClusterAuditOutcome[] = [
  'succeeded',
  'refused',
  'failed',
];

/** An audit record as posted by the scaffolder module. */
export interface ClusterAuditRecordInput {
  /** Entity ref of the user who asked (`user:default/alice`). */
  actor: string;
  action: ClusterAuditAction;
  outcome: ClusterAuditOutcome;
  managementCluster?: string;
  namespace?: string;
  /** Name of the CAPI Cluster. */
  cluster?: string;
  /** Entity ref of the cluster profile. */
  profile?: string;
  /** Entity ref of the owning group. */
  owner?: string;
  /** `manifests` when the request only produced YAML for a GitOps repository. */
  mode?: 'apply' | 'manifests';
  /** Why it was refused or failed, or what was done. */
  message?: string;
  /** The scaffolder task. */
  taskId?: string;
  /** Further facts (Kubernetes versions, size, …). */
  details?: Record<string, string | number | boolean | null>;
}

/** A stored audit record. */
export interface ClusterAuditRecord extends ClusterAuditRecordInput {
  id: string;
  /** ISO-8601 time the record was stored. */
  at: string;
}

/** Response of `GET /audit` (newest first). */
export interface ListClusterAuditResponse {
  items: ClusterAuditRecord[];
  /** Cursor of the next (older) page. */
  nextCursor?: string;
}
