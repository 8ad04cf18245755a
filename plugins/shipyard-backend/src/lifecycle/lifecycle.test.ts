import { ConfigReader } from '@backstage/config';
import { DEFAULT_HEALTH_CONFIG } from '../health/config';
import { HealthAggregator } from '../health/HealthAggregator';
import { FleetIndex } from '../index/FleetIndex';
import { makeSummary } from '../__testUtils__/summaries';
import { readVersionSupportConfig } from './config';
import { VersionLifecycle } from './VersionLifecycle';

function fakeClock(start: string) {
  let t = Date.parse(start);
  return {
    now: () => t,
    set: (iso: string) => {
      t = Date.parse(iso);
    },
  };
}

function setup(start: string, config = new ConfigReader({})) {
  const c = fakeClock(start);
  const lifecycle = new VersionLifecycle({
    config: readVersionSupportConfig(config),
    now: c.now,
  });
  const index = new FleetIndex({ now: () => new Date(c.now()) });
  const aggregator = new HealthAggregator(index, DEFAULT_HEALTH_CONFIG, {
    now: c.now,
    lifecycle,
  });
  aggregator.start();
  return { clock: c, lifecycle, index, aggregator };
}

const eks133 = makeSummary({
  name: 'payments',
  distribution: 'eks',
  kubernetesVersion: 'v1.33.4',
  kubernetesMinor: '1.33',
});

describe('version support in the index', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('is evaluated again when a boundary passes: it shows at once, without a write', () => {
    // the health evaluation's timer: armed for the boundary, fired by the fake clock's time passing
    jest.useFakeTimers();
    const { clock, index, aggregator } = setup('2026-07-29T23:00:00Z');
    aggregator.upsert(eks133);
    const facet = () =>
      index.query({ limit: 1 }).facets?.versionSupport.map(f => f.value);
    expect(facet()).toEqual(['supported']);
    expect(index.get('mc-a/default/payments')?.summary.healthReasons).toEqual([
      expect.objectContaining({
        type: 'VersionNearingEndOfLife',
        severity: 'info',
      }),
    ]);
    clock.set('2026-07-30T00:00:01Z');
    // no write, no health round: the health evaluation re-evaluates at the boundary
    jest.advanceTimersByTime(3_601_000);
    expect(facet()).toEqual(['extended']);
    const summary = index.get('mc-a/default/payments')!.summary;
    expect(summary.versionSupport).toMatchObject({
      status: 'extended',
      endOfExtendedSupport: '2027-07-29',
      extendedSupportCharged: true,
    });
    expect(summary.healthReasons.map(r => r.type)).toEqual([
      'VersionExtendedSupport',
    ]);
    expect(index.summary().byVersionSupport).toEqual({ extended: 1 });
  });

  it('evaluates restored summaries again instead of trusting what was stored', () => {
    const { index, aggregator } = setup('2026-12-05T12:00:00Z');
    aggregator.upsert(
      {
        ...eks133,
        // what a database written before the boundary would hold
        versionSupport: { status: 'supported', minor: '1.33' },
      },
      { restored: true },
    );
    expect(
      index.getStored('mc-a/default/payments')?.versionSupport?.status,
    ).toBe('extended');
  });

  it('follows a change of the calendars at once', () => {
    const { lifecycle, index, aggregator } = setup('2026-12-05T12:00:00Z');
    aggregator.upsert(eks133);
    const revision = index.revision;
    lifecycle.setRefreshed([
      {
        distribution: 'eks',
        source: 'http://127.0.0.1:1/api/v1/products/amazon-eks',
        fetchedAt: '2026-12-05T10:00:00.000Z',
        records: [
          {
            distribution: 'eks',
            minor: '1.33',
            releaseDate: '2025-05-29',
            endOfStandardSupport: '2026-12-31',
            endOfExtendedSupport: '2027-12-31',
            source: 'http://127.0.0.1:1/api/v1/products/amazon-eks',
            fetchedAt: '2026-12-05T10:00:00.000Z',
          },
        ],
      },
    ]);
    expect(index.revision).toBeGreaterThan(revision);
    expect(
      index.getStored('mc-a/default/payments')?.versionSupport,
    ).toMatchObject({
      status: 'supported',
      origin: 'refreshed',
      endOfStandardSupport: '2026-12-31',
    });
  });

  it('uses the extended-support label and the configured enrollment of opt-in distributions', () => {
    const { index, aggregator } = setup(
      '2026-01-15T12:00:00Z',
      new ConfigReader({
        shipyard: { versionSupport: { extendedSupport: { gke: true } } },
      }),
    );
    aggregator.upsert(
      makeSummary({
        name: 'aks-lts',
        distribution: 'aks',
        kubernetesVersion: 'v1.31.5',
        labels: { 'shipyard.io/extended-support': 'true' },
      }),
    );
    aggregator.upsert(
      makeSummary({
        name: 'aks-plain',
        distribution: 'aks',
        kubernetesVersion: 'v1.31.5',
      }),
    );
    aggregator.upsert(
      makeSummary({
        name: 'gke',
        distribution: 'gke',
        kubernetesVersion: 'v1.30.5-gke.100',
      }),
    );
    const status = (name: string) =>
      index.getStored(`mc-a/default/${name}`)?.versionSupport?.status;
    expect(status('aks-lts')).toBe('extended');
    expect(status('aks-plain')).toBe('end-of-life');
    expect(status('gke')).toBe('extended');
  });
});

describe('readVersionSupportConfig', () => {
  it('reads overrides and the older form, the newer winning', () => {
    const config = readVersionSupportConfig(
      new ConfigReader({
        shipyard: {
          health: {
            versionSupport: {
              nearingEndOfLifeDays: 30,
              endOfLife: { '1.31': '2026-01-31' },
              distributions: { eks: { '1.33': '2027-06-30' } },
            },
          },
          versionSupport: {
            overrides: {
              eks: {
                '1.33': {
                  endOfExtendedSupport: '2027-08-31',
                  extendedSupportCharged: false,
                },
              },
            },
          },
        },
      }),
    );
    expect(config.nearingEndOfLifeDays).toBe(30);
    expect(config.overrides).toEqual({
      upstream: { '1.31': { endOfLife: '2026-01-31' } },
      eks: {
        '1.33': {
          endOfExtendedSupport: '2027-08-31',
          extendedSupportCharged: false,
        },
      },
    });
  });

  it('names the offending key of a bad override', () => {
    const read = (overrides: unknown) => () =>
      readVersionSupportConfig(
        new ConfigReader({
          shipyard: { versionSupport: { overrides } },
        } as never),
      );
    expect(
      read({ eks: { '1.33': { endOfStandardSupport: '2026-13-01' } } }),
    ).toThrow(
      /shipyard\.versionSupport\.overrides\.eks\.1\.33\.endOfStandardSupport must be a date/,
    );
    expect(read({ eks: { 'v1.33': {} } })).toThrow(
      /"v1\.33" is not a Kubernetes minor/,
    );
    expect(read({ eks: { '1.33': { endOfSupport: '2026-01-01' } } })).toThrow(
      /endOfSupport is not a known field/,
    );
    expect(
      read({
        eks: {
          '1.33': {
            endOfStandardSupport: '2027-01-01',
            endOfExtendedSupport: '2026-01-01',
          },
        },
      }),
    ).toThrow(/dates must be in order/);
  });
});
