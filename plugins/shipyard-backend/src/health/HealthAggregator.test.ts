import { FleetIndex } from '../index/FleetIndex';
import { makeSummary } from '../__testUtils__/summaries';
import { DEFAULT_HEALTH_CONFIG } from './config';
import { HealthAggregator } from './HealthAggregator';

describe('HealthAggregator', () => {
  const now = Date.parse('2026-01-10T00:00:00Z');
  function setup() {
    const index = new FleetIndex();
    const aggregator = new HealthAggregator(index, DEFAULT_HEALTH_CONFIG, {
      now: () => now,
    });
    aggregator.start();
    return { index, aggregator };
  }
  const key = 'mc-a/default/a';

  it('takes the Kubernetes minor from the version the workload cluster reports when nothing declares one', () => {
    const { index, aggregator } = setup();
    aggregator.upsert(makeSummary({ name: 'a' }));
    expect(index.getStored(key)?.kubernetesMinor).toBeUndefined();
    aggregator.apply([
      {
        key,
        at: new Date(now).toISOString(),
        ok: true,
        latencyMs: 3,
        consecutiveFailures: 0,
        gitVersion: 'v1.33.2-eks-1a2b3c4',
      },
    ]);
    expect(index.getStored(key)?.kubernetesMinor).toBe('1.33');
    // the minor the spec declares wins over the observed one
    aggregator.upsert(makeSummary({ name: 'a', kubernetesMinor: '1.34' }));
    expect(index.getStored(key)?.kubernetesMinor).toBe('1.34');
    // and the facet counts it once
    expect(index.summary().byKubernetesMinor).toEqual({ '1.34': 1 });
  });
});
