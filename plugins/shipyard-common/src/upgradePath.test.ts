import { ClusterProfileSpec, checkClusterProfileSpec } from './profile';
import {
  parseUpgradeTarget,
  planClusterUpgrades,
  profileVersionNodes,
} from './upgradePath';
import { VersionSupportCalendar } from './versionSupport';

const calendar = new VersionSupportCalendar();
const now = new Date('2026-12-05T12:00:00Z');

const eksStandard = {
  metadata: { name: 'eks-standard' },
  spec: {
    version: '1.2.0',
    distribution: 'eks',
    kubernetes: { versions: ['v1.35.0', 'v1.34.2', 'v1.33.6'] },
    previousVersions: [
      {
        version: '1.1.0',
        kubernetes: { versions: ['v1.33.4', 'v1.32.9'] },
        upgradesTo: ['1.2.0'],
      },
      {
        version: '1.0.0',
        kubernetes: { versions: ['v1.32.5', 'v1.31.9'] },
        upgradesTo: ['1.1.0'],
      },
    ],
  },
};

const profiles = profileVersionNodes(eksStandard);

describe('planClusterUpgrades', () => {
  it('chains profile versions back into support, one minor at a time', () => {
    const plan = planClusterUpgrades({
      calendar,
      now,
      distribution: 'eks',
      kubernetesVersion: 'v1.31.9-eks-1',
      profile: 'eks-standard',
      profileVersion: '1.0.0',
      profiles,
    });
    expect(plan.current).toMatchObject({
      minor: '1.31',
      status: 'end-of-life',
    });
    expect(plan.profileKnown).toBe(true);
    expect(plan.available).toEqual([
      expect.objectContaining({
        kind: 'kubernetes',
        profileVersion: '1.0.0',
        kubernetesVersion: 'v1.32.5',
        status: 'extended',
      }),
      expect.objectContaining({
        kind: 'profile-and-kubernetes',
        profileVersion: '1.1.0',
        kubernetesVersion: 'v1.32.9',
      }),
    ]);
    expect(
      plan.pathToSupport?.map(s => [
        s.kind,
        s.profileVersion,
        s.kubernetesVersion,
        s.status,
      ]),
    ).toEqual([
      ['kubernetes', '1.0.0', 'v1.32.5', 'extended'],
      ['profile-and-kubernetes', '1.1.0', 'v1.33.4', 'extended'],
      ['profile-and-kubernetes', '1.2.0', 'v1.34.2', 'extended'],
      ['kubernetes', '1.2.0', 'v1.35.0', 'supported'],
    ]);
  });

  it('offers a newer patch and needs no path when in support', () => {
    const plan = planClusterUpgrades({
      calendar,
      now,
      distribution: 'eks',
      kubernetesVersion: 'v1.35.0-eks-2',
      profile: 'eks-standard',
      profileVersion: '1.2.0',
      profiles: profileVersionNodes({
        ...eksStandard,
        spec: {
          ...eksStandard.spec,
          kubernetes: { versions: ['v1.35.3', 'v1.34.2'] },
        },
      }),
    });
    expect(plan.pathToSupport).toEqual([]);
    expect(plan.available).toEqual([
      expect.objectContaining({
        kind: 'kubernetes',
        kubernetesVersion: 'v1.35.3',
      }),
    ]);
  });

  it('follows the calendar alone without a known profile (a k3s cluster on upstream)', () => {
    const plan = planClusterUpgrades({
      calendar,
      now,
      distribution: 'k3s',
      kubernetesVersion: 'v1.32.4+k3s1',
      profile: 'k3s-edge',
      profileVersion: '9.9.9',
      profiles,
    });
    expect(plan.profileKnown).toBe(false);
    expect(plan.note).toMatch(/k3s-edge 9\.9\.9 is not in the catalog/);
    expect(plan.pathToSupport?.map(s => [s.minor, s.status])).toEqual([
      ['1.33', 'end-of-life'],
      ['1.34', 'end-of-life'],
      ['1.35', 'supported'],
    ]);
    expect(plan.pathToSupport?.every(s => s.profile === undefined)).toBe(true);
  });

  it('says so when no allowed chain leads back into support', () => {
    const plan = planClusterUpgrades({
      calendar,
      now,
      distribution: 'eks',
      kubernetesVersion: 'v1.33.4',
      profile: 'eks-standard',
      profileVersion: '1.1.0',
      profiles: profileVersionNodes({
        ...eksStandard,
        spec: {
          ...eksStandard.spec,
          previousVersions: [
            { version: '1.1.0', kubernetes: { versions: ['v1.33.4'] } },
          ],
        },
      }),
    });
    expect(plan.current.status).toBe('extended');
    expect(plan.pathToSupport).toBeUndefined();
    expect(plan.note).toMatch(
      /publish a profile version that allows the next minor/,
    );
  });

  it('moves across profiles', () => {
    const other = profileVersionNodes({
      metadata: { name: 'eks-hardened' },
      spec: {
        version: '2.0.0',
        distribution: 'eks',
        kubernetes: { versions: ['v1.35.1'] },
      },
    });
    const legacy = profileVersionNodes({
      metadata: { name: 'eks-legacy' },
      spec: {
        version: '3.4.0',
        distribution: 'eks',
        kubernetes: { versions: ['v1.34.2'] },
        upgradesTo: ['eks-hardened@2.0.0'],
      },
    });
    const plan = planClusterUpgrades({
      calendar,
      now,
      distribution: 'eks',
      kubernetesVersion: 'v1.34.2',
      profile: 'eks-legacy',
      profileVersion: '3.4.0',
      profiles: [...other, ...legacy],
    });
    expect(plan.pathToSupport).toEqual([
      expect.objectContaining({
        kind: 'profile-and-kubernetes',
        profile: 'eks-hardened',
        profileVersion: '2.0.0',
        kubernetesVersion: 'v1.35.1',
        status: 'supported',
      }),
    ]);
  });

  it('reads upgrade targets', () => {
    expect(parseUpgradeTarget('1.2.0', 'p')).toEqual({
      profile: 'p',
      version: '1.2.0',
    });
    expect(parseUpgradeTarget('q@2.0.0', 'p')).toEqual({
      profile: 'q',
      version: '2.0.0',
    });
    expect(parseUpgradeTarget('q@2.0', 'p')).toBeUndefined();
  });
});

