import { TemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  ClusterActionDeps,
  createClusterCreateAction,
} from './actions/createCluster';
import { createClusterUpgradeAction } from './actions/upgradeCluster';
import { createClusterWaitAction } from './actions/waitCluster';
import { withInputValidation } from './actions/validateInput';

export type { ClusterActionDeps } from './actions/createCluster';

/** All scaffolder actions of Shipyard: `shipyard:cluster:create`, `shipyard:cluster:wait`, `shipyard:cluster:upgrade`. */
export function createShipyardActions(
  deps: ClusterActionDeps,
): TemplateAction<any, any, any>[] {
  return [
    withInputValidation(createClusterCreateAction(deps), (ctx, error) =>
      deps.audit.refusedInput('cluster.create', ctx, error),
    ),
    withInputValidation(createClusterWaitAction(deps)),
    withInputValidation(createClusterUpgradeAction(deps), (ctx, error) =>
      deps.audit.refusedInput('cluster.upgrade', ctx, error),
    ),
  ];
}
