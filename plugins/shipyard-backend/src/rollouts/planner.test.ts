import { ProfileVersionNode } from '@shipyard/plugin-shipyard-common';
import { VersionLifecycle } from '../lifecycle/VersionLifecycle';
import { makeSummary } from '../__testUtils__/summaries';
import { parseDeprecatedApis } from './deprecatedApis';
import { parseRolloutSpec } from './model';
import { chainFor, planRollout, preflight } from './planner';
import { windowState, windowsFor } from './windows';

const now = Date.parse('2026-12-05T10:00:00Z');
const lifecycle = new VersionLifecycle({
  config: { nearingEndOfLifeDays: 90, overrides: {}, extendedSupport: {} },
  now: () => now,
});
const profiles: ProfileVersionNode[] = [
  {
    profile: 'web',
    version: '1.0.0',
    kubernetesVersions: ['v1.32.9', 'v1.33.5', 'v1.34.2', 'v1.35.1'],
    upgradesTo: [{ profile: 'web', version: '2.0.0' }],
  },
  {
    profile: 'web',
    version: '2.0.0',
    kubernetesVersions: ['v1.35.1'],
    upgradesTo: [],
  },
  {
    profile: 'edge',
    version: '1.0.0',
    kubernetesVersions: ['v1.32.9', 'v1.34.2'],
    upgradesTo: [],
  },
];
const ctx = { profiles, calendar: lifecycle.calendar, now };

function cluster(
  name: string,
  extra: Parameters<typeof makeSummary>[0] | object = {},
) {
  return makeSummary({
    name,
    clusterClass: 'standard',
    kubernetesVersion: 'v1.32.9',
    kubernetesMinor: '1.32',
    profile: 'web',
    profileVersion: '1.0.0',
    ...extra,
  });
}

describe('rollout spec', () => {
  it('names every bad field before anything is planned', () => {
    expect(() =>
      parseRolloutSpec({
        name: 'q4',
        target: { kubernetesVersion: 'latest' },
        stages: [
          { name: 'dev', concurrency: '150%' },
          {
            name: 'dev',
            maintenanceWindows: [
              {
                days: ['mon'],
                start: '25:00',
                durationMinutes: 60,
                timeZone: 'Mars/Base',
              },
            ],
          },
        ],
        extra: 1,
      }),
    ).toThrow(
      /target.*stages\.0\.concurrency.*stages\.1\.maintenanceWindows\.0\.start.*timeZone.*unknown field "extra".*stage name "dev" is used twice/s,
    );
  });

  it('fills defaults', () => {
    const spec = parseRolloutSpec({
      name: 'q4',
      target: { kubernetesVersion: 'v1.35.1' },
      stages: [{ name: 'all' }],
    });
    expect(spec.stages[0]).toMatchObject({
      concurrency: 1,
      soakSeconds: 0,
      failureBudget: 0,
    });
    expect(spec.selector).toEqual({});
  });
});

describe('chained plans', () => {
  it('moves one minor at a time with the versions the profile allows', () => {
    expect(
      chainFor(cluster('a'), { kubernetesVersion: 'v1.35.1' }, ctx),
    ).toEqual({
      steps: [
        { kubernetesVersion: 'v1.33.5' },
        { kubernetesVersion: 'v1.34.2' },
        { kubernetesVersion: 'v1.35.1' },
      ],
    });
  });

  it('refuses a chain through a minor the profile does not allow', () => {
    const result = chainFor(
      cluster('e', { profile: 'edge' }),
      { kubernetesVersion: 'v1.34.2' },
      ctx,
    );
    expect(result).toEqual({
      problem: expect.objectContaining({
        check: 'profile',
        message: expect.stringMatching(/no version of Kubernetes 1.33/),
      }),
    });
  });

  it('refuses a target the profile does not allow, and a downgrade', () => {
    expect(
      chainFor(cluster('a'), { kubernetesVersion: 'v1.33.7' }, ctx),
    ).toEqual({
      problem: expect.objectContaining({ check: 'profile' }),
    });
    expect(
      chainFor(
        cluster('b', { kubernetesVersion: 'v1.35.1' }),
        { kubernetesVersion: 'v1.34.2' },
        ctx,
      ),
    ).toEqual({ problem: expect.objectContaining({ check: 'version' }) });
  });

  it('moves to a profile version: its newest Kubernetes, the last step sets the profile version', () => {
    expect(
      chainFor(
        cluster('a', { kubernetesVersion: 'v1.34.2' }),
        { profile: 'web', profileVersion: '2.0.0' },
        ctx,
      ),
    ).toEqual({
      steps: [{ kubernetesVersion: 'v1.35.1', profileVersion: '2.0.0' }],
    });
    expect(
      chainFor(
        cluster('c', { kubernetesVersion: 'v1.35.1', profileVersion: '2.0.0' }),
        { profile: 'web', profileVersion: '2.0.0' },
        ctx,
      ),
    ).toEqual({ steps: [], alreadyOnTarget: true });
  });
});

