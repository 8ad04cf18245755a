import { makeProfileEntity } from '../__testUtils__/profiles';
import { mayUseProfile, readProfile } from './profile';

describe('readProfile', () => {
  it('reads the ClusterProfile spec', () => {
    const p = readProfile(makeProfileEntity('eks-standard'));
    expect(p).toMatchObject({
      ref: 'clusterprofile:default/eks-standard',
      title: 'eks-standard profile',
      version: '1.2.0',
      kubernetesVersion: 'v1.31.2',
      kubernetesVersions: ['v1.31.2', 'v1.30.6'],
      clusterClass: 'eks-standard',
      sizes: ['small'],
      allowedGroups: ['group:default/team-a'],
    });
    expect(p.layers.map(l => `${l.kind}:${l.name}`)).toEqual([
      'os:bottlerocket',
      'kubernetes:eks',
      'cni:vpc-cni',
      'addons:cert-manager',
    ]);
  });

  it('reads the provider of a control plane hosted as pods', () => {
    expect(readProfile(makeProfileEntity('x')).hostedControlPlane).toBe(
      undefined,
    );
    expect(
      readProfile(
        makeProfileEntity('k0smotron-hosted', {
          hostedControlPlane: { provider: 'k0smotron' },
        }),
      ).hostedControlPlane,
    ).toBe('k0smotron');
  });

  it('decides who may use a profile', () => {
    const p = readProfile(makeProfileEntity('x'));
    expect(
      mayUseProfile(p, ['user:default/alice', 'group:default/team-a']),
    ).toBe(true);
    expect(mayUseProfile(p, ['user:default/bob', 'group:default/team-b'])).toBe(
      false,
    );
    const open = readProfile(makeProfileEntity('y', { allowedGroups: [] }));
    expect(mayUseProfile(open, [])).toBe(true);
  });
});
