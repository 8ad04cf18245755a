import { IncomingMessage, ServerResponse } from 'node:http';
import Negotiator from 'negotiator';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import {
  ApiServer,
  DeleteOptions,
  FieldValidation,
  PatchType,
  PropagationPolicy,
  WriteOptions,
  parseResourceVersion,
} from './apiserver';
import {
  aggregatedDiscovery,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  rootPaths,
} from './discovery';
import { ApiError, errors, statusBody } from './errors';
import { OpenApiIndex, buildOpenApiIndex, openApiRoot } from './openapi';
import {
  PROTOBUF_CONTENT_TYPE,
  acceptsProtobuf,
  decodeProtobufBody,
} from './protobuf';
import { ResourceType, apiVersionOf, storageVersion } from './registry';
import {
  FieldSelector,
  LabelSelector,
  parseFieldSelector,
  parseLabelSelector,
} from './selectors';
import { IncludeObject, partialMetadata, toTable } from './table';
import { EventSink, StoreEvent, objectKey } from '../store/store';
import {
  JsonObject,
  asObject,
  isObject,
  jsonMergePatch,
  jsonPatch,
} from '../util/json';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Who is calling. */
export interface Caller {
  user: string;
  /** Read-only callers may get/list/watch everything except secrets. */
  readOnly: boolean;
}

export interface ApiRequest {
  req: IncomingMessage;
  res: ServerResponse;
  /** The path below the cluster's URL prefix, starting with `/`. */
  path: string;
  query: URLSearchParams;
  /** The cluster's URL prefix (`/clusters/<name>`). */
  prefix: string;
  caller: Caller;
}

export type OutputFormat =
  | { kind: 'json' }
  | { kind: 'yaml' }
  | { kind: 'table'; version: string }
  | { kind: 'partial'; list: boolean }
  | { kind: 'discovery'; version: string };

/** The media types an endpoint can answer in, most preferred first, with the format each stands for. */
function offers(allow: {
  table?: boolean;
  discovery?: boolean;
  partial?: boolean;
}): Array<[string, OutputFormat]> {
  const list: Array<[string, OutputFormat]> = [
    ['application/json', { kind: 'json' }],
    ['application/yaml', { kind: 'yaml' }],
  ];
  const meta = (as: string, v: string) =>
    `application/json;as=${as};v=${v};g=meta.k8s.io`;
  if (allow.table) {
    for (const v of ['v1', 'v1beta1'])
      list.push([meta('Table', v), { kind: 'table', version: v }]);
  }
  if (allow.partial) {
    for (const v of ['v1', 'v1beta1']) {
      list.push([
        meta('PartialObjectMetadata', v),
        { kind: 'partial', list: false },
      ]);
      list.push([
        meta('PartialObjectMetadataList', v),
        { kind: 'partial', list: true },
      ]);
    }
  }
  if (allow.discovery) {
    for (const v of ['v2', 'v2beta1'])
      list.push([
        `application/json;as=APIGroupDiscoveryList;v=${v};g=apidiscovery.k8s.io`,
        { kind: 'discovery', version: v },
      ]);
  }
  return list;
}

/** Picks the response format from the Accept header (negotiator), as the API server does; 406 when none fits. */
export function negotiate(
  header: string | undefined,
  allow: { table?: boolean; discovery?: boolean; partial?: boolean },
): OutputFormat {
  const available = offers(allow);
  const chosen = new Negotiator({
    headers: { accept: header || '*/*' },
  }).mediaType(available.map(([type]) => type));
  const format = available.find(([type]) => type === chosen)?.[1];
  if (!format) throw errors.notAcceptable('application/json, application/yaml');
  return format;
}

export function sendText(
  res: ServerResponse,
  code: number,
  text: string,
  contentType: string,
  warnings?: string[],
): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string | string[]> = {
    'Content-Type': contentType,
    'Cache-Control': 'no-cache, private',
  };
  if (warnings?.length)
    headers.Warning = warnings.map(w => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(text);
}

export function sendStatus(res: ServerResponse, error: ApiError): void {
  const headers: Record<string, string> = {};
  if (error.details?.retryAfterSeconds)
    headers['Retry-After'] = String(error.details.retryAfterSeconds);
  if (res.headersSent || res.destroyed) return;
  if (error.code === 413) {
    // The rest of the body is never read: the connection cannot be reused.
    headers.Connection = 'close';
    res.shouldKeepAlive = false;
    res.on('finish', () => res.socket?.destroySoon());
  }
  res.writeHead(error.code, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    ...headers,
  });
  res.end(JSON.stringify(error.toStatus()));
}

