import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  ClusterKey,
  ClusterOperationName,
  DecommissionDecision,
  ClusterListItem,
  FleetChangeEvent,
  ListClustersRequest,
  ListClustersResponse,
  ClusterClassSummary,
  ShipyardOpenApi,
  toListClustersQuery,
  responseBody,
} from '@shipyard/plugin-shipyard-common';
import {
  AuditQuery,
  ClusterOperationBody,
  DecommissionDecisionBody,
  GeneratedAnswer,
  GeneratedClusterOperations,
  ShipyardApi,
  ShipyardHealth,
  ShipyardRequestOptions,
  VersionDebtRequest,
  ObjectivesRequest,
} from './ShipyardApi';
import { SseParser } from './sse';
import {
  FleetEventsListener,
  FleetStreamState,
  FleetSubscription,
} from './types';

/** Options of {@link ShipyardClient}. */
export interface ShipyardClientOptions {
  discoveryApi: DiscoveryApi;
  fetchApi: FetchApi;
  /** First reconnect delay of the event stream (ms); doubled per failure up to 30 s. Default 1 s. */
  reconnectDelayMs?: number;
}

const MAX_RECONNECT_DELAY_MS = 30_000;

/** The generated operation of each day-2 operation on one cluster. */
const CLUSTER_OPERATIONS: GeneratedClusterOperations = {
  pause: 'pauseCluster',
  resume: 'resumeCluster',
  scale: 'scaleCluster',
  delete: 'decommissionCluster',
  update: 'moveClusterProfileVersion',
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The frontend's `ShipyardApi`: the reads go through the client generated from the backend's OpenAPI spec (on the
 * Discovery and Fetch APIs); this class adds what a page needs on top of it: errors as `ResponseError`, the
 * `fields=list` overload, an empty history from backends without one, and one shared, reconnecting event stream
 * (Server-Sent Events, which the generated client answers only as a raw response).
 */
export class ShipyardClient implements ShipyardApi {
  private readonly api: ShipyardOpenApi.DefaultApiClient;
  private readonly reconnectDelayMs: number;
  private readonly listeners = new Set<FleetEventsListener>();
  private stream?: AbortController;
  private streamState: FleetStreamState = 'closed';
  private lastRevision: number | undefined;

  constructor(options: ShipyardClientOptions) {
    this.api = new ShipyardOpenApi.DefaultApiClient({
      discoveryApi: options.discoveryApi,
      fetchApi: options.fetchApi,
    });
    this.reconnectDelayMs = options.reconnectDelayMs ?? 1000;
  }

  async getHealth(): Promise<ShipyardHealth> {
    return responseBody(await this.api.getHealth());
  }

  listClusters(
    request?: ListClustersRequest & { fields?: 'full' },
    options?: ShipyardRequestOptions,
  ): Promise<ListClustersResponse>;
  listClusters(
    request: ListClustersRequest & { fields: 'list' },
    options?: ShipyardRequestOptions,
  ): Promise<ListClustersResponse<ClusterListItem>>;
  async listClusters(
    request: ListClustersRequest = {},
    options?: ShipyardRequestOptions,
  ): Promise<ListClustersResponse<ClusterListItem>> {
    const page = await responseBody(
      await this.api.listClusters(
        { query: toListClustersQuery(request) },
        { signal: options?.signal },
      ),
    );
    // items are ClusterSummary or, with fields=list, ClusterListItem (the overloads say which)
    return page as ListClustersResponse<ClusterListItem>;
  }

  async getCluster(
    key: ClusterKey,
    options?: ShipyardRequestOptions,
  ): Promise<GeneratedAnswer<'getCluster'>> {
    return responseBody(
      await this.api.getCluster({ path: key }, { signal: options?.signal }),
    );
  }

  async getSummary(
    options?: ShipyardRequestOptions,
  ): Promise<GeneratedAnswer<'getFleetSummary'>> {
    return responseBody(
      await this.api.getFleetSummary({}, { signal: options?.signal }),
    );
  }

  async listManagementClusters(
    options?: ShipyardRequestOptions,
  ): Promise<GeneratedAnswer<'listManagementClusters'>> {
    return responseBody(
      await this.api.listManagementClusters({}, { signal: options?.signal }),
    );
  }

  async listClusterClasses(
    managementCluster: string,
    options?: ShipyardRequestOptions,
  ): Promise<ClusterClassSummary[]> {
    const items: ClusterClassSummary[] = [];
    let cursor: string | undefined;
    do {
      const page = await responseBody(
        await this.api.listClusterClasses(
          { query: { managementCluster, limit: 500, cursor } },
          { signal: options?.signal },
        ),
      );
      items.push(...(page.items as ClusterClassSummary[]));
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  }

  async runClusterOperation<Operation extends ClusterOperationName>(
    key: ClusterKey,
    operation: Operation,
    body: ClusterOperationBody<Operation>,
  ): Promise<GeneratedAnswer<GeneratedClusterOperations[Operation]>> {
    if (!Object.prototype.hasOwnProperty.call(CLUSTER_OPERATIONS, operation)) {
      throw new Error(`Unknown cluster operation ${operation}`);
    }
    // every day-2 operation of the generated client takes the cluster's path and its body
    const generated = this.api[CLUSTER_OPERATIONS[operation]] as unknown as (
      this: ShipyardOpenApi.DefaultApiClient,
      request: { path: ClusterKey; body: ClusterOperationBody<Operation> },
    ) => Promise<
      ShipyardOpenApi.TypedResponse<
        GeneratedAnswer<GeneratedClusterOperations[Operation]>
      >
    >;
    return responseBody(
      await generated.call(this.api, { path: { ...key }, body }),
    );
  }

  async decideDecommission(
    key: ClusterKey,
    decision: DecommissionDecision,
    body: DecommissionDecisionBody,
  ): Promise<GeneratedAnswer<'approveDecommission' | 'cancelDecommission'>> {
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
  }

  async listClusterOperations(
    key: ClusterKey,
    options?: ShipyardRequestOptions,
  ): Promise<GeneratedAnswer<'listClusterOperations'>['items']> {
    return (
      await responseBody(
        await this.api.listClusterOperations(
          { path: key },
          { signal: options?.signal },
        ),
      )
    ).items;
  }

  async listAuditRecords(
    query: AuditQuery = {},
    options?: ShipyardRequestOptions,
  ): Promise<GeneratedAnswer<'listAuditRecords'>> {
    const defined = Object.fromEntries(
      Object.entries(query).filter(([, v]) => v !== undefined && v !== ''),
    ) as AuditQuery;
    return responseBody(
      await this.api.listAuditRecords(
        { query: defined },
        { signal: options?.signal },
      ),
    );
  }

  async getClusterHistory(
    key: ClusterKey,
    options?: ShipyardRequestOptions & { cursor?: string },
  ): Promise<GeneratedAnswer<'getClusterHistory'>> {
    const response = await this.api.getClusterHistory(
      { path: key, query: { cursor: options?.cursor } },
      { signal: options?.signal },
    );
    // backends without health history answer 404 for the route
    if (response.status === 404) {
      return { items: [] };
    }
    return responseBody(response);
  }

  async getVersionSupport(
    options?: ShipyardRequestOptions,
  ): Promise<GeneratedAnswer<'getVersionSupport'>> {
    return responseBody(
      await this.api.getVersionSupport({}, { signal: options?.signal }),
    );
  }

  async getClusterLifecycle(
    key: ClusterKey,
    options?: ShipyardRequestOptions,
  ): Promise<GeneratedAnswer<'getClusterLifecycle'>> {
    return responseBody(
      await this.api.getClusterLifecycle(
        { path: key },
        { signal: options?.signal },
      ),
    );
  }

  async getVersionDebt(
    request: VersionDebtRequest = {},
    options?: ShipyardRequestOptions,
  ): Promise<GeneratedAnswer<'getVersionDebt'>> {
    return responseBody(
      await this.api.getVersionDebt(
        { query: request },
        { signal: options?.signal },
      ),
    );
  }

  async getClusterObjective(
    key: ClusterKey,
    options?: ShipyardRequestOptions,
  ): Promise<GeneratedAnswer<'getClusterObjective'>> {
    return responseBody(
      await this.api.getClusterObjective(
        { path: key },
        { signal: options?.signal },
      ),
    );
  }

  async getObjectives(
    request: ObjectivesRequest = {},
    options?: ShipyardRequestOptions,
  ): Promise<GeneratedAnswer<'getObjectives'>> {
    return responseBody(
      await this.api.getObjectives(
        { query: request },
        { signal: options?.signal },
      ),
    );
  }

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

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}
