/**
 * The resources of a simulated workload cluster, read-only and computed from its management cluster: list pages
 * (a plain JSON page is serialized once per state of the cluster), single objects, Tables and metadata-only
 * output, selectors, and watches that list and then keep the connection open with bookmarks.
 */
import { errors } from '../api/errors';
import { OutputFormat, includeObjectOf, negotiate } from '../api/negotiation';
import { ResourceType } from '../api/registry';
import { ApiRequest, ResourcePath } from '../api/request';
import { sendObject, sendText } from '../api/response';
import { ResourceHandler } from '../api/router';
import {
  FieldSelector,
  LabelSelector,
  parseFieldSelector,
  parseLabelSelector,
} from '../api/selectors';
import { partialMetadata, toTable } from '../api/table';
import { JsonObject, asObject } from '../util/json';
import type { ListPage, WorkloadCluster } from './workload';

export class WorkloadResources implements ResourceHandler {
  constructor(private readonly w: WorkloadCluster) {}

  serve(r: ApiRequest, _method: string, p: ResourcePath): void {
    const { type: t, namespace, name, watch } = p;
    // workload clusters serve no subresources
    if (p.subresource !== undefined) throw errors.pathNotFound();
    const format = negotiate(r.req.headers.accept, {
      table: true,
      partial: true,
    });
    const watching =
      watch || r.query.get('watch') === 'true' || r.query.get('watch') === '1';
    // a plain JSON list page (what health probes read) is serialized once per state of the cluster
    const pageKey =
      format.kind === 'json' &&
      name === undefined &&
      !watching &&
      !r.query.has('labelSelector') &&
      !r.query.has('fieldSelector')
        ? `${t.id}\0${namespace ?? ''}\0${r.query.get('continue') ?? ''}\0${
            r.query.get('limit') ?? ''
          }`
        : undefined;
    const served = pageKey !== undefined ? this.w.current() : undefined;
    const cached =
      pageKey !== undefined ? served?.pages.get(pageKey) : undefined;
    if (cached) {
      this.sendPage(r, t, cached);
      return;
    }
    let objects = this.w.objects(t);
    if (namespace !== undefined)
      objects = objects.filter(
        o => asObject(o.metadata)?.namespace === namespace,
      );
    if (name !== undefined && !watch) {
      const found = objects.find(o => asObject(o.metadata)?.name === name);
      if (!found) throw errors.notFound(t, name);
      this.send(r, t, [found], format, false);
      return;
    }
    const labelSelector = parseLabelSelector(r.query.get('labelSelector'));
    const fieldSelector = parseFieldSelector(
      r.query.get('fieldSelector'),
      f =>
        f === 'metadata.name' ||
        f === 'metadata.namespace' ||
        Boolean(t.fields?.[f]),
    );
    objects = filter(objects, t, labelSelector, fieldSelector);
    if (watching) {
      this.watch(r, t, objects, format);
      return;
    }
    let start = 0;
    const cont = r.query.get('continue');
    if (cont) {
      const parsed = /^o(\d+)$/.exec(
        Buffer.from(cont, 'base64').toString('utf8'),
      );
      if (!parsed) throw errors.badRequest('continue key is not valid');
      start = Number(parsed[1]);
    }
    const limit = Number(r.query.get('limit') ?? 0);
    const page =
      limit > 0 ? objects.slice(start, start + limit) : objects.slice(start);
    const next =
      limit > 0 && start + limit < objects.length
        ? Buffer.from(`o${start + limit}`).toString('base64')
        : undefined;
    const remaining = next ? objects.length - start - limit : undefined;
    if (pageKey !== undefined && served) {
      const listPage: ListPage = {
        items: JSON.stringify(page),
        cont: next,
        remaining,
      };
      served.pages.set(pageKey, listPage);
      this.sendPage(r, t, listPage);
      return;
    }
    this.send(r, t, page, format, true, next, remaining);
  }

