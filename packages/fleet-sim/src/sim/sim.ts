import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { AddressInfo } from 'node:net';
import { ResourceRegistry, builtinResourceTypes } from '../api/registry';
import { CapiController } from '../controllers/manager';
import { Distribution, Flavor, Provider } from '../capi/distributions';
import { TYPE_IDS, ts } from '../capi/kinds';
import { kubeconfigText } from '../capi/kubeconfig';
import { clusterClassObjects } from '../fleet/clusterClasses';
import { FleetModel, SeedCluster, generateFleet } from '../fleet/model';
import { SeedContext, populateCluster } from '../fleet/seed';
import { FleetServer } from '../server/server';
import { generateTls } from '../server/tls';
import { JsonObject } from '../util/json';
import { Random } from '../util/random';
import { WorkloadCluster, WorkloadRegistry } from '../workload/workload';
import { handleAdmin } from './admin';
import {
  ClusterFaults,
  ClusterRef,
  FaultRegistry,
  UnreachableMode,
  clusterId,
} from './faults';
import { renderKubeconfig } from './kubeconfig';
import { LoadDriver, LoadOptions, LoadTarget, startLoad } from './load';
import { snapshotText } from '../store/store';
import { ManagementCluster } from './managementCluster';
import { FleetSimRequestStats, RequestCounter } from './requestCounter';

export interface FleetSimTiming {
  /** Duration of one provisioning step of the controller simulation (default 1000 ms). */
  stepMs?: number;
  /** Interval of watch BOOKMARK events (default 15000 ms). */
  bookmarkMs?: number;
}

export interface FleetSimOptions {
  /** Number of management clusters (default 3). */
  managementClusters?: number;
  /** Number of workload clusters across all management clusters (default 60). */
  clusters?: number;
  /** Seed of the reproducible fleet (default `shipyard`). */
  seed?: string | number;
  /** Teams that own clusters (default `team-a`, `team-b`, `team-c`). */
  teams?: string[];
  /** Names of the management clusters (default `mgmt-eu-1`, `mgmt-us-1`, `mgmt-ap-1`, …). */
  managementNames?: string[];
  /** Listen address (default 127.0.0.1). */
  host?: string;
  /** Listen port (default 0: a free port). */
  port?: number;
  /** Serve HTTPS with a generated CA (default true). */
  tls?: boolean;
  /** Where to write a kubeconfig with one context per management cluster. */
  kubeconfigPath?: string;
  timing?: FleetSimTiming;
  /** Watch history per management cluster, in events (default 10000). */
  historySize?: number;
  /** Seed some provisioning, upgrading and unhealthy clusters (default true). */
  anomalies?: boolean;
  /**
   * Average number of Machines per workload cluster, control planes included (default: about 8.9, as drawn);
   * worker pools are scaled to reach it. Setting it changes the generated fleet.
   */
  machinesPerCluster?: number;
  /** Also serve the admin API over plain HTTP on 127.0.0.1 at this port. */
  adminPort?: number;
  /** Fixed bearer tokens (default: random per start). */
  tokens?: { admin?: string };
}

export interface ManagementClusterInfo {
  name: string;
  /** API server URL (`https://127.0.0.1:PORT/clusters/<name>`). */
  url: string;
  /** Base64 PEM of the CA that signed the serving certificate. */
  caData: string;
  /** Bearer token with full access. */
  token: string;
  /** Bearer token that can read everything except Secrets. */
  viewerToken: string;
  kubernetesVersion: string;
}

export interface WorkloadClusterInfo {
  management: string;
  namespace: string;
  name: string;
  url: string;
  caData: string;
  token: string;
  distribution: Distribution;
  provider: Provider;
  kubernetesVersion: string;
  labels: Record<string, string>;
}

