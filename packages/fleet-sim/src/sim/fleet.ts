/**
 * The running simulator's state, and the steps that build it before it serves: the resolved options, the
 * management clusters (one API server and store each), their controllers, the workload clusters, the faults and the
 * credentials.
 */
import crypto from 'node:crypto';
import { ResourceRegistry } from '../api/registry';
import { Flavor } from '../capi/distributions';
import { kubeconfigText } from '../capi/kubeconfig';
import { CapiController } from '../controllers/manager';
import { FaultRegistry } from '../faults/faults';
import { addHostedFleet } from '../fleet/hostedFleet';
import { FleetModel, SeedCluster, generateFleet } from '../fleet/model';
import { SeedContext } from '../fleet/seed';
import { FleetServer } from '../server/server';
import { ManagementCluster } from '../server/managementCluster';
import { TlsMaterial, generateTls } from '../server/tls';
import { Random } from '../util/random';
import { WorkloadCluster, WorkloadRegistry } from '../workload/workload';
import { RequestCounter } from './requestCounter';
import { FleetSimOptions } from './types';

/** The options of `startFleetSim` with their defaults applied. */
export interface FleetSettings {
  managementClusters: number;
  clusters: number;
  seed: string;
  stepMs: number;
  bookmarkMs: number;
  host: string;
  /** The start time: the generated fleet's clock. */
  now: number;
}

export function resolveOptions(options: FleetSimOptions): FleetSettings {
  return {
    managementClusters: Math.max(1, options.managementClusters ?? 3),
    clusters: Math.max(0, options.clusters ?? 60),
    seed: String(options.seed ?? 'shipyard'),
    stepMs: options.timing?.stepMs ?? 1000,
    bookmarkMs: options.timing?.bookmarkMs ?? 15000,
    host: options.host ?? '127.0.0.1',
    now: Date.now(),
  };
}

const DEFAULT_TEAMS = ['team-a', 'team-b', 'team-c'];

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

/** The fleet the options ask for (the same seed gives the same fleet). */
export function generateModel(
  settings: FleetSettings,
  options: FleetSimOptions,
): FleetModel {
  const model = generateFleet({
    managementClusters: settings.managementClusters,
    clusters: settings.clusters,
    seed: settings.seed,
    teams: options.teams ?? DEFAULT_TEAMS,
    managementNames: options.managementNames,
    anomalies: options.anomalies ?? true,
    now: settings.now,
    workerScale:
      options.machinesPerCluster !== undefined
        ? workerScaleFor(options.machinesPerCluster)
        : undefined,
  });
  addHostedFleet(model, {
    hostedControlPlanes: options.hostedControlPlanes,
    managementChain: options.managementChain,
    now: settings.now,
  });
  return model;
}

export function randomToken(): string {
  return crypto.randomBytes(24).toString('base64url');
}

/** Everything a running simulator holds. */
export interface Fleet {
  settings: FleetSettings;
  registry: ResourceRegistry;
  model: FleetModel;
  /** The generated clusters by `management/namespace/name`. */
  seedClusters: Map<string, SeedCluster>;
  tls?: TlsMaterial;
  /** Base64 PEM of the CA (empty without TLS). */
  caData: string;
  adminToken: string;
  faults: FaultRegistry;
  requestCounter: RequestCounter;
  workloads: WorkloadRegistry;
  random: Random;
  managements: Map<string, ManagementCluster>;
  controllers: Map<string, CapiController>;
  /** Set once it listens. */
  server?: FleetServer;
  /** `https://host:port` once it listens. */
  baseUrl: string;
  workloadToken(id: string): string;
}

