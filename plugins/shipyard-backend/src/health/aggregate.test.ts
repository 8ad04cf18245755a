import { DEFAULT_HEALTH_CONFIG } from './config';
import { aggregateHealth, AggregationInput } from './aggregate';
import { ProbeResult } from '../probes/types';
import { VersionLifecycle } from '../lifecycle/VersionLifecycle';

const now = Date.parse('2026-11-21T12:00:00Z');
const ok: ProbeResult = {
  key: 'mc/ns/c',
  at: new Date(now - 1000).toISOString(),
  ok: true,
  latencyMs: 40,
  consecutiveFailures: 0,
  gitVersion: 'v1.35.2+k3s1',
  distribution: 'k3s',
  nodes: {
    total: 3,
    ready: 3,
    notReady: 0,
    kubeletVersions: { 'v1.35.2+k3s1': 3 },
    roles: { 'control-plane': 1, worker: 2 },
  },
  kubeSystem: { pods: 10, notReady: 0, notReadyPods: [] },
};

const lifecycle = new VersionLifecycle({
  config: { nearingEndOfLifeDays: 90, overrides: {}, extendedSupport: {} },
  now: () => now,
});

function run(partial: Partial<AggregationInput>) {
  return aggregateHealth({
    lifecycle,
    capi: { status: 'healthy', reasons: [] },
    desiredMinor: '1.35',
    managementCluster: 'mc',
    source: { state: 'connected' },
    config: DEFAULT_HEALTH_CONFIG,
    now,
    ...partial,
  });
}

