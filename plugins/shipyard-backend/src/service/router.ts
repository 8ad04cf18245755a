import crypto from 'node:crypto';
import {
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import { PermissionRuleset } from '@backstage/plugin-permission-node';
import {
  ClusterSummary,
  ListClustersRequest,
  parseListClustersQuery,
  stringifyClusterKey,
  unknownQueryParameter,
} from '@shipyard/plugin-shipyard-common';
import { ClusterPermissionQuery } from '@shipyard/plugin-shipyard-node';
import express from 'express';
import { LRUCache } from 'lru-cache';
import { createApiRouter, ShipyardApiRouter } from './apiRouter';
import { EventStreamLimits, EventStreams } from './eventStreams';
import { FleetService } from './FleetService';
import {
  ClusterReadAccess,
  ClusterReadDecider,
  SharedReadAccess,
  tokenExpiry,
  visibleCluster,
} from './clusterReadAccess';
import { CachedResponse, ResponseCache } from './ResponseCache';
import { userFacingErrors } from './userFacingErrors';
import { clusterKeyOf } from './clusterPath';

/** Options of {@link createRouter}. */
export interface RouterOptions {
  fleet: FleetService;
  logger: LoggerService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  ruleset: PermissionRuleset<ClusterSummary, ClusterPermissionQuery>;
  /** Heartbeat interval of `GET /events` (ms). */
  heartbeatMs?: number;
  /** Limits of `GET /events`: streams per user and in total, permission re-check cadence. */
  events?: Partial<EventStreamLimits>;
  /**
   * How long a permission decision is reused for the same bearer token (ms, default 5,000; 0 disables). Never
   * beyond the token's own expiry.
   */
  decisionCacheMs?: number;
  /**
   * Keep encoded answers of `GET /clusters` and `GET /summary` for repeated reads at the same fleet revision with
   * the same decision (default true). The benchmark turns it off to measure every request as a fresh query.
   */
  pageCache?: boolean;
  /**
   * The read access shared with the API's other read routes; one of this router's own (over `permissions`,
   * `ruleset` and `decisionCacheMs`) by default.
   */
  access?: SharedReadAccess;
  /** The router to add the routes to (the plugin's one router of the spec); a new one by default. */
  router?: ShipyardApiRouter;
}

/** A request of any of the router's operations. */
type ApiRequest = express.Request<any, any, any, any>;

/** Builds the `/api/shipyard` router. */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { fleet, httpAuth, permissions } = options;
  const streams = new EventStreams({
    index: fleet.index,
    logger: options.logger,
    limits: {
      ...options.events,
      ...(options.heartbeatMs ? { heartbeatMs: options.heartbeatMs } : {}),
    },
  });
  const pages = options.pageCache === false ? undefined : new ResponseCache();
  const router = options.router ?? createApiRouter();

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  const shared =
    options.access ??
    new SharedReadAccess({
      httpAuth,
      reads: new ClusterReadDecider(permissions, options.ruleset),
      decisionCacheMs: options.decisionCacheMs,
    });
  /** The caller's read access, shared with the other read routes (one decision per token for a short time). */
  const access = (req: ApiRequest) => shared.require(req);

  function etagFor(req: ApiRequest, a: ClusterReadAccess): string {
    const hash = crypto
      .hash('sha1', `${req.originalUrl}\0${a.fingerprint}`, 'base64url')
      .slice(0, 16);
    return `W/"${fleet.index.revision}-${hash}"`;
  }

  /** Sets the ETag and answers 304 when the client has it. Returns true when done. */
  function notModified(
    req: ApiRequest,
    res: express.Response,
    etag: string,
  ): boolean {
    res.setHeader('ETag', etag);
    res.setHeader('Cache-Control', 'no-cache');
    const inm = req.header('if-none-match');
    if (inm && inm.split(',').some(t => t.trim() === etag)) {
      res.status(304).end();
      return true;
    }
    return false;
  }

  /**
   * The answer of a read for the caller's access at the index's current revision: produced once, and kept for the
   * same read (same URL, same decision) until the revision moves (see {@link ResponseCache}).
   */
  function answerOf(
    req: ApiRequest,
    a: ClusterReadAccess,
    produce: () => Buffer,
  ): CachedResponse {
    const revision = fleet.index.revision;
    const cacheKey = `${a.fingerprint}\n${req.originalUrl}`;
    let cached = pages?.get(cacheKey, revision);
    if (!cached) {
      const body = produce();
      cached = { etag: etagFor(req, a), body, bytes: body.length };
      pages?.set(cacheKey, revision, cached);
    }
    return cached;
  }

  /**
   * The query of a `GET /clusters` URL, parsed once per URL: the fleet page asks the same few hundred URLs again at
   * every revision (the index only reads the request).
   */
  const listRequests = new LRUCache<string, ListClustersRequest>({
    max: 2000,
  });
  function listRequestOf(req: ApiRequest): ListClustersRequest {
    const known = listRequests.get(req.originalUrl);
    if (known) return known;
    const parsed = parseListClustersQuery(req.query as Record<string, unknown>);
    if (!parsed.ok) {
      throw new InputError(
        `Invalid query parameter ${parsed.field}: ${parsed.message}`,
      );
    }
    listRequests.set(req.originalUrl, parsed.request);
    return parsed.request;
  }

  /** Sends an answer as JSON, or 304 when the client has it. */
  function send(req: ApiRequest, res: express.Response, a: CachedResponse) {
    if (notModified(req, res, a.etag)) return;
    res.status(200);
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', a.bytes);
    res.end(a.body);
  }

  router.get('/clusters', async (req, res) => {
    const a = await access(req);
    const answer = answerOf(
      req,
      a,
      () =>
        fleet.index.queryJson(listRequestOf(req), {
          visibility: a.visibility,
          visibilityKey: a.fingerprint,
        }).body,
    );
    send(req, res, answer);
  });

  router.get(
    '/clusters/:managementCluster/:namespace/:name',
    async (req, res) => {
      const key = clusterKeyOf(req.params);
      const a = await access(req);
      visibleCluster(fleet.index, a, key);
      if (notModified(req, res, etagFor(req, a))) return;
      const details = fleet.describe(key);
      if (!details) {
        throw new NotFoundError(
          `Cluster ${stringifyClusterKey(key)} not found`,
        );
      }
      res.json(details);
    },
  );

  /** Refuses query parameters on endpoints that take none. */
  function noQueryParameters(req: express.Request) {
    const unknown = unknownQueryParameter(req.query as Record<string, unknown>);
    if (unknown !== undefined) {
      throw new InputError(
        `Invalid query parameter ${unknown}: unknown query parameter "${unknown}"`,
      );
    }
  }

  router.get('/summary', async (req, res) => {
    noQueryParameters(req);
    const a = await access(req);
    const answer = answerOf(req, a, () =>
      Buffer.from(
        // as `res.json` writes it
        JSON.stringify(
          fleet.index.summary({ visibility: a.visibility }),
          req.app.get('json replacer'),
          req.app.get('json spaces'),
        ),
        'utf8',
      ),
    );
    send(req, res, answer);
  });

  router.get('/management-clusters', async (req, res) => {
    noQueryParameters(req);
    await access(req);
    res.setHeader('Cache-Control', 'no-cache');
    res.json({ items: fleet.managementClusters() });
  });

  router.get('/events', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const a = await access(req);
    const authorization = req.header('authorization');
    streams.serve(req, res, {
      credentials,
      access: a,
      tokenExpiresAt: authorization ? tokenExpiry(authorization) : undefined,
      recheck: () => shared.decide(req),
    });
  });

  router.use(userFacingErrors(options.logger));
  return router;
}
