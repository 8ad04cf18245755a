import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { shipyardManagementClusters } from '@shipyard/fleet-sim';
import type { FleetSim } from '@shipyard/fleet-sim';
import type { ClusterSummary } from '@shipyard/plugin-shipyard-common';
import request from 'supertest';
import { shipyardPlugin } from '../../plugin';
import { CaptureLogger } from '../../testUtils/captureLogger';
import { eventually } from '@shipyard/test-utils';

/** Shared pieces of the proof suites (fault matrix, bad input, security). */

export type Server = Parameters<typeof request>[0];
export type Backend = Awaited<ReturnType<typeof startTestBackend>>;

export const PLATFORM_TEAM = 'group:default/platform';

export { eventually };

export function keyOf(c: {
  managementCluster: string;
  namespace: string;
  name: string;
}): string {
  return `${c.managementCluster}/${c.namespace}/${c.name}`;
}

/** A configuration with millisecond timings. */
export function proofConfig(
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
      sync: {
        persistIntervalMs: 50,
        staleAfterMs: 400,
        requestTimeoutMs: 3000,
        backoff: { initialDelayMs: 20, maxDelayMs: 200 },
        ...shipyard.sync,
      },
      health: { enabled: false, ...shipyard.health },
    },
  };
}

/** Starts the real backend with a capturing logger; `features` replace or add services. */
export async function startShipyardBackend(options: {
  config: Record<string, any>;
  logs?: string[];
  /** When each line of `logs` was written. */
  logTimes?: number[];
  features?: Parameters<typeof startTestBackend>[0]['features'];
}): Promise<Backend> {
  const logger = new CaptureLogger(
    options.logs ?? [],
    {},
    options.logTimes ?? [],
  );
  return startTestBackend({
    features: [
      shipyardPlugin,
      createServiceFactory({
        service: coreServices.logger,
        deps: {},
        factory: () => logger,
      }),
      mockServices.rootConfig.factory({ data: options.config }),
      ...(options.features ?? []),
    ],
  });
}

/** Every cluster the API lists, following cursors. */
export async function listAll(
  server: Server,
  query: Record<string, string> = {},
): Promise<ClusterSummary[]> {
  const items: ClusterSummary[] = [];
  let cursor: string | undefined;
  do {
    const res = await request(server)
      .get('/api/shipyard/clusters')
      .query({
        limit: 500,
        facets: 'false',
        ...query,
        ...(cursor ? { cursor } : {}),
      });
    if (res.status !== 200) {
      throw new Error(
        `GET /clusters: ${res.status} ${JSON.stringify(res.body)}`,
      );
    }
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
}

/** The state of every management cluster, by name. */
export async function managementClusters(
  server: Server,
): Promise<Map<string, any>> {
  const res = await request(server).get('/api/shipyard/management-clusters');
  if (res.status !== 200) throw new Error(`${res.status}`);
  return new Map(res.body.items.map((m: any) => [m.name, m]));
}

/** Waits until the named management clusters (all of the simulator's by default) are connected. */
export async function waitConnected(
  server: Server,
  names: string[],
  timeoutMs = 20_000,
): Promise<void> {
  await eventually(async () => {
    const mcs = await managementClusters(server);
    const states = names.map(n => `${n}=${mcs.get(n)?.state}`);
    if (names.some(n => mcs.get(n)?.state !== 'connected')) {
      throw new Error(`not connected: ${states.join(', ')}`);
    }
  }, timeoutMs);
}

/** Every cluster of a simulator (as its in-process API lists them), as `mc/ns/name` keys. */
export function simClusterKeys(sim: FleetSim): Set<string> {
  const keys = new Set<string>();
  for (const mc of sim.managementClusters) {
    const api = sim.management(mc.name).api;
    const listed = api.list(api.type('cluster.x-k8s.io/clusters'), {});
    for (const text of listed.texts) {
      const obj = JSON.parse(text);
      keys.add(`${mc.name}/${obj.metadata.namespace}/${obj.metadata.name}`);
    }
  }
  return keys;
}
