import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';
import { ClusterActionDeps } from './createCluster';

/**
 * `shipyard:cluster:record-pull-request`: the audit entry of a GitOps cluster request, written after the step that
 * opens its pull request. `shipyard:cluster:create` in manifests mode only renders the request (it records a
 * refusal, never a success): the request succeeded when its pull request was opened, and failed when the step that
 * should open it failed. The step runs even after a failed step (`if: ${{ always() }}`), and records nothing when
 * the request was not rendered (its refusal is already recorded).
 */
export function createRecordPullRequestAction(deps: ClusterActionDeps) {
  return createTemplateAction({
    id: 'shipyard:cluster:record-pull-request',
    description:
      'Records how a GitOps cluster request ended in the audit trail: succeeded with the pull request that was opened, failed when none was (run it after the pull request step with if: ${{ always() }}).',
    examples: [
      {
        description:
          'Record the outcome of the pull request of a rendered cluster request',
        example: stringify({
          steps: [
            {
              id: 'record',
              name: 'Record the request',
              if: '${{ always() and steps.render.output.name }}',
              action: 'shipyard:cluster:record-pull-request',
              input: {
                profile: '${{ steps.render.output.profile }}',
                owner: '${{ steps.render.output.owner }}',
                managementCluster:
                  '${{ steps.render.output.managementCluster }}',
                namespace: '${{ steps.render.output.namespace }}',
                name: '${{ steps.render.output.name }}',
                manifestPath: '${{ steps.render.output.manifestPath }}',
                pullRequestUrl: '${{ steps.pr.output.remoteUrl }}',
              },
            },
          ],
        }),
      },
    ],
    schema: {
      input: {
        profile: z =>
          z.string().min(1).describe('Entity ref of the ClusterProfile'),
        owner: z =>
          z.string().min(1).describe('Entity ref of the owning group'),
        managementCluster: z => z.string().min(1),
        namespace: z => z.string().min(1),
        name: z => z.string().min(1).describe('Name of the cluster'),
        kubernetesVersion: z => z.string().optional(),
        size: z => z.string().optional(),
        manifestPath: z =>
          z
            .string()
            .optional()
            .describe('Where the render step wrote the manifests'),
        pullRequestUrl: z =>
          z
            .string()
            .optional()
            .describe(
              'The opened pull request (the pull request step’s remoteUrl); empty when that step failed',
            ),
      },
    },
    async handler(ctx) {
      const input = ctx.input;
      const pullRequest = input.pullRequestUrl?.trim();
      const details: Record<string, string | null> = {
        pullRequest: pullRequest || null,
        manifestPath: input.manifestPath || null,
      };
      if (input.kubernetesVersion)
        details.kubernetesVersion = input.kubernetesVersion;
      if (input.size) details.size = input.size;
      const record = {
        action: 'cluster.create' as const,
        mode: 'manifests' as const,
        actor: ctx.user?.ref ?? 'unknown',
        taskId: ctx.task?.id,
        profile: input.profile,
        owner: input.owner,
        managementCluster: input.managementCluster,
        namespace: input.namespace,
        cluster: input.name,
        details,
      };
      if (pullRequest) {
        await deps.audit.record({
          ...record,
          outcome: 'succeeded',
          message: `pull request opened: ${pullRequest}`,
        });
        ctx.logger.info(`Recorded the request with ${pullRequest}`);
        return;
      }
      const message =
        'no pull request was opened: the step that opens it failed (see the task log)';
      await deps.audit.record(
        { ...record, outcome: 'failed', message },
        new Error(message),
      );
      ctx.logger.info(`Recorded the request as failed: ${message}`);
    },
  });
}
