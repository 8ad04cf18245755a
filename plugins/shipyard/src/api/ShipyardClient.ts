import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  ClusterClassSummary,
  ClusterKey,
  ClusterListItem,
  ClusterOperationName,
  FleetChangeEvent,
  ListClustersRequest,
  ListClustersResponse,
  ShipyardOpenApi,
  toListClustersQuery,
  toListClustersQueryString,
  responseBody,
  retryTransient,
  sleep,
  unlessAborted,
} from '@shipyard/plugin-shipyard-common';
import {
  AuditQuery,
  ClusterOperationBody,
  GeneratedAnswer,
  GeneratedClusterOperations,
  GeneratedOperation,
  ShipyardApi,
  ShipyardReads,
  ShipyardRequestOptions,
  generatedClusterOperations,
  shipyardReads,
} from './ShipyardApi';
import { SseParser } from './sse';
import {
  FleetEventsListener,
  FleetStreamState,
  FleetSubscription,
} from './types';

/** Options of `ShipyardClient`. */
export interface ShipyardClientOptions {
  discoveryApi: DiscoveryApi;
  fetchApi: FetchApi;
  /** First reconnect delay of the event stream (ms); doubled per failure up to 30 s. Default 1 s. */
  reconnectDelayMs?: number;
  /**
   * The delays (ms) before asking a read again after a failure worth another try (`isTransientError`: a 5xx or 429
   * answer, a failed or reset connection), one per further try; the read fails with the last error after them.
   * Default 0.5, 1, 2 and 4 s. Operations (the POSTs) are not asked again. A read whose caller gives up (its
   * `signal` aborts) fails with the signal's reason, at once, as the backend plugins' `retryTransient` does.
   */
  retryDelaysMs?: number[];
}

const DEFAULT_RETRY_DELAYS_MS = [500, 1000, 2000, 4000];

/** Asks a read again after transient failures, as `ShipyardClientOptions.retryDelaysMs` says. */
type ReadAgain = <T>(ask: () => Promise<T>, signal?: AbortSignal) => Promise<T>;

/**
 * A read of the generated client: `send` (an operation given the caller's signal) asked again after transient
 * failures; the body of its successful answer (a `ResponseError` otherwise).
 */
type Read = <Answer>(
  send: (
    options: ShipyardRequestOptions,
  ) => Promise<ShipyardOpenApi.TypedResponse<Answer>>,
  signal?: AbortSignal,
) => Promise<Answer>;

const MAX_RECONNECT_DELAY_MS = 30_000;

/** How long a read begun ahead (`readClustersAhead`) waits for the call that takes it over (ms). */
const READ_AHEAD_MS = 10_000;

/** An operation of the generated client as a function of its request and the request options. */
function generatedOperation<Request extends object, Answer>(
  api: ShipyardOpenApi.DefaultApiClient,
  operation: GeneratedOperation,
): (
  request: Request,
  options?: ShipyardRequestOptions,
) => Promise<ShipyardOpenApi.TypedResponse<Answer>> {
  const call = api[operation] as unknown as (
    this: ShipyardOpenApi.DefaultApiClient,
    request: Request,
    options: ShipyardRequestOptions,
  ) => Promise<ShipyardOpenApi.TypedResponse<Answer>>;
  return (request, options) =>
    call.call(api, request, { signal: options?.signal });
}

/** The generated operation of a day-2 operation: every one takes the cluster's path and its body. */
function clusterOperationCall<Operation extends ClusterOperationName>(
  api: ShipyardOpenApi.DefaultApiClient,
  operation: Operation,
) {
  if (
    !Object.prototype.hasOwnProperty.call(generatedClusterOperations, operation)
  ) {
    throw new Error(`Unknown cluster operation ${operation}`);
  }
  const send = generatedOperation<
    { path: ClusterKey; body: ClusterOperationBody<Operation> },
    GeneratedAnswer<GeneratedClusterOperations[Operation]>
  >(api, generatedClusterOperations[operation]);
  return async (request: {
    path: ClusterKey;
    body: ClusterOperationBody<Operation>;
  }) => responseBody(await send(request));
}

