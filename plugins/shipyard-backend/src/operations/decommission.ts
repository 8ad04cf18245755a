import { ConflictError, InputError, NotAllowedError } from '@backstage/errors';
import {
  ClusterKey,
  shipyardClusterDeletePermission,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import {
  ClusterOperations,
  OperationActor,
  clusterObjectPath,
} from './ClusterOperations';
import { OperationsConfig } from './config';
import { OperationTracker } from './OperationTracker';

/** Body of `POST /clusters/:mc/:ns/:name/decommission`. */
export interface DecommissionClusterRequest {
  /** The cluster's name, typed again: nothing is deleted by a slip. */
  confirm: string;
  /** Why (kept in the audit). */
  reason?: string;
  dryRun?: boolean;
}

/** Options of {@link decommissionCluster}. */
export interface DecommissionDeps {
  operations: ClusterOperations;
  tracker: OperationTracker;
  config: OperationsConfig;
  /** Entity ref of the platform team, whose second person approves a production decommission. */
  platformTeam: string;
}

/**
 * `POST /clusters/:mc/:ns/:name/decommission`: deletes the Cluster API `Cluster` (foreground: Cluster API drains
 * and deletes the machines, then releases the infrastructure, then the Cluster goes). Pre-flight:
 * `shipyard.cluster.delete` on the cluster, the name typed again, not paused (a paused cluster would stop deleting
 * halfway). A `lifecycle: production` cluster is deleted only by a member of the platform team who approves it
 * (`approve: true`): its owners ask, the platform team's second pair of eyes deletes. The deletion is followed
 * until Cluster API confirms it (the fleet drops the cluster: audited as completed) or its deadline passes
 * (stalled, with what holds it).
 */
export async function decommissionCluster(
  deps: DecommissionDeps,
  actor: OperationActor,
  key: ClusterKey,
  request: DecommissionClusterRequest & { approve?: boolean },
) {
  const { operations: ops } = deps;
  const where = stringifyClusterKey(key);
  const result = await ops.runOnCluster(
    {
      action: 'cluster.delete',
      actor,
      key,
      requested: {
        ...(request.reason ? { reason: request.reason.slice(0, 500) } : {}),
        ...(request.approve ? { approve: true } : {}),
      },
      permission: shipyardClusterDeletePermission,
    },
    request.dryRun === true,
    async summary => {
      if (request.confirm !== key.name) {
        throw new InputError(
          `Type the cluster's name (${key.name}) in confirm to decommission it`,
        );
      }
      if (summary.paused) {
        throw new ConflictError(
          `Cluster ${where} is paused; resume it first, or Cluster API stops deleting it halfway`,
        );
      }
      if (summary.lifecycle === 'production') {
        const isPlatform = actor.ownershipRefs
          .map(r => r.toLocaleLowerCase('en-US'))
          .includes(deps.platformTeam.toLocaleLowerCase('en-US'));
        if (!request.approve || !isPlatform) {
          throw new NotAllowedError(
            `Cluster ${where} is a production cluster: a second person of ${deps.platformTeam} must approve its decommission (approve: true)`,
          );
        }
      }
      const unchanged = Boolean(summary.deletingSince);
      return {
        summary,
        before: {
          phase: summary.phase,
          machines: summary.machineCount,
        },
        after: { phase: 'Deleting', machines: 0 },
        unchanged,
        message: unchanged
          ? `${where} is already being deleted`
          : `${where} is being decommissioned: machines drain and go, then the infrastructure is released`,
        write: async (api, dryRun) => {
          await api.delete(clusterObjectPath(key), {
            dryRun,
            propagationPolicy: 'Foreground',
          });
        },
      };
    },
  );
  return deps.tracker.followChange(result, {
    action: 'cluster.delete',
    actor: actor.ref,
    target: {},
    deadlineMs: deps.config.deleteDeadlineMs,
  });
}
