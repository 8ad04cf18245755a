import type {
  MetricsService,
  MetricsServiceCounter,
} from '@backstage/backend-plugin-api/alpha';

/** Metric of mutations applied to the catalog, by provider and `full` / `delta`. */
export const MUTATIONS_METRIC = 'shipyard.catalog.mutations';
/** Metric of fleet changes received, by outcome: `ignored` (not entity-relevant), `unchanged`, `applied`, `removed`. */
export const CHANGES_METRIC = 'shipyard.catalog.changes';

/** The counters the entity providers record. */
export class ProviderMetrics {
  private readonly mutations?: MetricsServiceCounter<{
    provider: string;
    type: 'full' | 'delta';
  }>;
  private readonly changes?: MetricsServiceCounter<{
    provider: string;
    outcome: 'ignored' | 'unchanged' | 'applied' | 'removed';
  }>;

  constructor(private readonly provider: string, metrics?: MetricsService) {
    this.mutations = metrics?.createCounter(MUTATIONS_METRIC, {
      description:
        'Mutations applied to the catalog by Shipyard entity providers',
    });
    this.changes = metrics?.createCounter(CHANGES_METRIC, {
      description:
        'Fleet changes received by Shipyard entity providers, by outcome',
    });
  }

  mutation(type: 'full' | 'delta') {
    this.mutations?.add(1, { provider: this.provider, type });
  }

  change(outcome: 'ignored' | 'unchanged' | 'applied' | 'removed', count = 1) {
    if (count > 0)
      this.changes?.add(count, { provider: this.provider, outcome });
  }
}