/** The simulator's state before anything runs: TLS material, tokens, faults, and one API server per management cluster. */
export function createFleet(
  settings: FleetSettings,
  registry: ResourceRegistry,
  model: FleetModel,
  options: FleetSimOptions,
): Fleet {
  const { host, seed } = settings;
  const tls =
    options.tls ?? true
      ? generateTls(
          [host, '127.0.0.1', 'localhost'].filter(
            (h, i, a) => a.indexOf(h) === i,
          ),
        )
      : undefined;
  const secret = crypto.randomBytes(32);
  const fleet: Fleet = {
    settings,
    registry,
    model,
    seedClusters: new Map(
      model.clusters.map(c => [`${c.management}/${c.namespace}/${c.name}`, c]),
    ),
    tls,
    caData: tls ? Buffer.from(tls.caCert).toString('base64') : '',
    adminToken: options.tokens?.admin ?? randomToken(),
    faults: new FaultRegistry(seed),
    requestCounter: new RequestCounter(),
    workloads: new WorkloadRegistry(),
    random: new Random(`sim:${seed}`),
    managements: new Map(),
    controllers: new Map(),
    baseUrl: '',
    workloadToken: id =>
      crypto.createHmac('sha256', secret).update(id).digest('base64url'),
  };
  model.managements.forEach((mm, i) => {
    fleet.managements.set(
      mm.name,
      new ManagementCluster({
        name: mm.name,
        registry,
        initialRv:
          1000 + i * 7919 + (crypto.randomBytes(2).readUInt16BE(0) % 1000),
        historySize: options.historySize ?? 10000,
        bookmarkIntervalMs: settings.bookmarkMs,
        kubernetesVersion: mm.kubernetesVersion,
        serverAddress: () => serverAddress(fleet),
        token: randomToken(),
        viewerToken: randomToken(),
      }),
    );
  });
  return fleet;
}

function serverAddress(fleet: Fleet): string {
  return `${fleet.settings.host}:${fleet.server?.port ?? 0}`;
}

export function workloadUrl(
  fleet: Fleet,
  management: string,
  namespace: string,
  name: string,
): string {
  return `${fleet.baseUrl}/clusters/${management}/workloads/${namespace}/${name}`;
}

/** Registers the workload cluster of a Cluster (once); returns its id. */
export function addWorkload(
  fleet: Fleet,
  mc: ManagementCluster,
  namespace: string,
  name: string,
  flavor: Flavor,
): string {
  const id = `${mc.name}/${namespace}/${name}`;
  if (!fleet.workloads.get(id)) {
    fleet.workloads.add(
      new WorkloadCluster(mc, namespace, name, flavor, {
        faults: fleet.faults,
        token: fleet.workloadToken,
        serverAddress: () => serverAddress(fleet),
      }),
    );
  }
  return id;
}

/** One controller manager per management cluster; a Cluster whose control plane is initialized gets its workload cluster. */
export function startControllers(fleet: Fleet): void {
  for (const mc of fleet.managements.values()) {
    fleet.controllers.set(
      mc.name,
      new CapiController(mc.api, {
        management: mc.name,
        stepMs: fleet.settings.stepMs,
        faults: fleet.faults,
        random: fleet.random.fork(mc.name),
        workloadReady: (ns, name, flavor) => {
          const id = addWorkload(fleet, mc, ns, name, flavor);
          return kubeconfigText(
            name,
            workloadUrl(fleet, mc.name, ns, name),
            fleet.caData,
            fleet.workloadToken(id),
          );
        },
        workloadGone: (ns, name) =>
          fleet.workloads.remove(`${mc.name}/${ns}/${name}`),
      }),
    );
  }
}

/** What seeded objects of a management cluster's workload clusters need to know about the simulator. */
export function seedContext(fleet: Fleet, management: string): SeedContext {
  const { seed, now, stepMs } = fleet.settings;
  return {
    salt: `${seed}/${management}`,
    workloadUrl: c => workloadUrl(fleet, c.management, c.namespace, c.name),
    workloadToken: c =>
      fleet.workloadToken(`${c.management}/${c.namespace}/${c.name}`),
    caData: fleet.caData,
    faults: c => fleet.faults.get(`${c.management}/${c.namespace}/${c.name}`),
    probedAt: now - stepMs,
  };
}
