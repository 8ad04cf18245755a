import { ConflictError, InputError } from '@backstage/errors';
import {
  ANNOTATION_PAUSE_EXPIRES_AT,
  ANNOTATION_PAUSE_REASON,
  ANNOTATION_PAUSED_AT,
  ANNOTATION_PAUSED_BY,
  CAPI_PAUSED_ANNOTATION,
  ClusterKey,
  ClusterOperationResponse,
  ClusterSummary,
  PAUSE_MAX_DURATION_MS,
  PAUSE_REASON_MAX,
  PauseClusterRequest,
  ResumeClusterRequest,
  shipyardClusterPausePermission,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import {
  ClusterOperations,
  OPERATIONS_FIELD_MANAGER,
  OperationActor,
  OperationPlan,
  clusterObjectPath,
} from './ClusterOperations';

/** The checked expiry of a pause (ISO-8601), or undefined for none. */
export function checkPauseExpiry(
  expiresAt: string | undefined,
  now: Date,
): string | undefined {
  if (expiresAt === undefined) return undefined;
  const at = Date.parse(expiresAt);
  if (!Number.isFinite(at)) {
    throw new InputError(
      `Invalid expiresAt "${expiresAt}": not an ISO-8601 time`,
    );
  }
  if (at <= now.getTime()) {
    throw new InputError(
      `Invalid expiresAt ${expiresAt}: it must be in the future`,
    );
  }
  if (at - now.getTime() > PAUSE_MAX_DURATION_MS) {
    throw new InputError(
      `Invalid expiresAt ${expiresAt}: a pause can be given at most ${
        PAUSE_MAX_DURATION_MS / (24 * 3600_000)
      } days; leave it out to pause until resumed`,
    );
  }
  return new Date(at).toISOString();
}

function pauseValues(
  summary: ClusterSummary,
): ClusterOperationResponse['before'] {
  return {
    paused: Boolean(summary.paused),
    reason: summary.paused?.reason ?? null,
    expiresAt: summary.paused?.expiresAt ?? null,
  };
}

/** The write of a pause or a resume: `spec.paused` and the annotations (`null` removes one), by a merge patch. */
function writePause(
  key: ClusterKey,
  paused: boolean,
  annotations: Record<string, string | null>,
): OperationPlan['write'] {
  return async (api, dryRun) => {
    await api.mergePatch(
      clusterObjectPath(key),
      { metadata: { annotations }, spec: { paused } },
      { fieldManager: OPERATIONS_FIELD_MANAGER, dryRun },
    );
  };
}

/**
 * `POST /clusters/:mc/:ns/:name/pause`: sets `spec.paused` with Shipyard's annotations (reason, who, when,
 * expiry). A deleting cluster is not paused: Cluster API would stop deleting it halfway.
 */
export async function pauseCluster(
  ops: ClusterOperations,
  actor: OperationActor,
  key: ClusterKey,
  request: PauseClusterRequest,
  now = new Date(),
) {
  const reason = String(request.reason ?? '').trim();
  return ops.runOnCluster(
    {
      action: 'cluster.pause',
      actor,
      key,
      requested: {
        reason: reason.slice(0, 1000),
        expiresAt: request.expiresAt ?? null,
      },
      permission: shipyardClusterPausePermission,
    },
    request.dryRun === true,
    async summary => {
      if (!reason) {
        throw new InputError('Invalid reason: say why the cluster is paused');
      }
      if (reason.length > PAUSE_REASON_MAX) {
        throw new InputError(
          `Invalid reason: at most ${PAUSE_REASON_MAX} characters`,
        );
      }
      const expiresAt = checkPauseExpiry(request.expiresAt, now);
      if (summary.deletingSince) {
        throw new ConflictError(
          `Cluster ${stringifyClusterKey(
            key,
          )} is being deleted; pausing it would stop its deletion halfway`,
        );
      }
      const before = pauseValues(summary);
      const after = { paused: true, reason, expiresAt: expiresAt ?? null };
      const unchanged =
        before.paused === true &&
        before.reason === reason &&
        before.expiresAt === after.expiresAt;
      return {
        summary,
        before,
        after,
        unchanged,
        message: `${stringifyClusterKey(key)} paused${
          expiresAt ? ` until ${expiresAt}` : ' until resumed'
        }: ${reason}`,
        write: writePause(key, true, {
          [ANNOTATION_PAUSE_REASON]: reason,
          [ANNOTATION_PAUSED_BY]: actor.ref,
          [ANNOTATION_PAUSED_AT]: summary.paused?.since ?? now.toISOString(),
          [ANNOTATION_PAUSE_EXPIRES_AT]: expiresAt ?? null,
        }),
      };
    },
  );
}

/** `POST /clusters/:mc/:ns/:name/resume`: clears `spec.paused`, the paused annotation and Shipyard's annotations. */
export async function resumeCluster(
  ops: ClusterOperations,
  actor: OperationActor,
  key: ClusterKey,
  request: ResumeClusterRequest,
  why?: string,
) {
  return ops.runOnCluster(
    {
      action: 'cluster.resume',
      actor,
      key,
      permission: shipyardClusterPausePermission,
    },
    request.dryRun === true,
    async summary => {
      const before = pauseValues(summary);
      return {
        summary,
        before,
        after: { paused: false, reason: null, expiresAt: null },
        unchanged: !summary.paused,
        message: summary.paused
          ? `${stringifyClusterKey(key)} resumed${why ? ` (${why})` : ''}`
          : `${stringifyClusterKey(key)} is not paused`,
        write: writePause(key, false, {
          [CAPI_PAUSED_ANNOTATION]: null,
          [ANNOTATION_PAUSE_REASON]: null,
          [ANNOTATION_PAUSED_BY]: null,
          [ANNOTATION_PAUSED_AT]: null,
          [ANNOTATION_PAUSE_EXPIRES_AT]: null,
        }),
      };
    },
  );
}

/** Resumes every paused cluster whose pause has expired (as `shipyard`, audited). Answers how many it resumed. */
export async function resumeExpiredPauses(
  ops: ClusterOperations,
  now = new Date(),
): Promise<number> {
  const expired = ops.index
    .matching({})
    .filter(
      s =>
        s.paused?.expiresAt && Date.parse(s.paused.expiresAt) <= now.getTime(),
    );
  let resumed = 0;
  for (const s of expired) {
    try {
      await resumeCluster(
        ops,
        { ref: 'shipyard', ownershipRefs: [] },
        s,
        {},
        `the pause expired at ${s.paused?.expiresAt}`,
      );
      resumed += 1;
    } catch {
      // audited as failed; the next round tries again
    }
  }
  return resumed;
}
