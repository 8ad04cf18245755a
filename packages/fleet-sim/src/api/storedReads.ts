/** Reading stored objects over HTTP: single objects, paged lists (JSON, Table, metadata only), scale and watches. */
import { ApiServer, parseResourceVersion } from './apiserver';
import { errors } from './errors';
import { OutputFormat, includeObjectOf } from './negotiation';
import { ResourceType, apiVersionOf, storageVersion } from './registry';
import { ApiRequest, ResourcePath, boolParam } from './request';
import { sendObject, sendText } from './response';
import {
  FieldSelector,
  parseFieldSelector,
  parseLabelSelector,
} from './selectors';
import { partialMetadata, toTable } from './table';
import { WatchHost, WatchStream } from './watch';
import { JsonObject, asObject } from '../util/json';

export function fieldSelectorOf(r: ApiRequest, t: ResourceType): FieldSelector {
  return parseFieldSelector(
    r.query.get('fieldSelector'),
    field =>
      field === 'metadata.name' ||
      field === 'metadata.namespace' ||
      Boolean(t.fields?.[field]),
  );
}

export function sendOne(
  api: ApiServer,
  r: ApiRequest,
  p: ResourcePath,
  stored: JsonObject,
  format: OutputFormat,
  code: number,
  warnings: string[],
): void {
  const obj = api.toVersion(p.type, stored, p.version);
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

export function listObjects(
  api: ApiServer,
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
  const result = api.list(t, {
    namespace: p.namespace,
    labelSelector: parseLabelSelector(r.query.get('labelSelector')),
    fieldSelector: fieldSelectorOf(r, t),
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
    api.toVersion(t, JSON.parse(text), p.version),
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

export function toScale(t: ResourceType, obj: JsonObject): JsonObject {
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

export function startWatch(
  host: WatchHost,
  bookmarkIntervalMs: number,
  r: ApiRequest,
  p: ResourcePath,
  format: OutputFormat,
): void {
  const t = p.type;
  const timeoutText = r.query.get('timeoutSeconds');
  const timeoutSeconds = timeoutText ? Number(timeoutText) : undefined;
  if (
    timeoutSeconds !== undefined &&
    (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 0)
  ) {
    throw errors.badRequest(`timeoutSeconds: Invalid value: "${timeoutText}"`);
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
    rvText === '' || rvText === '0' ? undefined : parseResourceVersion(rvText);
  const stream = new WatchStream(host, r, p, format, {
    labelSelector: parseLabelSelector(r.query.get('labelSelector')),
    fieldSelector: fieldSelectorOf(r, t),
    bookmarks,
    bookmarkIntervalMs: bookmarkIntervalMs,
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
