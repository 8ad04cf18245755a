import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { ClusterActionDeps, clusterPagePath } from '../actions/createCluster';
import { ClusterOperationResponse } from '@shipyard/plugin-shipyard-common';
import {
  ClusterOperationCall,
  ClusterOperationsClient,
} from './ClusterOperationsClient';
import {
  decommissionExamples,
  moveProfileVersionExamples,
  pauseExamples,
  resumeExamples,
  scaleExamples,
} from './operationActions.examples';

/** What the day-2 actions need: the request service (to find the cluster) and the backend's operations. */
export interface OperationActionDeps extends ClusterActionDeps {
  operations: ClusterOperationsClient;
}

const clusterInput = (z: any) =>
  z
    .string()
    .min(1)
    .describe('Cluster entity ref, or managementCluster/namespace/name');

const dryRunInput = (z: any) =>
  z.boolean().optional().describe('Check only; change nothing');

const operationOutput = {
  entityRef: (z: any) => z.string(),
  clusterPath: (z: any) => z.string(),
  unchanged: (z: any) => z.boolean(),
  message: (z: any) => z.string(),
};

/** The output of an operation that is followed until it completes. */
const followedOperationOutput = {
  ...operationOutput,
  operationId: (z: any) => z.string().optional(),
};

/** What an operation's handler needs of the scaffolder's action context. */
interface OperationContext {
  input: { cluster: string };
  getInitiatorCredentials(): Promise<BackstageCredentials>;
  logger: { info(message: string): void };
  output(name: string, value: unknown): void;
}

/**
 * The steps every operation action takes: resolves the cluster as the initiator, calls the backend's operation on
 * their behalf, logs its answer and outputs the cluster and the answer.
 */
async function runOperation(
  ctx: OperationContext,
  deps: OperationActionDeps,
  call: ClusterOperationCall,
): Promise<ClusterOperationResponse> {
  const credentials = await ctx.getInitiatorCredentials();
  const summary = await deps.requests.resolveCluster(
    ctx.input.cluster,
    credentials,
  );
  const answer = await deps.operations.call(credentials, summary, call);
  ctx.logger.info(answer.message);
  ctx.output('entityRef', deps.entityRefOf(summary));
  ctx.output('clusterPath', clusterPagePath(summary));
  ctx.output('unchanged', answer.unchanged);
  ctx.output('message', answer.message);
  return answer;
}

/** `shipyard:cluster:pause`: pauses the reconciliation of a cluster with a reason and an optional expiry. */
export function createClusterPauseAction(deps: OperationActionDeps) {
  return createTemplateAction({
    id: 'shipyard:cluster:pause',
    description:
      'Pauses the Cluster API reconciliation of a cluster (spec.paused) with a reason and an optional expiry, after the backend checks shipyard.cluster.pause on it; audited.',
    examples: pauseExamples,
    schema: {
      input: {
        cluster: clusterInput,
        reason: z =>
          z
            .string()
            .min(1)
            .max(500)
            .describe('Why (shown on the cluster and fleet pages)'),
        expiresAt: z =>
          z
            .string()
            .optional()
            .describe(
              'ISO-8601 time after which the cluster is resumed (at most 30 days ahead)',
            ),
        dryRun: dryRunInput,
      },
      output: operationOutput,
    },
    async handler(ctx) {
      await runOperation(ctx, deps, (api, path, token) =>
        api.pauseCluster(
          {
            path,
            body: {
              reason: ctx.input.reason,
              ...(ctx.input.expiresAt
                ? { expiresAt: ctx.input.expiresAt }
                : {}),
              ...(ctx.input.dryRun ? { dryRun: true } : {}),
            },
          },
          { token },
        ),
      );
    },
  });
}

/** `shipyard:cluster:resume`: resumes the reconciliation of a paused cluster. */
export function createClusterResumeAction(deps: OperationActionDeps) {
  return createTemplateAction({
    id: 'shipyard:cluster:resume',
    description:
      'Resumes the Cluster API reconciliation of a paused cluster, after the backend checks shipyard.cluster.pause on it; audited.',
    examples: resumeExamples,
    schema: {
      input: {
        cluster: clusterInput,
        dryRun: dryRunInput,
      },
      output: operationOutput,
    },
    async handler(ctx) {
      await runOperation(ctx, deps, (api, path, token) =>
        api.resumeCluster(
          { path, body: ctx.input.dryRun ? { dryRun: true } : {} },
          { token },
        ),
      );
    },
  });
}

/** `shipyard:cluster:scale`: resizes worker pools (or the control plane), or switches to a named size of the profile. */
export function createClusterScaleAction(deps: OperationActionDeps) {
  return createTemplateAction({
    id: 'shipyard:cluster:scale',
    description:
      "Resizes a cluster: worker replicas of named MachineDeployments/MachinePools, control plane replicas, or a named size of its profile, after a pre-flight in the backend (shipyard.cluster.scale, the profile's size bounds, the team's machine quota, a healthy cluster, a server-side dry run); audited and followed until it settles.",
    examples: scaleExamples,
    schema: {
      input: {
        cluster: clusterInput,
        size: z =>
          z
            .string()
            .optional()
            .describe('A named size of the cluster’s profile'),
        workers: z =>
          z
            .array(
              z.object({
                name: z.string().min(1),
                replicas: z.number().int().min(0),
              }),
            )
            .optional()
            .describe(
              'Worker replicas by MachineDeployment or MachinePool name',
            ),
        controlPlaneReplicas: z =>
          z
            .number()
            .int()
            .optional()
            .describe(
              'Control plane machines (1, 3 or 5; machine-based control planes)',
            ),
        dryRun: dryRunInput,
      },
      output: followedOperationOutput,
    },
    async handler(ctx) {
      const { cluster, ...body } = ctx.input;
      const answer = await runOperation(ctx, deps, (api, path, token) =>
        api.scaleCluster({ path, body }, { token }),
      );
      if (answer.operationId) ctx.output('operationId', answer.operationId);
    },
  });
}

