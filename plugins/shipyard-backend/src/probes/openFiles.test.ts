import { ConfigReader } from '@backstage/config';
import { readHealthConfig } from '../health/config';
import { defaultMaxProbeConnections, openFilesLimit } from './openFiles';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            20000                40000                files
Max locked memory         8388608              8388608              bytes
`;

describe('openFilesLimit', () => {
  it('reads the soft limit of open files', () => {
    expect(openFilesLimit(() => LIMITS)).toBe(20_000);
  });

  it('is undefined where the limit is unlimited or cannot be read', () => {
    expect(
      openFilesLimit(() =>
        LIMITS.replace('20000                40000', 'unlimited  unlimited'),
      ),
    ).toBeUndefined();
    expect(
      openFilesLimit(() => {
        throw new Error('ENOENT');
      }),
    ).toBeUndefined();
    expect(openFilesLimit(() => 'nothing here')).toBeUndefined();
  });

  it('reads this process’s limit on Linux', () => {
    if (process.platform !== 'linux') return;
    expect(openFilesLimit()).toBeGreaterThan(0);
  });
});

describe('maxConnections', () => {
  it('defaults to 70 % of the open files limit, without a limit where there is none', () => {
    expect(defaultMaxProbeConnections(20_000)).toBe(14_000);
    expect(defaultMaxProbeConnections(1)).toBe(1);
    expect(defaultMaxProbeConnections(undefined)).toBe(Infinity);
    const limit = openFilesLimit();
    expect(readHealthConfig(new ConfigReader({})).maxConnections).toBe(
      limit === undefined ? Infinity : Math.floor(limit * 0.7),
    );
  });

  it('takes a configured value and rejects one below 1', () => {
    const of = (maxConnections: number) =>
      readHealthConfig(
        new ConfigReader({ shipyard: { health: { maxConnections } } }),
      ).maxConnections;
    expect(of(500)).toBe(500);
    expect(() => of(0)).toThrow(
      'shipyard.health.maxConnections must be a number >= 1',
    );
  });
});
