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

  it('writes a re-aggregated cluster to the index only when what aggregation writes changed', () => {
    const { index, aggregator } = setup();
    aggregator.upsert(makeSummary({ name: 'a' }));
    const probe = {
      key,
      at: new Date(now).toISOString(),
      ok: true,
      latencyMs: 3,
      consecutiveFailures: 0,
      gitVersion: 'v1.33.2',
      nodes: {
        total: 3,
        ready: 3,
        notReady: 0,
        kubeletVersions: { 'v1.33.2': 3 },
        roles: { worker: 3 },
      },
    };
    expect(aggregator.apply([probe])).toBe(1);
    const revision = index.revision;
    // a later probe that says the same (in objects of its own): nothing to write
    expect(
      aggregator.apply([
        {
          ...probe,
          at: new Date(now + 1000).toISOString(),
          latencyMs: 4,
          nodes: {
            ...probe.nodes,
            kubeletVersions: { 'v1.33.2': 3 },
            roles: { worker: 3 },
          },
        },
      ]),
    ).toBe(0);
    expect(index.revision).toBe(revision);
    // one node fewer: the nodes changed
    expect(
      aggregator.apply([
        {
          ...probe,
          at: new Date(now + 2000).toISOString(),
          nodes: {
            ...probe.nodes,
            total: 2,
            ready: 2,
            kubeletVersions: { 'v1.33.2': 2 },
          },
        },
      ]),
    ).toBe(1);
    expect(index.getStored(key)?.nodes?.total).toBe(2);
    // a node not ready: a reason appears and the health changes
    expect(
      aggregator.apply([
        {
          ...probe,
          at: new Date(now + 3000).toISOString(),
          nodes: { ...probe.nodes, ready: 2, notReady: 1 },
        },
      ]),
    ).toBe(1);
    expect(index.getStored(key)?.health).toBe('degraded');
    expect(index.getStored(key)?.healthReasons.map(r => r.type)).toEqual([
      'NodesNotReady',
    ]);
  });

  it('counts a probe timeout against a cluster that answered its last probe only when the next one times out too', () => {
    // a prober whose own machine is full (a cold round at 25,000 clusters on two cores) sees some clusters time out
    // once and answer in the next round: their health must not flip twice for it
    const { index, aggregator } = setup();
    aggregator.upsert(makeSummary({ name: 'a' }));
    const at = (s: number) => new Date(now + s * 1000).toISOString();
    const ok = { key, ok: true, latencyMs: 3, consecutiveFailures: 0 };
    const timeout = {
      key,
      ok: false,
      latencyMs: 5000,
      failure: 'timeout' as const,
      error: 'timeout',
      lastSuccessAt: at(0),
    };
    aggregator.apply([{ ...ok, at: at(0) }]);
    expect(index.getStored(key)?.health).toBe('healthy');
    const revision = index.revision;
    // once: the health stands, the summary's probe says what happened
    expect(
      aggregator.apply([{ ...timeout, at: at(60), consecutiveFailures: 1 }]),
    ).toBe(0);
    expect(index.revision).toBe(revision);
    expect(index.get(key)?.summary).toMatchObject({
      health: 'healthy',
      probe: { ok: false, consecutiveFailures: 1, error: 'timeout' },
    });
    // answered again: nothing changed at all
    expect(aggregator.apply([{ ...ok, at: at(120) }])).toBe(0);
    expect(index.revision).toBe(revision);
    // twice in a row (failureThreshold): unhealthy
    aggregator.apply([{ ...timeout, at: at(180), consecutiveFailures: 1 }]);
    expect(
      aggregator.apply([{ ...timeout, at: at(240), consecutiveFailures: 2 }]),
    ).toBe(1);
    expect(index.getStored(key)?.health).toBe('unhealthy');
    expect(index.getStored(key)?.healthReasons.map(r => r.type)).toEqual([
      'ProbeTimeout',
    ]);
  });

  it('counts a refused connection at once, and a timeout at once when no probe answered before', () => {
    const { index, aggregator } = setup();
    aggregator.upsert(makeSummary({ name: 'a' }));
    aggregator.upsert(makeSummary({ name: 'b' }));
    const at = new Date(now).toISOString();
    aggregator.apply([
      { key, at, ok: true, latencyMs: 3, consecutiveFailures: 0 },
    ]);
    aggregator.apply([
      {
        key,
        at: new Date(now + 60_000).toISOString(),
        ok: false,
        latencyMs: 2,
        failure: 'unreachable',
        error: 'connect ECONNREFUSED',
        consecutiveFailures: 1,
      },
      {
        key: 'mc-a/default/b',
        at,
        ok: false,
        latencyMs: 5000,
        failure: 'timeout',
        consecutiveFailures: 1,
      },
    ]);
    expect(index.getStored(key)?.health).toBe('degraded');
    expect(index.getStored('mc-a/default/b')?.health).toBe('degraded');
  });

  it("lists a management cluster's clusters once each, folded before restored", () => {
    const { aggregator } = setup();
    const n = 2_000;
    for (let i = 0; i < n; i++) {
      const name = `c-${i}`;
      aggregator.upsert(makeSummary({ name }), { restored: true });
      aggregator.upsert(
        makeSummary({ name: `other-${i}`, managementCluster: 'mc-b' }),
        { restored: true },
      );
      // every other cluster listed again
      if (i % 2 === 0) aggregator.upsert(makeSummary({ name }));
    }
    // restored again after it was listed: both folded and restored
    aggregator.upsert(makeSummary({ name: 'c-0' }), { restored: true });
    const keys = aggregator.keysOf('mc-a');
    expect(keys.length).toBe(n);
    expect(new Set(keys).size).toBe(n);
    expect(keys.slice(0, 2)).toEqual(['mc-a/default/c-0', 'mc-a/default/c-2']);
    expect(keys[n / 2]).toBe('mc-a/default/c-1');
    expect(keys.every(k => k.startsWith('mc-a/'))).toBe(true);
  }, 60_000);
});
