/**
 * The verbs over stored objects of a management cluster's API server: get, list and watch (see storedReads.ts),
 * create, update, patch (JSON, merge, strategic, apply), delete and deletecollection, and the status, scale and
 * finalize subresources.
 */
import {
  ApiServer,
  DeleteOptions,
  PatchType,
  PropagationPolicy,
  WriteOptions,
} from './apiserver';
import { ApiError, errors, statusBody } from './errors';
import { negotiate } from './negotiation';
import {
  PROTOBUF_CONTENT_TYPE,
  acceptsProtobuf,
  decodeProtobufBody,
} from './protobuf';
import { ResourceType, apiVersionOf, storageVersion } from './registry';
import {
  ApiRequest,
  ResourcePath,
  boolParam,
  fieldValidationOf,
} from './request';
import { parseBody, readBody, sendObject } from './response';
import { ResourceHandler } from './router';
import { parseLabelSelector } from './selectors';
import {
  fieldSelectorOf,
  listObjects,
  sendOne,
  startWatch,
  toScale,
} from './storedReads';
import { WatchHost, WatchStream } from './watch';
import { objectKey } from '../store/store';
import {
  JsonObject,
  asObject,
  isObject,
  jsonMergePatch,
  jsonPatch,
} from '../util/json';

export class StoredResources implements ResourceHandler, WatchHost {
  readonly watches = new Set<WatchStream>();

  constructor(
    readonly api: ApiServer,
    private readonly bookmarkIntervalMs: number,
  ) {}

  /** Drops every watch connection abruptly, as a crashed server or a broken network does. */
  dropWatches(): void {
    for (const w of [...this.watches]) w.abort();
  }

  /** Ends every watch cleanly, as a shutting-down API server does. */
  endWatches(): void {
    for (const w of [...this.watches]) w.end();
  }

  async serve(r: ApiRequest, method: string, p: ResourcePath): Promise<void> {
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
        const format = negotiate(accept, { table: true, partial: true });
        startWatch(this, this.bookmarkIntervalMs, r, p, format);
        return;
      }
      if (collection) {
        const format = negotiate(accept, { table: true, partial: true });
        listObjects(this.api, r, p, format, warnings);
        return;
      }
      const format = negotiate(accept, { table: true, partial: true });
      const stored = this.api.get(t, p.namespace, p.name ?? '');
      if (p.subresource === 'scale') {
        sendObject(r.res, 200, toScale(t, stored), format, warnings);
        return;
      }
      sendOne(this.api, r, p, stored, format, 200, warnings);
      return;
    }
    if (method === 'POST') {
      if (!collection) throw errors.methodNotAllowed();
      const format = negotiate(accept, {});
      const body = await this.objectBody(r, t);
      const created = this.api.create(
        t,
        p.namespace,
        body,
        this.writeOptions(r, p, warnings),
      );
      sendOne(this.api, r, p, created, format, 201, warnings);
      return;
    }
    if (method === 'PUT') {
      if (collection) throw errors.methodNotAllowed();
      const format = negotiate(accept, {});
      const body = await this.objectBody(r, t);
      const opts = this.writeOptions(r, p, warnings);
      if (p.subresource === 'scale') {
        const updated = this.updateScale(t, p, body, opts);
        sendObject(r.res, 200, toScale(t, updated), format, warnings);
        return;
      }
      if (p.subresource === 'finalize') {
        const updated = this.finalizeNamespace(t, p, body, opts);
        sendOne(this.api, r, p, updated, format, 200, warnings);
        return;
      }
      const updated = this.api.update(t, p.namespace, p.name ?? '', body, opts);
      sendOne(this.api, r, p, updated, format, 200, warnings);
      return;
    }
    if (method === 'PATCH') {
      if (collection) throw errors.methodNotAllowed();
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
        const current = toScale(t, this.api.get(t, p.namespace, p.name ?? ''));
        const patched =
          patchType === 'json'
            ? jsonPatch(current, body)
            : jsonMergePatch(current, body);
        if (!isObject(patched)) throw errors.badRequest('invalid scale patch');
        const updated = this.updateScale(t, p, patched, opts);
        sendObject(r.res, 200, toScale(t, updated), format, warnings);
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
      sendOne(
        this.api,
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
        const labelSelector = parseLabelSelector(r.query.get('labelSelector'));
        const fieldSelector = fieldSelectorOf(r, t);
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
      const result = this.api.delete(t, p.namespace, p.name ?? '', options);
      if (t.returnDeletedObject || !result.deleted) {
        sendOne(this.api, r, p, result.object, format, 200, warnings);
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
}
