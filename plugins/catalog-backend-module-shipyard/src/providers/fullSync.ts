import { SchedulerServiceTaskRunner } from '@backstage/backend-plugin-api';
import { ManagementClusterStatus } from '@shipyard/plugin-shipyard-common';

/*
 * What the entity providers' full syncs share: the schedule they run on, and what they keep of their last sync
 * when a management cluster cannot be listed.
 */

/** Runs a provider's full sync on its schedule (`<provider>:refresh`), when it has one. */
export async function scheduleFullSync(
  taskRunner: SchedulerServiceTaskRunner | undefined,
  providerName: string,
  refresh: () => Promise<void>,
): Promise<void> {
  await taskRunner?.run({ id: `${providerName}:refresh`, fn: refresh });
}

/**
 * Keeps in `next` the records of the last sync that the listing missed because their management cluster is known
 * and not connected (unreachable, not deleted), unless `keep` says otherwise. Answers how many it kept.
 */
export function carryOver<R>(
  previous: Map<string, R>,
  next: Map<string, R>,
  statuses: ManagementClusterStatus[],
  managementClusterOf: (record: R) => string,
  keep: (record: R) => boolean = () => true,
): number {
  const states = new Map(statuses.map(s => [s.name, s.state]));
  let carried = 0;
  for (const [key, record] of previous) {
    if (next.has(key)) continue;
    const state = states.get(managementClusterOf(record));
    if (state !== undefined && state !== 'connected' && keep(record)) {
      next.set(key, record);
      carried++;
    }
  }
  return carried;
}
