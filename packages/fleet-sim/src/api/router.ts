/**
 * The one router of the simulated API servers, management and workload clusters alike: the path of a request
 * below the cluster's URL prefix leads to the root paths, `/version`, health checks, OpenAPI, discovery, or a
 * resource; a resource request is resolved (group, version, namespace, name, subresource), its verb named and
 * authorized, and handed to the resources that serve the cluster's objects.
 */
import {
  aggregatedDiscovery,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  rootPaths,
} from './discovery';
import { ApiError, errors } from './errors';
import { negotiate } from './negotiation';
import { OpenApiIndex, buildOpenApiIndex, openApiRoot } from './openapi';
import { ResourceRegistry } from './registry';
import { ApiRequest, ResourcePath, boolParam } from './request';
import { sendObject, sendStatus, sendText } from './response';
import { JsonObject, JsonValue } from '../util/json';

/** An API group a cluster advertises in discovery without serving resources of it. */
export interface ExtraGroup {
  name: string;
  versions: string[];
}

export interface RouterOptions {
  /** `host:port` shown in `/api`. */
  serverAddress(): string;
  /** What `/version` answers: the object, or its JSON text. */
  version(): JsonObject | string;
  /** The result of a health check (`healthz`, `livez`, `readyz`); healthy when absent. */
  health?(check: string, verbose: boolean): { ok: boolean; text: string };
  /** API groups advertised in discovery without resources. */
  extraGroups?(): ExtraGroup[];
  /** The Prometheus text of `/metrics`; not served when absent. */
  metrics?(): string;
}

/** Serves the resources of one cluster once the router has resolved and authorized a request. */
export interface ResourceHandler {
  serve(
    r: ApiRequest,
    method: string,
    p: ResourcePath,
    verb: string,
  ): Promise<void> | void;
}

const HEALTHY = (check: string, verbose: boolean) => ({
  ok: true,
  text: verbose
    ? `[+]ping ok\n[+]log ok\n[+]etcd ok\n[+]poststarthook/start-apiextensions-controllers ok\n${check} check passed\n`
    : 'ok',
});

export class ApiRouter {
  private openapi?: OpenApiIndex;

  constructor(
    readonly registry: ResourceRegistry,
    private readonly options: RouterOptions,
    private readonly resources: ResourceHandler,
  ) {}

  async handle(r: ApiRequest): Promise<void> {
    try {
      await this.route(r);
    } catch (e) {
      const error =
        e instanceof ApiError
          ? e
          : errors.internal(e instanceof Error ? e.message : String(e));
      sendStatus(r.res, error);
    }
  }

  private extraGroups(): ExtraGroup[] {
    const served = new Set(this.registry.groups().map(g => g.name));
    return (this.options.extraGroups?.() ?? []).filter(
      g => !served.has(g.name),
    );
  }