export interface FleetFaults {
  /** Makes a cluster unreachable: `refuse` resets connections, `blackhole` never answers. */
  unreachable(cluster: ClusterRef, mode?: UnreachableMode): void;
  reachable(cluster: ClusterRef): void;
  /** Adds latency to every request of a cluster. */
  slow(cluster: ClusterRef, ms: number): void;
  /** Fails this fraction of requests with `code` (500, 429, 503 or 504). */
  errorRate(cluster: ClusterRef, rate: number, code?: number): void;
  /** Reports `count` worker nodes NotReady (default: all); 0 heals. */
  nodesNotReady(cluster: ClusterRef, count?: number): void;
  /** The workload cluster's control plane fails (`/readyz` 500, API 503); the Cluster turns unavailable. */
  controlPlaneDown(cluster: ClusterRef, down?: boolean): void;
  /** Drops every watch of a management cluster and compacts its history (clients get 410 Expired). */
  restartManagementApi(name: string): void;
  pauseController(): void;
  resumeController(): void;
  /** Clears the faults of one cluster, or all. */
  clear(cluster?: ClusterRef): void;
  list(): Record<string, ClusterFaults>;
}

export interface FleetController {
  readonly paused: boolean;
  readonly stepMs: number;
  pause(): void;
  resume(): void;
  /** Resolves when no reconcile is queued on any management cluster. */
  whenIdle(): Promise<void>;
}

export interface FleetSim {
  managementClusters: ManagementClusterInfo[];
  workloadClusters(): WorkloadClusterInfo[];
  /** Base URL of the server (`https://127.0.0.1:PORT`). */
  url: string;
  caData: string;
  kubeconfigPath?: string;
  /** The kubeconfig text with one context per management cluster. */
  kubeconfig(): string;
  /** Bearer token of the admin API (`/admin`). */
  adminToken: string;
  adminUrl: string;
  faults: FleetFaults;
  controller: FleetController;
  startLoad(options: LoadOptions): LoadDriver;
  /** The generated fleet (for tests and reports). */
  model: FleetModel;
  stats(): FleetSimStats;
  /**
   * Serializes every stored object once, as a long-running API server holds its objects, so that the first list
   * a client makes is served at the same pace as later ones (seeded objects are otherwise generated when first
   * read). Yields to the event loop between chunks.
   */
  warm(): Promise<void>;
  /** Internal access to a management cluster's API server, for tests and tools. */
  management(name: string): ManagementCluster;
  /**
   * Calls `listener` synchronously with every stored change (create, update, delete) of every management
   * cluster's objects, as watchers will see it. Returns a function that unsubscribes.
   */
  onChange(listener: (change: FleetSimChange) => void): () => void;
  stop(): Promise<void>;
}

/** One stored change of an object of a management cluster (see {@link FleetSim.onChange}). */
export interface FleetSimChange {
  managementCluster: string;
  /** Resource type id, `<group or core>/<plural>`, e.g. `cluster.x-k8s.io/clusters` (see `FLEET_SIM_TYPE_IDS`). */
  resource: string;
  kind: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  /** Empty for cluster-scoped objects. */
  namespace: string;
  name: string;
  resourceVersion: string;
  /** The object's JSON (for DELETED: its last state). */
  json: string;
  /** The JSON of the previous state (MODIFIED, DELETED), built on demand. */
  previousJson(): string | undefined;
}

/** Machines per cluster as drawn, and how many of them are control-plane or pool-less (not scaled). */
const DRAWN_MACHINES_PER_CLUSTER = 8.94;
const UNSCALED_MACHINES_PER_CLUSTER = 1.0;

function workerScaleFor(machinesPerCluster: number): number {
  if (!(machinesPerCluster > 0)) return 1;
  return Math.max(
    0.1,
    (machinesPerCluster - UNSCALED_MACHINES_PER_CLUSTER) /
      (DRAWN_MACHINES_PER_CLUSTER - UNSCALED_MACHINES_PER_CLUSTER),
  );
}

export interface FleetSimStats {
  managementClusters: number;
  workloadClusters: number;
  objects: number;
  machines: number;
  resourceVersions: Record<string, string>;
  watches: number;
  /** Requests held open by black-hole faults. */
  heldRequests: number;
  /** API requests received since the start. */
  requests: FleetSimRequestStats;
}

