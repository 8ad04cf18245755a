import {
  BUNDLED_VERSION_SUPPORT,
  VersionSupportCalendar,
  compareKubernetesMinors,
  daysUntil,
  kubeletSkew,
  kubernetesMinorFor,
  parseVersionSupportData,
  statusOnDay,
} from './versionSupport';

const at = (day: string) => new Date(`${day}T12:00:00Z`);

describe('the bundled data file', () => {
  it('validates and names a source and a reading date for every record', () => {
    expect(() =>
      parseVersionSupportData(BUNDLED_VERSION_SUPPORT),
    ).not.toThrow();
    for (const r of BUNDLED_VERSION_SUPPORT.releases) {
      expect(r.source).toMatch(/^https:\/\//);
      expect(r.fetchedAt).toMatch(/^\d{4}-\d{2}-\d{2}/);
    }
  });

  it('has a calendar for upstream and every distribution the fleet detects', () => {
    const calendar = new VersionSupportCalendar();
    const names = calendar.distributions().map(d => d.name);
    for (const d of [
      'upstream',
      'eks',
      'aks',
      'gke',
      'openshift',
      'rke2',
      'k3s',
      'k0s',
      'kubeadm',
    ]) {
      expect(names).toContain(d);
      expect(calendar.records(d).length).toBeGreaterThan(5);
    }
    expect(calendar.calendarOf('k3s')).toBe('upstream');
    expect(calendar.calendarOf('eks')).toBe('eks');
    expect(calendar.calendarOf(undefined)).toBe('upstream');
    expect(calendar.calendarOf('something-new')).toBe('upstream');
  });

  it('rejects a data file with dates out of order, naming the field', () => {
    const broken = structuredClone(BUNDLED_VERSION_SUPPORT);
    broken.releases[0].endOfStandardSupport = '2001-01-01';
    expect(() => parseVersionSupportData(broken)).toThrow(
      /releases\.0\.endOfStandardSupport: must not be before/,
    );
    const unknown = structuredClone(BUNDLED_VERSION_SUPPORT);
    unknown.releases[0].distribution = 'nope';
    expect(() => parseVersionSupportData(unknown)).toThrow(
      /unknown distribution "nope"/,
    );
  });
});

describe('VersionSupportCalendar.evaluate', () => {
  const calendar = new VersionSupportCalendar();

  it('reports an EKS 1.33 cluster in extended support with its end date and the charge', () => {
    const vs = calendar.evaluate(
      { distribution: 'eks', version: 'v1.33.4-eks-3f1c2a9' },
      at('2026-09-01'),
    );
    expect(vs).toMatchObject({
      status: 'extended',
      minor: '1.33',
      distribution: 'eks',
      calendar: 'eks',
      endOfStandardSupport: '2026-07-29',
      endOfExtendedSupport: '2027-07-29',
      extendedSupportCharged: true,
      extendedSupportEnrolled: true,
      endOfLife: '2027-07-29',
      nextBoundary: { date: '2027-07-30', status: 'end-of-life' },
      origin: 'bundled',
    });
    // the last day of standard support still is standard support
    expect(
      calendar.evaluate(
        { distribution: 'eks', version: '1.33' },
        at('2026-07-29'),
      ).status,
    ).toBe('supported');
    expect(
      calendar.evaluate(
        { distribution: 'eks', version: '1.33' },
        at('2027-07-30'),
      ).status,
    ).toBe('end-of-life');
  });

  it('lets a k3s cluster follow the upstream calendar', () => {
    const k3s = calendar.evaluate(
      { distribution: 'k3s', version: 'v1.33.5+k3s1' },
      at('2026-05-01'),
    );
    const upstream = calendar.evaluate({ version: '1.33' }, at('2026-05-01'));
    expect(k3s).toMatchObject({
      status: 'maintenance',
      minor: '1.33',
      distribution: 'k3s',
      calendar: 'upstream',
      maintenanceFrom: '2026-04-28',
      endOfStandardSupport: '2026-06-28',
      endOfLife: '2026-06-28',
      nextBoundary: { date: '2026-06-29', status: 'end-of-life' },
    });
    expect({ ...k3s, distribution: undefined }).toEqual({
      ...upstream,
      distribution: undefined,
    });
    expect(k3s.extendedSupportCharged).toBeUndefined();
  });

  it('gives preview before the release and supported after it', () => {
    expect(
      calendar.evaluate({ version: '1.36' }, at('2026-04-01')),
    ).toMatchObject({
      status: 'preview',
      nextBoundary: { date: '2026-04-22', status: 'supported' },
      estimated: true,
    });
    expect(
      calendar.evaluate({ version: '1.36' }, at('2026-05-01')),
    ).toMatchObject({
      status: 'supported',
      nextBoundary: { date: '2027-04-28', status: 'maintenance' },
    });
  });

  it('counts opt-in extended support (AKS LTS) only for enrolled clusters', () => {
    const plain = calendar.evaluate(
      { distribution: 'aks', version: '1.31.5' },
      at('2026-01-15'),
    );
    expect(plain).toMatchObject({
      status: 'end-of-life',
      endOfStandardSupport: '2025-11-01',
      endOfExtendedSupport: '2026-11-30',
      extendedSupportEnrolled: false,
      endOfLife: '2025-11-01',
    });
    expect(plain.nextBoundary).toBeUndefined();
    const lts = calendar.evaluate(
      { distribution: 'aks', version: '1.31.5', extendedSupport: true },
      at('2026-01-15'),
    );
    expect(lts).toMatchObject({
      status: 'extended',
      extendedSupportCharged: true,
      extendedSupportEnrolled: true,
      endOfLife: '2026-11-30',
    });
  });

  it('reads OpenShift minors from product versions and counts EUS as extended support', () => {
    const vs = calendar.evaluate(
      { distribution: 'openshift', version: '4.16.12' },
      at('2026-03-01'),
    );
    expect(vs).toMatchObject({
      status: 'extended',
      minor: '1.29',
      productVersion: '4.16',
      endOfExtendedSupport: '2026-06-27',
      extendedSupportCharged: false,
    });
    expect(
      calendar.evaluate(
        { distribution: 'openshift', version: 'v1.29.8+f10c92d' },
        at('2026-03-01'),
      ).minor,
    ).toBe('1.29');
  });

  it('handles minors outside the calendar and unparsable versions', () => {
    expect(
      calendar.evaluate({ version: '1.99' }, at('2026-12-01')),
    ).toMatchObject({
      status: 'supported',
      outsideCalendar: 'newer',
    });
    expect(
      calendar.evaluate({ version: '1.2' }, at('2026-12-01')),
    ).toMatchObject({
      status: 'end-of-life',
      outsideCalendar: 'older',
    });
    expect(
      calendar.evaluate({ version: 'nonsense' }, at('2026-12-01')),
    ).toEqual({
      status: 'unknown',
    });
    expect(calendar.evaluate({}, at('2026-12-01'))).toEqual({
      status: 'unknown',
    });
  });
});

describe('layers', () => {
  it('lets a configured override win over the data file', () => {
    const calendar = new VersionSupportCalendar({
      overrides: {
        eks: { '1.33': { endOfExtendedSupport: '2027-09-30' } },
        upstream: { '1.31': { endOfLife: '2026-12-31' } },
      },
      overridesReadAt: '2026-12-05T00:00:00Z',
    });
    expect(
      calendar.evaluate(
        { distribution: 'eks', version: '1.33' },
        at('2027-08-15'),
      ),
    ).toMatchObject({
      status: 'extended',
      endOfExtendedSupport: '2027-09-30',
      origin: 'override',
    });
    expect(calendar.record('eks', '1.33')).toMatchObject({
      source: 'configuration.eks.1.33',
      fetchedAt: '2026-12-05T00:00:00Z',
      endOfStandardSupport: '2026-07-29',
    });
    // the older form moves the last day of support; followers see the overridden upstream record
    expect(
      calendar.evaluate(
        { distribution: 'rke2', version: '1.31' },
        at('2026-12-05'),
      ),
    ).toMatchObject({
      status: 'maintenance',
      endOfStandardSupport: '2026-12-31',
      origin: 'override',
      calendar: 'upstream',
    });
  });

  it('applies overrides of a follower on top of the followed calendar', () => {
    const calendar = new VersionSupportCalendar({
      overrides: { k3s: { '1.32': { endOfStandardSupport: '2026-12-31' } } },
    });
    expect(
      calendar.evaluate(
        { distribution: 'k3s', version: '1.32' },
        at('2026-12-05'),
      ),
    ).toMatchObject({ status: 'maintenance', origin: 'override' });
    expect(
      calendar.evaluate(
        { distribution: 'k3s', version: '1.31' },
        at('2026-12-05'),
      ),
    ).toMatchObject({ status: 'end-of-life', origin: 'bundled' });
    expect(
      calendar.evaluate({ version: '1.32' }, at('2026-12-05')).status,
    ).toBe('end-of-life');
  });

  it('lets a refreshed calendar replace the file per minor and keeps the file for the rest', () => {
    const calendar = new VersionSupportCalendar({
      refreshed: [
        {
          distribution: 'eks',
          source: 'http://127.0.0.1/api/v1/products/amazon-eks',
          fetchedAt: '2026-12-04T10:00:00.000Z',
          records: [
            {
              distribution: 'eks',
              minor: '1.33',
              releaseDate: '2025-05-29',
              endOfStandardSupport: '2026-07-29',
              endOfExtendedSupport: '2027-08-31',
              source: 'http://127.0.0.1/api/v1/products/amazon-eks',
              fetchedAt: '2026-12-04T10:00:00.000Z',
            },
          ],
        },
      ],
    });
    expect(
      calendar.evaluate(
        { distribution: 'eks', version: '1.33' },
        at('2026-12-05'),
      ),
    ).toMatchObject({
      endOfExtendedSupport: '2027-08-31',
      extendedSupportCharged: true,
      origin: 'refreshed',
    });
    expect(
      calendar.evaluate(
        { distribution: 'eks', version: '1.32' },
        at('2026-12-05'),
      ),
    ).toMatchObject({ origin: 'bundled', endOfExtendedSupport: '2027-03-23' });
    expect(calendar.distributions().find(d => d.name === 'eks')).toMatchObject({
      origin: 'refreshed',
      refreshedAt: '2026-12-04T10:00:00.000Z',
    });
  });
});

describe('helpers', () => {
  it('parses minors with semver', () => {
    expect(kubernetesMinorFor('v1.31.2+k3s1')).toBe('1.31');
    expect(kubernetesMinorFor('1.33')).toBe('1.33');
    expect(kubernetesMinorFor('4.16.3', 'openshift')).toBe('1.29');
    expect(kubernetesMinorFor('garbage')).toBeUndefined();
    expect(compareKubernetesMinors('1.9', '1.10')).toBeLessThan(0);
    expect(compareKubernetesMinors('v1.31.2', '1.31')).toBe(0);
  });

  it('computes phases and days', () => {
    expect(
      statusOnDay(
        {
          distribution: 'x',
          minor: '1.1',
          endOfStandardSupport: '2026-01-31',
          source: 's',
          fetchedAt: '2026-01-01',
        },
        '2026-01-31',
        false,
      ),
    ).toEqual({
      status: 'supported',
      nextBoundary: { date: '2026-02-01', status: 'end-of-life' },
    });
    expect(daysUntil('2026-02-01', at('2026-01-31'))).toBe(1);
    expect(daysUntil('2026-02-01', at('2026-03-01'))).toBe(0);
  });

  it('keeps the kubelet skew policy', () => {
    expect(kubeletSkew('1.31', '1.28')).toEqual({
      minorsBehind: 3,
      supported: true,
    });
    expect(kubeletSkew('1.27', '1.24')).toEqual({
      minorsBehind: 3,
      supported: false,
    });
    expect(kubeletSkew('1.31', '1.32')?.supported).toBe(false);
  });
});
