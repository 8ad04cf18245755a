import { mockServices } from '@backstage/backend-test-utils';
import { EntityProviderMutation } from '@backstage/plugin-catalog-node';
import { eventually } from '@shipyard/test-utils';
import {
  catalogConfig,
  clusterClass,
  managementCluster,
} from '../__testUtils__/fixtures';
import { ProfileIndex } from '../profiles/ProfileIndex';
import { ClusterProfileEntityProvider } from './ClusterProfileEntityProvider';

describe('ClusterProfileEntityProvider', () => {
  it('retries a failed full sync within seconds, with backoff, without waiting for the next scheduled sync', async () => {
    // the backend does not answer the first listing of ClusterClasses (a cold start); there is no schedule here,
    // so only the provider's own retry can bring the profiles into the catalog
    const listings: number[] = [];
    const started = Date.now();
    const config = catalogConfig();
    const provider = new ClusterProfileEntityProvider({
      config,
      classes: {
        listClusterClasses: async () => {
          listings.push(Date.now() - started);
          if (listings.length === 1) {
            throw new Error('GET /cluster-classes: 503 Service Unavailable');
          }
          return [clusterClass({ name: 'dev-standard' })];
        },
      },
      reader: {
        listManagementClusters: async () => [managementCluster('mgmt-eu-1')],
      },
      profiles: new ProfileIndex({
        config,
        logger: mockServices.logger.mock(),
        source: { listCatalogProfiles: async () => [] },
      }),
      logger: mockServices.logger.mock(),
      fullSyncRetry: { firstDelayMs: 20, maxDelayMs: 80 },
    });
    const mutations: EntityProviderMutation[] = [];
    await provider.connect({
      applyMutation: async m => {
        mutations.push(m);
      },
      refresh: async () => undefined,
    });

    await expect(provider.refresh()).rejects.toThrow(/503/);
    expect(provider.getStats().lastError).toMatch(/503/);
    await eventually(() => mutations.length > 0, {
      timeoutMs: 5_000,
      intervalMs: 10,
    });

    expect(listings).toHaveLength(2);
    expect(listings[1] - listings[0]).toBeGreaterThanOrEqual(19);
    const [full] = mutations;
    expect(
      full.type === 'full' && full.entities.map(e => e.entity.metadata.name),
    ).toEqual(['mgmt-eu-1--default--dev-standard']);
    expect(provider.getStats()).toMatchObject({
      fullMutations: 1,
      profiles: 1,
      lastError: undefined,
    });

    // once it succeeded, no further attempts are made
    await new Promise(r => setTimeout(r, 200));
    expect(listings).toHaveLength(2);
  });
});
