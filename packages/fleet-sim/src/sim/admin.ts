import { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../api/response';
import { ApiError } from '../api/errors';
import { JsonObject, isObject } from '../util/json';
import type {
  FleetController,
  FleetFaults,
  FleetSimStats,
  ManagementClusterInfo,
  WorkloadClusterInfo,
} from './types';
import type { LoadDriver, LoadOptions, LoadStats } from '../load/load';
import type { UnreachableMode } from '../faults/faults';

export interface AdminContext {
  faults: FleetFaults;
  controller: FleetController;
  managementClusters(): ManagementClusterInfo[];
  workloadClusters(): WorkloadClusterInfo[];
  stats(): FleetSimStats;
  kubeconfig(): string;
  startLoad(options: LoadOptions): LoadDriver;
  stopLoad(): LoadStats | undefined;
  loadStats(): LoadStats[];
}

function send(res: ServerResponse, code: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body, null, 2));
}

function fail(res: ServerResponse, code: number, message: string): void {
  send(res, code, { error: message });
}

async function jsonBody(req: IncomingMessage): Promise<JsonObject> {
  const raw = (await readBody(req)).toString('utf8').trim();
  if (!raw) return {};
  const parsed: unknown = JSON.parse(raw);
  if (!isObject(parsed)) throw new Error('the body must be a JSON object');
  return parsed;
}

type ClusterTarget =
  | string
  | { management: string; namespace?: string; name?: string };

function target(body: JsonObject): ClusterTarget {
  const c = body.cluster;
  if (typeof c === 'string' && c) return c;
  if (isObject(c) && typeof c.management === 'string') {
    return {
      management: c.management,
      namespace: typeof c.namespace === 'string' ? c.namespace : undefined,
      name: typeof c.name === 'string' ? c.name : undefined,
    };
  }
  throw new Error(
    '"cluster" is required: a management cluster name or "management/namespace/name"',
  );
}

function numberField(body: JsonObject, key: string, fallback?: number): number {
  const v = body[key];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (fallback !== undefined) return fallback;
  throw new Error(`"${key}" must be a number`);
}

/** Applies one fault action from the admin API. */
export function applyFaultAction(ctx: AdminContext, body: JsonObject): void {
  const action = body.action;
  switch (action) {
    case 'unreachable': {
      const mode = body.mode === 'blackhole' ? 'blackhole' : 'refuse';
      ctx.faults.unreachable(target(body), mode as UnreachableMode);
      return;
    }
    case 'reachable':
      ctx.faults.reachable(target(body));
      return;
    case 'slow':
      ctx.faults.slow(target(body), numberField(body, 'ms'));
      return;
    case 'saturated':
      ctx.faults.saturated(target(body), numberField(body, 'ms'));
      return;
    case 'errorRate':
      ctx.faults.errorRate(
        target(body),
        numberField(body, 'rate'),
        numberField(body, 'code', 500),
      );
      return;
    case 'nodesNotReady':
      ctx.faults.nodesNotReady(
        target(body),
        body.count === undefined ? undefined : numberField(body, 'count'),
      );
      return;
    case 'controlPlaneDown':
      ctx.faults.controlPlaneDown(target(body), body.down !== false);
      return;
    case 'hostedControlPlanePodsNotReady':
      ctx.faults.hostedControlPlanePodsNotReady(
        target(body),
        body.count === undefined ? undefined : numberField(body, 'count'),
      );
      return;
    case 'stallProvisioning':
      ctx.faults.stallProvisioning(target(body), body.stalled !== false);
      return;
    case 'stallDrain':
      ctx.faults.stallDrain(target(body), body.stalled !== false);
      return;
    case 'restartManagementApi': {
      const t = target(body);
      ctx.faults.restartManagementApi(typeof t === 'string' ? t : t.management);
      return;
    }
    case 'pauseController':
      ctx.faults.pauseController();
      return;
    case 'resumeController':
      ctx.faults.resumeController();
      return;
    case 'clear':
      ctx.faults.clear(body.cluster === undefined ? undefined : target(body));
      return;
    default:
      throw new Error(
        `unknown action ${JSON.stringify(
          action,
        )}; one of unreachable, reachable, slow, saturated, errorRate, nodesNotReady, controlPlaneDown, hostedControlPlanePodsNotReady, stallProvisioning, stallDrain, restartManagementApi, pauseController, resumeController, clear`,
      );
  }
}

/** The `/admin` API: state, faults and load. */
export async function handleAdmin(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: URLSearchParams,
  ctx: AdminContext,
): Promise<void> {
  const method = req.method ?? 'GET';
  try {
    if (path === '/' || path === '/state') {
      if (method !== 'GET') return fail(res, 405, 'use GET');
      return send(res, 200, {
        managementClusters: ctx.managementClusters(),
        stats: ctx.stats(),
        faults: ctx.faults.list(),
        controller: {
          paused: ctx.controller.paused,
          stepMs: ctx.controller.stepMs,
        },
        load: ctx.loadStats(),
      });
    }
    if (path === '/faults') {
      if (method === 'GET') return send(res, 200, ctx.faults.list());
      if (method === 'DELETE') {
        ctx.faults.clear();
        return send(res, 200, ctx.faults.list());
      }
      if (method === 'POST') {
        const body = await jsonBody(req);
        const actions = Array.isArray(body.actions)
          ? body.actions.filter(isObject)
          : [body];
        for (const a of actions) applyFaultAction(ctx, a);
        return send(res, 200, ctx.faults.list());
      }
      return fail(res, 405, 'use GET, POST or DELETE');
    }
    if (path === '/load') {
      if (method === 'GET') return send(res, 200, ctx.loadStats());
      if (method === 'DELETE') return send(res, 200, ctx.stopLoad() ?? {});
      if (method === 'POST') {
        const body = await jsonBody(req);
        const driver = ctx.startLoad({
          eventsPerSecond: numberField(body, 'eventsPerSecond'),
          durationMs:
            body.durationMs === undefined
              ? undefined
              : numberField(body, 'durationMs'),
        });
        return send(res, 202, driver.stats());
      }
      return fail(res, 405, 'use GET, POST or DELETE');
    }
    if (path === '/workloads') {
      if (method !== 'GET') return fail(res, 405, 'use GET');
      const management = query.get('management');
      const limit = Number(query.get('limit') ?? 0);
      const offset = Number(query.get('offset') ?? 0);
      let list = ctx.workloadClusters();
      if (management) list = list.filter(w => w.management === management);
      const total = list.length;
      if (limit > 0) list = list.slice(offset, offset + limit);
      return send(res, 200, { total, items: list });
    }
    if (path === '/kubeconfig') {
      if (method !== 'GET') return fail(res, 405, 'use GET');
      res.writeHead(200, { 'Content-Type': 'application/yaml' });
      res.end(ctx.kubeconfig());
      return undefined;
    }
    return fail(res, 404, `no admin endpoint ${path}`);
  } catch (e) {
    if (e instanceof ApiError) return fail(res, e.code, e.message);
    return fail(res, 400, e instanceof Error ? e.message : String(e));
  }
}
