import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { ClusterActionDeps, clusterPagePath } from '../actions/createCluster';
import { ClusterOperationsClient } from './ClusterOperationsClient';
import { pauseExamples, resumeExamples } from './operationActions.examples';

/** What the day-2 actions need: the request service (to find the cluster) and the backend's operations. */
export interface OperationActionDeps extends ClusterActionDeps {
  operations: ClusterOperationsClient;
}

const clusterInput = (z: any) =>
  z
    .string()
    .min(1)
    .describe('Cluster entity ref, or managementCluster/namespace/name');

const operationOutput = {
  entityRef: (z: any) => z.string(),
  clusterPath: (z: any) => z.string(),
  unchanged: (z: any) => z.boolean(),
  message: (z: any) => z.string(),
};

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
        dryRun: z =>
          z.boolean().optional().describe('Check only; change nothing'),
      },
      output: operationOutput,
    },
    async handler(ctx) {
      const credentials = await ctx.getInitiatorCredentials();
      const summary = await deps.requests.resolveCluster(
        ctx.input.cluster,
        credentials,
      );
      const answer = await deps.operations.call(
        credentials,
        summary,
        (api, path, token) =>
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
      ctx.logger.info(answer.message);
      ctx.output('entityRef', deps.entityRefOf(summary));
      ctx.output('clusterPath', clusterPagePath(summary));
      ctx.output('unchanged', answer.unchanged);
      ctx.output('message', answer.message);
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
        dryRun: z =>
          z.boolean().optional().describe('Check only; change nothing'),
      },
      output: operationOutput,
    },
    async handler(ctx) {
      const credentials = await ctx.getInitiatorCredentials();
      const summary = await deps.requests.resolveCluster(
        ctx.input.cluster,
        credentials,
      );
      const answer = await deps.operations.call(
        credentials,
        summary,
        (api, path, token) =>
          api.resumeCluster(
            { path, body: ctx.input.dryRun ? { dryRun: true } : {} },
            { token },
          ),
      );
      ctx.logger.info(answer.message);
      ctx.output('entityRef', deps.entityRefOf(summary));
      ctx.output('clusterPath', clusterPagePath(summary));
      ctx.output('unchanged', answer.unchanged);
      ctx.output('message', answer.message);
    },
  });
}
