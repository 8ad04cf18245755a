import http from 'node:http';
import https from 'node:https';
import {
  ManagementClusterConnection,
  createConnectionAgent,
} from '@shipyard/plugin-shipyard-node';

const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** A Kubernetes object as far as the reconcilers care: metadata plus anything. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Array<{
      apiVersion: string;
      kind: string;
      name: string;
      uid: string;
      controller?: boolean;
    }>;
  };
  spec?: any;
  status?: any;
}

/** One page of a list. */
export interface KubeListPage {
  items: KubeObject[];
  /** resourceVersion of the list (set on every page; the last page's is the one to watch from). */
  resourceVersion: string;
  continueToken?: string;
}

/** A watch event. */
export type KubeWatchEvent =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject }
  | { type: 'BOOKMARK'; resourceVersion: string }
  | { type: 'ERROR'; status: KubeStatus };

/** A Kubernetes `Status` object (error bodies). */
export interface KubeStatus {
  kind?: 'Status';
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
}

/** An error answered by the API server, or a transport failure (`statusCode` 0). */
export class KubeApiError extends Error {
  readonly statusCode: number;
  readonly reason?: string;
  constructor(message: string, statusCode: number, reason?: string) {
    super(message);
    this.name = 'KubeApiError';
    this.statusCode = statusCode;
    this.reason = reason;
  }
  /** The requested resourceVersion is too old (410 Gone / Expired): relist. */
  get isExpired(): boolean {
    return (
      this.statusCode === 410 ||
      this.reason === 'Expired' ||
      this.reason === 'Gone'
    );
  }
}

/** Options of {@link KubeClient}. */
export interface KubeClientOptions {
  /** Deadline of one list or get request, body included (ms, default 30000). */
  requestTimeoutMs?: number;
  /** A response (or a watch event) that sends nothing for this long fails (ms, default min(10000, requestTimeoutMs)). */
  idleTimeoutMs?: number;
  /** Largest response body, and largest single watch event, accepted (bytes, default 64 MiB). */
  maxResponseBytes?: number;
  /** Maximum sockets to the API server. */
  maxSockets?: number;
}

/**
 * A small Kubernetes API client: JSON GETs, paged lists and newline-delimited watches over one keep-alive agent.
 * Nothing beyond what the reconcilers need; objects are parsed page by page and event by event.
 */
export class KubeClient {
  readonly name: string;
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly transport: typeof http | typeof https;
  private readonly requestTimeoutMs: number;
  private readonly idleTimeoutMs: number;
  private readonly maxResponseBytes: number;

  constructor(
    private readonly connection: ManagementClusterConnection,
    options: KubeClientOptions = {},
  ) {
    this.name = connection.name;
    this.base = new URL(connection.url);
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.idleTimeoutMs =
      options.idleTimeoutMs ?? Math.min(10_000, this.requestTimeoutMs);
    this.maxResponseBytes =
      options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.transport = this.base.protocol === 'https:' ? https : http;
    this.agent = createConnectionAgent(connection, {
      maxSockets: options.maxSockets ?? 32,
    });
  }

  /** Closes idle connections. */
  close(): void {
    this.agent.destroy();
  }