  private async route(r: ApiRequest): Promise<void> {
    const method = r.req.method ?? 'GET';
    const segments = r.path
      .split('/')
      .filter(s => s !== '')
      .map(decodeURIComponent);
    const accept = r.req.headers.accept;
    const [root] = segments;
    if (
      (root === 'healthz' || root === 'livez' || root === 'readyz') &&
      segments.length <= 2
    ) {
      this.onlyGet(method);
      const verbose = r.query.has('verbose');
      const { ok, text } = (this.options.health ?? HEALTHY)(root, verbose);
      sendText(r.res, ok ? 200 : 500, text, 'text/plain; charset=utf-8');
      return;
    }
    if (root === 'metrics' && segments.length === 1 && this.options.metrics) {
      this.onlyGet(method);
      sendText(
        r.res,
        200,
        this.options.metrics(),
        'text/plain; version=0.0.4; charset=utf-8',
      );
      return;
    }
    if (segments.length === 0) {
      this.onlyGet(method);
      sendObject(r.res, 200, rootPaths(this.registry), negotiate(accept, {}));
      return;
    }
    if (root === 'version' && segments.length === 1) {
      this.onlyGet(method);
      const format = negotiate(accept, {});
      const version = this.options.version();
      if (typeof version === 'string' && format.kind === 'json') {
        sendText(r.res, 200, version, 'application/json');
      } else {
        sendObject(
          r.res,
          200,
          typeof version === 'string' ? JSON.parse(version) : version,
          format,
        );
      }
      return;
    }
    if (root === 'openapi') {
      this.onlyGet(method);
      this.serveOpenApi(r, segments.slice(1));
      return;
    }
    if (root === 'api') {
      if (segments.length === 1) {
        this.onlyGet(method);
        const format = negotiate(accept, { discovery: true });
        if (format.kind === 'discovery') {
          this.sendDiscovery(
            r,
            aggregatedDiscovery(this.registry, true, format.version),
            format.version,
          );
        } else {
          sendObject(
            r.res,
            200,
            apiVersions(this.options.serverAddress()),
            format,
          );
        }
        return;
      }
      if (segments[1] !== 'v1') throw errors.pathNotFound();
      if (segments.length === 2) {
        this.onlyGet(method);
        sendObject(
          r.res,
          200,
          apiResourceList(this.registry, '', 'v1'),
          negotiate(accept, {}),
        );
        return;
      }
      await this.resource(r, method, this.resolve('', 'v1', segments.slice(2)));
      return;
    }
    if (root === 'apis') {
      const extra = this.extraGroups();
      if (segments.length === 1) {
        this.onlyGet(method);
        const format = negotiate(accept, { discovery: true });
        if (format.kind === 'discovery') {
          const doc = aggregatedDiscovery(this.registry, false, format.version);
          const items = (doc.items ?? []) as JsonValue[];
          for (const g of extra) {
            items.push({
              metadata: { name: g.name, creationTimestamp: null },
              versions: g.versions.map(v => ({
                version: v,
                resources: [],
                freshness: 'Current',
              })),
            });
          }
          this.sendDiscovery(r, doc, format.version);
        } else {
          sendObject(r.res, 200, apiGroupList(this.registry, extra), format);
        }
        return;
      }
      const group = segments[1];
      if (segments.length === 2) {
        this.onlyGet(method);
        const g = apiGroup(this.registry, group);
        if (!g) throw errors.pathNotFound();
        sendObject(r.res, 200, g, negotiate(accept, {}));
        return;
      }
      const version = segments[2];
      const served = this.registry
        .groups()
        .some(g => g.name === group && g.versions.includes(version));
      if (!served) {
        if (
          segments.length === 3 &&
          extra.some(g => g.name === group && g.versions.includes(version))
        ) {
          this.onlyGet(method);
          sendObject(
            r.res,
            200,
            {
              kind: 'APIResourceList',
              apiVersion: 'v1',
              groupVersion: `${group}/${version}`,
              resources: [],
            },
            negotiate(accept, {}),
          );
          return;
        }
        throw errors.pathNotFound();
      }
      if (segments.length === 3) {
        this.onlyGet(method);
        sendObject(
          r.res,
          200,
          apiResourceList(this.registry, group, version),
          negotiate(accept, {}),
        );
        return;
      }
      await this.resource(
        r,
        method,
        this.resolve(group, version, segments.slice(3)),
      );
      return;
    }
    throw errors.pathNotFound();
  }

  private onlyGet(method: string): void {
    if (method !== 'GET' && method !== 'HEAD') throw errors.methodNotAllowed();
  }

  private sendDiscovery(r: ApiRequest, doc: JsonObject, version: string): void {
    sendText(
      r.res,
      200,
      JSON.stringify(doc),
      `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`,
    );
  }

