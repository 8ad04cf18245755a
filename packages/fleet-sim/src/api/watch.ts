/** Watch streams of stored objects: newline-delimited events, flushed per event. */
import { ApiServer } from './apiserver';
import { statusBody } from './errors';
import { OutputFormat } from './negotiation';
import { apiVersionOf, storageVersion } from './registry';
import { ApiRequest, ResourcePath } from './request';
import { FieldSelector, LabelSelector } from './selectors';
import { IncludeObject, partialMetadata, toTable } from './table';
import { EventSink, StoreEvent } from '../store/store';
import { JsonObject, asObject } from '../util/json';

/** What a watch needs of the API it serves: the API server, and the set of open watches it joins. */
export interface WatchHost {
  readonly api: ApiServer;
  readonly watches: Set<WatchStream>;
}

export interface WatchOptions {
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
    private readonly handler: WatchHost,
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
