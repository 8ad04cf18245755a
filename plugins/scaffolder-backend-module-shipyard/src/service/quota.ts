import { ManagementClusterStatus } from '@shipyard/plugin-shipyard-common';
import { NotAllowedError, ServiceUnavailableError } from '@backstage/errors';
import { ShipyardBackend } from './ShipyardBackendClient';

/**
 * Refuses a new cluster for `owner` when the team already owns `quota` clusters across the fleet.
 *
 * The count comes from the fleet backend's index. While a management cluster is being listed for the first time
 * since that backend started (its clusters known only from the database after a restart, or not yet at all), the
 * count may be short, so the check waits for no answer it cannot trust: it refuses with 503 and asks to try again.
 * A management cluster that cannot be reached (`stale`) counts with its last known clusters, as it does at any
 * other time.
 */
export async function checkQuota(options: {
  owner: string;
  quota: number | undefined;
  managementClusters: ManagementClusterStatus[];
  backend: Pick<ShipyardBackend, 'countClustersOwnedBy'>;
}): Promise<void> {
  const { owner, quota } = options;
  if (quota === undefined) return;
  const listing = options.managementClusters
    .filter(m => !m.resynced && m.state !== 'stale')
    .map(m => m.name)
    .join(', ');
  if (listing) {
    throw new ServiceUnavailableError(
      `The cluster quota of ${owner} cannot be checked yet: Shipyard is still listing ${listing} after a restart, ` +
        `so it may not know all of the team's clusters; nothing was created. Try again in a minute`,
    );
  }
  const count = await options.backend.countClustersOwnedBy(owner);
  const clusters = count === 1 ? 'cluster' : 'clusters';
  if (count >= quota) {
    throw new NotAllowedError(
      `${owner} already owns ${count} ${clusters} and its quota is ${quota}; ` +
        'delete a cluster or ask the platform team to raise the quota (shipyard.quotas)',
    );
  }
}