describe('checkClusterProfileSpec on upgrade targets', () => {
  const spec = (patch: Partial<ClusterProfileSpec>) =>
    ({
      owner: 'group:default/platform-team',
      lifecycle: 'production',
      version: '1.2.0',
      managementClusters: ['mgmt'],
      provider: 'aws',
      distribution: 'eks',
      kubernetes: { versions: ['v1.35.0'] },
      layers: { kubernetes: { name: 'eks', version: 'v1.35.0' } },
      sizes: { small: { controlPlaneReplicas: 0, workerReplicas: 2 } },
      allowedGroups: ['group:default/platform-team'],
      ...patch,
    } as ClusterProfileSpec);

  it('names targets that are not versions of the profile, and duplicate versions', () => {
    expect(
      checkClusterProfileSpec(
        spec({
          upgradesTo: ['1.2.0', 'other@3.0.0'],
          previousVersions: [
            {
              version: '1.1.0',
              kubernetes: { versions: ['v1.34.0'] },
              upgradesTo: ['1.3.0'],
            },
            { version: '1.2.0', kubernetes: { versions: ['v1.34.0'] } },
          ],
        }),
      ),
    ).toEqual([
      {
        path: 'spec.previousVersions[1].version',
        message:
          'must differ from spec.version and the other previous versions (1.2.0)',
      },
      {
        path: 'spec.upgradesTo[0]',
        message: 'must not name its own version',
      },
      {
        path: 'spec.previousVersions[0].upgradesTo[0]',
        message:
          'must name a version of this profile (1.2.0, 1.1.0) or another profile (name@version)',
      },
    ]);
    expect(
      checkClusterProfileSpec(
        spec({
          previousVersions: [
            {
              version: '1.1.0',
              kubernetes: { versions: ['v1.34.0'] },
              upgradesTo: ['1.2.0'],
            },
          ],
        }),
      ),
    ).toEqual([]);
  });
});
