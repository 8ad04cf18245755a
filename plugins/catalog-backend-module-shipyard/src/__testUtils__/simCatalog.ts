import { coreServices } from '@backstage/backend-plugin-api';
import {
  TestBackend,
  mockCredentials,
  mockServices,
} from '@backstage/backend-test-utils';
import { metricsServiceMock } from '@backstage/backend-test-utils/alpha';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { FleetSim } from '@shipyard/fleet-sim';
// the real Shipyard backend is the point of the end-to-end tests that use this harness
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import shipyardPlugin from '@shipyard/plugin-shipyard-backend';
import { Entity } from '@backstage/catalog-model';
import { ClusterSummary } from '@shipyard/plugin-shipyard-common';
import { catalogModuleShipyard } from '../module';
import {
  ShipyardRequestFaults,
  ShipyardTestClient,
  eventually,
  fixedService,
  listAllClusters,
  shipyardTestClient,
  startSimulatedFleet,
} from '@shipyard/test-utils';

/** A metrics service whose counters add up per `name|provider|type-or-outcome`. */
export function createCountingMetrics() {
  const counters = new Map<string, number>();
  const metrics = metricsServiceMock.mock({
    createCounter: (name: string) => ({
      add: (value: number, attributes?: Record<string, unknown>) => {
        const key = `${name}|${attributes?.provider}|${
          attributes?.type ?? attributes?.outcome
        }`;
        counters.set(key, (counters.get(key) ?? 0) + value);
      },
    }),
  });
  const count = (metric: string, provider: string, kind: string) =>
    counters.get(`${metric}|${provider}|${kind}`) ?? 0;
  return { metrics, count };
}

/** GETs a catalog API path (below `/api`) as a user; throws on a non-2xx answer. */
export async function apiGet<T>(
  backend: TestBackend,
  path: string,
): Promise<T> {
  const res = await fetch(
    `http://localhost:${backend.server.port()}/api${path}`,
    { headers: { Authorization: mockCredentials.user.header() } },
  );
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return (await res.json()) as T;
}

/** The generated client of the Shipyard backend of `backend`. */
export function shipyardClient(backend: TestBackend): ShipyardTestClient {
  return shipyardTestClient(backend.server);
}

/** The whole fleet as the Shipyard backend lists it. */
export async function listFleet(
  backend: TestBackend,
): Promise<ClusterSummary[]> {
  return listAllClusters(shipyardClient(backend));
}

/** Options of {@link startSimCatalogBackend}. */
export interface SimCatalogOptions {
  seed: string;
  clusters: number;
  pageSize: number;
  sync?: Record<string, number>;
  /** More of `shipyard`'s configuration (e.g. `inventory`). */
  shipyard?: Record<string, unknown>;
  /** More of `catalog.providers.shipyard` (`clusters` merged member by member). */
  provider?: { clusters?: Record<string, unknown>; [key: string]: unknown };
  /** Faults of the Shipyard backend's answers (its module is added to the backend). */
  faults?: ShipyardRequestFaults;
  /** Receives every log line of the backend. */
  logs?: string[];
  /** Run the cluster provider's first full sync once the backend lists the fleet (default true). */
  initialSync?: boolean;
  timeoutMs: number;
}

/**
 * Starts a fleet simulator and one backend with the real catalog, the real Shipyard backend and this module, waits
 * until the backend lists every simulated cluster, and runs one full sync of the cluster provider.
 */
