import http from 'node:http';
import { AddressInfo, Socket } from 'node:net';

interface Resource {
  group: string;
  version: string;
  plural: string;
  kind: string;
}

interface HistoryEvent {
  rv: number;
  plural: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: any;
}

const RESOURCES: Resource[] = [
  ['clusters', 'Cluster'],
  ['clusterclasses', 'ClusterClass'],
  ['machinedeployments', 'MachineDeployment'],
  ['machinesets', 'MachineSet'],
  ['machines', 'Machine'],
  ['machinepools', 'MachinePool'],
  ['machinehealthchecks', 'MachineHealthCheck'],
].map(([plural, kind]) => ({
  group: 'cluster.x-k8s.io',
  version: 'v1beta2',
  plural,
  kind,
}));
RESOURCES.push({
  group: 'controlplane.cluster.x-k8s.io',
  version: 'v1beta2',
  plural: 'kubeadmcontrolplanes',
  kind: 'KubeadmControlPlane',
});

/**
 * A minimal Kubernetes API for unit tests of the reconciler: discovery, paged lists, watches with history,
 * 410 after compaction, bookmarks-free. Plain HTTP, no auth.
 */
export class FakeKubeApi {
  private readonly objects = new Map<string, Map<string, any>>();
  private history: HistoryEvent[] = [];
  private compactedBelow = 0;
  private rv = 100;
  private server?: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly watchers = new Set<{
    plural: string;
    res: http.ServerResponse;
  }>();
  private readonly sortedKeys = new Map<string, string[]>();
  unreachable = false;
  /** Number of list requests served per plural (first pages only). */
  readonly listCount = new Map<string, number>();
  /** Plurals whose list pages after the first wait (see {@link holdNextPages}), with the requests waiting. */
  private readonly heldPages = new Map<string, Array<() => void>>();