const DEFAULT_TEAMS = ['team-a', 'team-b', 'team-c'];

function token(): string {
  return crypto.randomBytes(24).toString('base64url');
}

/** Starts a simulated fleet of management and workload clusters on one HTTPS port. */
export async function startFleetSim(
  options: FleetSimOptions = {},
): Promise<FleetSim> {
  const managementCount = Math.max(1, options.managementClusters ?? 3);
  const clusterCount = Math.max(0, options.clusters ?? 60);
  const seed = String(options.seed ?? 'shipyard');
  const stepMs = options.timing?.stepMs ?? 1000;
  const bookmarkMs = options.timing?.bookmarkMs ?? 15000;
  const host = options.host ?? '127.0.0.1';
  const now = Date.now();

  const registry = new ResourceRegistry(builtinResourceTypes());

  const model = generateFleet({
    managementClusters: managementCount,
    clusters: clusterCount,
    seed,
    teams: options.teams ?? DEFAULT_TEAMS,
    managementNames: options.managementNames,
    anomalies: options.anomalies ?? true,
    now,
    workerScale:
      options.machinesPerCluster !== undefined
        ? workerScaleFor(options.machinesPerCluster)
        : undefined,
  });

  const tlsEnabled = options.tls ?? true;
  const tls = tlsEnabled
    ? generateTls(
        [host, '127.0.0.1', 'localhost'].filter(
          (h, i, a) => a.indexOf(h) === i,
        ),
      )
    : undefined;
  const caData = tls ? Buffer.from(tls.caCert).toString('base64') : '';
  const secret = crypto.randomBytes(32);
  const workloadToken = (id: string) =>
    crypto.createHmac('sha256', secret).update(id).digest('base64url');
  const adminToken = options.tokens?.admin ?? token();
  const faults = new FaultRegistry(seed);
  const requestCounter = new RequestCounter();
  const workloads = new WorkloadRegistry();
  const random = new Random(`sim:${seed}`);

  const net = {
    port: 0,
    heldRequests: (): number => 0,
    releaseHeld: (): void => undefined,
  };
  const serverAddress = () => `${host}:${net.port}`;
  const managements = new Map<string, ManagementCluster>();
  model.managements.forEach((mm, i) => {
    managements.set(
      mm.name,
      new ManagementCluster({
        name: mm.name,
        registry,
        initialRv:
          1000 + i * 7919 + (crypto.randomBytes(2).readUInt16BE(0) % 1000),
        historySize: options.historySize ?? 10000,
        bookmarkIntervalMs: bookmarkMs,
        kubernetesVersion: mm.kubernetesVersion,
        serverAddress,
        token: token(),
        viewerToken: token(),
      }),
    );
  });

  let baseUrl = '';
  const workloadUrl = (mgmt: string, ns: string, name: string) =>
    `${baseUrl}/clusters/${mgmt}/workloads/${ns}/${name}`;
  const seedClusters = new Map<string, SeedCluster>();
  for (const c of model.clusters)
    seedClusters.set(`${c.management}/${c.namespace}/${c.name}`, c);

  const addWorkload = (
    mc: ManagementCluster,
    ns: string,
    name: string,
    flavor: Flavor,
  ) => {
    const id = `${mc.name}/${ns}/${name}`;
    if (!workloads.get(id)) {
      workloads.add(
        new WorkloadCluster(mc, ns, name, flavor, {
          faults,
          token: workloadToken,
          serverAddress,
        }),
      );
    }
    return id;
  };

  // Seeded faults are in place before the controllers subscribe: the seeded objects already show them
  // (see populateCluster), so the controllers have nothing to rewrite for them at start.
  const seededFaults = new Random(`anomalies:${seed}`);
  for (const c of model.clusters) {
    const id = `${c.management}/${c.namespace}/${c.name}`;
    switch (c.state) {
      case 'degraded':
        faults.set(id, { nodesNotReady: seededFaults.int(1, 2) });
        break;
      case 'controlPlaneDown':
        faults.set(id, { controlPlaneDown: true });
        break;
      case 'unreachable':
        faults.set(id, {
          unreachable: seededFaults.chance(0.5) ? 'refuse' : 'blackhole',
        });
        break;
      default:
        break;
    }
  }

  const controllers = new Map<string, CapiController>();
  for (const mc of managements.values()) {
    controllers.set(
      mc.name,
      new CapiController(mc.api, {
        management: mc.name,
        stepMs,
        faults,
        random: random.fork(mc.name),
        workloadReady: (ns, name, flavor) => {
          const id = addWorkload(mc, ns, name, flavor);
          return kubeconfigText(
            name,
            workloadUrl(mc.name, ns, name),
            caData,
            workloadToken(id),
          );
        },
        workloadGone: (ns, name) =>
          workloads.remove(`${mc.name}/${ns}/${name}`),
      }),
    );
  }

  let adminServer: http.Server | undefined;
  let loadDrivers: LoadDriver[] = [];

  const faultsApi: FleetFaults = {
    unreachable: (cluster, mode = 'refuse') => {
      faults.set(clusterId(cluster), { unreachable: mode });
      if (mode === 'refuse') {
        const id = clusterId(cluster);
        const mc = managements.get(id);
        if (mc) mc.http.dropWatches();
      }
    },
    reachable: cluster => {
      const id = clusterId(cluster);
      faults.set(id, { unreachable: undefined });
      net.releaseHeld();
    },
    slow: (cluster, ms) =>
      faults.set(clusterId(cluster), { slowMs: Math.max(0, ms) }),
    errorRate: (cluster, rate, code = 500) =>
      faults.set(clusterId(cluster), {
        errorRate: Math.max(0, Math.min(1, rate)),
        errorCode: code,
      }),
    nodesNotReady: (cluster, count = Infinity) =>
      faults.set(clusterId(cluster), { nodesNotReady: count }),
    controlPlaneDown: (cluster, down = true) =>
      faults.set(clusterId(cluster), { controlPlaneDown: down }),
    restartManagementApi: name => {
      const mc = managements.get(name);
      if (!mc) throw new Error(`unknown management cluster ${name}`);
      mc.restart();
    },
    pauseController: () => controllers.forEach(c => c.pause()),
    resumeController: () => controllers.forEach(c => c.resume()),
    clear: cluster => {
      faults.clear(cluster === undefined ? undefined : clusterId(cluster));
      net.releaseHeld();
    },
    list: () => faults.list(),
  };

  const controllerApi: FleetController = {
    get paused() {
      return [...controllers.values()].some(c => c.isPaused);
    },
    stepMs,
    pause: () => faultsApi.pauseController(),
    resume: () => faultsApi.resumeController(),
    whenIdle: async () => {
      for (let i = 0; i < 1000; i++) {
        await Promise.all([...controllers.values()].map(c => c.whenIdle()));
        await new Promise(resolve => setImmediate(resolve));
        if ([...controllers.values()].every(c => c.pending === 0 || c.isPaused))
          return;
      }
    },
  };

  const currentClusters = (): SeedCluster[] => model.clusters;

  const loadTargets = new Map<string, LoadTarget>();
  for (const [name, mc] of managements) {
    const controller = controllers.get(name);
    if (controller) loadTargets.set(name, { api: mc.api, controller });
  }

  const managementInfos = (): ManagementClusterInfo[] =>
    [...managements.values()].map(mc => ({
      name: mc.name,
      url: `${baseUrl}/clusters/${mc.name}`,
      caData,
      token: mc.token,
      viewerToken: mc.viewerToken,
      kubernetesVersion: mc.options.kubernetesVersion,
    }));

  const kubeconfig = () =>
    renderKubeconfig(
      managementInfos().map(m => ({
        name: m.name,
        server: m.url,
        caData: m.caData,
        token: m.token,
      })),
    );

  const workloadInfos = (): WorkloadClusterInfo[] => {
    const out: WorkloadClusterInfo[] = [];
    for (const w of workloads.all()) {
      const seedInfo = seedClusters.get(w.id);
      const cluster = w.management.api.store.get(
        TYPE_IDS.cluster,
        `${w.namespace}/${w.name}`,
      );
      const labels: Record<string, string> = {};
      for (const [k, v] of Object.entries(
        cluster?.labels ?? seedInfo?.labels ?? {},
      ))
        labels[k] = v;
      out.push({
        management: w.management.name,
        namespace: w.namespace,
        name: w.name,
        url: workloadUrl(w.management.name, w.namespace, w.name),
        caData,
        token: workloadToken(w.id),
        distribution: w.flavor.distribution,
        provider: w.flavor.provider,
        kubernetesVersion: seedInfo ? seedInfo.kube : w.kubeVersion(),
        labels,
      });
    }
    return out;
  };

  const stats = (): FleetSimStats => {
    let objects = 0;
    let machines = 0;
    let watches = 0;
    const resourceVersions: Record<string, string> = {};
    for (const mc of managements.values()) {
      for (const c of mc.api.store.allCollections()) objects += c.entries.size;
      machines += mc.api.store.collection(TYPE_IDS.machine).entries.size;
      resourceVersions[mc.name] = String(mc.api.store.currentRv);
      watches += mc.http.watches.size;
    }
    return {
      managementClusters: managements.size,
      workloadClusters: workloads.size,
      objects,
      machines,
      resourceVersions,
      watches,
      heldRequests: net.heldRequests(),
      requests: requestCounter.stats(),
    };
  };

  const warm = async () => {
    for (const mc of managements.values()) {
      for (const c of mc.api.store.allCollections()) {
        let n = 0;
        for (const entry of c.entries.values()) {
          entry.text();
          if (++n % 2000 === 0) await new Promise(r => setImmediate(r));
        }
      }
    }
  };

  const adminContext = {
    faults: faultsApi,
    controller: controllerApi,
    managementClusters: managementInfos,
    workloadClusters: workloadInfos,
    stats,
    kubeconfig,
    startLoad: (o: LoadOptions) => {
      const d = startLoad(
        loadTargets,
        currentClusters,
        o,
        random.fork(`load${loadDrivers.length}`),
      );
      loadDrivers.push(d);
      return d;
    },
    stopLoad: () => {
      loadDrivers.forEach(d => d.stop());
      const last = loadDrivers[loadDrivers.length - 1]?.stats();
      loadDrivers = [];
      return last;
    },
    loadStats: () => loadDrivers.map(d => d.stats()),
  };

  const server = new FleetServer({
    host,
    port: options.port ?? 0,
    tls: tls ? { cert: tls.cert, key: tls.key } : undefined,
    faults,
    adminToken,
    resolve: segments => {
      const mc = managements.get(segments[0]);
      if (!mc) return undefined;
      if (segments[1] === 'workloads') {
        if (segments.length < 4) return undefined;
        const w = workloads.get(`${segments[0]}/${segments[2]}/${segments[3]}`);
        if (w) requestCounter.count(mc.name, true);
        return w ? { endpoint: w, used: 4 } : undefined;
      }
      requestCounter.count(mc.name, false);
      return { endpoint: mc, used: 1 };
    },
    admin: (req, res, p, query) =>
      handleAdmin(req, res, p, query, adminContext),
  });
  await server.listen();
  baseUrl = server.baseUrl;
  net.port = server.port;
  net.heldRequests = () => server.heldRequests;
  net.releaseHeld = () => server.releaseHeld();

  const seedCtx = (mgmt: string): SeedContext => ({
    salt: `${seed}/${mgmt}`,
    workloadUrl: c => workloadUrl(c.management, c.namespace, c.name),
    workloadToken: c =>
      workloadToken(`${c.management}/${c.namespace}/${c.name}`),
    caData,
    faults: c => faults.get(`${c.management}/${c.namespace}/${c.name}`),
    probedAt: now - stepMs,
  });

  for (const mm of model.managements) {
    const mc = managements.get(mm.name);
    if (!mc) continue;
    const api = mc.api;
    const nsType = api.type(TYPE_IDS.namespace);
    for (const ns of mm.namespaces) {
      api.create(
        nsType,
        undefined,
        {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: ns, creationTimestamp: ts(now - 420 * 86_400_000) },
        },
        { internal: true },
      );
    }
    seedManagementInfra(mc, mm.kubernetesVersion, now);
    const classNamespaces = new Set<string>(['fleet-shared']);
    for (const c of model.clusters)
      if (c.management === mm.name && c.className)
        classNamespaces.add(c.namespace);
    for (const ns of classNamespaces) {
      for (const cls of mm.classes) {
        for (const obj of clusterClassObjects(
          cls,
          ns,
          now - 400 * 86_400_000,
        )) {
          const t = registry.byKind(
            String(obj.apiVersion).split('/')[0],
            String(obj.kind),
          );
          if (t) api.create(t, ns, obj, { internal: true });
        }
      }
    }
    const ctx = seedCtx(mm.name);
    for (const c of model.clusters) {
      if (c.management !== mm.name) continue;
      populateCluster(api.store, ctx, c);
      if (c.state !== 'provisioning')
        addWorkload(mc, c.namespace, c.name, c.flavor);
    }
  }

  for (const c of model.clusters) {
    if (c.state === 'provisioning' || c.state === 'upgrading')
      controllers.get(c.management)?.touchCluster(c.namespace, c.name);
  }

  if (options.kubeconfigPath) {
    fs.mkdirSync(path.dirname(path.resolve(options.kubeconfigPath)), {
      recursive: true,
    });
    fs.writeFileSync(options.kubeconfigPath, kubeconfig(), { mode: 0o600 });
  }

  if (options.adminPort !== undefined) {
    const adminHttp = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://admin.invalid');
      const p = url.pathname.startsWith('/admin')
        ? url.pathname.slice('/admin'.length) || '/'
        : url.pathname;
      handleAdmin(req, res, p, url.searchParams, adminContext).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    await new Promise<void>(resolve =>
      adminHttp.listen(options.adminPort, '127.0.0.1', () => resolve()),
    );
    adminServer = adminHttp;
  }

  const adminPortActual = adminServer
    ? (adminServer.address() as AddressInfo).port
    : undefined;

  return {
    managementClusters: managementInfos(),
    workloadClusters: workloadInfos,
    url: baseUrl,
    caData,
    kubeconfigPath: options.kubeconfigPath,
    kubeconfig,
    adminToken,
    adminUrl:
      adminPortActual !== undefined
        ? `http://127.0.0.1:${adminPortActual}/admin`
        : `${baseUrl}/admin`,
    faults: faultsApi,
    controller: controllerApi,
    startLoad: o => adminContext.startLoad(o),
    model,
    stats,
    warm,
    management: name => {
      const mc = managements.get(name);
      if (!mc) throw new Error(`unknown management cluster ${name}`);
      return mc;
    },
    onChange: listener => {
      const unsubscribes = [...managements.values()].map(mc =>
        mc.api.store.subscribe(event => {
          const slash = event.key.indexOf('/');
          listener({
            managementCluster: mc.name,
            resource: event.collection.type.id,
            kind: event.collection.type.kind,
            type: event.type,
            namespace: slash < 0 ? '' : event.key.slice(0, slash),
            name: slash < 0 ? event.key : event.key.slice(slash + 1),
            resourceVersion: String(event.rv),
            json: event.json,
            previousJson: () =>
              event.prev ? snapshotText(event.prev) : undefined,
          });
        }),
      );
      return () => unsubscribes.forEach(u => u());
    },
    stop: async () => {
      loadDrivers.forEach(d => d.stop());
      controllers.forEach(c => c.stop());
      managements.forEach(m => m.stop());
      await server.close();
      if (adminServer) {
        const s = adminServer;
        await new Promise<void>(resolve => s.close(() => resolve()));
        s.closeAllConnections();
      }
    },
  };
}

