/*
 * Day-2 operations on one cluster (pause/resume, resize, decommission, move to a newer profile version): the
 * annotations Shipyard writes on the CAPI Cluster, and the requests and answers of their endpoints
 * (`POST /api/shipyard/clusters/:managementCluster/:namespace/:name/<operation>`), which are the spec's models.
 */
import type { ClusterOperationResponse } from './schema/openapi/generated/models';
import { clusterOperationResponsePendingGuardValues } from './schema/openapi/generated/models/schema';
import { enumValues } from './schema/enumValues';

/** The Cluster API annotation that pauses one object (Cluster API honours it as it honours `spec.paused`). */
export const CAPI_PAUSED_ANNOTATION = 'cluster.x-k8s.io/paused';

/** Why a cluster was paused (written with `spec.paused: true`). */
export const ANNOTATION_PAUSE_REASON = 'shipyard.io/pause-reason';
/** Entity ref of who paused a cluster. */
export const ANNOTATION_PAUSED_BY = 'shipyard.io/paused-by';
/** ISO-8601 time a cluster was paused. */
export const ANNOTATION_PAUSED_AT = 'shipyard.io/paused-at';
/** ISO-8601 time after which Shipyard resumes a paused cluster. */
export const ANNOTATION_PAUSE_EXPIRES_AT = 'shipyard.io/pause-expires-at';

/** The annotations of a pause, in the order they are shown. */
export const PAUSE_ANNOTATIONS = [
  ANNOTATION_PAUSE_REASON,
  ANNOTATION_PAUSED_BY,
  ANNOTATION_PAUSED_AT,
  ANNOTATION_PAUSE_EXPIRES_AT,
] as const;

/** Longest reason of a pause. */
export const PAUSE_REASON_MAX = 500;
/** Longest pause that can be given an expiry (30 days). */
export const PAUSE_MAX_DURATION_MS = 30 * 24 * 3600_000;

export type {
  ClusterOperationResponse,
  PauseClusterRequest,
  ResumeClusterRequest,
} from './schema/openapi/generated/models';

/** The day-2 operations on one cluster. */
export type ClusterOperationName = ClusterOperationResponse['operation'];

/**
 * A production cluster's decommission that waits: for a second person of the platform team to approve it
 * (`approval`, until it lapses), or for its delay to pass (`delay`) unless it is cancelled.
 */
export type PendingDecommission = NonNullable<
  ClusterOperationResponse['pending']
>;

/** The guards of a production decommission, as the spec lists them (`approval`, `delay`). */
export const DECOMMISSION_GUARDS = enumValues<PendingDecommission['guard']>(
  clusterOperationResponsePendingGuardValues,
);

/** What may be done with a pending production decommission (`POST /clusters/…/decommission/<decision>`). */
export type DecommissionDecision = 'approve' | 'cancel';