export function sendObject(
  res: ServerResponse,
  code: number,
  obj: unknown,
  format: OutputFormat,
  warnings?: string[],
): void {
  if (format.kind === 'yaml') {
    sendText(res, code, stringifyYaml(obj), 'application/yaml', warnings);
  } else {
    sendText(res, code, JSON.stringify(obj), 'application/json', warnings);
  }
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf: Buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw errors.tooLarge();
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

function parseBody(
  buffer: Buffer,
  contentType: string,
  yamlAllowed: boolean,
): unknown {
  const text = buffer.toString('utf8');
  if (text.trim() === '')
    throw errors.badRequest('the body of the request is empty');
  try {
    if (yamlAllowed && /yaml/.test(contentType)) return parseYaml(text);
    return JSON.parse(text);
  } catch (e) {
    throw errors.badRequest(
      `couldn't get version/kind; json parse error: ${
        e instanceof Error ? e.message : String(e)
      }`,
    );
  }
}

interface ResourcePath {
  type: ResourceType;
  version: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  watch: boolean;
}

function boolParam(query: URLSearchParams, name: string): boolean {
  const v = query.get(name);
  return v === 'true' || v === '1';
}

function fieldValidationOf(
  query: URLSearchParams,
): FieldValidation | undefined {
  const v = query.get('fieldValidation');
  if (v === null || v === '') return undefined;
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw errors.badRequest(
    `fieldValidation must be one of Strict, Warn, Ignore; got "${v}"`,
  );
}

interface WatchOptions {
  labelSelector: LabelSelector;
  fieldSelector: FieldSelector;
  bookmarks: boolean;
  bookmarkIntervalMs: number;
  timeoutMs: number;
  include: IncludeObject;
}

const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;

/** One watch connection: newline-delimited events, flushed per event. */
export class WatchStream implements EventSink {
  private closed = false;
  private headerSent = false;
  private lastRv = 0;
  private timers: NodeJS.Timeout[] = [];
  private readonly storage: string;
  private readonly needsObjectFields: boolean;

  constructor(
    private readonly handler: ApiHttpHandler,
    private readonly r: ApiRequest,
    private readonly p: ResourcePath,
    private readonly format: OutputFormat,
    private readonly opts: WatchOptions,
  ) {
    this.storage = storageVersion(p.type);
    this.needsObjectFields = opts.fieldSelector.requirements.some(
      f => f.field !== 'metadata.name' && f.field !== 'metadata.namespace',
    );
  }

  start(rv: number | undefined, initialEvents: boolean): void {
    const res = this.r.res;
    res.writeHead(200, {
      'Content-Type':
        this.format.kind === 'table'
          ? `application/json;as=Table;v=${this.format.version};g=meta.k8s.io`
          : 'application/json',
      'Cache-Control': 'no-cache, private',
      'Transfer-Encoding': 'chunked',
    });
    res.flushHeaders();
    this.r.req.socket.setNoDelay(true);
    this.handler.watches.add(this);
    res.on('close', () => this.close());
    this.begin(rv, initialEvents);
  }

  private begin(rv: number | undefined, initialEvents: boolean): void {
    const store = this.handler.api.store;
    const collection = store.collection(this.p.type.id);
    if (rv !== undefined) {
      if (rv > store.currentRv) {
        this.waitForRv(rv, initialEvents);
        return;
      }
      const events = store.eventsSince(rv);
      if (!events) {
        this.sendError(
          410,
          'Expired',
          `too old resource version: ${rv} (${store.compactedRv + 1})`,
        );
        return;
      }
      this.lastRv = rv;
      for (const e of events) {
        if (e.collection === collection) this.onEvent(e);
      }
    } else {
      this.lastRv = store.currentRv;
      if (initialEvents) {
        const listed = this.handler.api.list(this.p.type, {
          namespace: this.p.namespace,
          labelSelector: this.opts.labelSelector,
          fieldSelector: this.opts.fieldSelector,
        });
        for (const text of listed.texts) this.send('ADDED', text);
        if (this.r.query.get('sendInitialEvents') === 'true') {
          this.sendBookmark(true);
        }
      }
    }
    collection.sinks.add(this);
    if (this.opts.bookmarks) {
      const timer = setInterval(
        () => this.sendBookmark(false),
        this.opts.bookmarkIntervalMs,
      );
      timer.unref();
      this.timers.push(timer);
    }
    const timeout = setTimeout(() => this.end(), this.opts.timeoutMs);
    timeout.unref();
    this.timers.push(timeout);
  }

  private waitForRv(rv: number, initialEvents: boolean): void {
    const started = Date.now();
    const timer = setInterval(() => {
      if (this.closed) {
        clearInterval(timer);
        return;
      }
      if (this.handler.api.store.currentRv >= rv) {
        clearInterval(timer);
        this.timers = this.timers.filter(t => t !== timer);
        this.begin(rv, initialEvents);
      } else if (Date.now() - started > 3000) {
        clearInterval(timer);
        this.sendError(
          504,
          'Timeout',
          `Timeout: Too large resource version: ${rv}, current: ${this.handler.api.store.currentRv}`,
        );
      }
    }, 50);
    this.timers.push(timer);
  }

  private matches(
    labels: Readonly<Record<string, string>> | undefined,
    key: string,
    json: string,
  ): boolean {
    if (!this.opts.labelSelector.matches(labels)) return false;
    if (this.opts.fieldSelector.empty) return true;
    const slash = key.indexOf('/');
    const ns = slash < 0 ? '' : key.slice(0, slash);
    const name = slash < 0 ? key : key.slice(slash + 1);
    let parsed: JsonObject | undefined;
    return this.opts.fieldSelector.matches(field => {
      if (field === 'metadata.name') return name;
      if (field === 'metadata.namespace') return ns;
      if (!this.needsObjectFields) return undefined;
      parsed ??= JSON.parse(json);
      return parsed ? this.p.type.fields?.[field]?.(parsed) : undefined;
    });
  }

  onEvent(e: StoreEvent): void {
    if (this.closed || e.rv <= this.lastRv) return;
    this.lastRv = e.rv;
    if (this.p.namespace && !e.key.startsWith(`${this.p.namespace}/`)) return;
    const now = this.matches(e.labels, e.key, e.json);
    if (e.type === 'ADDED') {
      if (now) this.send('ADDED', e.json);
      return;
    }
    if (e.type === 'DELETED') {
      if (now) this.send('DELETED', e.json);
      return;
    }
    const prevText = e.prev?.json;
    const before =
      this.opts.labelSelector.empty && this.opts.fieldSelector.empty
        ? true
        : this.matches(e.prevLabels, e.key, prevText ?? e.json);
    if (now && before) this.send('MODIFIED', e.json);
    else if (now) this.send('ADDED', e.json);
    else if (before) this.send('DELETED', e.json);
  }

  private render(text: string): string {
    const t = this.p.type;
    if (this.format.kind === 'json' && this.p.version === this.storage)
      return text;
    const obj = this.handler.api.toVersion(t, JSON.parse(text), this.p.version);
    if (this.format.kind === 'table') {
      const rv = String(asObject(obj.metadata)?.resourceVersion ?? '');
      const table = toTable(
        t,
        this.p.version,
        [obj],
        { resourceVersion: rv },
        this.opts.include,
        !this.headerSent,
      );
      this.headerSent = true;
      return JSON.stringify(table);
    }
    if (this.format.kind === 'partial')
      return JSON.stringify(partialMetadata(obj));
    return JSON.stringify(obj);
  }

  private send(type: string, text: string): void {
    this.write(`{"type":"${type}","object":${this.render(text)}}\n`);
  }

  private write(line: string): void {
    const res = this.r.res;
    if (this.closed || res.destroyed) return;
    if (res.writableLength > MAX_BUFFERED_BYTES) {
      this.abort();
      return;
    }
    res.write(line);
  }

  private sendBookmark(initialEnd: boolean): void {
    if (this.closed) return;
    const t = this.p.type;
    const metadata: JsonObject = {
      resourceVersion: String(this.handler.api.store.currentRv),
    };
    if (initialEnd)
      metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    const obj = {
      kind: t.kind,
      apiVersion: apiVersionOf(t, this.p.version),
      metadata,
    };
    this.write(`{"type":"BOOKMARK","object":${JSON.stringify(obj)}}\n`);
  }

  private sendError(code: number, reason: string, message: string): void {
    this.write(
      `{"type":"ERROR","object":${JSON.stringify(
        statusBody(code, reason, message),
      )}}\n`,
    );
    this.end();
  }

  /** Ends the response cleanly. */
  end(): void {
    if (this.closed) return;
    this.close();
    this.r.res.end();
  }

  /** Drops the connection, as a crashed API server would. */
  abort(): void {
    if (this.closed) return;
    this.close();
    this.r.res.destroy();
    this.r.req.socket.destroy();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) {
      clearTimeout(t);
      clearInterval(t);
    }
    this.handler.api.store.collection(this.p.type.id).sinks.delete(this);
    this.handler.watches.delete(this);
  }
}

