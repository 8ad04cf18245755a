import {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  PermissionRuleset,
  createConditionTransformer,
} from '@backstage/plugin-permission-node';
import {
  ClusterKey,
  ClusterSummary,
  shipyardClusterReadPermission,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import {
  ClusterPermissionQuery,
  criteriaToPredicate,
  isTransientError,
} from '@shipyard/plugin-shipyard-node';
import express from 'express';
import type {
  ClusterVisibility,
  FleetIndex,
  StoredClusterSummary,
} from '../index/FleetIndex';
import { clusterKeyOf } from './clusterPath';

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

  /**
   * The caller's read access; undefined when it is denied. A decision lost on the way (the permission backend's
   * answer failed with a 5xx or a reset connection, as happens on a backend whose thread is busy) is asked for once
   * more before the request fails.
   */
  async decide(
    credentials: BackstageCredentials,
  ): Promise<ClusterReadAccess | undefined> {
    const ask = () =>
      this.permissions.authorizeConditional(
        [{ permission: shipyardClusterReadPermission }],
        { credentials },
      );
    let decisions: Awaited<ReturnType<typeof ask>>;
    try {
      decisions = await ask();
    } catch (error) {
      if (!isTransientError(error)) throw error;
      decisions = await ask();
    }
    const [decision] = decisions;
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

/**
 * The indexed summary of one cluster for a caller with `access`: not found when the fleet has no such cluster or
 * the caller may not read it (a cluster the caller may not read is not there for them).
 */
export function visibleCluster(
  index: Pick<FleetIndex, 'getStored'>,
  access: ClusterReadAccess,
  key: ClusterKey,
): StoredClusterSummary {
  const id = stringifyClusterKey(key);
  const stored = index.getStored(id);
  if (!stored || (access.visibility && !access.visibility(stored))) {
    throw new NotFoundError(`Cluster ${id} not found`);
  }
  return stored;
}

/**
 * The cluster a read route of one cluster names (`/clusters/:managementCluster/:namespace/:name/…`, no query
 * parameters), as the caller may read it: refused when cluster reads are denied, not found when it is not visible.
 */
export async function requestedCluster(
  req: express.Request,
  services: {
    httpAuth: HttpAuthService;
    reads: ClusterReadDecider;
    index: Pick<FleetIndex, 'getStored'>;
  },
): Promise<StoredClusterSummary> {
  const key = clusterKeyOf(req.params);
  const unknown = Object.keys(req.query);
  if (unknown.length > 0) {
    throw new InputError(`unknown query parameter "${unknown[0]}"`);
  }
  const access = await services.reads.require(
    await services.httpAuth.credentials(req),
  );
  return visibleCluster(services.index, access, key);
}