describe('aggregateHealth', () => {
  it('maps probe findings to statuses', () => {
    expect(run({ probe: ok }).status).toBe('healthy');
    expect(run({ probe: { ...ok, latencyMs: 2500 } }).status).toBe('degraded');
    // opening the probe's connection (a TLS handshake on a busy prober) is not the server answering slowly
    expect(
      run({ probe: { ...ok, latencyMs: 2500, connectMs: 1200 } }).status,
    ).toBe('healthy');
    expect(
      run({ probe: { ...ok, latencyMs: 3500, connectMs: 1200 } }).status,
    ).toBe('degraded');
    expect(
      run({
        probe: {
          ...ok,
          nodes: { ...ok.nodes!, ready: 2, notReady: 1 },
          notReadyNodes: ['n1'],
        },
      }).status,
    ).toBe('degraded');
    expect(
      run({ probe: { ...ok, nodes: { ...ok.nodes!, ready: 0, notReady: 3 } } })
        .status,
    ).toBe('unhealthy');
    expect(
      run({
        probe: {
          ...ok,
          kubeSystem: { pods: 10, notReady: 1, notReadyPods: ['coredns-x'] },
        },
      }).status,
    ).toBe('degraded');
    expect(
      run({
        probe: {
          ...ok,
          apiErrors: { failed: 1, total: 4, example: 'HTTP 500' },
        },
      }).status,
    ).toBe('degraded');
    const down = {
      ...ok,
      ok: false,
      failure: 'unreachable' as const,
      error: 'connection refused',
    };
    expect(run({ probe: { ...down, consecutiveFailures: 1 } }).status).toBe(
      'degraded',
    );
    expect(run({ probe: { ...down, consecutiveFailures: 2 } }).status).toBe(
      'unhealthy',
    );
    expect(
      run({
        probe: {
          ...ok,
          ok: false,
          failure: 'not-ready',
          error: 'API server not ready: etcd failed',
        },
      }).status,
    ).toBe('unhealthy');
    expect(run({ probe: { ...ok, ok: false, failure: 'errors' } }).status).toBe(
      'unhealthy',
    );
    expect(
      run({ probe: { ...ok, ok: false, failure: 'no-credentials' } }).status,
    ).toBe('healthy');
    expect(
      run({ probe: { ...ok, ok: false, failure: 'unauthorized' } }).reasons.map(
        r => r.type,
      ),
    ).toContain('ProbeUnauthorized');
  });

  it('lets Cluster API decide transitional states, and worst wins otherwise', () => {
    const down = {
      ...ok,
      ok: false,
      failure: 'timeout' as const,
      consecutiveFailures: 3,
    };
    const provisioning = run({
      capi: { status: 'provisioning', reasons: [] },
      probe: down,
    });
    expect(provisioning.status).toBe('provisioning');
    expect(provisioning.reasons.every(r => r.severity === 'info')).toBe(true);
    expect(
      run({ capi: { status: 'deleting', reasons: [] }, probe: down }).status,
    ).toBe('deleting');
    expect(
      run({ capi: { status: 'degraded', reasons: [] }, probe: ok }).status,
    ).toBe('degraded');
    expect(
      run({ capi: { status: 'unknown', reasons: [] }, probe: ok }).status,
    ).toBe('healthy');
    expect(
      run({ capi: { status: 'healthy', reasons: [] }, probe: down }).status,
    ).toBe('unhealthy');
  });

  it('handles staleness of probes and of the management cluster', () => {
    const old = {
      ...ok,
      at: new Date(
        now - DEFAULT_HEALTH_CONFIG.resultsStaleAfterMs - 1,
      ).toISOString(),
    };
    const staleProbe = run({ probe: old });
    expect(staleProbe.reasons.map(r => r.type)).toContain('ProbeStale');
    const stale = {
      state: 'stale' as const,
      staleSince: '2026-11-21T11:00:00Z',
    };
    expect(run({ source: stale }).status).toBe('unknown');
    const withProbe = run({ source: stale, probe: ok });
    expect(withProbe.status).toBe('healthy');
    expect(withProbe.reasons.find(r => r.type === 'SourceStale')).toMatchObject(
      { source: 'source', since: stale.staleSince },
    );
  });

  it('says of each cluster of an unreachable management cluster since when it is not observed, and what it leaves unconfirmed', () => {
    const stale = {
      state: 'stale' as const,
      staleSince: '2026-11-21T11:00:30Z',
      lastSeenAt: '2026-11-21T11:00:00Z',
    };
    const message = (extra: object) =>
      run({
        managementCluster: 'mgmt-eu-1',
        source: stale,
        ...extra,
      }).reasons.find(r => r.type === 'SourceStale')?.message;
    expect(message({})).toBe(
      'mgmt-eu-1 unreachable: not observed since 2026-11-21T11:00:00Z; the Cluster API state may be outdated',
    );
    expect(message({ hostCluster: 'mgmt-eu-1' })).toBe(
      'mgmt-eu-1 unreachable: not observed since 2026-11-21T11:00:00Z; the Cluster API state may be outdated, and the control plane pods it hosts are not confirmed',
    );
    expect(message({ managementClusterOf: 'mgmt-us-1' })).toBe(
      'mgmt-eu-1 unreachable: not observed since 2026-11-21T11:00:00Z; the Cluster API state may be outdated; the management cluster mgmt-us-1 cannot be changed through Cluster API meanwhile',
    );
    // self-hosted: it is the unreachable one itself
    expect(message({ managementClusterOf: 'mgmt-eu-1' })).toBe(message({}));
    expect(
      message({ source: { state: 'stale', staleSince: stale.staleSince } }),
    ).toContain('not observed since 2026-11-21T11:00:30Z');
    expect(message({ source: { state: 'connected' } })).toBeUndefined();
  });

  it('adds version support, end of life, skew and distribution', () => {
    const r = run({ probe: ok });
    expect(r.distribution).toBe('k3s');
    expect(r.observedKubernetesVersion).toBe('v1.35.2+k3s1');
    expect(r.versionSupport).toMatchObject({
      status: 'supported',
      minor: '1.35',
      distribution: 'k3s',
      calendar: 'upstream',
      endOfLife: '2027-02-28',
      nextBoundary: { date: '2026-12-28', status: 'maintenance' },
    });
    const eol = run({ desiredMinor: '1.29' });
    expect(eol.versionSupport?.status).toBe('end-of-life');
    expect(eol.reasons.find(x => x.type === 'VersionEndOfLife')?.source).toBe(
      'capi',
    );
    expect(eol.status).toBe('healthy');
    const skewed = run({
      probe: {
        ...ok,
        nodes: {
          ...ok.nodes!,
          kubeletVersions: { 'v1.35.2': 1, 'v1.31.0': 2 },
        },
      },
    });
    expect(skewed.reasons.find(x => x.type === 'VersionSkew')).toMatchObject({
      severity: 'warning',
    });
    expect(skewed.status).toBe('healthy');
  });

  it('names extended support, its charge and the approaching end of free support', () => {
    const extended = run({
      desiredVersion: 'v1.33.4',
      capiDistribution: 'eks',
    });
    expect(extended.versionSupport).toMatchObject({
      status: 'extended',
      endOfExtendedSupport: '2027-07-29',
      extendedSupportCharged: true,
    });
    expect(
      extended.reasons.find(x => x.type === 'VersionExtendedSupport'),
    ).toMatchObject({
      severity: 'info',
      source: 'capi',
      message:
        'Kubernetes 1.33 on Amazon EKS is in extended support until 2027-07-29 (charged)',
    });
    const nearing = run({ desiredVersion: 'v1.34.2', capiDistribution: 'eks' });
    expect(nearing.versionSupport?.status).toBe('supported');
    expect(
      nearing.reasons.find(x => x.type === 'VersionNearingEndOfLife')?.message,
    ).toBe(
      'Kubernetes 1.34 on Amazon EKS leaves standard support after 2026-12-02; extended support (charged) runs until 2027-12-02',
    );
    expect(extended.status).toBe('healthy');
    // an OpenShift cluster's spec names the OpenShift version
    expect(
      run({
        desiredVersion: '4.16.8',
        desiredMinor: '4.16',
        capiDistribution: 'openshift',
      }).versionSupport,
    ).toMatchObject({
      minor: '1.29',
      status: 'end-of-life',
      productVersion: '4.16',
    });
  });
});