describe('pre-flight', () => {
  const steps = [
    { kubernetesVersion: 'v1.33.5' },
    { kubernetesVersion: 'v1.34.2' },
  ];

  it('passes a healthy, settled cluster', () => {
    expect(preflight(cluster('a'), steps, [])).toEqual([]);
  });

  it('names an unhealthy cluster, an upgrade in progress and kubelets outside the skew', () => {
    const problems = preflight(
      cluster('a', {
        health: 'degraded',
        conditions: [{ type: 'RollingOut', status: 'True' }],
        nodes: {
          total: 2,
          ready: 2,
          notReady: 0,
          kubeletVersions: { 'v1.32.9': 1, 'v1.29.3': 1 },
          roles: {},
        },
      }),
      steps,
      [],
    ).map(p => p.check);
    expect(problems).toEqual(['health', 'in-progress', 'skew']);
  });

  it('refuses deprecated APIs in use that the target removes, read from /metrics', () => {
    const metrics = [
      '# HELP apiserver_requested_deprecated_apis [STABLE] Gauge of deprecated APIs that have been requested, broken out by API group, version, resource, subresource, and removed_release.',
      '# TYPE apiserver_requested_deprecated_apis gauge',
      'apiserver_requested_deprecated_apis{group="flowcontrol.apiserver.k8s.io",removed_release="1.34",resource="flowschemas",subresource="",version="v1beta3"} 1',
      'apiserver_requested_deprecated_apis{group="resource.k8s.io",removed_release="1.36",resource="resourceclaims",subresource="",version="v1beta1"} 1',
      'apiserver_request_total{code="200"} 17',
    ].join('\n');
    const uses = parseDeprecatedApis(metrics);
    expect(uses).toHaveLength(2);
    expect(preflight(cluster('a'), steps, uses)).toEqual([
      {
        check: 'deprecated-apis',
        message:
          'still in use and removed by 1.34: flowcontrol.apiserver.k8s.io/v1beta3 flowschemas (removed in 1.34)',
      },
    ]);
    expect(preflight(cluster('a'), steps.slice(0, 1), uses)).toEqual([]);
    expect(preflight(cluster('a'), steps, 'unreachable')[0].check).toBe(
      'deprecated-apis',
    );
  });
});