export interface HandlerOptions {
  /** `host:port` shown in `/api`. */
  serverAddress: () => string;
  versionInfo: () => JsonObject;
  bookmarkIntervalMs: number;
  /** Extra API groups advertised in discovery without resources. */
  extraGroups?: Array<{ name: string; versions: string[] }>;
}

/** Serves the Kubernetes REST protocol of one simulated API server. */
export class ApiHttpHandler {
  readonly watches = new Set<WatchStream>();
  private openapi?: OpenApiIndex;

  constructor(
    readonly api: ApiServer,
    private readonly options: HandlerOptions,
  ) {}

  /** Drops every watch connection abruptly, as a crashed server or a broken network does. */
  dropWatches(): void {
    for (const w of [...this.watches]) w.abort();
  }

  /** Ends every watch cleanly, as a shutting-down API server does. */
  endWatches(): void {
    for (const w of [...this.watches]) w.end();
  }

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

  private async route(r: ApiRequest): Promise<void> {
    const method = r.req.method ?? 'GET';
    const segments = r.path
      .split('/')
      .filter(s => s !== '')
      .map(decodeURIComponent);
    const accept = r.req.headers.accept;
    if (segments.length === 0) {
      this.onlyGet(method);
      sendObject(
        r.res,
        200,
        rootPaths(this.api.registry),
        negotiate(accept, {}),
      );
      return;
    }
    const [root] = segments;
    if (root === 'version' && segments.length === 1) {
      this.onlyGet(method);
      sendObject(r.res, 200, this.options.versionInfo(), negotiate(accept, {}));
      return;
    }
    if (
      (root === 'healthz' || root === 'livez' || root === 'readyz') &&
      segments.length <= 2
    ) {
      this.onlyGet(method);
      const verbose = r.query.has('verbose');
      const text = verbose
        ? `[+]ping ok\n[+]log ok\n[+]etcd ok\n[+]poststarthook/start-apiextensions-controllers ok\n${root} check passed\n`
        : 'ok';
      sendText(r.res, 200, text, 'text/plain; charset=utf-8');
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
            aggregatedDiscovery(this.api.registry, true, format.version),
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
          apiResourceList(this.api.registry, '', 'v1'),
          negotiate(accept, {}),
        );
        return;
      }
      await this.resource(r, method, this.resolve('', 'v1', segments.slice(2)));
      return;
    }
    if (root === 'apis') {
      if (segments.length === 1) {
        this.onlyGet(method);
        const format = negotiate(accept, { discovery: true });
        if (format.kind === 'discovery') {
          this.sendDiscovery(
            r,
            aggregatedDiscovery(this.api.registry, false, format.version),
            format.version,
          );
        } else {
          sendObject(
            r.res,
            200,
            apiGroupList(this.api.registry, this.options.extraGroups),
            format,
          );
        }
        return;
      }
      const group = segments[1];
      if (segments.length === 2) {
        this.onlyGet(method);
        const g = apiGroup(this.api.registry, group);
        if (!g) throw errors.pathNotFound();
        sendObject(r.res, 200, g, negotiate(accept, {}));
        return;
      }
      const version = segments[2];
      if (
        !this.api.registry
          .groups()
          .some(g => g.name === group && g.versions.includes(version))
      ) {
        throw errors.pathNotFound();
      }
      if (segments.length === 3) {
        this.onlyGet(method);
        sendObject(
          r.res,
          200,
          apiResourceList(this.api.registry, group, version),
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
    if (rest[0] === 'v2') {
      throw errors.pathNotFound();
    }
    if (rest[0] !== 'v3') throw errors.pathNotFound();
    this.openapi ??= buildOpenApiIndex(this.api.registry);
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
      const candidate = this.api.registry.find(group, segs[2]);
      if (candidate && candidate.namespaced) {
        namespace = segs[1];
        segs = segs.slice(2);
      }
    }
    const [plural, name, subresource, ...extra] = segs;
    const type = this.api.registry.find(group, plural);
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

  private writeOptions(
    r: ApiRequest,
    p: ResourcePath,
    warnings: string[],
  ): WriteOptions {
    const dryRun = r.query.getAll('dryRun');
    if (dryRun.some(d => d !== 'All'))
      throw errors.badRequest(
        `dryRun: Unsupported value: "${dryRun.join(
          ',',
        )}": supported values: "All"`,
      );
    const userAgent = r.req.headers['user-agent'] ?? 'unknown';
    const defaultManager = userAgent.split('/')[0] || 'unknown';
    return {
      version: p.version,
      subresource: p.subresource,
      dryRun: dryRun.length > 0,
      fieldManager: r.query.get('fieldManager') ?? defaultManager,
      fieldValidation: fieldValidationOf(r.query),
      force: boolParam(r.query, 'force'),
      warnings,
    };
  }

  private async resource(
    r: ApiRequest,
    method: string,
    p: ResourcePath,
  ): Promise<void> {
    const { type: t } = p;
    const warnings: string[] = [];
    if (
      p.version !== storageVersion(t) &&
      t.versions.find(v => v.name === p.version)?.deprecated
    ) {
      warnings.push(
        `${apiVersionOf(t, p.version)} ${
          t.kind
        } is deprecated; use ${apiVersionOf(t, storageVersion(t))} ${t.kind}`,
      );
    }
    const collection = p.name === undefined;
    const accept = r.req.headers.accept;
    if (method === 'GET' || method === 'HEAD') {
      const watching = p.watch || (collection && boolParam(r.query, 'watch'));
      if (watching) {
        if (!collection && p.watch) {
          r.query.set('fieldSelector', `metadata.name=${p.name}`);
        }
        this.authorize(r, 'watch', p);
        const format = negotiate(accept, { table: true, partial: true });
        this.watch(r, p, format);
        return;
      }
      if (collection) {
        this.authorize(r, 'list', p);
        const format = negotiate(accept, { table: true, partial: true });
        this.list(r, p, format, warnings);
        return;
      }
      this.authorize(r, 'get', p);
      const format = negotiate(accept, { table: true, partial: true });
      const stored = this.api.get(t, p.namespace, p.name ?? '');
      if (p.subresource === 'scale') {
        sendObject(r.res, 200, this.toScale(t, stored), format, warnings);
        return;
      }
      this.sendOne(r, p, stored, format, 200, warnings);
      return;
    }
    if (method === 'POST') {
      if (!collection) throw errors.methodNotAllowed();
      this.authorize(r, 'create', p);
      const format = negotiate(accept, {});
      const body = await this.objectBody(r, t);
      const created = this.api.create(
        t,
        p.namespace,
        body,
        this.writeOptions(r, p, warnings),
      );
      this.sendOne(r, p, created, format, 201, warnings);
      return;
    }
    if (method === 'PUT') {
      if (collection) throw errors.methodNotAllowed();
      this.authorize(r, 'update', p);
      const format = negotiate(accept, {});
      const body = await this.objectBody(r, t);
      const opts = this.writeOptions(r, p, warnings);
      if (p.subresource === 'scale') {
        const updated = this.updateScale(t, p, body, opts);
        sendObject(r.res, 200, this.toScale(t, updated), format, warnings);
        return;
      }
      if (p.subresource === 'finalize') {
        const updated = this.finalizeNamespace(t, p, body, opts);
        this.sendOne(r, p, updated, format, 200, warnings);
        return;
      }
      const updated = this.api.update(t, p.namespace, p.name ?? '', body, opts);
      this.sendOne(r, p, updated, format, 200, warnings);
      return;
    }
    if (method === 'PATCH') {
      if (collection) throw errors.methodNotAllowed();
      this.authorize(r, 'patch', p);
      const format = negotiate(accept, {});
      const contentType = (r.req.headers['content-type'] ?? '')
        .split(';')[0]
        .trim()
        .toLowerCase();
      const patchTypes: Record<string, PatchType> = {
        'application/json-patch+json': 'json',
        'application/merge-patch+json': 'merge',
        'application/strategic-merge-patch+json': 'strategic',
        'application/apply-patch+yaml': 'apply',
        'application/apply-patch+json': 'apply',
      };
      const patchType = patchTypes[contentType];
      if (!patchType) {
        throw errors.unsupportedMediaType(
          contentType,
          t.custom
            ? [
                'application/json-patch+json',
                'application/merge-patch+json',
                'application/apply-patch+yaml',
              ]
            : [
                'application/json-patch+json',
                'application/merge-patch+json',
                'application/apply-patch+yaml',
                'application/strategic-merge-patch+json',
              ],
        );
      }
      if (patchType === 'strategic' && t.custom) {
        throw errors.unsupportedMediaType(contentType, [
          'application/json-patch+json',
          'application/merge-patch+json',
          'application/apply-patch+yaml',
        ]);
      }
      const body = parseBody(
        await readBody(r.req),
        patchType === 'apply' ? 'yaml' : 'json',
        patchType === 'apply',
      );
      const opts = this.writeOptions(r, p, warnings);
      if (patchType === 'apply' && !r.query.get('fieldManager')) {
        throw errors.badRequest('fieldManager is required for apply requests');
      }
      if (patchType !== 'apply' && !r.query.get('fieldManager')) {
        const ua = r.req.headers['user-agent'] ?? '';
        opts.fieldManager = ua.startsWith('kubectl')
          ? 'kubectl-patch'
          : opts.fieldManager;
      }
      if (p.subresource === 'scale') {
        const current = this.toScale(
          t,
          this.api.get(t, p.namespace, p.name ?? ''),
        );
        const patched =
          patchType === 'json'
            ? jsonPatch(current, body)
            : jsonMergePatch(current, body);
        if (!isObject(patched)) throw errors.badRequest('invalid scale patch');
        const updated = this.updateScale(t, p, patched, opts);
        sendObject(r.res, 200, this.toScale(t, updated), format, warnings);
        return;
      }
      const existed =
        this.api.store.get(
          t.id,
          objectKey(t.namespaced ? p.namespace : undefined, p.name ?? ''),
        ) !== undefined;
      const patched = this.api.patch(
        t,
        p.namespace,
        p.name ?? '',
        patchType,
        body,
        opts,
      );
      this.sendOne(
        r,
        p,
        patched,
        format,
        existed || patchType !== 'apply' ? 200 : 201,
        warnings,
      );
      return;
    }
    if (method === 'DELETE') {
      const format = negotiate(accept, {});
      const raw = await readBody(r.req);
      const options = this.deleteOptions(r, p, raw, warnings);
      if (collection) {
        this.authorize(r, 'deletecollection', p);
        const labelSelector = parseLabelSelector(r.query.get('labelSelector'));
        const fieldSelector = this.fieldSelector(r, t);
        const listed = this.api.list(t, {
          namespace: p.namespace,
          labelSelector,
          fieldSelector,
        });
        const items: JsonObject[] = [];
        for (const text of listed.texts) {
          const obj: JsonObject = JSON.parse(text);
          const m = asObject(obj.metadata) ?? {};
          try {
            const result = this.api.delete(
              t,
              typeof m.namespace === 'string' ? m.namespace : undefined,
              String(m.name),
              options,
            );
            items.push(this.api.toVersion(t, result.object, p.version));
          } catch (e) {
            if (!(e instanceof ApiError && e.code === 404)) throw e;
          }
        }
        sendObject(
          r.res,
          200,
          {
            kind: t.listKind,
            apiVersion: apiVersionOf(t, p.version),
            metadata: { resourceVersion: String(this.api.store.currentRv) },
            items,
          },
          format,
          warnings,
        );
        return;
      }
      if (p.subresource) throw errors.methodNotAllowed();
      this.authorize(r, 'delete', p);
      const result = this.api.delete(t, p.namespace, p.name ?? '', options);
      if (t.returnDeletedObject || !result.deleted) {
        this.sendOne(r, p, result.object, format, 200, warnings);
      } else {
        const m = asObject(result.object.metadata) ?? {};
        sendObject(
          r.res,
          200,
          statusBody(200, '', '', {
            name: p.name,
            group: t.group || undefined,
            kind: t.plural,
            uid: typeof m.uid === 'string' ? m.uid : undefined,
          }),
          format,
          warnings,
        );
      }
      return;
    }
    throw errors.methodNotAllowed();
  }

  private deleteOptions(
    r: ApiRequest,
    p: ResourcePath,
    raw: Buffer,
    warnings: string[],
  ): DeleteOptions {
    const base = this.writeOptions(r, p, warnings);
    const opts: DeleteOptions = { ...base, fieldManager: undefined };
    let body: JsonObject = {};
    if (raw.length && raw.toString('utf8').trim() !== '') {
      const parsed = parseBody(raw, 'json', false);
      if (!isObject(parsed))
        throw errors.badRequest('DeleteOptions must be an object');
      body = parsed;
    }
    const policy =
      r.query.get('propagationPolicy') ??
      (typeof body.propagationPolicy === 'string'
        ? body.propagationPolicy
        : undefined);
    if (policy !== undefined && policy !== null) {
      if (!['Orphan', 'Background', 'Foreground'].includes(policy)) {
        throw errors.badRequest(
          `propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`,
        );
      }
      opts.propagationPolicy = policy as PropagationPolicy;
    } else if (
      body.orphanDependents === true ||
      r.query.get('orphanDependents') === 'true'
    ) {
      opts.propagationPolicy = 'Orphan';
    }
    const pre = asObject(body.preconditions);
    if (pre) {
      opts.preconditions = {
        uid: typeof pre.uid === 'string' ? pre.uid : undefined,
        resourceVersion:
          typeof pre.resourceVersion === 'string'
            ? pre.resourceVersion
            : undefined,
      };
    }
    if (Array.isArray(body.dryRun) && body.dryRun.includes('All'))
      opts.dryRun = true;
    return opts;
  }

  private async objectBody(
    r: ApiRequest,
    t: ResourceType,
  ): Promise<JsonObject> {
    const contentType = (r.req.headers['content-type'] ?? 'application/json')
      .split(';')[0]
      .trim()
      .toLowerCase();
    if (contentType === PROTOBUF_CONTENT_TYPE) {
      // custom resources have no protobuf form, as on a real API server
      if (t.custom || !acceptsProtobuf(apiVersionOf(t, 'v1'), t.kind)) {
        throw errors.unsupportedMediaType(
          contentType,
          ['application/json', 'application/yaml'],
          `no protobuf serialization of ${t.kind} here`,
        );
      }
      return decodeProtobufBody(await readBody(r.req));
    }
    if (
      contentType !== 'application/json' &&
      contentType !== 'application/yaml' &&
      contentType !== '*/*'
    ) {
      throw errors.unsupportedMediaType(contentType, [
        'application/json',
        'application/yaml',
      ]);
    }
    const body = parseBody(await readBody(r.req), contentType, true);
    if (!isObject(body))
      throw errors.badRequest('the request body must be a JSON object');
    return body;
  }

  private fieldSelector(r: ApiRequest, t: ResourceType): FieldSelector {
    return parseFieldSelector(
      r.query.get('fieldSelector'),
      field =>
        field === 'metadata.name' ||
        field === 'metadata.namespace' ||
        Boolean(t.fields?.[field]),
    );
  }

  private sendOne(
    r: ApiRequest,
    p: ResourcePath,
    stored: JsonObject,
    format: OutputFormat,
    code: number,
    warnings: string[],
  ): void {
    const obj = this.api.toVersion(p.type, stored, p.version);
    if (format.kind === 'table') {
      const rv = String(asObject(obj.metadata)?.resourceVersion ?? '');
      const table = toTable(
        p.type,
        p.version,
        [obj],
        { resourceVersion: rv },
        includeObjectOf(r.query),
        true,
      );
      sendText(
        r.res,
        code,
        JSON.stringify(table),
        `application/json;as=Table;v=${format.version};g=meta.k8s.io`,
        warnings,
      );
      return;
    }
    if (format.kind === 'partial') {
      sendText(
        r.res,
        code,
        JSON.stringify(partialMetadata(obj)),
        'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io',
        warnings,
      );
      return;
    }
    sendObject(r.res, code, obj, format, warnings);
  }

  private list(
    r: ApiRequest,
    p: ResourcePath,
    format: OutputFormat,
    warnings: string[],
  ): void {
    const t = p.type;
    const limitText = r.query.get('limit');
    const limit = limitText ? Number(limitText) : undefined;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
      throw errors.badRequest(
        `limit: Invalid value: "${limitText}": must be a non-negative integer`,
      );
    }
    const result = this.api.list(t, {
      namespace: p.namespace,
      labelSelector: parseLabelSelector(r.query.get('labelSelector')),
      fieldSelector: this.fieldSelector(r, t),
      limit,
      continueToken: r.query.get('continue') || undefined,
      resourceVersion: r.query.get('resourceVersion') ?? undefined,
      resourceVersionMatch: r.query.get('resourceVersionMatch') ?? undefined,
    });
    const listMeta: JsonObject = { resourceVersion: result.resourceVersion };
    if (result.continueToken) listMeta.continue = result.continueToken;
    if (result.remainingItemCount !== undefined)
      listMeta.remainingItemCount = result.remainingItemCount;
    const storage = storageVersion(t);
    if (format.kind === 'json' && p.version === storage) {
      const head = `{"kind":${JSON.stringify(
        t.listKind,
      )},"apiVersion":${JSON.stringify(
        apiVersionOf(t, p.version),
      )},"metadata":${JSON.stringify(listMeta)},"items":[`;
      if (r.res.headersSent) return;
      const headers: Record<string, string | string[]> = {
        'Content-Type': 'application/json',
        'Cache-Control': 'no-cache, private',
      };
      if (warnings.length)
        headers.Warning = warnings.map(w => `299 - ${JSON.stringify(w)}`);
      r.res.writeHead(200, headers);
      r.res.write(head);
      const chunk: string[] = [];
      let size = 0;
      for (let i = 0; i < result.texts.length; i++) {
        const piece = i === 0 ? result.texts[i] : `,${result.texts[i]}`;
        chunk.push(piece);
        size += piece.length;
        if (size > 256 * 1024) {
          r.res.write(chunk.join(''));
          chunk.length = 0;
          size = 0;
        }
      }
      chunk.push(']}');
      r.res.end(chunk.join(''));
      return;
    }
    const objects = result.texts.map(text =>
      this.api.toVersion(t, JSON.parse(text), p.version),
    );
    if (format.kind === 'table') {
      const table = toTable(
        t,
        p.version,
        objects,
        listMeta,
        includeObjectOf(r.query),
        true,
      );
      sendText(
        r.res,
        200,
        JSON.stringify(table),
        `application/json;as=Table;v=${format.version};g=meta.k8s.io`,
        warnings,
      );
      return;
    }
    if (format.kind === 'partial') {
      const list = {
        kind: 'PartialObjectMetadataList',
        apiVersion: 'meta.k8s.io/v1',
        metadata: listMeta,
        items: objects.map(o => partialMetadata(o)),
      };
      sendText(
        r.res,
        200,
        JSON.stringify(list),
        'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io',
        warnings,
      );
      return;
    }
    sendObject(
      r.res,
      200,
      {
        kind: t.listKind,
        apiVersion: apiVersionOf(t, p.version),
        metadata: listMeta,
        items: objects,
      },
      format,
      warnings,
    );
  }

  toScale(t: ResourceType, obj: JsonObject): JsonObject {
    const m = asObject(obj.metadata) ?? {};
    const spec = asObject(obj.spec) ?? {};
    const status = asObject(obj.status) ?? {};
    const scale: JsonObject = {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: m.name,
        namespace: m.namespace,
        uid: m.uid,
        resourceVersion: m.resourceVersion,
        creationTimestamp: m.creationTimestamp,
      },
      spec: { replicas: typeof spec.replicas === 'number' ? spec.replicas : 0 },
      status: {
        replicas: typeof status.replicas === 'number' ? status.replicas : 0,
      },
    };
    if (t.scale?.labelSelectorPath && typeof status.selector === 'string') {
      (scale.status as JsonObject).selector = status.selector;
    }
    return scale;
  }

  private updateScale(
    t: ResourceType,
    p: ResourcePath,
    body: JsonObject,
    opts: WriteOptions,
  ): JsonObject {
    const replicas = asObject(body.spec)?.replicas;
    if (
      typeof replicas !== 'number' ||
      !Number.isInteger(replicas) ||
      replicas < 0
    ) {
      throw errors.invalid(
        { group: 'autoscaling', plural: 'scale', kind: 'Scale' },
        p.name ?? '',
        [
          {
            reason: 'FieldValueInvalid',
            field: 'spec.replicas',
            message: `Invalid value: ${JSON.stringify(
              replicas,
            )}: must be greater than or equal to 0`,
          },
        ],
      );
    }
    const current = this.api.get(t, p.namespace, p.name ?? '');
    const rv = asObject(body.metadata)?.resourceVersion;
    if (
      typeof rv === 'string' &&
      rv !== '' &&
      rv !== asObject(current.metadata)?.resourceVersion
    ) {
      throw errors.staleUpdate(t, p.name ?? '');
    }
    const spec = asObject(current.spec) ?? {};
    spec.replicas = replicas;
    current.spec = spec;
    return this.api.update(t, p.namespace, p.name ?? '', current, {
      ...opts,
      version: storageVersion(t),
      subresource: undefined,
      fieldValidation: 'Ignore',
    });
  }

  private finalizeNamespace(
    t: ResourceType,
    p: ResourcePath,
    body: JsonObject,
    opts: WriteOptions,
  ): JsonObject {
    const current = this.api.get(t, undefined, p.name ?? '');
    const finalizers = asObject(body.spec)?.finalizers;
    current.spec = {
      ...(asObject(current.spec) ?? {}),
      finalizers: Array.isArray(finalizers) ? finalizers : [],
    };
    return this.api.update(t, undefined, p.name ?? '', current, {
      ...opts,
      internal: true,
      subresource: undefined,
    });
  }

  private watch(r: ApiRequest, p: ResourcePath, format: OutputFormat): void {
    const t = p.type;
    const timeoutText = r.query.get('timeoutSeconds');
    const timeoutSeconds = timeoutText ? Number(timeoutText) : undefined;
    if (
      timeoutSeconds !== undefined &&
      (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 0)
    ) {
      throw errors.badRequest(
        `timeoutSeconds: Invalid value: "${timeoutText}"`,
      );
    }
    const rvText = r.query.get('resourceVersion') ?? '';
    const sendInitialEvents = r.query.get('sendInitialEvents');
    const bookmarks = boolParam(r.query, 'allowWatchBookmarks');
    if (sendInitialEvents === 'true') {
      if (r.query.get('resourceVersionMatch') !== 'NotOlderThan') {
        throw errors.invalid(t, '', [
          {
            reason: 'FieldValueForbidden',
            field: 'resourceVersionMatch',
            message:
              'Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
          },
        ]);
      }
      if (!bookmarks) {
        throw errors.invalid(t, '', [
          {
            reason: 'FieldValueForbidden',
            field: 'allowWatchBookmarks',
            message:
              'Forbidden: sendInitialEvents requires setting allowWatchBookmarks to true',
          },
        ]);
      }
    }
    const rv =
      rvText === '' || rvText === '0'
        ? undefined
        : parseResourceVersion(rvText);
    const stream = new WatchStream(this, r, p, format, {
      labelSelector: parseLabelSelector(r.query.get('labelSelector')),
      fieldSelector: this.fieldSelector(r, t),
      bookmarks,
      bookmarkIntervalMs: this.options.bookmarkIntervalMs,
      timeoutMs:
        timeoutSeconds !== undefined
          ? timeoutSeconds * 1000
          : (1800 + Math.random() * 1800) * 1000,
      include: includeObjectOf(r.query),
    });
    stream.start(
      rv,
      sendInitialEvents === 'true' ||
        (sendInitialEvents === null && rv === undefined),
    );
  }
}

export function includeObjectOf(query: URLSearchParams): IncludeObject {
  const v = query.get('includeObject');
  if (v === 'None' || v === 'Object') return v;
  return 'Metadata';
}
