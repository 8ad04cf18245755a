import { stableUid } from './random';

describe('stableUid', () => {
  it('is the SHA-1 of the text laid out as a version 4 UUID, the same in every run', () => {
    expect(stableUid('a/cluster.x-k8s.io/clusters/default/c1')).toBe(
      'eea67fe2-940d-4f63-b4a3-955ba1654267',
    );
    expect(stableUid('')).toBe('da39a3ee-5e6b-4b0d-b255-bfef95601890');
  });

  it('sets the version and variant bits of every uid', () => {
    for (let i = 0; i < 200; i++) {
      expect(stableUid(`object-${i}`)).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
    }
  });
});