  private serveOpenApi(r: ApiRequest, rest: string[]): void {
    if (rest[0] !== 'v3') throw errors.pathNotFound();
    this.openapi ??= buildOpenApiIndex(this.registry);
    if (rest.length === 1) {
      sendText(
        r.res,
        200,
        JSON.stringify(openApiRoot(this.openapi, r.prefix)),
        'application/json',
      );
      return;
    }
    const key = rest.slice(1).join('/');
    const doc = this.openapi.paths.get(key);
    if (!doc) throw errors.pathNotFound();
    if (r.res.headersSent) return;
    r.res.writeHead(200, {
      'Content-Type': 'application/json',
      ETag: `"${doc.hash}"`,
      'Cache-Control':
        r.query.get('hash') === doc.hash
          ? 'public, immutable'
          : 'no-cache, private',
    });
    r.res.end(doc.doc);
  }

  private resolve(
    group: string,
    version: string,
    rest: string[],
  ): ResourcePath {
    let segs = rest;
    let watch = false;
    if (segs[0] === 'watch') {
      watch = true;
      segs = segs.slice(1);
    }
    let namespace: string | undefined;
    if (segs[0] === 'namespaces' && segs.length >= 3) {
      const candidate = this.registry.find(group, segs[2]);
      if (candidate && candidate.namespaced) {
        namespace = segs[1];
        segs = segs.slice(2);
      }
    }
    const [plural, name, subresource, ...extra] = segs;
    const type = this.registry.find(group, plural);
    if (
      !type ||
      !type.versions.some(v => v.name === version && v.served) ||
      extra.length
    ) {
      throw errors.pathNotFound();
    }
    if (namespace !== undefined && !type.namespaced)
      throw errors.pathNotFound();
    if (subresource !== undefined) {
      const ok =
        (subresource === 'status' && type.status) ||
        (subresource === 'scale' && type.scale !== undefined) ||
        (subresource === 'finalize' && type.kind === 'Namespace');
      if (!ok) throw errors.pathNotFound();
    }
    return { type, version, namespace, name, subresource, watch };
  }

  /** Names the verb of a resource request (405 for what no verb covers), authorizes it and serves it. */
  private async resource(
    r: ApiRequest,
    method: string,
    p: ResourcePath,
  ): Promise<void> {
    const collection = p.name === undefined;
    let verb: string;
    switch (method) {
      case 'GET':
      case 'HEAD':
        if (p.watch || (collection && boolParam(r.query, 'watch')))
          verb = 'watch';
        else verb = collection ? 'list' : 'get';
        break;
      case 'POST':
        if (!collection) throw errors.methodNotAllowed();
        verb = 'create';
        break;
      case 'PUT':
        if (collection) throw errors.methodNotAllowed();
        verb = 'update';
        break;
      case 'PATCH':
        if (collection) throw errors.methodNotAllowed();
        verb = 'patch';
        break;
      case 'DELETE':
        if (!collection && p.subresource) throw errors.methodNotAllowed();
        verb = collection ? 'deletecollection' : 'delete';
        break;
      default:
        throw errors.methodNotAllowed();
    }
    this.authorize(r, verb, p);
    await this.resources.serve(r, method, p, verb);
  }

  private authorize(r: ApiRequest, verb: string, p: ResourcePath): void {
    if (!p.subresource && !p.type.verbs.includes(verb))
      throw errors.methodNotAllowed();
    if (!r.caller.readOnly) return;
    const readVerb = verb === 'get' || verb === 'list' || verb === 'watch';
    if (readVerb && p.type.kind !== 'Secret') return;
    const subject = p.name
      ? `${p.type.plural}${p.type.group ? `.${p.type.group}` : ''} "${p.name}"`
      : `${p.type.plural}${p.type.group ? `.${p.type.group}` : ''}`;
    let where = p.type.namespaced ? '' : ' at the cluster scope';
    if (p.namespace) where = ` in the namespace "${p.namespace}"`;
    throw errors.forbidden(
      `${subject} is forbidden: User "${
        r.caller.user
      }" cannot ${verb} resource "${p.type.plural}${
        p.subresource ? `/${p.subresource}` : ''
      }" in API group "${p.type.group}"${where}`,
      p.type,
      p.name,
    );
  }
}
