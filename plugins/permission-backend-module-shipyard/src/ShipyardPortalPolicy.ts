import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  PolicyDecision,
  isPermission,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import { catalogEntityDeletePermission } from '@backstage/plugin-catalog-common/alpha';
import {
  shipyardClusterChangePermissions,
  shipyardClusterReadPermission,
  shipyardRolloutPermissions,
} from '@shipyard/plugin-shipyard-common';
import {
  createShipyardClusterConditionalDecision,
  shipyardClusterConditions,
} from '@shipyard/plugin-shipyard-node';

/** Options of the portal's permission policy. */
export interface ShipyardPortalPolicyOptions {
  /** Entity ref of the platform team, whose members may do everything. */
  platformTeam: string;
  /** When true, users outside the platform team see only the clusters their groups own. */
  restrictReadToOwners: boolean;
}

/**
 * The portal's permission policy.
 * - Members of the platform team may do everything.
 * - Everyone may read the catalog and the fleet (or, with `restrictReadToOwners`, only their teams' clusters).
 * - Everyone may request clusters; which profiles a team may use is checked against the profile's groups.
 * - Only owners may upgrade, pause, resize, decommission or otherwise change a cluster, and delete catalog entities.
 * - A team may plan, approve and operate rollouts of its own clusters only.
 */
export class ShipyardPortalPolicy implements PermissionPolicy {
  constructor(private readonly options: ShipyardPortalPolicyOptions) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const ownership = user?.info.ownershipEntityRefs ?? [];
    if (ownership.includes(this.options.platformTeam)) {
      return { result: AuthorizeResult.ALLOW };
    }
    if (isPermission(request.permission, catalogEntityDeletePermission)) {
      return createCatalogConditionalDecision(
        request.permission,
        catalogConditions.isEntityOwner({ claims: ownership }),
      );
    }
    const change = [
      ...shipyardClusterChangePermissions,
      ...shipyardRolloutPermissions,
    ].find(p => isPermission(request.permission, p));
    if (change) {
      return createShipyardClusterConditionalDecision(
        change,
        shipyardClusterConditions.isClusterOwner({ claims: ownership }),
      );
    }
    if (
      this.options.restrictReadToOwners &&
      isPermission(request.permission, shipyardClusterReadPermission)
    ) {
      return createShipyardClusterConditionalDecision(
        request.permission,
        shipyardClusterConditions.isClusterOwner({ claims: ownership }),
      );
    }
    return { result: AuthorizeResult.ALLOW };
  }
}

/** Installs {@link ShipyardPortalPolicy} as the permission backend's policy. */
export const permissionModuleShipyardPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'shipyard-policy',
  register(env) {
    env.registerInit({
      deps: { policy: policyExtensionPoint, config: coreServices.rootConfig },
      async init({ policy, config }) {
        policy.setPolicy(
          new ShipyardPortalPolicy({
            platformTeam:
              config.getOptionalString('shipyard.platformTeam') ??
              'group:default/platform-team',
            restrictReadToOwners:
              config.getOptionalBoolean(
                'shipyard.permissions.restrictReadToOwners',
              ) ?? false,
          }),
        );
      },
    });
  },
});
