import { createConnection } from '@shipyard/plugin-shipyard-backend/src/config/connections';
import { ShipyardBackendConfig } from '@shipyard/plugin-shipyard-backend/src/config/config';
import { discoverTargets } from '@shipyard/plugin-shipyard-backend/src/reconcile/discovery';
import { KubeClient } from '@shipyard/plugin-shipyard-node/kube';
import { threadCpuMs } from '../stats';

/** What a cold sync cannot go below: the lists read and parsed, nothing done with them. */
export interface ListFloor {
  /** Wall time from the first request to the last page parsed. */
  ms: number;
  /** CPU time of this thread meanwhile (the simulator runs in another thread). */
  cpuMs: number;
  objects: number;
  pages: number;
}

/**
 * The parse floor of a cold sync: every page of every kind the reconcilers watch, on every management cluster of
 * `config`, read through the backend's own client as a cold sync reads them (discovery first, every kind of a
 * management cluster at once, the configured page size and limits) and parsed, with nothing done with the objects.
 */
export async function measureListFloor(
  config: ShipyardBackendConfig,
): Promise<ListFloor> {
  const { sync } = config;
  let objects = 0;
  let pages = 0;
  const started = performance.now();
  const cpuStarted = threadCpuMs();
  await Promise.all(
    config.managementClusters.map(async mc => {
      const client = new KubeClient(await createConnection(mc), {
        requestTimeoutMs: sync.requestTimeoutMs,
        idleTimeoutMs: sync.idleTimeoutMs,
        maxResponseBytes: sync.maxResponseBytes,
      });
      try {
        const { targets } = await discoverTargets(client);
        await Promise.all(
          targets.map(async target => {
            for await (const page of client.list(target.path, {
              pageSize: sync.pageSize,
            })) {
              objects += page.items.length;
              pages++;
            }
          }),
        );
      } finally {
        client.close();
      }
    }),
  );
  return {
    ms: performance.now() - started,
    cpuMs: threadCpuMs() - cpuStarted,
    objects,
    pages,
  };
}
