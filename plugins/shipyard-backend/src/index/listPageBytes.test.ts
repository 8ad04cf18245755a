import { FleetIndex } from './FleetIndex';
import { makeSummary } from '../__testUtils__/summaries';
import { StoredClusterSummary } from './model';

/*
 * The bytes of a 50-item `fields=list` page. The summaries are modelled on the largest list item measured on the
 * mixed load's pages (simulated fleet, a probe round with 5 % of the workload clusters unreachable and 5 % slow,
 * fleet-page queries): a slow probe's reason with its long message, two informational version reasons, the version
 * support with every field, every optional list field set. Before list items carried the headline reason, brief
 * replica counters and version support, such an item was 1,871 bytes (a page of them about 94 KB); the measured
 * pages' median was 73 KB.
 */

const MEASURED_WORST_ITEM_BYTES = 1871;

function largestMeasured(i: number): StoredClusterSummary {
  const since = '2026-12-06T13:17:46.421Z';
  return makeSummary({
    managementCluster: `mgmt-us-${i % 5}`,
    namespace: 'default',
    name: `mlserving-staging-use1-${String(i).padStart(2, '0')}`,
    title: `mlserving-staging-use1-${String(i).padStart(2, '0')}`,
    owner: 'group:default/team-c',
    system: 'system:default/mlserving',
    lifecycle: 'staging',
    profile: 'rosa-hcp',
    profileVersion: '0.3.0',
    provider: 'aws',
    distribution: 'openshift',
    kubernetesVersion: '4.18.16',
    observedKubernetesVersion: 'v1.31.13+80ad342',
    kubernetesMinor: '1.31',
    phase: 'Provisioned',
    health: 'degraded',
    healthReasons: [
      {
        source: 'probe',
        severity: 'warning',
        type: 'ApiServerSlow',
        message:
          "The workload API server answers slowly: /readyz answered in 3999 ms, 2 more request(s) were unanswered when the probe's deadline ended it",
        since,
      },
      {
        source: 'probe',
        severity: 'info',
        type: 'VersionExtendedSupport',
        message:
          'Kubernetes 1.31 on Red Hat OpenShift is in extended support until 2027-02-25',
        since,
      },
      {
        source: 'probe',
        severity: 'info',
        type: 'VersionNearingEndOfLife',
        message:
          'Kubernetes 1.31 on Red Hat OpenShift reaches its end of life on 2027-02-25',
        since,
      },
    ],
    controlPlane: {
      desired: 0,
      current: 0,
      ready: 0,
      available: 0,
      upToDate: 0,
    },
    workers: { desired: 7, current: 7, ready: 7, available: 7, upToDate: 7 },
    machineCount: 0,
    createdAt: '2026-07-24T11:20:56Z',
    versionSupport: {
      status: 'extended',
      minor: '1.31',
      calendar: 'openshift',
      distribution: 'openshift',
      origin: 'bundled',
      productVersion: '4.18',
      releaseDate: '2025-02-25',
      maintenanceFrom: '2025-09-17',
      endOfStandardSupport: '2026-08-25',
      endOfExtendedSupport: '2027-02-25',
      extendedSupportEnrolled: true,
      extendedSupportCharged: false,
      endOfLife: '2027-02-25',
      nextBoundary: { date: '2027-02-26', status: 'end-of-life' },
    },
    budget: 'ok',
    lastChangedAt: since,
  });
}

describe('a 50-item fields=list page', () => {
  it('carries what a table shows: the largest measured items fit in 54 KB with facets', () => {
    const index = new FleetIndex();
    for (let i = 0; i < 200; i++) index.upsert(largestMeasured(i));
    index.setSourceState('mgmt-us-0', {
      state: 'connected',
      lastSeenAt: '2026-12-06T13:17:49.055Z',
    });
    const page = index.queryJson({ fields: 'list', limit: 50, sort: 'name' });
    const items = JSON.parse(page.body.toString('utf8')).items;
    expect(items).toHaveLength(50);
    const itemBytes = Buffer.byteLength(JSON.stringify(items[0]), 'utf8');
    // 1,871 bytes before, 1,033 now: the fields a table shows, the longest reason message measured among them
    expect(itemBytes).toBeLessThan(1080);
    expect(itemBytes).toBeLessThan(MEASURED_WORST_ITEM_BYTES * 0.6);
    // 50 such items and the facets (51.0 KB; 94 KB before); the measured pages' median item is a fifth smaller
    expect(page.body.length).toBeLessThan(54_000);
  });
});