  /** GET a JSON document. */
  async getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
    const res = await this.request(path, signal, {
      idleMs: this.idleTimeoutMs,
      deadlineMs: this.requestTimeoutMs,
    });
    const body = await readBody(res, this.maxResponseBytes, path);
    if ((res.statusCode ?? 0) >= 300) {
      throw errorFromBody(res.statusCode ?? 0, body, path);
    }
    try {
      return JSON.parse(body) as T;
    } catch {
      throw new KubeApiError(`Invalid JSON from ${path}`, 0);
    }
  }

  /** Lists a collection page by page (`limit` + `continue`). */
  async *list(
    path: string,
    options: { pageSize: number; signal?: AbortSignal },
  ): AsyncGenerator<KubeListPage> {
    let continueToken: string | undefined;
    do {
      const params = new URLSearchParams({ limit: String(options.pageSize) });
      if (continueToken) params.set('continue', continueToken);
      const page = await this.getJson<{
        items?: KubeObject[];
        metadata?: { resourceVersion?: string; continue?: string };
      }>(`${path}?${params}`, options.signal);
      continueToken = page.metadata?.continue || undefined;
      yield {
        items: page.items ?? [],
        resourceVersion: page.metadata?.resourceVersion ?? '',
        continueToken,
      };
    } while (continueToken);
  }

  /**
   * Watches a collection from a resourceVersion. Ends when the server closes the stream; throws
   * {@link KubeApiError} (with `isExpired` for 410) on errors, including `ERROR` events.
   */
  async *watch(
    path: string,
    options: {
      resourceVersion: string;
      timeoutSeconds: number;
      signal?: AbortSignal;
      /** Called once the server accepted the watch. */
      onOpen?: () => void;
    },
  ): AsyncGenerator<KubeWatchEvent> {
    const params = new URLSearchParams({
      watch: '1',
      allowWatchBookmarks: 'true',
      resourceVersion: options.resourceVersion,
      timeoutSeconds: String(options.timeoutSeconds),
    });
    const res = await this.request(`${path}?${params}`, options.signal, {
      // no idle timeout shorter than the server-side one, plus slack
      idleMs: (options.timeoutSeconds + 30) * 1000,
      // a server that keeps the stream open past its own timeout (or dribbles bytes) is cut off
      deadlineMs: options.timeoutSeconds * 1000 + this.requestTimeoutMs,
    });
    if ((res.statusCode ?? 0) >= 300) {
      const body = await readBody(res, this.maxResponseBytes, path);
      throw errorFromBody(res.statusCode ?? 0, body, path);
    }
    options.onOpen?.();
    res.setEncoding('utf8');
    let buffer = '';
    try {
      for await (const chunk of res as AsyncIterable<string>) {
        buffer += chunk;
        let newline = buffer.indexOf('\n');
        while (newline >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          newline = buffer.indexOf('\n');
          if (line.trim().length === 0) continue;
          const event = parseWatchLine(line);
          if (event.type === 'ERROR') {
            throw new KubeApiError(
              event.status.message ?? 'watch error',
              event.status.code ?? 500,
              event.status.reason,
            );
          }
          yield event;
        }
        if (buffer.length > this.maxResponseBytes) {
          throw new KubeApiError(
            `watch ${path}: event larger than ${this.maxResponseBytes} bytes`,
            0,
            'TooLarge',
          );
        }
      }
    } catch (error) {
      if (options.signal?.aborted) return;
      if (error instanceof KubeApiError) throw error;
      throw new KubeApiError(
        `watch ${path} failed: ${(error as Error).message}`,
        0,
      );
    } finally {
      res.destroy();
    }
    if (buffer.trim().length > 0 && !options.signal?.aborted) {
      const event = parseWatchLine(buffer);
      if (event.type === 'ERROR') {
        throw new KubeApiError(
          event.status.message ?? 'watch error',
          event.status.code ?? 500,
          event.status.reason,
        );
      }
      yield event;
    }
  }

  private async request(
    path: string,
    signal: AbortSignal | undefined,
    timeouts: { idleMs: number; deadlineMs: number },
  ): Promise<http.IncomingMessage> {
    const token = await this.connection.getToken();
    const url = new URL(
      this.base.pathname.replace(/\/$/, '') + path,
      this.base,
    );
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(new KubeApiError('aborted', 0, 'Aborted'));
        return;
      }
      let response: http.IncomingMessage | undefined;
      const timers: { deadline?: NodeJS.Timeout } = {};
      const req = this.transport.request(
        url,
        {
          method: 'GET',
          agent: this.agent,
          headers: {
            accept: 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          signal,
        },
        res => {
          response = res;
          res.once('close', () => clearTimeout(timers.deadline));
          resolve(res);
        },
      );
      timers.deadline = setTimeout(() => {
        const error = new KubeApiError(
          `request to ${url.pathname} exceeded its deadline of ${timeouts.deadlineMs} ms`,
          0,
          'Timeout',
        );
        if (response) response.destroy(error);
        else req.destroy(error);
      }, timeouts.deadlineMs);
      timers.deadline.unref?.();
      req.once('close', () => {
        if (!response) clearTimeout(timers.deadline);
      });
      req.setTimeout(timeouts.idleMs, () => {
        const error = new KubeApiError(
          `request to ${url.pathname} idle for ${timeouts.idleMs} ms`,
          0,
          'Timeout',
        );
        if (response) response.destroy(error);
        else req.destroy(error);
      });
      req.on('error', error => {
        reject(
          error instanceof KubeApiError
            ? error
            : new KubeApiError(
                `${url.host}${url.pathname}: ${(error as Error).message}`,
                0,
                signal?.aborted ? 'Aborted' : undefined,
              ),
        );
      });
      req.end();
    });
  }
}

function parseWatchLine(line: string): KubeWatchEvent {
  let parsed: { type?: string; object?: any };
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new KubeApiError('invalid watch event', 0);
  }
  switch (parsed.type) {
    case 'ADDED':
    case 'MODIFIED':
    case 'DELETED':
      return { type: parsed.type, object: parsed.object as KubeObject };
    case 'BOOKMARK':
      return {
        type: 'BOOKMARK',
        resourceVersion: String(parsed.object?.metadata?.resourceVersion ?? ''),
      };
    case 'ERROR':
      return { type: 'ERROR', status: (parsed.object ?? {}) as KubeStatus };
    default:
      throw new KubeApiError(`unknown watch event type ${parsed.type}`, 0);
  }
}

/**
 * Reads a whole body (list pages are megabytes: one copy from the chunks, no string concatenation), refusing
 * bodies larger than `maxBytes`.
 */
async function readBody(
  res: http.IncomingMessage,
  maxBytes: number,
  path: string,
): Promise<string> {
  const tooLarge = () => {
    res.destroy();
    return new KubeApiError(
      `${path}: response larger than ${maxBytes} bytes`,
      0,
      'TooLarge',
    );
  };
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      length += chunk.length;
      if (length > maxBytes) throw tooLarge();
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof KubeApiError) throw error;
    throw new KubeApiError(`${path}: ${(error as Error).message}`, 0);
  }
  return Buffer.concat(chunks, length).toString('utf8');
}

function errorFromBody(
  statusCode: number,
  body: string,
  path: string,
): KubeApiError {
  try {
    const status = JSON.parse(body) as KubeStatus;
    if (status && status.kind === 'Status') {
      return new KubeApiError(
        `${path}: ${status.message ?? statusCode}`,
        statusCode,
        status.reason,
      );
    }
  } catch {
    // not a Status body
  }
  return new KubeApiError(`${path}: HTTP ${statusCode}`, statusCode);
}
