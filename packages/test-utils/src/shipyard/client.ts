import { mockCredentials } from '@backstage/backend-test-utils';
import {
  ClusterSummary,
  ManagementClusterStatus,
  ShipyardOpenApi,
  responseBody,
} from '@shipyard/plugin-shipyard-common';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually } from '../eventually';

/** The generated client of `/api/shipyard` (one method per operation of the spec). */
export type ShipyardTestClient = ShipyardOpenApi.DefaultApiClient;

/**
 * The generated client of `/api/shipyard` speaking to a backend started with `startTestBackend`, as `user` (a mock
 * user token; without one the test backend's default mock user).
 */
export function shipyardTestClient(
  server: Server,
  user?: string,
): ShipyardTestClient {
  const { port } = server.address() as AddressInfo;
  const authorization = user ? mockCredentials.user.header(user) : undefined;
  return new ShipyardOpenApi.DefaultApiClient({
    discoveryApi: {
      getBaseUrl: async pluginId => `http://127.0.0.1:${port}/api/${pluginId}`,
    },
    fetchApi: {
      fetch: (input, init) =>
        fetch(input, {
          ...init,
          headers: {
            ...(init?.headers as Record<string, string> | undefined),
            ...(authorization ? { authorization } : {}),
          },
        }),
    },
  });
}

/** Every cluster the API lists (`GET /clusters`, following cursors, without facets). */
export async function listAllClusters(
  client: ShipyardTestClient,
  query: ShipyardOpenApi.ListClusters['query'] = {},
): Promise<ClusterSummary[]> {
  const items: ClusterSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await responseBody(
      await client.listClusters({
        query: { limit: 500, facets: 'false', ...query, cursor },
      }),
    );
    items.push(...(page.items as ClusterSummary[]));
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

/** The state of every management cluster, by name (`GET /management-clusters`). */
export async function managementClusterStates(
  client: ShipyardTestClient,
): Promise<Map<string, ManagementClusterStatus>> {
  const body = await responseBody(await client.listManagementClusters());
  return new Map(body.items.map(m => [m.name, m]));
}

/** Waits until the named management clusters are listed and `connected`. */
export async function waitConnected(
  client: ShipyardTestClient,
  names: string[],
  timeoutMs = 30_000,
): Promise<void> {
  await eventually(async () => {
    const states = await managementClusterStates(client);
    if (names.some(n => states.get(n)?.state !== 'connected')) {
      throw new Error(
        `not connected: ${names
          .map(n => `${n}=${states.get(n)?.state}`)
          .join(', ')}`,
      );
    }
  }, timeoutMs);
}
