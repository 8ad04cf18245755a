import { TemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  ClusterActionDeps,
  createClusterCreateAction,
} from './actions/createCluster';
import { createClusterUpgradeAction } from './actions/upgradeCluster';
import { createClusterWaitAction } from './actions/waitCluster';
import { createRecordPullRequestAction } from './actions/recordPullRequest';
import { withInputValidation } from './actions/validateInput';
import {
  OperationActionDeps,
  createClusterDecommissionAction,
  createClusterMoveProfileVersionAction,
  createClusterPauseAction,
  createClusterResumeAction,
  createClusterScaleAction,
} from './operations/operationActions';
import { createRolloutCreateAction } from './rollouts/createRolloutAction';
import { RolloutsClient } from './rollouts/RolloutsClient';

export type { ClusterActionDeps } from './actions/createCluster';

/**
 * All scaffolder actions of Shipyard: `shipyard:cluster:create`, `shipyard:cluster:wait`, `shipyard:cluster:upgrade`,
 * `shipyard:cluster:record-pull-request` (the outcome of a GitOps request),
 * and, given the backend's operations, the day-2 actions (`shipyard:cluster:pause`, `shipyard:cluster:resume`,
 * `shipyard:cluster:scale`, `shipyard:cluster:decommission`, `shipyard:cluster:move-profile-version`) and, given
 * the rollouts client, `shipyard:rollout:create`.
 */
export function createShipyardActions(
  deps: ClusterActionDeps &
    Partial<OperationActionDeps> & { rollouts?: RolloutsClient },
): TemplateAction<any, any, any>[] {
  const operations = deps.operations
    ? [
        withInputValidation(
          createClusterPauseAction({ ...deps, operations: deps.operations }),
        ),
        withInputValidation(
          createClusterResumeAction({ ...deps, operations: deps.operations }),
        ),
        withInputValidation(
          createClusterScaleAction({ ...deps, operations: deps.operations }),
        ),
        withInputValidation(
          createClusterMoveProfileVersionAction({
            ...deps,
            operations: deps.operations,
          }),
        ),
        withInputValidation(
          createClusterDecommissionAction({
            ...deps,
            operations: deps.operations,
          }),
        ),
      ]
    : [];
  return [
    withInputValidation(createClusterCreateAction(deps), (ctx, error) =>
      deps.audit.refusedInput('cluster.create', ctx, error),
    ),
    withInputValidation(createClusterWaitAction(deps)),
    withInputValidation(createClusterUpgradeAction(deps), (ctx, error) =>
      deps.audit.refusedInput('cluster.upgrade', ctx, error),
    ),
    withInputValidation(createRecordPullRequestAction(deps)),
    ...operations,
    ...(deps.rollouts
      ? [
          withInputValidation(
            createRolloutCreateAction({ rollouts: deps.rollouts }),
          ),
        ]
      : []),
  ];
}