/**
 * `shipyard:cluster:decommission`: deletes a cluster, its name typed again; followed until Cluster API confirms. A
 * production cluster's decommission is a request that waits for its guard; `approve` (a second person of the
 * platform team) or `cancel` decides a pending one.
 */
export function createClusterDecommissionAction(deps: OperationActionDeps) {
  return createTemplateAction({
    id: 'shipyard:cluster:decommission',
    description:
      "Decommissions a cluster: deletes its Cluster API Cluster (machines drain and go, then the infrastructure is released), after the backend checks shipyard.cluster.delete on it, that confirm is the cluster's name and that it is not paused. A production cluster's decommission is only requested: a second person of the platform team approves it (approve: true), or, configured so, it starts after a delay unless cancelled (cancel: true). Audited, and followed until Cluster API confirms the deletion; the catalog drops the entity only then.",
    examples: decommissionExamples,
    schema: {
      input: {
        cluster: clusterInput,
        confirm: z =>
          z
            .string()
            .min(1)
            .max(253)
            .optional()
            .describe(
              "The cluster's name, typed again by the user (to decommission, and to approve)",
            ),
        reason: z =>
          z
            .string()
            .max(500)
            .optional()
            .describe('Why (kept in the audit trail)'),
        approve: z =>
          z
            .boolean()
            .optional()
            .describe(
              "Approve a production cluster's pending decommission (a second person of the platform team)",
            ),
        cancel: z =>
          z
            .boolean()
            .optional()
            .describe("Cancel a production cluster's pending decommission"),
        dryRun: dryRunInput,
      },
      output: {
        ...followedOperationOutput,
        pendingGuard: (z: any) =>
          z
            .enum(['approval', 'delay'])
            .optional()
            .describe(
              'A production decommission waits: for a second approval, or for its delay',
            ),
        pendingUntil: (z: any) =>
          z
            .string()
            .optional()
            .describe(
              'When the deletion starts (delay), or when the request lapses (approval)',
            ),
      },
    },
    async handler(ctx) {
      const { reason, approve, cancel, confirm, dryRun } = ctx.input;
      const why = reason?.trim() ? { reason } : {};
      if (approve && cancel) {
        throw new InputError('Either approve or cancel, not both');
      }
      if (!cancel && !confirm) {
        throw new InputError(
          "confirm: type the cluster's name to decommission it",
        );
      }
      let answer: ClusterOperationResponse;
      if (approve) {
        answer = await runOperation(ctx, deps, (api, path, token) =>
          api.approveDecommission(
            { path, body: { confirm: confirm!, ...why } },
            { token },
          ),
        );
      } else if (cancel) {
        answer = await runOperation(ctx, deps, (api, path, token) =>
          api.cancelDecommission({ path, body: why }, { token }),
        );
      } else {
        const body = {
          confirm: confirm!,
          ...why,
          ...(dryRun ? { dryRun: true } : {}),
        };
        answer = await runOperation(ctx, deps, (api, path, token) =>
          api.decommissionCluster({ path, body }, { token }),
        );
      }
      if (answer.operationId) ctx.output('operationId', answer.operationId);
      if (answer.pending) {
        ctx.output('pendingGuard', answer.pending.guard);
        ctx.output('pendingUntil', answer.pending.until);
      }
    },
  });
}

/** `shipyard:cluster:move-profile-version`: moves a cluster to a newer version of its profile. */
export function createClusterMoveProfileVersionAction(
  deps: OperationActionDeps,
) {
  return createTemplateAction({
    id: 'shipyard:cluster:move-profile-version',
    description:
      "Moves a topology cluster to a newer version of its profile (its latest released one by default): the version's ClusterClass, Kubernetes version (one minor at most) and pinned variables, and the profile-version label, after a pre-flight in the backend (shipyard.cluster.update, the version's upgrade path, a healthy and settled cluster, a server-side dry run). A dry run answers the spec.topology diff; audited and followed as an upgrade.",
    examples: moveProfileVersionExamples,
    schema: {
      input: {
        cluster: clusterInput,
        version: z =>
          z
            .string()
            .optional()
            .describe(
              "The profile version; the profile's latest released version by default",
            ),
        kubernetesVersion: z =>
          z
            .string()
            .optional()
            .describe(
              'The Kubernetes version, among those the new version allows within one minor',
            ),
        dryRun: z =>
          z
            .boolean()
            .optional()
            .describe('Preview the spec.topology diff; change nothing'),
      },
      output: {
        ...followedOperationOutput,
        before: (z: any) => z.record(z.any()),
        after: (z: any) => z.record(z.any()),
      },
    },
    async handler(ctx) {
      const { cluster, ...body } = ctx.input;
      const answer = await runOperation(ctx, deps, (api, path, token) =>
        api.moveClusterProfileVersion({ path, body }, { token }),
      );
      ctx.output('before', answer.before);
      ctx.output('after', answer.after);
      if (answer.operationId) ctx.output('operationId', answer.operationId);
    },
  });
}
