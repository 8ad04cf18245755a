import { makeSummary } from '../__testUtils__/summaries';
import { parseRolloutSpec } from './model';
import { profileBehindSelector, selectorPredicate } from './selector';

describe('rollout selection', () => {
  const fleet = [
    makeSummary({
      name: 'a',
      profile: 'web',
      profileVersion: '1.0.0',
      kubernetesVersion: 'v1.33.5',
    }),
    makeSummary({
      name: 'b',
      profile: 'web',
      profileVersion: '2.0.0',
      kubernetesVersion: 'v1.34.2',
    }),
    makeSummary({
      name: 'c',
      profile: 'web',
      profileVersion: '2.1.0',
      kubernetesVersion: 'v1.35.1',
    }),
    makeSummary({
      name: 'd',
      profile: 'batch',
      profileVersion: '1.0.0',
      kubernetesVersion: 'v1.33.5',
    }),
    makeSummary({ name: 'e', profile: 'web' }),
  ];
  const names = (selector: unknown) => {
    const spec = parseRolloutSpec({
      name: 'x',
      target: { kubernetesVersion: 'v1.35' },
      selector,
      stages: [{ name: 'all' }],
    });
    return fleet.filter(selectorPredicate(spec.selector)).map(c => c.name);
  };

  it('takes the clusters of a profile behind one of its versions', () => {
    expect(names(profileBehindSelector('web', '2.1.0'))).toEqual(['a', 'b']);
    expect(
      names({ profile: 'web', behind: { profileVersion: '2.0.0' } }),
    ).toEqual(['a']);
    // a cluster without a profile version is never behind one
    expect(names({ behind: { profileVersion: '9.0.0' } })).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
  });

  it('takes the clusters behind a Kubernetes version, and both criteria together', () => {
    expect(names({ behind: { kubernetesVersion: 'v1.35' } })).toEqual([
      'a',
      'b',
      'd',
    ]);
    expect(names({ behind: { kubernetesVersion: 'v1.34.2' } })).toEqual([
      'a',
      'd',
    ]);
    expect(
      names({
        behind: { kubernetesVersion: 'v1.35', profileVersion: '2.0.0' },
      }),
    ).toEqual(['a', 'd']);
  });

  it("takes the clusters of a version support status (the fleet page's end-of-life banner)", () => {
    const supported = fleet.map((c, i) => ({
      ...c,
      ...(i < 4
        ? {
            versionSupport: {
              status:
                i % 2 === 0 ? ('end-of-life' as const) : ('supported' as const),
            },
          }
        : {}),
    }));
    const spec = parseRolloutSpec({
      name: 'x',
      target: { kubernetesVersion: 'v1.35' },
      selector: { versionSupport: 'end-of-life' },
      stages: [{ name: 'all' }],
    });
    expect(
      supported.filter(selectorPredicate(spec.selector)).map(c => c.name),
    ).toEqual(['a', 'c']);
    expect(() => names({ versionSupport: ['ancient'] })).toThrow(
      /selector\.versionSupport\.0/,
    );
  });

  it('names a bad behind selector before anything is planned', () => {
    expect(() => names({ behind: {} })).toThrow(
      /selector\.behind: must name a profileVersion or a kubernetesVersion/,
    );
    expect(() => names({ behind: { profileVersion: 'two' } })).toThrow(
      /selector\.behind\.profileVersion: must be a semantic version/,
    );
    expect(() => names({ behind: { kubernetesVersion: '1.x' } })).toThrow(
      /selector\.behind\.kubernetesVersion: must be a Kubernetes version/,
    );
    expect(() => names({ behind: { minor: '1.30' } })).toThrow(
      /selector\.behind: unknown field "minor"/,
    );
  });
});
