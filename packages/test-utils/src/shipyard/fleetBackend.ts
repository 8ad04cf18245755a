/*
 * The simulated fleet and the real Shipyard backend, as the integration suites start them: the fleet simulator on
 * random ports (its management clusters speak the Kubernetes API over HTTPS), the backend with `startTestBackend`
 * configured against it with millisecond timings, a logger that keeps every line, and the generated client of
 * `/api/shipyard`. The backend plugin is passed in (`plugin`) rather than imported, so that this package does not
 * depend on the plugin whose suites use it.
 */
import {
  BackendFeature,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  FleetSim,
  FleetSimOptions,
  shipyardManagementClusters,
  startFleetSim,
} from '@shipyard/fleet-sim';
import { CaptureLogger } from './captureLogger';
import {
  ShipyardTestClient,
  shipyardTestClient,
  waitConnected,
} from './client';
import { Membership, membershipUserInfoFactory } from './membership';

/** A backend started by `startTestBackend`. */
export type TestBackend = Awaited<ReturnType<typeof startTestBackend>>;

/** The platform team of the harness's configuration. */
export const PLATFORM_TEAM = 'group:default/platform';

/** Sync timings of the integration suites: fast persistence, staleness and retries. */
export const TEST_SYNC_CONFIG = {
  persistIntervalMs: 50,
  staleAfterMs: 400,
  requestTimeoutMs: 8000,
  backoff: { initialDelayMs: 20, maxDelayMs: 200 },
};

/**
 * Workload probes as the health suites run them (`shipyard.health`): on, a round every 250 ms from the start, an
 * answer within 3 s (a loaded machine's), a failure counted at once, no backoff.
 */
export const TEST_PROBE_CONFIG = {
  enabled: true,
  intervalMs: 250,
  initialDelayMs: 0,
  timeoutMs: 3000,
  stallAfterMs: 200,
  failureThreshold: 1,
  maxBackoffMs: 0,
  refreshIntervalMs: 150,
};

/**
 * The `shipyard` configuration against a simulator (none: no management clusters): the platform team, the
 * simulator's management clusters, {@link TEST_SYNC_CONFIG}, workload probes off; `overrides.shipyard` is merged
 * over it (its `sync` and `health` member by member), other keys are added beside `shipyard`.
 */
export function shipyardTestConfig(
  sim: FleetSim | undefined,
  overrides: { shipyard?: Record<string, any>; [key: string]: any } = {},
) {
  const { shipyard = {}, ...rest } = overrides;
  return {
    ...rest,
    shipyard: {
      platformTeam: PLATFORM_TEAM,
      managementClusters: sim
        ? shipyardManagementClusters(sim.managementClusters)
        : [],
      ...shipyard,
      sync: { ...TEST_SYNC_CONFIG, ...shipyard.sync },
      health: { enabled: false, ...shipyard.health },
    },
  };
}

/** Options of {@link startShipyardBackend}. */
export interface ShipyardBackendOptions {
  /** The Shipyard backend plugin (and any module of it under test). */
  plugin: BackendFeature | BackendFeature[];
  /** The whole configuration (see {@link shipyardTestConfig}). */
  config: Record<string, any>;
  /** Receives every log line; `logTimes` when each was written. */
  logs?: string[];
  logTimes?: number[];
  /** Log through the root logger (every plugin's and service's lines) instead of the plugin's logger. */
  rootLogger?: boolean;
  /** Users' group memberships, served as `coreServices.userInfo`. */
  membership?: Membership;
  /** Services that replace or add to the defaults (database, permissions, scheduler, catalog…). */
  features?: Parameters<typeof startTestBackend>[0]['features'];
}

/** The backend and what a suite uses of it. */
export interface ShipyardBackend {
  backend: TestBackend;
  /** The backend's HTTP server (for `supertest` where a suite sends what the client cannot: bad input). */
  server: TestBackend['server'];
  /** The generated client as the test backend's default mock user. */
  client: ShipyardTestClient;
  /** The generated client as `user` (an entity ref). */
  clientAs(user: string): ShipyardTestClient;
  logs: string[];
  stop(): Promise<void>;
}

/** Starts the real backend with `startTestBackend`, a capturing logger and the given configuration. */
export async function startShipyardBackend(
  options: ShipyardBackendOptions,
): Promise<ShipyardBackend> {
  const logs = options.logs ?? [];
  const logger = new CaptureLogger(logs, {}, options.logTimes ?? []);
  const backend = await startTestBackend({
    features: [
      ...[options.plugin].flat(),
      options.rootLogger
        ? createServiceFactory({
            service: coreServices.rootLogger,
            deps: {},
            factory: () => logger,
          })
        : createServiceFactory({
            service: coreServices.logger,
            deps: {},
            factory: () => logger,
          }),
      mockServices.rootConfig.factory({ data: options.config }),
      ...(options.membership
        ? [membershipUserInfoFactory(options.membership)]
        : []),
      ...(options.features ?? []),
    ],
  });
  return {
    backend,
    server: backend.server,
    client: shipyardTestClient(backend.server),
    clientAs: user => shipyardTestClient(backend.server, user),
    logs,
    stop: () => backend.stop(),
  };
}

/** Options of {@link startSimulatedFleet}. */
export interface SimulatedFleetOptions
  extends Omit<ShipyardBackendOptions, 'config'> {
  /** A running simulator (the suite stops it), or the options of a new one (stopped with the harness). */
  sim?: FleetSim | FleetSimOptions;
  /** Merged into {@link shipyardTestConfig} of the simulator. */
  config?: { shipyard?: Record<string, any>; [key: string]: any };
  /** Wait until every management cluster is connected (default true). */
  waitConnected?: boolean;
  /** Let the simulator's controllers finish their work before the backend starts (default false). */
  settle?: boolean;
}

/** The simulated fleet with the backend against it. */
export interface SimulatedFleet extends ShipyardBackend {
  sim: FleetSim;
}

function isFleetSim(sim: FleetSim | FleetSimOptions): sim is FleetSim {
  return typeof (sim as FleetSim).stop === 'function';
}

/**
 * Starts a fleet simulator (unless one is given) and the backend against it, and waits until the backend has
 * connected to every management cluster.
 */
export async function startSimulatedFleet(
  options: SimulatedFleetOptions,
): Promise<SimulatedFleet> {
  const given =
    options.sim && isFleetSim(options.sim) ? options.sim : undefined;
  const sim =
    given ??
    (await startFleetSim({
      managementClusters: 1,
      clusters: 20,
      anomalies: false,
      timing: { stepMs: 20 },
      ...(options.sim as FleetSimOptions | undefined),
    }));
  let started: ShipyardBackend | undefined;
  try {
    if (options.settle) await sim.controller.whenIdle();
    started = await startShipyardBackend({
      ...options,
      config: shipyardTestConfig(sim, options.config),
    });
    if (options.waitConnected ?? true) {
      await waitConnected(
        started.client,
        sim.managementClusters.map(m => m.name),
      );
    }
  } catch (error) {
    await started?.stop();
    if (!given) await sim.stop();
    throw error;
  }
  const backend = started;
  return {
    ...backend,
    sim,
    async stop() {
      await backend.stop();
      if (!given) await sim.stop();
    },
  };
}