/** Each read of {@link shipyardReads}: its generated operation called with what the table says the read takes. */
function generatedReads(
  api: ShipyardOpenApi.DefaultApiClient,
  read: Read,
): ShipyardReads {
  const reads = Object.entries(shipyardReads).map(
    ([method, [operation, input]]) => {
      const send = generatedOperation<object, unknown>(api, operation);
      const tableRead = (
        argument?: unknown,
        options?: ShipyardRequestOptions,
      ): Promise<unknown> => {
        if (input === 'nothing') {
          const { signal } = (argument as ShipyardRequestOptions) ?? {};
          return read(init => send({}, init), signal);
        }
        const request =
          input === 'key' ? { path: argument } : { query: argument ?? {} };
        return read(init => send(request, init), options?.signal);
      };
      return [method, tableRead];
    },
  );
  return Object.fromEntries(reads) as ShipyardReads;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The reads of {@link shipyardReads}, which each `ShipyardClient` answers from the table. */
export interface ShipyardClient extends ShipyardReads {}

/**
 * The frontend's `ShipyardApi`: the reads go through the client generated from the backend's OpenAPI spec (on the
 * Discovery and Fetch APIs); the reads that answer one operation's body as it is come from the table
 * {@link shipyardReads}, and this class adds what a page needs on top of it: errors as `ResponseError`, reads asked
 * again after a failure on the way (a page whose first read fails once does not stay empty), the `fields=list`
 * overload, every page of the ClusterClasses, an empty history from backends without one, and one shared,
 * reconnecting event stream (Server-Sent Events, which the generated client answers only as a raw response).
 */
export class ShipyardClient implements ShipyardApi {
  private readonly api: ShipyardOpenApi.DefaultApiClient;
  private readonly reconnectDelayMs: number;
  private readonly again: ReadAgain;
  private readonly read: Read;
  private readonly listeners = new Set<FleetEventsListener>();
  private stream?: AbortController;
  private streamState: FleetStreamState = 'closed';
  private lastRevision: number | undefined;
  /** The read `readClustersAhead` began, by its query string, until a call takes it over or `until` passes. */
  private ahead?: {
    key: string;
    answer: Promise<ListClustersResponse<ClusterListItem>>;
    until: number;
  };

  constructor(options: ShipyardClientOptions) {
    this.api = new ShipyardOpenApi.DefaultApiClient({
      discoveryApi: options.discoveryApi,
      fetchApi: options.fetchApi,
    });
    this.reconnectDelayMs = options.reconnectDelayMs ?? 1000;
    const delaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.again = (ask, signal) => retryTransient(ask, { delaysMs, signal });
    this.read = (send, signal) =>
      this.again(async () => responseBody(await send({ signal })), signal);
    Object.assign(this, generatedReads(this.api, this.read));
  }

  // items are ClusterSummary or, with fields=list, ClusterListItem (the overloads of ShipyardApi say which)
  readonly listClusters = (async (
    request: ListClustersRequest = {},
    options?: ShipyardRequestOptions,
  ): Promise<ListClustersResponse<ClusterListItem>> => {
    const ahead = this.takeAhead(request);
    if (ahead) return unlessAborted(ahead, options?.signal);
    return this.readClusters(request, options?.signal);
  }) as ShipyardApi['listClusters'];

  readonly readClustersAhead: NonNullable<ShipyardApi['readClustersAhead']> =
    request => {
      const answer = this.readClusters(request);
      // its failure is for the call that takes it over; one that never comes leaves nothing unhandled
      answer.catch(() => undefined);
      this.ahead = {
        key: toListClustersQueryString(request),
        answer,
        until: Date.now() + READ_AHEAD_MS,
      };
    };

  /** The read begun ahead with this request, once, within its time; undefined otherwise. */
  private takeAhead(
    request: ListClustersRequest,
  ): Promise<ListClustersResponse<ClusterListItem>> | undefined {
    const ahead = this.ahead;
    if (!ahead) return undefined;
    if (ahead.until <= Date.now()) {
      this.ahead = undefined;
      return undefined;
    }
    if (ahead.key !== toListClustersQueryString(request)) return undefined;
    this.ahead = undefined;
    return ahead.answer;
  }

  private async readClusters(
    request: ListClustersRequest,
    signal?: AbortSignal,
  ): Promise<ListClustersResponse<ClusterListItem>> {
    return (await this.read(
      init =>
        this.api.listClusters({ query: toListClustersQuery(request) }, init),
      signal,
    )) as ListClustersResponse<ClusterListItem>;
  }

  readonly listClusterClasses: ShipyardApi['listClusterClasses'] = async (
    managementCluster,
    options,
  ) => {
    const items: ClusterClassSummary[] = [];
    let cursor: string | undefined;
    do {
      const query = { managementCluster, limit: 500, cursor };
      const page = await this.read(
        init => this.api.listClusterClasses({ query }, init),
        options?.signal,
      );
      items.push(...(page.items as ClusterClassSummary[]));
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  };

  readonly runClusterOperation: ShipyardApi['runClusterOperation'] = async (
    key,
    operation,
    body,
  ) => clusterOperationCall(this.api, operation)({ path: { ...key }, body });

  readonly decideDecommission: ShipyardApi['decideDecommission'] = async (
    key,
    decision,
    body,
  ) => {
    const path = { ...key };
    if (decision === 'approve') {
      return responseBody(
        await this.api.approveDecommission({
          path,
          body: { confirm: body.confirm ?? '', reason: body.reason },
        }),
      );
    }
    return responseBody(
      await this.api.cancelDecommission({
        path,
        body: body.reason ? { reason: body.reason } : {},
      }),
    );
  };

  readonly listClusterOperations: ShipyardApi['listClusterOperations'] = async (
    key,
    options,
  ) =>
    (
      await this.read(
        init => this.api.listClusterOperations({ path: key }, init),
        options?.signal,
      )
    ).items;

  readonly listAuditRecords: ShipyardApi['listAuditRecords'] = async (
    query = {},
    options,
  ) => {
    const defined = Object.fromEntries(
      Object.entries(query).filter(([, v]) => v !== undefined && v !== ''),
    ) as AuditQuery;
    return this.read(
      init => this.api.listAuditRecords({ query: defined }, init),
      options?.signal,
    );
  };

  readonly getClusterHistory: ShipyardApi['getClusterHistory'] = async (
    key,
    options,
  ) => {
    return this.again(async () => {
      const response = await this.api.getClusterHistory(
        { path: key, query: { cursor: options?.cursor } },
        { signal: options?.signal },
      );
      // backends without health history answer 404 for the route
      if (response.status === 404) {
        return { items: [] };
      }
      return responseBody(response);
    }, options?.signal);
  };

  subscribe(listener: FleetEventsListener): FleetSubscription {
    this.listeners.add(listener);
    listener.onState?.(
      this.streamState === 'closed' ? 'connecting' : this.streamState,
    );
    if (!this.stream) {
      const controller = new AbortController();
      this.stream = controller;
      this.runStream(controller.signal).catch(() => {});
    }
    let active = true;
    return {
      unsubscribe: () => {
        if (!active) return;
        active = false;
        this.listeners.delete(listener);
        if (this.listeners.size === 0 && this.stream) {
          this.stream.abort();
          this.stream = undefined;
          this.streamState = 'closed';
        }
      },
    };
  }

  private setState(state: FleetStreamState) {
    if (this.streamState === state) return;
    this.streamState = state;
    for (const l of [...this.listeners]) l.onState?.(state);
  }

  private async runStream(signal: AbortSignal): Promise<void> {
    const conn: { delay: number; lastId?: string } = {
      delay: this.reconnectDelayMs,
    };
    while (!signal.aborted) {
      this.setState(
        this.lastRevision === undefined ? 'connecting' : 'reconnecting',
      );
      let opened = false;
      try {
        opened = await this.readStream(signal, conn);
      } catch {
        if (signal.aborted) return;
      }
      if (signal.aborted) return;
      if (opened) conn.delay = this.reconnectDelayMs;
      this.setState('reconnecting');
      await sleep(conn.delay, signal);
      if (!opened)
        conn.delay = Math.min(conn.delay * 2, MAX_RECONNECT_DELAY_MS);
    }
  }

  /** Reads one connection of the event stream until it ends; true when it was open (received data). */
  private async readStream(
    signal: AbortSignal,
    conn: { delay: number; lastId?: string },
  ): Promise<boolean> {
    let opened = false;
    const markOpen = () => {
      if (!opened) {
        opened = true;
        this.setState('open');
      }
    };
    const response = await this.api.streamEvents(
      conn.lastId ? { header: { 'Last-Event-ID': conn.lastId } } : {},
      { signal },
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response as Response);
    }
    if (!response.body) throw new Error('The event stream has no body');
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    const parser = new SseParser({
      onRetry: ms => {
        conn.delay = Math.max(ms, 250);
      },
      onMessage: message => {
        if (message.id) conn.lastId = message.id;
        if (message.event === 'hello') {
          markOpen();
          const revision = safeJson(message.data)?.revision;
          if (typeof revision === 'number') {
            this.lastRevision = revision;
            for (const l of [...this.listeners]) l.onHello?.(revision);
          }
        } else if (message.event === 'change') {
          const parsed = safeJson(message.data);
          if (parsed && Array.isArray(parsed.changes)) {
            const event = parsed as unknown as FleetChangeEvent;
            this.lastRevision = event.revision;
            for (const l of [...this.listeners]) l.onChange(event);
          }
        }
      },
    });
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      markOpen();
      parser.push(decoder.decode(value, { stream: true }));
    }
    return opened;
  }
}

function safeJson(data: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(data);
    return isRecord(v) ? v : undefined;
  } catch {
    return undefined;
  }
}
