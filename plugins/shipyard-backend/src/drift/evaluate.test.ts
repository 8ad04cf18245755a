import { ClusterProfileSpec } from '@shipyard/plugin-shipyard-common';
import { makeSummary } from '../__testUtils__/summaries';
import { evaluateDrift, kubernetesVersionAllowed } from './evaluate';
import { driftProfileOf } from './profiles';

const spec: Partial<ClusterProfileSpec> = {
  version: '1.2.0',
  clusterClass: { name: 'quick-start' },
  kubernetes: { versions: ['v1.34.2', 'v1.35'] },
  variables: {
    defaults: { imageRepository: 'registry.example/k8s' },
    pinned: { podSecurityStandard: { enforce: 'baseline' }, audit: true },
  },
  sizes: {
    small: { controlPlaneReplicas: 1, workerReplicas: 2 },
    large: { controlPlaneReplicas: 3, workerReplicas: 10 },
  },
  layers: {
    kubernetes: { name: 'kubernetes', version: 'v1.35' },
    cni: { name: 'calico', version: 'v3.29.1' },
    addons: [{ name: 'ingress-nginx', version: '4.12.0' }],
  },
  previousVersions: [
    { version: '1.1.0', kubernetes: { versions: ['v1.33.4', 'v1.34.2'] } },
    {
      version: '1.0.0',
      kubernetes: { versions: ['v1.33.4'] },
      clusterClass: { name: 'quick-start-old' },
      deprecated: true,
    },
  ],
};
const profile = driftProfileOf('standard', spec)!;

/** A cluster that matches profile version 1.2.0 in every respect. */
function matching(overrides: Parameters<typeof makeSummary>[0]) {
  return makeSummary({
    profile: 'standard',
    profileVersion: '1.2.0',
    clusterClass: 'quick-start',
    kubernetesVersion: 'v1.35.1',
    controlPlane: { desired: 3 },
    machineDeployments: [{ name: 'md-0', replicas: { desired: 4 } }],
    addons: [
      {
        name: 'calico',
        version: 'v3.29.1',
        state: 'installed',
        source: 'HelmReleaseProxy',
      },
      {
        name: 'ingress-nginx',
        version: '4.12.0',
        state: 'installed',
        source: 'ClusterResourceSet',
      },
    ],
    ...overrides,
  });
}
const variables = {
  podSecurityStandard: { enforce: 'baseline' },
  audit: true,
  imageRepository: 'somewhere.else/k8s',
};

describe('driftProfileOf', () => {
  it('reads every version, previous ones taking what they do not say from the current one', () => {
    expect([...profile.versions.keys()]).toEqual(['1.2.0', '1.1.0', '1.0.0']);
    expect(profile.latestReleased).toBe('1.2.0');
    expect(profile.versions.get('1.1.0')!.clusterClass).toBe('quick-start');
    expect(profile.versions.get('1.0.0')!.clusterClass).toBe('quick-start-old');
    expect(profile.versions.get('1.0.0')!.deprecated).toBe(true);
    expect(profile.versions.get('1.2.0')!.layers).toEqual([
      { name: 'calico', version: 'v3.29.1' },
      { name: 'ingress-nginx', version: '4.12.0' },
    ]);
  });

  it('does not count a pre-release as released', () => {
    const p = driftProfileOf('standard', { ...spec, version: '2.0.0-rc.1' })!;
    expect(p.latestReleased).toBe('1.1.0');
  });
});

