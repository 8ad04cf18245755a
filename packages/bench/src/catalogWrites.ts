import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import type { LoadChange } from '@shipyard/fleet-sim';
import catalogModuleShipyard, {
  CHANGES_METRIC,
  MUTATIONS_METRIC,
} from '@shipyard/plugin-catalog-backend-module-shipyard';
// the real Shipyard backend feeds the catalog module in this measurement
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import shipyardPlugin from '@shipyard/plugin-shipyard-backend';
import { shipyardConfig } from './backends';
import { CountingMetrics } from './countingMetrics';
import type { SimHandle, SimLoadFigures } from './sim/types';

export interface CatalogWriteOptions {
  eventsPerSecond: number;
  durationMs: number;
  /** Load mix of the simulator (default: status churn only: node health flips and heartbeat annotations). */
  mix?: Partial<Record<LoadChange, number>>;
  /** Idle window before the load, to tell late settling from churn (default 5 s). */
  idleMs?: number;
  /** Longest wait for the first full sync (default 120 s). */
  syncTimeoutMs?: number;
}

export interface CatalogWriteResult {
  eventsPerSecond: number;
  durationSeconds: number;
  mix: Partial<Record<LoadChange, number>>;
  load: SimLoadFigures | undefined;
  /** Catalog mutations (applyMutation calls) of the cluster provider during the load, per minute. */
  deltaMutationsPerMinute: number;
  fullMutationsDuringLoad: number;
  /** Fleet changes the module received during the load, by outcome. */
  changesByOutcome: Record<string, number>;
  idleSeconds: number;
  /** Delta mutations during the idle window before the load (no churn). */
  idleDeltaMutations: number;
  /** Entities written by the initial full sync (for scale). */
  entitiesAfterFullSync: number;
}

export const STATUS_CHURN: Partial<Record<LoadChange, number>> = {
  health: 70,
  annotate: 30,
  // the simulator merges this mix over its default one: status churn only, no scaling and no upgrades
  scale: 0,
  upgrade: 0,
};

const CLUSTER_PROVIDER = 'ClusterEntityProvider';

/**
 * Catalog write volume under status churn: the catalog plugin, the Shipyard backend and the Shipyard catalog module
 * on one test backend; the simulator's load driver changes the fleet at a steady rate; the module's mutation counters
 * (its `metrics` service) count what reaches the catalog.
 */
export async function measureCatalogWrites(
  sim: SimHandle,
  options: CatalogWriteOptions,
): Promise<CatalogWriteResult> {
  const metrics = new CountingMetrics();
  const events = mockServices.events();
  const scheduler = mockServices.scheduler();
  const base = shipyardConfig(sim);
  const backend = await startTestBackend({
    features: [
      catalogPlugin,
      shipyardPlugin,
      catalogModuleShipyard,
      createServiceFactory({
        service: eventsServiceRef,
        deps: {},
        factory: () => events,
      }),
      createServiceFactory({
        service: coreServices.scheduler,
        deps: {},
        factory: () => scheduler,
      }),
      metrics.factory,
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://portal.test' },
          catalog: {
            stitchingStrategy: {
              mode: 'deferred',
              pollingInterval: { milliseconds: 500 },
            },
          },
          shipyard: { ...base.shipyard, health: { enabled: false } },
        },
      }),
    ],
  });
  const url = `http://localhost:${backend.server.port()}/api`;
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${url}${path}`, {
      headers: { Authorization: mockCredentials.user.header() },
    });
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    return (await res.json()) as T;
  };
  try {
    const deadline = Date.now() + (options.syncTimeoutMs ?? 120_000);
    for (;;) {
      const r = await get<{ totalCount: number }>(
        '/shipyard/clusters?limit=1&facets=false',
      );
      if (r.totalCount >= sim.clusters) break;
      if (Date.now() > deadline)
        throw new Error(
          `Shipyard has ${r.totalCount} of ${sim.clusters} clusters`,
        );
      await new Promise(res => setTimeout(res, 200));
    }
    await scheduler.triggerTask(`${CLUSTER_PROVIDER}:refresh`);
    await new Promise(res => setTimeout(res, 1000));
    const entities = await get<{ totalItems: number }>(
      `/catalog/entities/by-query?limit=1&filter=${encodeURIComponent(
        'kind=resource,spec.type=kubernetes-cluster',
      )}`,
    );
    const count = (name: string, attributes: Record<string, string>) =>
      metrics.get(name, { provider: CLUSTER_PROVIDER, ...attributes });
    // an idle window first: what reaches the catalog without any churn (late settling, not the load)
    const idleMs = options.idleMs ?? 5000;
    const idle0 = count(MUTATIONS_METRIC, { type: 'delta' });
    await new Promise(res => setTimeout(res, idleMs));
    const mutations0 = {
      delta: count(MUTATIONS_METRIC, { type: 'delta' }),
      full: count(MUTATIONS_METRIC, { type: 'full' }),
    };
    const idleDeltaMutations = mutations0.delta - idle0;
    const outcomes = ['ignored', 'unchanged', 'applied', 'removed'];
    const changes0 = outcomes.map(outcome =>
      count(CHANGES_METRIC, { outcome }),
    );
    const mix = options.mix ?? STATUS_CHURN;
    const started = performance.now();
    await sim.startLoad({
      eventsPerSecond: options.eventsPerSecond,
      durationMs: options.durationMs,
      mix,
    });
    await new Promise(res => setTimeout(res, options.durationMs));
    const load = await sim.stopLoad();
    // let the last watch events and change events arrive
    await new Promise(res => setTimeout(res, 1500));
    const elapsedMs = performance.now() - started;
    const changesByOutcome: Record<string, number> = {};
    outcomes.forEach((outcome, i) => {
      changesByOutcome[outcome] =
        count(CHANGES_METRIC, { outcome }) - changes0[i];
    });
    return {
      eventsPerSecond: options.eventsPerSecond,
      durationSeconds: elapsedMs / 1000,
      mix,
      load,
      deltaMutationsPerMinute:
        (count(MUTATIONS_METRIC, { type: 'delta' }) - mutations0.delta) /
        (elapsedMs / 60_000),
      fullMutationsDuringLoad:
        count(MUTATIONS_METRIC, { type: 'full' }) - mutations0.full,
      changesByOutcome,
      idleSeconds: idleMs / 1000,
      idleDeltaMutations,
      entitiesAfterFullSync: entities.totalItems,
    };
  } finally {
    await backend.stop();
  }
}