describe('progressing', () => {
  const progressing = (startedMsAgo: number): AggregationInput['capi'] => ({
    status: 'progressing',
    reasons: [
      {
        source: 'capi',
        severity: 'info',
        type: 'Progressing',
        message: 'Scaling up (Cluster API)',
        since: new Date(now - startedMsAgo).toISOString(),
      },
      {
        source: 'capi',
        severity: 'info',
        type: 'WorkerReplicas',
        message: '4 of 6 worker replicas available',
      },
    ],
  });
  const grace = DEFAULT_HEALTH_CONFIG.progressingGraceMs;

  it('stays progressing within the grace period, with new nodes not ready yet', () => {
    const result = run({
      capi: progressing(grace - 1000),
      probe: {
        ...ok,
        nodes: { ...ok.nodes!, ready: 2, notReady: 1 },
        notReadyNodes: ['n1'],
      },
    });
    expect(result.status).toBe('progressing');
    expect(result.reasons.every(r => r.severity === 'info')).toBe(true);
  });

  it('is degraded once the progress outlasts the grace period', () => {
    const result = run({ capi: progressing(grace + 1000), probe: ok });
    expect(result.status).toBe('degraded');
    expect(result.reasons[0].message).toMatch(/for more than 10 min/);
    expect(result.reasons[1].severity).toBe('warning');
  });

  it('lets an unreachable API server win over progress', () => {
    const result = run({
      capi: progressing(1000),
      probe: {
        ...ok,
        ok: false,
        failure: 'unreachable',
        consecutiveFailures: 3,
      },
    });
    expect(result.status).toBe('unhealthy');
  });
});
