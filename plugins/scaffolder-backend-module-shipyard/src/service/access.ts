import {
  BackstageCredentials,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { createConditionTransformer } from '@backstage/plugin-permission-node';
import {
  ClusterSummary,
  shipyardClusterCreatePermission,
  shipyardClusterUpdatePermission,
} from '@shipyard/plugin-shipyard-common';
import {
  ClusterPermissionQuery,
  clusterPermissionRules,
  criteriaToPredicate,
  signedInUser,
} from '@shipyard/plugin-shipyard-node';

const transform = createConditionTransformer<ClusterPermissionQuery>(
  Object.values(clusterPermissionRules) as any,
);

/** Who is asking: the user's entity ref and ownership refs (lowercase), and whether they are in the platform team. */
export interface Requester {
  userEntityRef: string;
  ownershipRefs: Set<string>;
  isPlatform: boolean;
  credentials: BackstageCredentials;
}

/** Permission checks and identity of the task's initiator. */
export class RequestAccess {
  constructor(
    private readonly options: {
      permissions: PermissionsService;
      userInfo: UserInfoService;
      platformTeam: string;
    },
  ) {}

  async requester(credentials: BackstageCredentials): Promise<Requester> {
    const info = await signedInUser(
      credentials,
      this.options.userInfo,
      'Cluster requests must be made by a signed-in user; this task has no user initiator',
    );
    const ownershipRefs = new Set(
      [info.userEntityRef, ...info.ownershipEntityRefs].map(r =>
        r.toLocaleLowerCase('en-US'),
      ),
    );
    return {
      userEntityRef: info.userEntityRef,
      ownershipRefs,
      isPlatform: ownershipRefs.has(this.options.platformTeam),
      credentials,
    };
  }

  /** `shipyard.cluster.create` (a basic permission). */
  async checkCreate(requester: Requester): Promise<void> {
    const [decision] = await this.options.permissions.authorize(
      [{ permission: shipyardClusterCreatePermission }],
      { credentials: requester.credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `${requester.userEntityRef} may not request clusters (permission ${shipyardClusterCreatePermission.name}); ask the platform team for access`,
      );
    }
  }

  /** `shipyard.cluster.update` on one cluster; conditional decisions are evaluated against its summary. */
  async checkUpdate(
    requester: Requester,
    cluster: ClusterSummary,
  ): Promise<void> {
    const [decision] = await this.options.permissions.authorizeConditional(
      [{ permission: shipyardClusterUpdatePermission }],
      { credentials: requester.credentials },
    );
    let allowed = decision.result === AuthorizeResult.ALLOW;
    if (decision.result === AuthorizeResult.CONDITIONAL) {
      allowed = criteriaToPredicate(transform(decision.conditions))(cluster);
    }
    if (!allowed) {
      throw new NotAllowedError(
        `${requester.userEntityRef} may not change cluster ${cluster.managementCluster}/${cluster.namespace}/${cluster.name} (owned by ${cluster.owner}; permission ${shipyardClusterUpdatePermission.name})`,
      );
    }
  }
}
