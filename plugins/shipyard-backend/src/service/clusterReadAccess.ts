import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  PermissionRuleset,
  createConditionTransformer,
} from '@backstage/plugin-permission-node';
import {
  ClusterSummary,
  shipyardClusterReadPermission,
} from '@shipyard/plugin-shipyard-common';
import {
  ClusterPermissionQuery,
  criteriaToPredicate,
} from '@shipyard/plugin-shipyard-node';
import type { ClusterVisibility } from '../index/FleetIndex';

/** What a caller may read of the fleet: every cluster (no `visibility`), or the clusters `visibility` admits. */
export interface ClusterReadAccess {
  visibility?: ClusterVisibility;
  /** The decision as a string (`allow`, or its conditions): a cache key of what the caller sees. */
  fingerprint: string;
}

/**
 * Decides `shipyard.cluster.read` for a caller, for every reader of the index (the routes, the actions, the
 * rollouts): a conditional decision, such as "owner is one of my groups", becomes a predicate over summaries.
 */
export class ClusterReadDecider {
  private readonly transform: ReturnType<
    typeof createConditionTransformer<ClusterPermissionQuery>
  >;

  constructor(
    private readonly permissions: PermissionsService,
    ruleset: PermissionRuleset<ClusterSummary, ClusterPermissionQuery>,
  ) {
    this.transform = createConditionTransformer(ruleset);
  }

  /** The caller's read access; undefined when it is denied. */
  async decide(
    credentials: BackstageCredentials,
  ): Promise<ClusterReadAccess | undefined> {
    const [decision] = await this.permissions.authorizeConditional(
      [{ permission: shipyardClusterReadPermission }],
      { credentials },
    );
    if (decision.result === AuthorizeResult.DENY) return undefined;
    if (decision.result === AuthorizeResult.CONDITIONAL) {
      return {
        visibility: criteriaToPredicate(this.transform(decision.conditions)),
        fingerprint: JSON.stringify(decision.conditions),
      };
    }
    return { fingerprint: 'allow' };
  }

  /** The caller's read access; refused when it is denied. */
  async require(credentials: BackstageCredentials): Promise<ClusterReadAccess> {
    const access = await this.decide(credentials);
    if (!access) throw new NotAllowedError('Not allowed to read clusters');
    return access;
  }
}
