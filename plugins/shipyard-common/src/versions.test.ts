import {
  compareKubernetesVersions,
  compareProfileVersions,
  kubernetesMinorOf,
  parseKubernetesVersion,
} from './versions';

describe('Kubernetes versions', () => {
  it('reads a version that starts with major.minor, whatever its suffix', () => {
    expect(parseKubernetesVersion('v1.31.2+k3s1')?.version).toBe('1.31.2');
    expect(parseKubernetesVersion('1.31')?.version).toBe('1.31.0');
    expect(parseKubernetesVersion('v1.31.2-eks-1234')?.version).toBe('1.31.2');
    expect(parseKubernetesVersion('latest')).toBeUndefined();
    expect(parseKubernetesVersion('release-1.31')).toBeUndefined();
    expect(parseKubernetesVersion('v1')).toBeUndefined();
    expect(parseKubernetesVersion(undefined)).toBeUndefined();
  });

  it('gives the minor', () => {
    expect(kubernetesMinorOf('v1.31.2+k3s1')).toBe('1.31');
    expect(kubernetesMinorOf('1.9')).toBe('1.9');
    expect(kubernetesMinorOf('garbage')).toBeUndefined();
  });

  it('compares numerically, ignoring the v prefix and suffixes; unparsable ones first', () => {
    expect(compareKubernetesVersions('v1.9.0', 'v1.10.0')).toBeLessThan(0);
    expect(compareKubernetesVersions('v1.30.2', 'v1.30.10')).toBeLessThan(0);
    expect(compareKubernetesVersions('v1.31', '1.31.0+k3s1')).toBe(0);
    expect(compareKubernetesVersions('v1.32.0', 'v1.31.9')).toBeGreaterThan(0);
    expect(compareKubernetesVersions('latest', 'v1.0.0')).toBeLessThan(0);
    expect(
      ['v1.10.1', 'v1.9.3', 'weird', 'v1.10.0'].sort(compareKubernetesVersions),
    ).toEqual(['weird', 'v1.9.3', 'v1.10.0', 'v1.10.1']);
  });
});

describe('profile versions', () => {
  it('compares by semver, with versions that are not semver first', () => {
    expect(
      ['1.10.0', '2.0.0', '2.0.0-rc.1', '1.2.0', 'draft'].sort(
        compareProfileVersions,
      ),
    ).toEqual(['draft', '1.2.0', '1.10.0', '2.0.0-rc.1', '2.0.0']);
  });
});
