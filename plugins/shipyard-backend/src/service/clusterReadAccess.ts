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
  retryTransient,
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
    const [decision] = await retryTransient(ask, { attempts: 2 });
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

/** A decision kept for a bearer token until `expiresAt` (ms since the epoch); no `access`: denied. */
interface CachedAccess {
  access?: ClusterReadAccess;
  expiresAt: number;
}

const MAX_CACHED_DECISIONS = 10_000;

/** Expiry (ms since the epoch) of a JWT bearer token, read without verification (the caller verified it). */
export function tokenExpiry(authorization: string): number | undefined {
  const token = authorization.replace(/^Bearer\s+/i, '');
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString());
    return typeof payload?.exp === 'number' ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** A request to a read route (what `HttpAuthService.credentials` takes). */
type ReadRequest = Parameters<HttpAuthService['credentials']>[0];

/** Options of {@link SharedReadAccess}. */
export interface SharedReadAccessOptions {
  httpAuth: HttpAuthService;
  reads: ClusterReadDecider;
  /**
   * How long a decision is reused for the same bearer token (ms, default 5,000; 0 disables). Never beyond the
   * token's own expiry.
   */
  decisionCacheMs?: number;
}

/**
 * The caller's read access for the read routes of `/api/shipyard`, one for them all: a decision is reused per bearer
 * token for a short time (never past the token's expiry), and the requests of one token that come together share the
 * decision being asked for — a load of the fleet page asks for its table, summary, management clusters and version
 * debt at once, which would otherwise cost a round trip to the permission backend each. Every request's credentials
 * are verified, shared decision or not.
 */
export class SharedReadAccess {
  private readonly httpAuth: HttpAuthService;
  private readonly reads: ClusterReadDecider;
  private readonly decisionCacheMs: number;
  private readonly decisions = new Map<string, CachedAccess>();
  /** Decisions being asked for, by bearer token. */
  private readonly deciding = new Map<
    string,
    Promise<ClusterReadAccess | undefined>
  >();

  constructor(options: SharedReadAccessOptions) {
    this.httpAuth = options.httpAuth;
    this.reads = options.reads;
    this.decisionCacheMs = options.decisionCacheMs ?? 5_000;
  }

  /** The caller's access asked for now, neither shared nor kept (undefined when denied): for re-checks. */
  async decide(req: ReadRequest): Promise<ClusterReadAccess | undefined> {
    return this.reads.decide(await this.httpAuth.credentials(req));
  }

  /** The caller's read access, shared and kept per bearer token as above; refused when denied. */
  async require(req: ReadRequest): Promise<ClusterReadAccess> {
    const authorization = req.header('authorization');
    const now = Date.now();
    let cached = authorization ? this.decisions.get(authorization) : undefined;
    if (cached && cached.expiresAt <= now) {
      this.decisions.delete(authorization!);
      cached = undefined;
    }
    let result: ClusterReadAccess | undefined;
    const pending = authorization
      ? this.deciding.get(authorization)
      : undefined;
    if (cached) {
      result = cached.access;
    } else if (pending) {
      // verified like every request, then the decision being asked for already
      await this.httpAuth.credentials(req);
      result = await pending;
    } else {
      // credentials are verified before anything is kept
      const asking = this.decide(req);
      if (authorization) this.deciding.set(authorization, asking);
      try {
        result = await asking;
      } finally {
        if (authorization) this.deciding.delete(authorization);
      }
      if (authorization) this.keep(authorization, result, now);
    }
    if (!result) throw new NotAllowedError('Not allowed to read clusters');
    return result;
  }

  private keep(
    authorization: string,
    access: ClusterReadAccess | undefined,
    now: number,
  ) {
    if (this.decisionCacheMs <= 0) return;
    const expiresAt = Math.min(
      now + this.decisionCacheMs,
      tokenExpiry(authorization) ?? Infinity,
    );
    if (expiresAt <= now) return;
    if (this.decisions.size >= MAX_CACHED_DECISIONS) this.decisions.clear();
    this.decisions.set(authorization, { access, expiresAt });
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
