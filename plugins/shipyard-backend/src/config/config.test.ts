import { ConfigReader } from '@backstage/config';
import { readShipyardConfig } from './config';
import { OwnershipResolver } from './ownership';

describe('readShipyardConfig', () => {
  it('applies defaults', () => {
    const c = readShipyardConfig(new ConfigReader({}));
    expect(c.managementClusters).toEqual([]);
    expect(c.ownership.defaultOwner).toBe('group:default/platform-team');
    expect(c.sync.pageSize).toBe(500);
    expect(c.audit.retentionDays).toBe(365);
    expect(c.sync).toMatchObject({
      staleAfterMs: 30_000,
      requestTimeoutMs: 30_000,
      bookmarkIntervalMs: 60_000,
      heartbeatMs: 10_000,
    });
    expect(() =>
      readShipyardConfig(
        new ConfigReader({ shipyard: { sync: { heartbeatMs: 0 } } }),
      ),
    ).toThrow(/shipyard\.sync\.heartbeatMs/);
    expect(c.events).toEqual({
      maxStreams: 1000,
      maxStreamsPerUser: 10,
      permissionRecheckMs: 30_000,
    });
  });

  it('reads the number of list worker threads and refuses one that is not a count', () => {
    const read = (listWorkers: unknown) =>
      readShipyardConfig(
        new ConfigReader({ shipyard: { sync: { listWorkers } } } as any),
      ).sync.listWorkers;
    expect(read(3)).toBe(3);
    expect(read(0)).toBe(0);
    for (const bad of [-1, 1.5, 65]) {
      expect(() => read(bad)).toThrow(
        /shipyard\.sync\.listWorkers must be a whole number of threads between 0 and 64/,
      );
    }
  });

  it('reads how many kinds are listed at once (default 4) and refuses none or a fraction', () => {
    const read = (listConcurrency?: unknown) =>
      readShipyardConfig(
        new ConfigReader({ shipyard: { sync: { listConcurrency } } } as any),
      ).sync.listConcurrency;
    expect(read()).toBe(4);
    expect(read(1)).toBe(1);
    expect(read(64)).toBe(64);
    for (const bad of [0, 2.5, 65]) {
      expect(() => read(bad)).toThrow(
        /shipyard\.sync\.listConcurrency must be a whole number of lists between 1 and 64/,
      );
    }
  });

  it('reads the audit retention and refuses a useless one', () => {
    expect(
      readShipyardConfig(
        new ConfigReader({ shipyard: { audit: { retentionDays: 30 } } }),
      ).audit.retentionDays,
    ).toBe(30);
    expect(() =>
      readShipyardConfig(
        new ConfigReader({ shipyard: { audit: { retentionDays: 0 } } }),
      ),
    ).toThrow(/shipyard\.audit\.retentionDays/);
  });

  it('reads management clusters and names the offending key', () => {
    const c = readShipyardConfig(
      new ConfigReader({
        shipyard: {
          managementClusters: [
            {
              name: 'mc-a',
              url: 'https://a:6443',
              auth: { type: 'serviceAccountToken', token: 't' },
            },
            {
              name: 'mc-b',
              auth: { type: 'kubeconfig', file: '/k', context: 'x' },
            },
            { name: 'mc-c', auth: { type: 'inCluster' } },
          ],
        },
      }),
    );
    expect(c.managementClusters.map(m => m.auth.type)).toEqual([
      'serviceAccountToken',
      'kubeconfig',
      'inCluster',
    ]);
    expect(() =>
      readShipyardConfig(
        new ConfigReader({
          shipyard: {
            managementClusters: [
              { name: 'Bad_Name', auth: { type: 'inCluster' } },
            ],
          },
        }),
      ),
    ).toThrow(/managementClusters\[0\]\.name/);
    expect(() =>
      readShipyardConfig(
        new ConfigReader({
          shipyard: {
            managementClusters: [{ name: 'a', auth: { type: 'magic' } }],
          },
        }),
      ),
    ).toThrow(/managementClusters\[0\]\.auth\.type/);
  });
});

describe('OwnershipResolver', () => {
  const resolver = new OwnershipResolver({
    ownerKeys: ['shipyard.io/owner', 'team'],
    systemKeys: ['shipyard.io/system'],
    lifecycleKeys: [],
    profileKeys: [],
    profileVersionKeys: [],
    namespaceOwners: {
      payments: 'group:default/payments',
      'mc-b/payments': 'group:default/payments-eu',
    },
    defaultOwner: 'group:default/platform',
  });

  it('prefers labels and annotations, then the namespace, then the default', () => {
    expect(
      resolver.resolve('mc-a', 'payments', { team: 'web' }, {}).owner,
    ).toBe('group:default/web');
    expect(
      resolver.resolve(
        'mc-a',
        'payments',
        {},
        { 'shipyard.io/owner': 'group:ops/sre' },
      ).owner,
    ).toBe('group:ops/sre');
    expect(resolver.resolve('mc-a', 'payments', {}, {}).owner).toBe(
      'group:default/payments',
    );
    expect(resolver.resolve('mc-b', 'payments', {}, {}).owner).toBe(
      'group:default/payments-eu',
    );
    expect(resolver.resolve('mc-a', 'other', {}, {}).owner).toBe(
      'group:default/platform',
    );
    expect(
      resolver.resolve(
        'mc-a',
        'other',
        { 'shipyard.io/system': 'checkout' },
        {},
      ).system,
    ).toBe('system:default/checkout');
  });
});
