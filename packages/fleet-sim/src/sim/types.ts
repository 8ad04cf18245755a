/** The simulator's public interface: its options, the handle `startFleetSim` returns, and what it reports. */
import type { Distribution, Provider } from '../capi/distributions';
import type {
  ClusterFaults,
  DeprecatedApiRequest,
  ClusterRef,
  UnreachableMode,
} from '../faults/faults';
import type { FleetModel } from '../fleet/model';
import type { LoadDriver, LoadOptions } from '../load/load';
import type { ManagementCluster } from '../server/managementCluster';
import type { FleetSimRequestStats } from './requestCounter';

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
  /**
   * Clusters whose control plane runs as pods in their management cluster (k0smotron and Kamaji, alternately),
   * added to `clusters` (default 0).
   */
  hostedControlPlanes?: number;
  /**
   * The management chain: the first management cluster is a Cluster of itself (self-hosted) and every other
   * management cluster is one of its Clusters, labelled `shipyard.io/is-management-cluster` (default false).
   */
  managementChain?: boolean;
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
  /**
   * Saturates a cluster's API server: each request but a watch needs `ms` of a server time shared among those in
   * flight (`n` requests at once take `n × ms` each); 0 ends it.
   */
  saturated(cluster: ClusterRef, ms: number): void;
  /** Fails this fraction of requests with `code` (500, 429, 503 or 504). */
  errorRate(cluster: ClusterRef, rate: number, code?: number): void;
  /** Reports `count` worker nodes NotReady (default: all); 0 heals. */
  nodesNotReady(cluster: ClusterRef, count?: number): void;
  /** The workload cluster's control plane fails (`/readyz` 500, API 503); the Cluster turns unavailable. */
  controlPlaneDown(cluster: ClusterRef, down?: boolean): void;
  /**
   * `count` pods (default all) of the cluster's hosted control plane (k0smotron, Kamaji) report NotReady; 0 heals.
   * The control plane object, the Cluster and, with none ready, the workload cluster's API server follow.
   */
  hostedControlPlanePodsNotReady(cluster: ClusterRef, count?: number): void;
  /** New machines of the cluster stay Provisioning (no capacity); false heals. */
  stallProvisioning(cluster: ClusterRef, stalled?: boolean): void;
  /** Deleted machines of the cluster stay Deleting (drain blocked); false heals. */
  stallDrain(cluster: ClusterRef, stalled?: boolean): void;
  /** Sets the deprecated APIs a workload cluster's clients request (served in its `/metrics`); undefined: the seeded ones. */
  deprecatedApis(
    cluster: ClusterRef,
    uses: DeprecatedApiRequest[] | undefined,
  ): void;
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