describe('planRollout', () => {
  const fleet = [
    ...Array.from({ length: 6 }, (_, i) =>
      cluster(`dev-${i}`, { lifecycle: 'development' }),
    ),
    ...Array.from({ length: 4 }, (_, i) =>
      cluster(`stg-${i}`, { lifecycle: 'staging' }),
    ),
    cluster('prod-0', { lifecycle: 'production' }),
    cluster('prod-1', {
      lifecycle: 'production',
      owner: 'group:default/team-b',
    }),
    cluster('edge-0', { lifecycle: 'production', profile: 'edge' }),
  ];

  it('takes canaries first, then sub-selections in order, and names what no stage takes', () => {
    const spec = parseRolloutSpec({
      name: 'to 1.34',
      target: { kubernetesVersion: 'v1.34.2' },
      selector: { owner: ['team-a'] },
      stages: [
        {
          name: 'canary',
          selector: { lifecycle: 'development' },
          maxClusters: 2,
        },
        { name: 'dev', selector: { lifecycle: ['development'] } },
        { name: 'staging', selector: { lifecycle: 'staging' } },
      ],
    });
    const plan = planRollout(spec, { ...ctx, clusters: fleet });
    expect(
      plan.stages.map(s => s.clusters.map(c => c.key.split('/')[2])),
    ).toEqual([
      ['dev-0', 'dev-1'],
      ['dev-2', 'dev-3', 'dev-4', 'dev-5'],
      ['stg-0', 'stg-1', 'stg-2', 'stg-3'],
    ]);
    expect(plan.stages[0].clusters[0]).toMatchObject({
      state: 'pending',
      step: 0,
      bumped: [],
      steps: [
        { kubernetesVersion: 'v1.33.5' },
        { kubernetesVersion: 'v1.34.2' },
      ],
    });
    // prod-1 belongs to team-b: not selected; edge-0 has no path; prod-0 matches no stage
    expect(plan.excluded.map(c => [c.key.split('/')[2], c.message])).toEqual([
      ['edge-0', expect.stringMatching(/no version of Kubernetes 1.33/)],
      ['prod-0', 'no stage takes this cluster'],
    ]);
  });

  it('leaves out a cluster without a path, with its reason, and shows pre-flight problems of the others', () => {
    const spec = parseRolloutSpec({
      name: 'prod',
      target: { kubernetesVersion: 'v1.34.2' },
      selector: { lifecycle: 'production' },
      stages: [{ name: 'all' }],
    });
    const plan = planRollout(spec, {
      ...ctx,
      clusters: fleet,
      deprecatedApis: key =>
        key.endsWith('prod-1')
          ? [
              {
                group: 'policy',
                version: 'v1beta1',
                resource: 'podsecuritypolicies',
                removedRelease: '1.25',
              },
            ]
          : [],
    });
    const byName = Object.fromEntries(
      plan.stages[0].clusters.map(c => [c.key.split('/')[2], c]),
    );
    expect(byName['edge-0']).toBeUndefined();
    expect(plan.excluded).toEqual([
      expect.objectContaining({
        key: 'mc-a/default/edge-0',
        state: 'skipped',
        problems: [expect.objectContaining({ check: 'profile' })],
      }),
    ]);
    expect(byName['prod-0']).toMatchObject({ state: 'pending' });
    expect(byName['prod-0'].problems).toBeUndefined();
    expect(byName['prod-1']).toMatchObject({
      state: 'pending',
      problems: [{ check: 'deprecated-apis' }],
    });
  });

  it('plans 1,000 clusters quickly', () => {
    const many = Array.from({ length: 1000 }, (_, i) =>
      cluster(`c-${String(i).padStart(4, '0')}`, {
        lifecycle: ['development', 'staging', 'production'][i % 3],
      }),
    );
    const spec = parseRolloutSpec({
      name: 'all',
      target: { kubernetesVersion: 'v1.35.1' },
      stages: [
        { name: 'canary', maxClusters: 10 },
        {
          name: 'dev',
          selector: { lifecycle: 'development' },
          concurrency: '10%',
        },
        { name: 'rest' },
      ],
    });
    const started = process.hrtime.bigint();
    const plan = planRollout(spec, { ...ctx, clusters: many });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    expect(plan.stages.map(s => s.clusters.length)).toEqual([10, 330, 660]);
    expect(ms).toBeLessThan(2000);
  });
});

describe('maintenance windows', () => {
  const window = {
    days: ['sat' as const, 'sun' as const],
    start: '22:00',
    durationMinutes: 120,
    timeZone: 'Europe/Berlin',
  };

  it('is open inside a window of its time zone and says until when', () => {
    // Saturday 2026-12-05 22:30 in Berlin (UTC+1)
    const inside = Date.parse('2026-12-05T21:30:00Z');
    expect(windowState([window], inside)).toEqual({
      open: true,
      until: Date.parse('2026-12-05T23:00:00Z'),
    });
  });

  it('is closed outside and names the next opening, across the change to summer time', () => {
    expect(windowState([window], now)).toEqual({
      open: false,
      nextOpen: Date.parse('2026-12-05T21:00:00Z'),
    });
    // Sunday 2027-03-28 is the first day of summer time in Berlin (UTC+2)
    expect(
      windowState([window], Date.parse('2027-03-28T00:30:00Z')).nextOpen,
    ).toBe(Date.parse('2027-03-28T20:00:00Z'));
  });

  it('applies team and profile windows only to their clusters; no window means always', () => {
    const teamWindow = { ...window, owner: ['group:default/team-b'] };
    expect(windowsFor([teamWindow], { owner: 'group:default/team-a' })).toEqual(
      [],
    );
    expect(
      windowsFor([teamWindow], { owner: 'group:default/team-b' }),
    ).toHaveLength(1);
    expect(windowState([], now)).toEqual({ open: true });
  });
});
