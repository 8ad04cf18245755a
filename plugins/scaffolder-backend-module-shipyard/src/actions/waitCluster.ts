import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { ConflictError, InputError } from '@backstage/errors';
import {
  ClusterAuditRecordInput,
  ClusterSummary,
  HEALTH_STATUSES,
  rolloutProgress,
} from '@shipyard/plugin-shipyard-common';
import { isTransientError } from '@shipyard/plugin-shipyard-node';
import { auditedCluster } from '../service/audit';
import { ClusterActionDeps } from './createCluster';
import { examples } from './waitCluster.examples';

function progressOf(s: ClusterSummary, pending: string[]): string {
  const cp = s.controlPlane;
  const w = s.workers;
  return `phase ${s.phase}, health ${s.health}, control plane ${
    cp.ready ?? 0
  }/${cp.desired ?? '?'} ready, workers ${w.ready ?? 0}/${
    w.desired ?? '?'
  } ready${pending.length > 0 ? `; ${pending.join(', ')}` : ''}`;
}

const HEALTH_RANK: Record<string, number> = {
  healthy: 0,
  progressing: 0.5,
  degraded: 1,
};

/** `shipyard:cluster:wait`: waits until a cluster reaches a phase and health, as the fleet index sees it. */
export function createClusterWaitAction(deps: ClusterActionDeps) {
  return createTemplateAction({
    id: 'shipyard:cluster:wait',
    description:
      'Waits until a cluster reaches the given phase and health in the Shipyard fleet index, logging progress, with a timeout.',
    examples,
    schema: {
      input: {
        cluster: z =>
          z
            .string()
            .optional()
            .describe(
              'Cluster entity ref, or managementCluster/namespace/name',
            ),
        managementCluster: z => z.string().optional(),
        namespace: z => z.string().optional(),
        name: z => z.string().optional(),
        phase: z =>
          z.string().default('Provisioned').describe('CAPI phase to wait for'),
        health: z =>
          z
            .enum(HEALTH_STATUSES as unknown as ['healthy', ...string[]])
            .default('healthy')
            .describe('Health to wait for (degraded also accepts healthy)'),
        kubernetesVersion: z =>
          z
            .string()
            .optional()
            .describe(
              'Also wait until Cluster API reports the control plane and every MachineDeployment and MachinePool up to date on this version, the rollout over (after an upgrade)',
            ),
        timeoutSeconds: z => z.number().min(1).max(86_400).default(1800),
        pollIntervalSeconds: z => z.number().min(0.05).max(300).default(5),
      },
      output: {
        phase: z => z.string(),
        health: z => z.string(),
        kubernetesVersion: z => z.string().optional(),
      },
    },
    async handler(ctx) {
      const input = ctx.input;
      const ref =
        input.cluster ??
        (input.managementCluster && input.namespace && input.name
          ? `${input.managementCluster}/${input.namespace}/${input.name}`
          : undefined);
      if (!ref) {
        throw new InputError(
          'Give cluster, or managementCluster, namespace and name',
        );
      }
      const credentials = await ctx.getInitiatorCredentials();
      const phase = input.phase ?? 'Provisioned';
      const health = input.health ?? 'healthy';
      const timeoutMs = (input.timeoutSeconds ?? 1800) * 1000;
      const intervalMs = (input.pollIntervalSeconds ?? 5) * 1000;
      const deadline = Date.now() + timeoutMs;
      let last = '';
      let unavailable: string | undefined;
      let seen: ClusterSummary | undefined;
      // the completion of the request or upgrade this step waits for, in the audit trail
      const recordCompletion = (
        cluster: ClusterSummary | undefined,
        outcome: 'succeeded' | 'failed',
        message: string,
        error?: Error,
        timedOut = false,
      ) => {
        const record: ClusterAuditRecordInput = {
          action: input.kubernetesVersion
            ? 'cluster.upgrade'
            : 'cluster.create',
          outcome,
          actor: ctx.user?.ref ?? 'unknown',
          taskId: ctx.task?.id,
          message,
          ...(cluster
            ? {
                ...auditedCluster(cluster),
                ...(cluster.profile
                  ? { profile: `clusterprofile:default/${cluster.profile}` }
                  : {}),
              }
            : {}),
          details: {
            stage: 'completed',
            timedOut,
            ...(input.kubernetesVersion
              ? { toVersion: input.kubernetesVersion }
              : {}),
          },
        };
        return error
          ? deps.audit.record(record, error)
          : deps.audit.record(record);
      };
      for (;;) {
        let summary: ClusterSummary | undefined;
        try {
          summary = await deps.requests.resolveCluster(ref, credentials);
          unavailable = undefined;
        } catch (error) {
          // a cluster created a moment ago may not be indexed yet
          if (error instanceof InputError) {
            unavailable = undefined;
          } else if (isTransientError(error)) {
            // the Shipyard backend restarts or is overloaded: keep waiting until the deadline
            if (!unavailable) {
              ctx.logger.warn(
                `The Shipyard backend is not answering (${String(
                  error,
                )}); still waiting for ${ref}`,
              );
            }
            unavailable = String(error);
          } else {
            throw error;
          }
        }
        if (summary) {
          const version = input.kubernetesVersion;
          // after an upgrade: what Cluster API says about the rollout to the version
          const rollout = version
            ? rolloutProgress(summary, version)
            : { complete: true, pending: [] };
          const progress = progressOf(summary, rollout.pending);
          if (progress !== last) {
            ctx.logger.info(`${summary.name}: ${progress}`);
            last = progress;
          }
          const healthOk =
            summary.health === health ||
            (health in HEALTH_RANK &&
              (HEALTH_RANK[summary.health] ?? 99) <= HEALTH_RANK[health]);
          if (summary.phase === phase && healthOk && rollout.complete) {
            ctx.output('phase', summary.phase);
            ctx.output('health', summary.health);
            if (summary.kubernetesVersion) {
              ctx.output('kubernetesVersion', summary.kubernetesVersion);
            }
            const message = `${summary.name} is ${summary.phase} and ${summary.health}`;
            ctx.logger.info(message);
            await recordCompletion(summary, 'succeeded', message);
            return;
          }
          if (summary.phase === 'Failed') {
            const error = new ConflictError(
              `Cluster ${summary.name} failed to provision: ${progress}`,
            );
            await recordCompletion(summary, 'failed', error.message, error);
            throw error;
          }
          seen = summary;
        } else if (!last) {
          ctx.logger.info(`Waiting for ${ref} to appear in the fleet`);
          last = 'absent';
        }
        if (ctx.signal?.aborted) throw new Error('Cancelled');
        if (Date.now() >= deadline) {
          const error = new ConflictError(
            `Timed out after ${Math.round(
              timeoutMs / 1000,
            )} s waiting for ${ref} to be ${phase} and ${health}; last seen: ${
              last || 'not in the fleet'
            }${
              unavailable
                ? `; the Shipyard backend is not answering: ${unavailable}`
                : ''
            }`,
          );
          await recordCompletion(seen, 'failed', error.message, error, true);
          throw error;
        }
        await new Promise(r =>
          setTimeout(
            r,
            Math.min(intervalMs, Math.max(0, deadline - Date.now())),
          ),
        );
      }
    },
  });
}
