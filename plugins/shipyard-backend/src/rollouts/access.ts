import {
  BackstageCredentials,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  PermissionRuleset,
  createConditionTransformer,
} from '@backstage/plugin-permission-node';
import { ClusterSummary } from '@shipyard/plugin-shipyard-common';
import {
  ClusterPermissionQuery,
  criteriaToPredicate,
  signedInUser,
} from '@shipyard/plugin-shipyard-node';
import type { StoredClusterSummary } from '../index/FleetIndex';
import { Rollout } from './model';
import { ClusterReadDecider } from '../service/clusterReadAccess';
import { rolloutClusters } from './RolloutExecutor';

/** Options of {@link RolloutAccess}. */
export interface RolloutAccessOptions {
  permissions: PermissionsService;
  userInfo: UserInfoService;
  ruleset: PermissionRuleset<ClusterSummary, ClusterPermissionQuery>;
  cluster(key: string): StoredClusterSummary | undefined;
}

/**
 * Who asks about rollouts and what they may do: a permission is checked against every cluster it touches (a
 * conditional decision, such as "owner is one of my groups", must allow them all), and a rollout is visible to
 * its creator and to whoever may read one of its clusters.
 */
export class RolloutAccess {
  private readonly transform;
  private readonly reads: ClusterReadDecider;

  constructor(private readonly options: RolloutAccessOptions) {
    this.transform = createConditionTransformer(options.ruleset);
    this.reads = new ClusterReadDecider(options.permissions, options.ruleset);
  }

  /**
   * The signed-in user who changes rollouts (their own credentials, or a service's on behalf of them), with their
   * groups; a `NotAllowedError` when no user is behind the request (a service acting by itself).
   */
  async userOf(credentials: BackstageCredentials) {
    const info = await signedInUser(
      credentials,
      this.options.userInfo,
      'Rollouts must be started, approved and operated by a signed-in user (or a service on behalf of one)',
    );
    return {
      ref: info.userEntityRef,
      groups: info.ownershipEntityRefs.map(r => r.toLocaleLowerCase('en-US')),
    };
  }

  /** The clusters (of `keys`) that a permission does not allow to the caller; throws when it is denied outright. */
  private async disallowed(
    permission: ResourcePermission<'shipyard-cluster'>,
    keys: readonly string[],
    credentials: BackstageCredentials,
  ): Promise<string[] | 'all'> {
    const [decision] = await this.options.permissions.authorizeConditional(
      [{ permission }],
      { credentials },
    );
    if (decision.result === AuthorizeResult.CONDITIONAL) {
      const allowed = criteriaToPredicate(this.transform(decision.conditions));
      return keys.filter(key => {
        const summary = this.options.cluster(key);
        return !summary || !allowed(summary);
      });
    }
    return decision.result === AuthorizeResult.DENY ? 'all' : [];
  }

  /** Refuses (after `onRefusal`) unless the permission allows every cluster of `keys` to the caller. */
  async requirePermission(
    permission: ResourcePermission<'shipyard-cluster'>,
    keys: readonly string[],
    credentials: BackstageCredentials,
    what: string,
    onRefusal?: (message: string) => Promise<void>,
  ) {
    const refused = await this.disallowed(permission, keys, credentials);
    if (refused === 'all' || refused.length > 0) {
      const message =
        refused === 'all'
          ? `Not allowed to ${what} (${permission.name})`
          : `Not allowed to ${what}: ${permission.name} does not cover ${refused
              .slice(0, 5)
              .join(', ')}${
              refused.length > 5 ? ` and ${refused.length - 5} more` : ''
            }`;
      await onRefusal?.(message);
      throw new NotAllowedError(message);
    }
  }

  /** Who may read which cluster: undefined when the caller reads every cluster; refused when none. */
  async visibility(credentials: BackstageCredentials) {
    return (await this.reads.require(credentials)).visibility;
  }

  /**
   * Whether the caller sees a rollout: theirs, or one with a cluster they may read (`user` is the signed-in user's
   * ref; a service acting by itself has none, and is nobody's creator).
   */
  visible(
    rollout: Rollout,
    visibility: ((c: StoredClusterSummary) => boolean) | undefined,
    user: string | undefined,
  ): boolean {
    if (!visibility || (user !== undefined && rollout.createdBy === user)) {
      return true;
    }
    return rolloutClusters(rollout).some(c => {
      const summary = this.options.cluster(c.key);
      return summary !== undefined && visibility(summary);
    });
  }
}
