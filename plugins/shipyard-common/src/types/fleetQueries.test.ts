import {
  briefVersionSupport,
  clusterListItemOf,
  headlineHealthReason,
} from './fleetQueries';
import type { ClusterSummary, HealthReason } from './cluster';

const reason = (
  severity: HealthReason['severity'],
  type: string,
): HealthReason => ({
  source: 'capi',
  severity,
  type,
  message: `${type} message`,
});

const summary: ClusterSummary = {
  managementCluster: 'mc-a',
  namespace: 'team-a',
  name: 'web-1',
  uid: 'uid-web-1',
  title: 'Web 1',
  owner: 'group:default/team-a',
  system: 'system:default/web',
  lifecycle: 'production',
  distribution: 'eks',
  kubernetesVersion: 'v1.31.4',
  kubernetesMinor: '1.31',
  phase: 'Provisioned',
  health: 'degraded',
  healthReasons: [
    reason('info', 'VersionExtendedSupport'),
    reason('warning', 'ApiServerSlow'),
    reason('error', 'ProbeFailed'),
  ],
  conditions: [{ type: 'Ready', status: 'True' }],
  controlPlane: { desired: 3, current: 3, ready: 3, available: 3, upToDate: 3 },
  workers: { current: 2, ready: 1, upToDate: 1, statusBehindSpec: true },
  machineDeployments: [{ name: 'md-0', replicas: { desired: 2 } }],
  machinePools: [],
  machinesByPhase: { Running: 5 },
  machineCount: 5,
  labels: { env: 'prod' },
  lastChangedAt: '2026-01-02T03:04:05.000Z',
  apiVersion: 'cluster.x-k8s.io/v1beta2',
  source: { state: 'connected', resynced: true },
  versionSupport: {
    status: 'extended',
    minor: '1.31',
    distribution: 'eks',
    calendar: 'eks',
    releaseDate: '2024-09-26',
    endOfStandardSupport: '2025-11-26',
    endOfExtendedSupport: '2026-11-26',
    extendedSupportCharged: true,
    endOfLife: '2026-11-26',
    nextBoundary: { date: '2026-11-27', status: 'end-of-life' },
    origin: 'bundled',
  },
};

describe('headlineHealthReason', () => {
  it('is the first reason whose severity is not info, else the first, else none', () => {
    expect(headlineHealthReason(summary.healthReasons)?.type).toBe(
      'ApiServerSlow',
    );
    expect(
      headlineHealthReason([
        reason('error', 'ProbeFailed'),
        reason('warning', 'ApiServerSlow'),
      ])?.type,
    ).toBe('ProbeFailed');
    expect(
      headlineHealthReason([
        reason('info', 'VersionNearingEndOfLife'),
        reason('info', 'VersionExtendedSupport'),
      ])?.type,
    ).toBe('VersionNearingEndOfLife');
    expect(headlineHealthReason([])).toBeUndefined();
  });
});

describe('briefVersionSupport', () => {
  it('keeps the status and the end of life only', () => {
    expect(briefVersionSupport(summary.versionSupport!)).toEqual({
      status: 'extended',
      endOfLife: '2026-11-26',
    });
    expect(
      Object.keys(briefVersionSupport({ status: 'unknown', minor: '1.99' })),
    ).toEqual(['status']);
  });
});

describe('clusterListItemOf', () => {
  it('keeps what a table shows, with the headline reason, brief replica counters and version support, ending with lastChangedAt and source', () => {
    const item = clusterListItemOf(summary);
    expect(item).toEqual({
      managementCluster: 'mc-a',
      namespace: 'team-a',
      name: 'web-1',
      title: 'Web 1',
      owner: 'group:default/team-a',
      distribution: 'eks',
      kubernetesVersion: 'v1.31.4',
      kubernetesMinor: '1.31',
      phase: 'Provisioned',
      health: 'degraded',
      healthReason: reason('warning', 'ApiServerSlow'),
      healthReasonCount: 3,
      controlPlane: { desired: 3, current: 3, ready: 3 },
      workers: { current: 2, ready: 1 },
      machineCount: 5,
      versionSupport: { status: 'extended', endOfLife: '2026-11-26' },
      lastChangedAt: '2026-01-02T03:04:05.000Z',
      source: { state: 'connected', resynced: true },
    });
    expect(Object.keys(item).slice(-2)).toEqual(['lastChangedAt', 'source']);
  });

  it('leaves out the headline, the count and version support when the cluster has none, and source when the summary has none', () => {
    const { source: _source, ...stored } = summary;
    const item = clusterListItemOf({
      ...stored,
      healthReasons: [],
      versionSupport: undefined,
    });
    expect(item).not.toHaveProperty('healthReason');
    expect(item).not.toHaveProperty('healthReasonCount');
    expect(item).not.toHaveProperty('versionSupport');
    expect(item).not.toHaveProperty('source');
    expect(Object.keys(item).at(-1)).toBe('lastChangedAt');
    expect(JSON.stringify(item)).not.toContain('undefined');
  });
});