describe('evaluateDrift', () => {
  it('finds nothing on a cluster that matches its profile version (changed defaults are not drift)', () => {
    expect(
      evaluateDrift(matching({ name: 'a' }), profile, { variables }),
    ).toEqual([]);
  });

  it('profileVersion: behind the latest released version', () => {
    const findings = evaluateDrift(
      matching({
        name: 'a',
        profileVersion: '1.1.0',
        kubernetesVersion: 'v1.34.2',
      }),
      profile,
      { variables },
    );
    expect(findings).toEqual([
      { kind: 'profileVersion', expected: '1.2.0', actual: '1.1.0' },
    ]);
  });

  it('clusterClass: another class than the version names', () => {
    expect(
      evaluateDrift(matching({ name: 'a', clusterClass: 'custom' }), profile, {
        variables,
      }),
    ).toEqual([
      { kind: 'clusterClass', expected: 'quick-start', actual: 'custom' },
    ]);
  });

  it('kubernetesVersion: outside the versions of its own profile version', () => {
    expect(
      evaluateDrift(
        matching({ name: 'a', kubernetesVersion: 'v1.34.3' }),
        profile,
        { variables },
      ),
    ).toEqual([
      {
        kind: 'kubernetesVersion',
        expected: 'v1.34.2, v1.35',
        actual: 'v1.34.3',
      },
    ]);
    // the same version is fine on 1.1.0 (behind, but within its own versions)
    expect(
      evaluateDrift(
        matching({
          name: 'a',
          profileVersion: '1.1.0',
          kubernetesVersion: 'v1.34.2',
        }),
        profile,
        { variables },
      ).map(f => f.kind),
    ).toEqual(['profileVersion']);
  });

  it('variable: a pinned value edited or removed; unknown variables are not compared', () => {
    expect(
      evaluateDrift(matching({ name: 'a' }), profile, {
        variables: { podSecurityStandard: { enforce: 'privileged' } },
      }),
    ).toEqual([
      {
        kind: 'variable',
        subject: 'audit',
        expected: 'true',
        actual: 'missing',
      },
      {
        kind: 'variable',
        subject: 'podSecurityStandard',
        expected: '{"enforce":"baseline"}',
        actual: '{"enforce":"privileged"}',
      },
    ]);
    expect(evaluateDrift(matching({ name: 'a' }), profile, {})).toEqual([]);
  });

  it('replicas: a pool or the control plane outside the sizes', () => {
    expect(
      evaluateDrift(
        matching({
          name: 'a',
          controlPlane: { desired: 5 },
          machineDeployments: [
            { name: 'md-1', replicas: { desired: 12 } },
            { name: 'md-0', replicas: { desired: 1 } },
          ],
        }),
        profile,
        { variables },
      ),
    ).toEqual([
      {
        kind: 'replicas',
        subject: 'controlPlane',
        expected: '1 or 3',
        actual: '5',
      },
      { kind: 'replicas', subject: 'md-0', expected: '2–10', actual: '1' },
      { kind: 'replicas', subject: 'md-1', expected: '2–10', actual: '12' },
    ]);
  });

  it('addonMissing, addonFailed, addonVersion: the add-on layers as observed', () => {
    const findings = evaluateDrift(
      matching({
        name: 'a',
        addons: [
          {
            name: 'calico',
            version: 'v3.28.0',
            state: 'installed',
            source: 'HelmReleaseProxy',
          },
        ],
      }),
      profile,
      { variables },
    );
    expect(findings).toEqual([
      {
        kind: 'addonVersion',
        subject: 'calico',
        expected: 'v3.29.1',
        actual: 'v3.28.0',
      },
      {
        kind: 'addonMissing',
        subject: 'ingress-nginx',
        expected: '4.12.0',
        actual: 'missing',
      },
    ]);
    const failed = evaluateDrift(
      matching({
        name: 'a',
        addons: [
          {
            name: 'calico',
            version: '3.29.1',
            state: 'failed',
            message: 'timed out waiting for the condition',
            source: 'HelmReleaseProxy',
          },
          {
            name: 'ingress-nginx',
            state: 'installed',
            source: 'ClusterResourceSet',
          },
        ],
      }),
      profile,
      { variables },
    );
    expect(failed).toEqual([
      {
        kind: 'addonFailed',
        subject: 'calico',
        expected: 'v3.29.1',
        actual: 'failed (3.29.1)',
        message: 'timed out waiting for the condition',
      },
    ]);
  });

  it('does not compare add-ons on a management cluster that serves no add-on kinds', () => {
    expect(
      evaluateDrift(matching({ name: 'a', addons: undefined }), profile, {
        variables,
      }),
    ).toEqual([]);
  });

  it('compares a cluster on an unknown version with the latest released one', () => {
    expect(
      evaluateDrift(
        matching({ name: 'a', profileVersion: '0.9.0', clusterClass: 'x' }),
        profile,
        { variables },
      ).map(f => f.kind),
    ).toEqual(['profileVersion', 'clusterClass']);
  });
});

describe('kubernetesVersionAllowed', () => {
  it('matches exact versions and minors', () => {
    expect(kubernetesVersionAllowed('v1.35.4', ['v1.35'])).toBe(true);
    expect(kubernetesVersionAllowed('1.34.2', ['v1.34.2'])).toBe(true);
    expect(kubernetesVersionAllowed('v1.34.7+k3s1', ['v1.34.7+k3s1'])).toBe(
      true,
    );
    expect(kubernetesVersionAllowed('v1.34.3', ['v1.34.2'])).toBe(false);
    expect(kubernetesVersionAllowed('v1.36.0', ['v1.35'])).toBe(false);
  });
});