  constructor() {
    for (const r of RESOURCES) this.objects.set(r.plural, new Map());
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.on('connection', socket => {
      if (this.unreachable) {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>(resolve =>
      this.server!.listen(0, '127.0.0.1', resolve),
    );
    const port = (this.server.address() as AddressInfo).port;
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>(resolve => this.server?.close(() => resolve()));
  }

  /** Makes the API unreachable (drops every connection) or reachable again. */
  setUnreachable(value: boolean) {
    this.unreachable = value;
    if (value) {
      for (const s of this.sockets) s.destroy();
      this.watchers.clear();
    }
  }

  /**
   * Holds the pages after the first of every list of `plural` (a list in progress): `next` answers the oldest request
   * waiting, `release` every one and holds no more.
   */
  holdNextPages(plural: string): { next(): void; release(): void } {
    const waiting: Array<() => void> = [];
    this.heldPages.set(plural, waiting);
    return {
      next: () => waiting.shift()?.(),
      release: () => {
        this.heldPages.delete(plural);
        for (const answer of waiting.splice(0)) answer();
      },
    };
  }

  /** Forgets the history so that resuming watches get 410, and ends open watches. */
  compact() {
    this.compactedBelow = this.rv + 1;
    this.history = [];
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
  }

  /** Creates or replaces an object. */
  put(plural: string, object: any) {
    const key = `${object.metadata.namespace ?? 'default'}/${
      object.metadata.name
    }`;
    const map = this.objects.get(plural)!;
    const type = map.has(key) ? 'MODIFIED' : 'ADDED';
    this.rv++;
    const resource = RESOURCES.find(r => r.plural === plural)!;
    const stored = {
      apiVersion: `${resource.group}/${resource.version}`,
      kind: resource.kind,
      ...object,
      metadata: {
        namespace: 'default',
        uid: `uid-${plural}-${key}`,
        creationTimestamp: '2025-01-01T00:00:00Z',
        ...object.metadata,
        resourceVersion: String(this.rv),
      },
    };
    if (type === 'ADDED') this.sortedKeys.delete(plural);
    map.set(key, stored);
    this.emit({ rv: this.rv, plural, type, object: stored });
  }

  /** Deletes an object. */
  delete(plural: string, namespace: string, name: string) {
    const map = this.objects.get(plural)!;
    const key = `${namespace}/${name}`;
    const existing = map.get(key);
    if (!existing) return;
    map.delete(key);
    this.sortedKeys.delete(plural);
    this.rv++;
    this.emit({
      rv: this.rv,
      plural,
      type: 'DELETED',
      object: {
        ...existing,
        metadata: { ...existing.metadata, resourceVersion: String(this.rv) },
      },
    });
  }

  /** Deletes an object without a watch event (as if it went while nobody watched), then compacts. */
  deleteSilently(plural: string, namespace: string, name: string) {
    this.objects.get(plural)!.delete(`${namespace}/${name}`);
    this.sortedKeys.delete(plural);
    this.rv++;
    this.compact();
  }

  private emit(event: HistoryEvent) {
    this.history.push(event);
    if (this.history.length > 50_000) {
      const dropped = this.history.splice(0, 10_000);
      this.compactedBelow = dropped[dropped.length - 1].rv + 1;
    }
    for (const w of this.watchers) {
      if (w.plural === event.plural) {
        w.res.write(
          `${JSON.stringify({ type: event.type, object: event.object })}\n`,
        );
      }
    }
  }

  private handle(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    /** A held page let go (see {@link holdNextPages}). */
    released = false,
  ) {
    if (this.unreachable) {
      req.socket.destroy();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const parts = url.pathname.split('/').filter(Boolean);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/apis') {
      const groups = [...new Set(RESOURCES.map(r => r.group))].map(g => ({
        name: g,
        versions: [{ groupVersion: `${g}/v1beta2`, version: 'v1beta2' }],
        preferredVersion: { groupVersion: `${g}/v1beta2`, version: 'v1beta2' },
      }));
      json(200, { kind: 'APIGroupList', groups });
      return;
    }
    if (parts[0] === 'apis' && parts.length === 3) {
      const resources = RESOURCES.filter(
        r => r.group === parts[1] && r.version === parts[2],
      ).map(r => ({
        name: r.plural,
        kind: r.kind,
        namespaced: true,
        verbs: ['list', 'watch', 'get'],
      }));
      json(200, {
        kind: 'APIResourceList',
        groupVersion: `${parts[1]}/${parts[2]}`,
        resources,
      });
      return;
    }
    if (parts[0] === 'apis' && parts.length === 4) {
      const plural = parts[3];
      const map = this.objects.get(plural);
      if (!map) {
        json(404, {
          kind: 'Status',
          code: 404,
          reason: 'NotFound',
          message: 'not found',
        });
        return;
      }
      if (url.searchParams.get('watch')) {
        this.watch(plural, url, res);
        return;
      }
      const limit = Number(url.searchParams.get('limit') ?? '0') || Infinity;
      const token = url.searchParams.get('continue');
      const held = token && !released ? this.heldPages.get(plural) : undefined;
      if (held) {
        held.push(() => this.handle(req, res, true));
        return;
      }
      const offset = token ? Number(token) : 0;
      if (!token)
        this.listCount.set(plural, (this.listCount.get(plural) ?? 0) + 1);
      let keys = this.sortedKeys.get(plural);
      if (!keys) {
        keys = [...map.keys()].sort();
        this.sortedKeys.set(plural, keys);
      }
      const items = keys.slice(offset, offset + limit).map(k => map.get(k));
      const next =
        offset + limit < keys.length ? String(offset + limit) : undefined;
      json(200, {
        kind: 'List',
        metadata: {
          resourceVersion: String(this.rv),
          ...(next ? { continue: next } : {}),
        },
        items,
      });
      return;
    }
    json(404, {
      kind: 'Status',
      code: 404,
      reason: 'NotFound',
      message: 'not found',
    });
  }

  private watch(plural: string, url: URL, res: http.ServerResponse) {
    const from = Number(url.searchParams.get('resourceVersion') ?? '0');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.flushHeaders();
    if (from < this.compactedBelow - 1) {
      res.end(
        `${JSON.stringify({
          type: 'ERROR',
          object: {
            kind: 'Status',
            code: 410,
            reason: 'Expired',
            message: 'too old resource version',
          },
        })}\n`,
      );
      return;
    }
    for (const e of this.history) {
      if (e.plural === plural && e.rv > from) {
        res.write(`${JSON.stringify({ type: e.type, object: e.object })}\n`);
      }
    }
    const watcher = { plural, res };
    this.watchers.add(watcher);
    const timeout = Number(url.searchParams.get('timeoutSeconds') ?? '300');
    const timer = setTimeout(() => res.end(), timeout * 1000);
    res.on('close', () => {
      clearTimeout(timer);
      this.watchers.delete(watcher);
    });
  }
}