export async function startSimCatalogBackend(
  options: SimCatalogOptions & {
    events: ReturnType<typeof mockServices.events>;
    scheduler: ReturnType<typeof mockServices.scheduler>;
    metrics: ReturnType<typeof createCountingMetrics>['metrics'];
  },
): Promise<{ sim: FleetSim; backend: TestBackend }> {
  const { clusters: providerClusters, ...provider } = options.provider ?? {};
  const { sim, backend } = await startSimulatedFleet({
    plugin: [
      catalogPlugin,
      shipyardPlugin,
      catalogModuleShipyard,
      ...(options.faults ? [options.faults.module] : []),
    ],
    logs: options.logs,
    sim: {
      managementClusters: 2,
      clusters: options.clusters,
      seed: options.seed,
      anomalies: false,
      timing: { stepMs: 20 },
    },
    waitConnected: false,
    config: {
      app: { baseUrl: 'http://portal.test' },
      catalog: {
        stitchingStrategy: {
          mode: 'deferred',
          pollingInterval: { milliseconds: 100 },
        },
        providers: {
          shipyard: {
            ...provider,
            clusters: { pageSize: options.pageSize, ...providerClusters },
          },
        },
      },
      shipyard: {
        platformTeam: 'group:default/platform-team',
        sync: { staleAfterMs: 300, ...options.sync },
        health: { enabled: true },
        ...options.shipyard,
      },
    },
    features: [
      fixedService(eventsServiceRef, options.events),
      fixedService(coreServices.scheduler, options.scheduler),
      options.metrics.factory,
    ],
  });
  await eventually(() => listFleet(backend), {
    until: items => items.length === sim.workloadClusters().length,
    timeoutMs: options.timeoutMs,
    intervalMs: 100,
  });
  if (options.initialSync ?? true) {
    await options.scheduler.triggerTask('ClusterEntityProvider:refresh');
  }
  return { sim, backend };
}

/** A suite's simulator and backend (see {@link useSimCatalogBackend}), and what its tests read of them. */
export interface SimCatalogSuite {
  readonly sim: FleetSim;
  readonly backend: TestBackend;
  readonly scheduler: ReturnType<typeof mockServices.scheduler>;
  /** A counter of the module's metrics, by metric, provider and type or outcome. */
  count(metric: string, provider: string, kind: string): number;
  /** GETs a catalog API path (below `/api`) as a user. */
  get<T>(path: string): Promise<T>;
  /** The generated client of the Shipyard backend. */
  client(): ShipyardTestClient;
  /** The whole fleet as the Shipyard backend lists it. */
  fleet(): Promise<ClusterSummary[]>;
  /** The catalog's `Resource` entities of `spec.type` (default `kubernetes-cluster`). */
  entities(type?: string): Promise<Entity[]>;
  /** Runs the cluster provider's scheduled full sync and waits for it. */
  fullSync(): Promise<void>;
  /** Calls `fn` until `accept` takes its value (every 100 ms, at most `timeoutMs`, default the suite's). */
  eventually<T>(
    fn: () => Promise<T>,
    accept: (value: T) => boolean,
    timeoutMs?: number,
  ): Promise<T>;
}

/**
 * Starts {@link startSimCatalogBackend} before the suite's tests (with its own events, scheduler and counting
 * metrics) and stops the backend and the simulator after them.
 */
export function useSimCatalogBackend(
  options: SimCatalogOptions & {
    /** The default timeout of the suite's `eventually` (default 45 s). */
    waitMs?: number;
  },
): SimCatalogSuite {
  const events = mockServices.events();
  const scheduler = mockServices.scheduler();
  const { metrics, count } = createCountingMetrics();
  let started: { sim: FleetSim; backend: TestBackend } | undefined;
  const running = () => {
    if (!started) throw new Error('the simulated catalog has not started');
    return started;
  };

  beforeAll(async () => {
    started = await startSimCatalogBackend({
      ...options,
      events,
      scheduler,
      metrics,
    });
  });

  afterAll(async () => {
    await started?.backend.stop();
    await started?.sim.stop();
  });

  const suite: SimCatalogSuite = {
    get sim() {
      return running().sim;
    },
    get backend() {
      return running().backend;
    },
    scheduler,
    count,
    get: path => apiGet(running().backend, path),
    client: () => shipyardClient(running().backend),
    fleet: () => listFleet(running().backend),
    entities: async (type = 'kubernetes-cluster') =>
      (
        await suite.get<{ items: Entity[] }>(
          `/catalog/entities/by-query?limit=1000&filter=${encodeURIComponent(
            `kind=resource,spec.type=${type}`,
          )}`,
        )
      ).items,
    fullSync: () => scheduler.triggerTask('ClusterEntityProvider:refresh'),
    eventually: (fn, accept, timeoutMs = options.waitMs ?? 45_000) =>
      eventually(fn, { until: accept, timeoutMs, intervalMs: 100 }),
  };
  return suite;
}
