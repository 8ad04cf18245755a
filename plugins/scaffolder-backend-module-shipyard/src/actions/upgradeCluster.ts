import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { ClusterAuditRecordInput } from '@shipyard/plugin-shipyard-common';
import { UpgradeClusterPlan } from '../service/ClusterRequestService';
import { auditedCluster } from '../service/audit';
import { ClusterActionDeps, clusterPagePath } from './createCluster';
import { examples } from './upgradeCluster.examples';

/** `shipyard:cluster:upgrade`: bumps `spec.topology.version` after a pre-flight. */
export function createClusterUpgradeAction(deps: ClusterActionDeps) {
  return createTemplateAction({
    id: 'shipyard:cluster:upgrade',
    description:
      'Upgrades a cluster to a Kubernetes version its profile allows, after a pre-flight: permission, no skipped minor, no upgrade in progress (control plane first, then workers), a healthy cluster and a server-side dry run.',
    examples,
    schema: {
      input: {
        cluster: z =>
          z
            .string()
            .min(1)
            .describe(
              'Cluster entity ref, or managementCluster/namespace/name',
            ),
        kubernetesVersion: z =>
          z
            .string()
            .min(1)
            .describe('Target version, one of the profile’s versions'),
      },
      output: {
        entityRef: z => z.string(),
        fromVersion: z => z.string(),
        toVersion: z => z.string(),
        clusterUrl: z => z.string().optional(),
        clusterPath: z => z.string(),
      },
    },
    async handler(ctx) {
      const { requests, audit } = deps;
      const credentials = await ctx.getInitiatorCredentials();
      let actor = ctx.user?.ref ?? 'unknown';
      const base: Omit<ClusterAuditRecordInput, 'outcome'> = {
        action: 'cluster.upgrade',
        actor,
        taskId: ctx.task.id,
        details: { toVersion: ctx.input.kubernetesVersion },
      };
      let plan: UpgradeClusterPlan;
      try {
        const requester = await requests.requester(credentials);
        actor = requester.userEntityRef;
        plan = await requests.planUpgrade(ctx.input, requester);
      } catch (error) {
        // the refusal names the cluster when it can be found, so that its owners see it in their audit trail
        const cluster = await requests
          .resolveCluster(ctx.input.cluster, credentials)
          .catch(() => undefined);
        await audit.record(
          {
            ...base,
            actor,
            outcome: 'refused',
            message: String((error as Error).message),
            ...(cluster
              ? {
                  ...auditedCluster(cluster),
                  details: {
                    fromVersion: cluster.kubernetesVersion ?? null,
                    toVersion: ctx.input.kubernetesVersion,
                  },
                }
              : {}),
          },
          error as Error,
        );
        throw error;
      }
      const { key } = plan;
      const record: Omit<ClusterAuditRecordInput, 'outcome'> = {
        ...base,
        actor,
        ...auditedCluster(plan.summary),
        profile: plan.profileRef,
        details: { fromVersion: plan.fromVersion, toVersion: plan.toVersion },
      };
      try {
        await ctx.checkpoint({
          key: `shipyard.cluster.upgrade.${key.managementCluster}.${key.namespace}.${key.name}.${plan.toVersion}`,
          fn: async () => {
            if (!plan.alreadyApplied) await requests.applyUpgrade(plan);
          },
        });
      } catch (error) {
        await audit.recordFailure(record, error);
        throw error;
      }
      ctx.logger.info(
        plan.alreadyApplied
          ? `${key.name} already wants ${plan.toVersion}`
          : `Upgrading ${key.name} from ${plan.fromVersion} to ${plan.toVersion}: the control plane goes first, then the workers`,
      );
      await audit.record({
        ...record,
        outcome: 'succeeded',
        message: plan.alreadyApplied
          ? 'already at the target version'
          : 'upgrade started',
      });
      ctx.output('entityRef', deps.entityRefOf(key));
      ctx.output('fromVersion', plan.fromVersion);
      ctx.output('toVersion', plan.toVersion);
      const url = deps.clusterUrlOf(key);
      if (url) ctx.output('clusterUrl', url);
      ctx.output('clusterPath', clusterPagePath(key));
    },
  });
}