  /** The `metadata` of a list: its resourceVersion, and where a paged list continues. */
  private listMeta(cont?: string, remaining?: number): JsonObject {
    const listMeta: JsonObject = { resourceVersion: this.listRv() };
    if (cont) listMeta.continue = cont;
    if (remaining !== undefined) listMeta.remainingItemCount = remaining;
    return listMeta;
  }

  /** Sends a plain JSON list page: the same text `send` makes of it, around the items serialized before. */
  private sendPage(r: ApiRequest, t: ResourceType, page: ListPage): void {
    const listMeta = this.listMeta(page.cont, page.remaining);
    sendText(
      r.res,
      200,
      `{"kind":${JSON.stringify(t.listKind)},"apiVersion":${JSON.stringify(
        t.group ? `${t.group}/v1` : 'v1',
      )},"metadata":${JSON.stringify(listMeta)},"items":${page.items}}`,
      'application/json',
    );
  }

  private listRv(): string {
    return this.w.listRv();
  }

  private send(
    r: ApiRequest,
    t: ResourceType,
    objects: JsonObject[],
    format: OutputFormat,
    list: boolean,
    cont?: string,
    remaining?: number,
  ): void {
    const listMeta = this.listMeta(cont, remaining);
    if (format.kind === 'table') {
      const table = toTable(
        t,
        'v1',
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
      );
      return;
    }
    if (format.kind === 'partial') {
      const body = list
        ? {
            kind: 'PartialObjectMetadataList',
            apiVersion: 'meta.k8s.io/v1',
            metadata: listMeta,
            items: objects.map(o => partialMetadata(o)),
          }
        : partialMetadata(objects[0]);
      sendObject(r.res, 200, body, { kind: 'json' });
      return;
    }
    if (!list) {
      sendObject(r.res, 200, objects[0], format);
      return;
    }
    sendObject(
      r.res,
      200,
      {
        kind: t.listKind,
        apiVersion: t.group ? `${t.group}/v1` : 'v1',
        metadata: listMeta,
        items: objects,
      },
      format,
    );
  }

  private watch(
    r: ApiRequest,
    t: ResourceType,
    objects: JsonObject[],
    format: OutputFormat,
  ): void {
    const res = r.res;
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Transfer-Encoding': 'chunked',
    });
    const rvText = r.query.get('resourceVersion') ?? '';
    if (rvText === '' || rvText === '0') {
      for (const o of objects) {
        const body =
          format.kind === 'table'
            ? toTable(t, 'v1', [o], {}, includeObjectOf(r.query), true)
            : o;
        res.write(`${JSON.stringify({ type: 'ADDED', object: body })}\n`);
      }
    }
    const timeout = Number(r.query.get('timeoutSeconds') ?? 1800);
    const bookmarks = r.query.get('allowWatchBookmarks') === 'true';
    const interval = bookmarks
      ? setInterval(() => {
          res.write(
            `${JSON.stringify({
              type: 'BOOKMARK',
              object: {
                kind: t.kind,
                apiVersion: 'v1',
                metadata: { resourceVersion: this.listRv() },
              },
            })}\n`,
          );
        }, 30_000)
      : undefined;
    interval?.unref();
    const timer = setTimeout(() => res.end(), Math.max(0, timeout) * 1000);
    timer.unref();
    res.on('close', () => {
      clearTimeout(timer);
      if (interval) clearInterval(interval);
    });
  }
}

function filter(
  objects: JsonObject[],
  t: ResourceType,
  labels: LabelSelector,
  fields: FieldSelector,
): JsonObject[] {
  return objects.filter(o => {
    const m = asObject(o.metadata) ?? {};
    const l: Record<string, string> = {};
    for (const [k, v] of Object.entries(asObject(m.labels) ?? {}))
      if (typeof v === 'string') l[k] = v;
    if (!labels.matches(l)) return false;
    return fields.matches(f => {
      if (f === 'metadata.name') return String(m.name);
      if (f === 'metadata.namespace') return String(m.namespace ?? '');
      return t.fields?.[f]?.(o);
    });
  });
}
