import {
  compareKubernetesMinors,
  evaluateVersionSupport,
  kubeletSkew,
  withReleaseOverrides,
  KUBERNETES_RELEASES,
} from './versionSupport';

describe('version support', () => {
  const now = new Date('2026-11-21T12:00:00Z');

  it('gives supported, nearing-end-of-life and end-of-life by date', () => {
    expect(evaluateVersionSupport('1.35', { now })).toEqual({
      status: 'supported',
      minor: '1.35',
      endOfLife: '2027-02-28',
    });
    expect(
      evaluateVersionSupport('v1.35.2', { now, nearingEndOfLifeDays: 120 })
        .status,
    ).toBe('nearing-end-of-life');
    expect(evaluateVersionSupport('1.34', { now }).status).toBe('end-of-life');
    expect(
      evaluateVersionSupport('1.34', { now: new Date('2026-10-27T20:00:00Z') })
        .status,
    ).toBe('nearing-end-of-life');
    expect(evaluateVersionSupport('1.18', { now }).status).toBe('end-of-life');
    expect(evaluateVersionSupport('1.40', { now }).status).toBe('supported');
    expect(evaluateVersionSupport('nonsense', { now }).status).toBe('unknown');
    expect(evaluateVersionSupport(undefined, { now }).status).toBe('unknown');
  });

  it('takes overrides from configuration, also per distribution', () => {
    const releases = withReleaseOverrides(KUBERNETES_RELEASES, {
      '1.34': '2027-12-31',
      '1.37': '2028-02-28',
    });
    expect(evaluateVersionSupport('1.34', { now, releases }).status).toBe(
      'supported',
    );
    expect(releases[releases.length - 1].minor).toBe('1.37');
    expect(
      evaluateVersionSupport('1.34', {
        now,
        distribution: 'eks',
        distributionEndOfLife: { eks: { '1.34': '2027-12-01' } },
      }),
    ).toEqual({ status: 'supported', minor: '1.34', endOfLife: '2027-12-01' });
  });

  it('compares minors numerically and applies the kubelet skew policy', () => {
    expect(compareKubernetesMinors('1.9', '1.10')).toBeLessThan(0);
    expect(kubeletSkew('1.31', '1.28')).toEqual({
      minorsBehind: 3,
      supported: true,
    });
    expect(kubeletSkew('1.31', '1.27')).toEqual({
      minorsBehind: 4,
      supported: false,
    });
    expect(kubeletSkew('1.27', '1.24')).toEqual({
      minorsBehind: 3,
      supported: false,
    });
    expect(kubeletSkew('1.30', '1.31')?.supported).toBe(false);
  });
});