/** Nodes and controller pods of the management cluster itself. */
function seedManagementInfra(
  mc: ManagementCluster,
  version: string,
  now: number,
): void {
  const api = mc.api;
  const nodeType = api.type(TYPE_IDS.node);
  const podType = api.type(TYPE_IDS.pod);
  const created = ts(now - 420 * 86_400_000);
  const nodes = [0, 1, 2].map(i => `${mc.name}-control-plane-${i}`);
  nodes.forEach((name, i) => {
    api.create(
      nodeType,
      undefined,
      {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name,
          creationTimestamp: created,
          labels: {
            'kubernetes.io/hostname': name,
            'kubernetes.io/os': 'linux',
            'node-role.kubernetes.io/control-plane': '',
          },
        },
        spec: { providerID: `docker:////${name}` },
        status: {
          conditions: [
            {
              type: 'Ready',
              status: 'True',
              reason: 'KubeletReady',
              message: 'kubelet is posting ready status',
              lastHeartbeatTime: created,
              lastTransitionTime: created,
            },
          ],
          addresses: [
            { type: 'InternalIP', address: `172.18.0.${i + 2}` },
            { type: 'Hostname', address: name },
          ],
          nodeInfo: {
            kubeletVersion: version,
            kubeProxyVersion: version,
            osImage: 'Ubuntu 24.04.2 LTS',
            kernelVersion: '6.8.0-57-generic',
            containerRuntimeVersion: 'containerd://2.0.4',
            operatingSystem: 'linux',
            architecture: 'amd64',
          },
        },
      } as JsonObject,
      { internal: true },
    );
  });
  const pods: Array<[string, string, string]> = [
    [
      'capi-system',
      'capi-controller-manager',
      'registry.k8s.io/cluster-api/cluster-api-controller:v1.14.0',
    ],
    [
      'capi-system',
      'capi-kubeadm-bootstrap-controller-manager',
      'registry.k8s.io/cluster-api/kubeadm-bootstrap-controller:v1.14.0',
    ],
    [
      'capi-system',
      'capi-kubeadm-control-plane-controller-manager',
      'registry.k8s.io/cluster-api/kubeadm-control-plane-controller:v1.14.0',
    ],
    [
      'capi-system',
      'capd-controller-manager',
      'registry.k8s.io/cluster-api/capd-manager:v1.14.0',
    ],
    [
      'capi-system',
      'capa-controller-manager',
      'registry.k8s.io/cluster-api-aws/cluster-api-aws-controller:v2.9.0',
    ],
    [
      'capi-system',
      'capz-controller-manager',
      'registry.k8s.io/cluster-api-azure/cluster-api-azure-controller:v1.20.0',
    ],
    ['kube-system', 'coredns', 'registry.k8s.io/coredns/coredns:v1.12.0'],
  ];
  const rng = new Random(mc.name);
  pods.forEach(([ns, app, image], i) => {
    const name = `${app}-${rng.hex(10)}-${rng.suffix()}`;
    api.create(
      podType,
      ns,
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name,
          namespace: ns,
          creationTimestamp: ts(now - 30 * 86_400_000),
          labels: { 'control-plane': 'controller-manager', app },
        },
        spec: {
          nodeName: nodes[i % nodes.length],
          containers: [{ name: 'manager', image }],
        },
        status: {
          phase: 'Running',
          podIP: `192.168.${i}.${10 + i}`,
          conditions: [{ type: 'Ready', status: 'True' }],
          containerStatuses: [
            { name: 'manager', ready: true, restartCount: 0, image },
          ],
        },
      },
      { internal: true },
    );
  });
}
