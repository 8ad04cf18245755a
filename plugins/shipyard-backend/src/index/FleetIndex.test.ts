import {
  CLUSTER_FACETS,
  CLUSTER_SORT_FIELDS,
  ClusterSummary,
  FleetChangeEvent,
  HEALTH_STATUSES,
  ListClustersRequest,
  clusterListItemOf,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import { InputError } from '@backstage/errors';
import {
  FleetIndex,
  FleetQueryOptions,
  StoredClusterSummary,
} from './FleetIndex';
import { seededRandom } from '@shipyard/test-utils';
import { makeFleet, makeSummary } from '../__testUtils__/summaries';

function keysOf(
  items: Array<{ managementCluster: string; namespace: string; name: string }>,
) {
  return items.map(stringifyClusterKey);
}

/** Fetches every page of a query. */
function allPages(index: FleetIndex, request: ListClustersRequest) {
  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const res = index.query({ ...request, cursor, facets: false });
    seen.push(...keysOf(res.items));
    cursor = res.nextCursor;
    pages++;
    if (pages > 10_000) throw new Error('runaway pagination');
  } while (cursor);
  return seen;
}

describe('FleetIndex', () => {
  it('stores, updates and removes summaries, bumping the revision only on change', () => {
    const index = new FleetIndex();
    const a = makeSummary({ name: 'a' });
    expect(index.upsert(a)).toBe(true);
    const r1 = index.revision;
    expect(index.upsert({ ...a, lastChangedAt: 'later' })).toBe(false);
    expect(index.revision).toBe(r1);
    expect(index.upsert({ ...a, health: 'degraded' })).toBe(true);
    expect(index.revision).toBeGreaterThan(r1);
    expect(index.get('mc-a/default/a')?.summary.health).toBe('degraded');
    expect(index.remove('mc-a/default/a')).toBe(true);
    expect(index.get('mc-a/default/a')).toBeUndefined();
    expect(index.size).toBe(0);
  });

  it('filters with AND across facets and OR within one, and searches text', () => {
    const index = new FleetIndex();
    index.upsert(
      makeSummary({
        name: 'alpha',
        owner: 'group:default/a',
        provider: 'aws',
        labels: { env: 'prod' },
      }),
    );
    index.upsert(
      makeSummary({
        name: 'beta',
        owner: 'group:default/b',
        provider: 'aws',
        labels: { env: 'dev' },
      }),
    );
    index.upsert(
      makeSummary({
        name: 'gamma',
        owner: 'group:default/a',
        provider: 'gcp',
        labels: {},
      }),
    );
    const names = (req: ListClustersRequest) =>
      index.query(req).items.map(i => i.name);
    expect(names({ owner: ['group:default/a'] })).toEqual(['alpha', 'gamma']);
    expect(names({ owner: ['group:default/a'], provider: ['aws'] })).toEqual([
      'alpha',
    ]);
    expect(
      names({
        owner: ['group:default/a', 'group:default/b'],
        provider: ['aws'],
      }),
    ).toEqual(['alpha', 'beta']);
    expect(names({ label: ['env=prod'] })).toEqual(['alpha']);
    expect(names({ label: ['env'] })).toEqual(['alpha', 'beta']);
    expect(names({ q: 'AMM' })).toEqual(['gamma']);
    expect(names({ owner: ['group:default/nobody'] })).toEqual([]);
  });

  it('pages through every sort order exactly once, matching a brute-force sort', () => {
    const fleet = makeFleet(700, 7);
    const index = new FleetIndex();
    fleet.forEach(s => index.upsert(s));
    for (const field of CLUSTER_SORT_FIELDS) {
      for (const order of ['asc', 'desc'] as const) {
        const unfiltered = allPages(index, { sort: field, order, limit: 37 });
        expect(unfiltered).toHaveLength(700);
        expect(new Set(unfiltered).size).toBe(700);
        const fullPage = index
          .query({ sort: field, order, limit: 500, facets: false })
          .items.map(stringifyClusterKey);
        expect(unfiltered.slice(0, 500)).toEqual(fullPage);
        // filtered: both execution strategies agree with the unfiltered order
        const filtered = allPages(index, {
          sort: field,
          order,
          limit: 11,
          owner: ['group:default/team-b'],
          health: ['healthy', 'degraded'],
        });
        const expected = unfiltered.filter(key => {
          const s = index.getStored(key)!;
          return (
            s.owner === 'group:default/team-b' &&
            (s.health === 'healthy' || s.health === 'degraded')
          );
        });
        expect(filtered).toEqual(expected);
      }
    }
  });

  it('keeps sort orders right while summaries change', () => {
    const fleet = makeFleet(300, 3);
    const index = new FleetIndex();
    fleet.forEach(s => index.upsert(s));
    // materialise the orders
    for (const field of CLUSTER_SORT_FIELDS)
      index.query({ sort: field, limit: 1 });
    const rnd = seededRandom(99);
    const current = new Map(fleet.map(s => [stringifyClusterKey(s), s]));
    for (let i = 0; i < 500; i++) {
      const victim = fleet[Math.floor(rnd() * fleet.length)];
      const key = stringifyClusterKey(victim);
      if (rnd() < 0.1) {
        index.remove(key);
        current.delete(key);
        continue;
      }
      const next = {
        ...(current.get(key) ?? victim),
        health: (['healthy', 'degraded', 'unhealthy'] as const)[
          Math.floor(rnd() * 3)
        ],
        machineCount: Math.floor(rnd() * 50),
        owner: rnd() < 0.5 ? 'group:default/team-a' : 'group:default/team-z',
      };
      index.upsert(next);
      current.set(key, next);
    }
    const fresh = new FleetIndex();
    for (const s of index.all()) fresh.upsert(s, { restored: true });
    expect(fresh.size).toBe(current.size);
    for (const field of CLUSTER_SORT_FIELDS) {
      for (const order of ['asc', 'desc'] as const) {
        expect(allPages(index, { sort: field, order, limit: 50 })).toEqual(
          allPages(fresh, { sort: field, order, limit: 50 }),
        );
      }
    }
  });

  it('counts facets so that a value’s count equals the total of filtering by it', () => {
    const fleet = makeFleet(500, 11);
    const index = new FleetIndex();
    fleet.forEach(s => index.upsert(s));
    const requests: ListClustersRequest[] = [
      {},
      { owner: ['group:default/team-a'] },
      { owner: ['group:default/team-a'], health: ['healthy'] },
      { provider: ['aws', 'gcp'], kubernetesMinor: ['1.31'], q: 'c-00' },
      { label: ['env=prod'], managementCluster: ['mc-b'] },
    ];
    for (const request of requests) {
      const res = index.query(request);
      for (const facet of CLUSTER_FACETS) {
        for (const { value, count } of res.facets![facet]) {
          const filtered = index.query({
            ...request,
            [facet]: [value],
            facets: false,
          });
          expect({ facet, value, count: filtered.totalCount }).toEqual({
            facet,
            value,
            count,
          });
        }
      }
    }
  });

  it('reports counts in the summary and applies visibility everywhere', () => {
    const fleet = makeFleet(200, 5);
    const index = new FleetIndex();
    fleet.forEach(s => index.upsert(s));
    const visibility = (s: { owner: string }) =>
      s.owner === 'group:default/team-a';
    const expected = fleet.filter(visibility).length;
    expect(index.query({}, { visibility }).totalCount).toBe(expected);
    expect(index.summary({ visibility }).totalCount).toBe(expected);
    expect(index.summary().totalCount).toBe(200);
    const byHealth = index.summary().byHealth;
    expect(Object.values(byHealth).reduce((a, b) => a + b, 0)).toBe(200);
    const res = index.query({}, { visibility });
    expect(res.facets!.owner).toEqual([
      { value: 'group:default/team-a', count: expected },
    ]);
  });

  it('rejects bad cursors and cursors of another sort', () => {
    const index = new FleetIndex();
    makeFleet(20).forEach(s => index.upsert(s));
    expect(() => index.query({ cursor: 'garbage' })).toThrow(InputError);
    const { nextCursor } = index.query({ limit: 5 });
    expect(() => index.query({ cursor: nextCursor, sort: 'owner' })).toThrow(
      /cursor/,
    );
  });

  it('continues after the cursor even when the cursor item is gone', () => {
    const index = new FleetIndex();
    makeFleet(20).forEach(s => index.upsert(s));
    const first = index.query({ limit: 5 });
    const lastKey = stringifyClusterKey(first.items[4]);
    index.remove(lastKey);
    const second = index.query({ limit: 5, cursor: first.nextCursor });
    expect(second.items[0].name).toBe('c-00005');
  });

  it('notifies subscribers with coalesced changes and entity-relevance', async () => {
    const index = new FleetIndex();
    const events: FleetChangeEvent[] = [];
    index.subscribe(e => events.push(e));
    const a = makeSummary({ name: 'a' });
    index.upsert(a);
    index.upsert({ ...a, health: 'degraded' });
    await new Promise(r => setImmediate(r));
    expect(events).toHaveLength(1);
    expect(events[0].changes).toEqual([
      {
        managementCluster: 'mc-a',
        namespace: 'default',
        name: 'a',
        type: 'upserted',
        entityChanged: true,
      },
    ]);
    index.upsert({ ...a, health: 'unhealthy' });
    await new Promise(r => setImmediate(r));
    expect(events[1].changes[0].entityChanged).toBe(false);
    index.upsert({ ...a, health: 'unhealthy', owner: 'group:default/b' });
    await new Promise(r => setImmediate(r));
    expect(events[2].changes[0].entityChanged).toBe(true);
    index.remove('mc-a/default/a');
    await new Promise(r => setImmediate(r));
    expect(events[3].changes[0]).toMatchObject({
      type: 'deleted',
      entityChanged: true,
    });
    expect(events[3].revision).toBe(index.revision);
  });

  it('derives source freshness from the management cluster and restoration', () => {
    const index = new FleetIndex();
    index.upsert(makeSummary({ name: 'a' }), {
      restored: true,
      lastSeenAt: '2025-01-01T00:00:00.000Z',
    });
    index.setSourceState('mc-a', { state: 'syncing' });
    expect(index.get('mc-a/default/a')!.summary.source).toEqual({
      state: 'restored',
      resynced: false,
      lastSeenAt: '2025-01-01T00:00:00.000Z',
    });
    index.upsert(makeSummary({ name: 'a' }));
    index.setSourceState('mc-a', {
      state: 'stale',
      staleSince: '2025-02-01T00:00:00.000Z',
      lastSeenAt: '2025-01-31T00:00:00.000Z',
    });
    expect(index.get('mc-a/default/a')!.summary.source).toEqual({
      state: 'stale',
      resynced: true,
      staleSince: '2025-02-01T00:00:00.000Z',
      lastSeenAt: '2025-01-31T00:00:00.000Z',
    });
    expect(index.summary().staleCount).toBe(1);
  });

  it('serialises pages exactly like query(), and reflects changes in cached selections at once', () => {
    const fleet = makeFleet(400, 21);
    const index = new FleetIndex();
    fleet.forEach(s => index.upsert(s));
    // probe freshness, as the health evaluation sets it
    fleet.forEach(s =>
      index.setVolatile(stringifyClusterKey(s), {
        probe: {
          lastProbeAt: '2025-03-01T00:00:00.000Z',
          ok: true,
          latencyMs: 3,
          consecutiveFailures: 0,
        },
      }),
    );
    index.setSourceState('mc-a', {
      state: 'connected',
      lastSeenAt: '2025-03-01T00:00:00.000Z',
    });
    index.setSourceState('mc-b', {
      state: 'stale',
      staleSince: '2025-03-01T00:00:00.000Z',
    });
    index.upsert(
      { ...fleet[0], owner: 'group:default/restored' },
      { restored: true, lastSeenAt: '2025-02-01T00:00:00.000Z' },
    );
    const requests: ListClustersRequest[] = [
      {},
      { sort: 'kubernetesVersion', order: 'desc', limit: 7 },
      {
        owner: ['group:default/team-a'],
        health: ['healthy', 'degraded'],
        sort: 'machineCount',
      },
      { label: ['env=prod', 'shipyard.io/tier'], q: 'c-0', facets: false },
    ];
    for (const request of requests) {
      expect(JSON.parse(index.queryJson(request).body.toString())).toEqual(
        JSON.parse(JSON.stringify(index.query(request))),
      );
    }
    // a change after a cached query is visible at once
    const before = index.query({ owner: ['group:default/team-a'] });
    const victim = index.getStored(stringifyClusterKey(before.items[0]))!;
    index.upsert({ ...victim, owner: 'group:default/team-z' });
    const after = index.query({ owner: ['group:default/team-a'] });
    expect(after.totalCount).toBe(before.totalCount - 1);
    expect(
      after.facets!.owner.find(f => f.value === 'group:default/team-z')?.count,
    ).toBe(1);
    // visibility without a key is never served from the cache
    let allow = 'group:default/team-a';
    const visibility = (s: { owner: string }) => s.owner === allow;
    const first = index.query({}, { visibility }).totalCount;
    allow = 'group:default/team-b';
    expect(index.query({}, { visibility }).totalCount).not.toBe(first);
  });

  it('sorts on health by severity: descending lists the worst clusters first', () => {
    const index = new FleetIndex();
    for (const health of [
      'healthy',
      'deleting',
      'unhealthy',
      'provisioning',
      'degraded',
      'progressing',
      'unknown',
    ] as const) {
      index.upsert(makeSummary({ name: health, health }));
    }
    const names = index
      .query({ sort: 'health', order: 'desc' })
      .items.map(i => i.health);
    expect(names).toEqual([
      'unhealthy',
      'degraded',
      'unknown',
      'deleting',
      'provisioning',
      'progressing',
      'healthy',
    ]);
  });

  it('serves slim list items with fields=list: the list fields of the full summary, the headline reason and brief version support', () => {
    const fleet = makeFleet(120, 5).map((s, i) =>
      i % 3 === 0
        ? s
        : {
            ...s,
            healthReasons: [
              {
                source: 'probe' as const,
                severity: 'info' as const,
                type: 'VersionExtendedSupport',
                message: 'in extended support',
              },
              ...(i % 3 === 1
                ? [
                    {
                      source: 'capi' as const,
                      severity: 'warning' as const,
                      type: 'ControlPlaneNotReady',
                      message: `${s.name}: 1 of 3 ready`,
                    },
                  ]
                : []),
            ],
            versionSupport: {
              status: 'extended' as const,
              minor: s.kubernetesMinor,
              releaseDate: '2024-08-13',
              endOfStandardSupport: '2025-10-28',
              endOfLife: '2026-10-28',
              origin: 'bundled' as const,
            },
          },
    );
    const index = new FleetIndex();
    fleet.forEach(s => index.upsert(s));
    index.setSourceState('mc-a', {
      state: 'connected',
      lastSeenAt: '2025-03-01T00:00:00.000Z',
    });
    const request: ListClustersRequest = {
      sort: 'health',
      order: 'desc',
      limit: 20,
    };
    const check = () => {
      const full = JSON.parse(index.queryJson(request).body.toString());
      const slim = JSON.parse(
        index.queryJson({ ...request, fields: 'list' }).body.toString(),
      );
      expect(slim.totalCount).toBe(full.totalCount);
      expect(slim.nextCursor).toBe(full.nextCursor);
      expect(slim.facets).toEqual(full.facets);
      expect(slim.items).toEqual(
        full.items.map((s: ClusterSummary) => clusterListItemOf(s)),
      );
      for (const item of slim.items) {
        expect(item.conditions).toBeUndefined();
        expect(item.probe).toBeUndefined();
        expect(item.healthReasons).toBeUndefined();
      }
      // the headline reason (the warning before the info), the count, the status and end of life of version support
      const shown = slim.items.map(
        (item: {
          name: string;
          healthReason?: { type: string };
          healthReasonCount?: number;
          versionSupport?: unknown;
        }) => ({
          reason: item.healthReason?.type,
          count: item.healthReasonCount,
          versionSupport: item.versionSupport,
        }),
      );
      expect(shown).toEqual(
        slim.items.map((item: ClusterSummary) => {
          const n = index.getStored(stringifyClusterKey(item))!.healthReasons
            .length;
          return {
            reason: [
              undefined,
              'VersionExtendedSupport',
              'ControlPlaneNotReady',
            ][n],
            count: n || undefined,
            versionSupport: n
              ? { status: 'extended', endOfLife: '2026-10-28' }
              : undefined,
          };
        }),
      );
      expect(shown.map((s: { count?: number }) => s.count)).toEqual(
        expect.arrayContaining([undefined, 1, 2]),
      );
      return slim.items;
    };
    const first = check();
    // a change of a served item is reflected in its slim form
    const victim = index.getStored(stringifyClusterKey(first[0]))!;
    index.upsert({ ...victim, title: 'renamed' });
    expect(check().some((i: { title: string }) => i.title === 'renamed')).toBe(
      true,
    );
  });

  it('serves a page as UTF-8 bytes whose kept parts follow the summaries and their sources', () => {
    const index = new FleetIndex();
    const a = makeSummary({ name: 'a', title: 'Grüne Flotte ✓' });
    index.upsert(a);
    index.upsert(makeSummary({ name: 'b', title: '東京' }));
    index.setSourceState('mc-a', {
      state: 'connected',
      lastSeenAt: '2025-03-01T00:00:00.000Z',
    });
    const request: ListClustersRequest = { fields: 'list', sort: 'name' };
    const served = () => {
      const { body } = index.queryJson(request);
      const text = body.toString('utf8');
      expect(body.length).toBe(Buffer.byteLength(text, 'utf8'));
      const page = JSON.parse(text);
      const items = index
        .query(request)
        .items.map(s => clusterListItemOf(s as ClusterSummary));
      expect(page.items).toEqual(items);
      return page;
    };
    expect(served().items.map((i: { title: string }) => i.title)).toEqual([
      'Grüne Flotte ✓',
      '東京',
    ]);
    // the management cluster's freshness is not kept with the items
    index.setSourceState('mc-a', {
      state: 'stale',
      staleSince: '2025-03-02T00:00:00.000Z',
      lastSeenAt: '2025-03-01T00:00:00.000Z',
    });
    expect(served().items[0].source).toEqual({
      state: 'stale',
      resynced: true,
      staleSince: '2025-03-02T00:00:00.000Z',
      lastSeenAt: '2025-03-01T00:00:00.000Z',
    });
    // a changed summary is served changed, with its new lastChangedAt
    index.upsert({ ...index.getStored('mc-a/default/a')!, title: 'Ø' });
    const page = served();
    expect(page.items[0].title).toBe('Ø');
    expect(page.items[0].lastChangedAt).toBe(
      index.getStored('mc-a/default/a')!.lastChangedAt,
    );
    expect(page.revision).toBe(index.revision);
  });

  it('keeps the facet index consistent when values come and go', () => {
    const index = new FleetIndex();
    const a = makeSummary({
      name: 'a',
      provider: 'aws',
      labels: { env: 'prod' },
    });
    index.upsert(a);
    index.upsert({ ...a, provider: 'gcp', labels: { env: 'dev' } });
    index.upsert(
      makeSummary({ name: 'b', provider: 'azure', labels: { tier: 'gold' } }),
    );
    const res = index.query({});
    expect(res.facets!.provider).toEqual([
      { value: 'azure', count: 1 },
      { value: 'gcp', count: 1 },
    ]);
    expect(res.facets!.label).toEqual([
      { value: 'env=dev', count: 1 },
      { value: 'tier=gold', count: 1 },
    ]);
    expect(index.query({ provider: ['aws'] }).totalCount).toBe(0);
    expect(index.query({ label: ['env'] }).totalCount).toBe(1);
    index.remove('mc-a/default/a');
    expect(
      index.query({ provider: ['gcp', 'azure'] }).facets!.provider,
    ).toEqual([{ value: 'azure', count: 1 }]);
  });

  it('keeps cached selections, totals and facet counts exact while the fleet changes', () => {
    const fleet = makeFleet(600, 31);
    const index = new FleetIndex();
    fleet.forEach(s => index.upsert(s));
    const requests: ListClustersRequest[] = [
      {},
      { owner: ['group:default/team-a'] },
      {
        owner: ['group:default/team-a', 'group:default/team-z'],
        health: ['healthy'],
      },
      { health: ['degraded'], sort: 'machineCount', order: 'desc', limit: 7 },
      { label: ['env=prod'], provider: ['aws', 'gcp'] },
      { label: ['shipyard.io/tier'], q: 'c-00' },
      { kubernetesMinor: ['1.31'], sort: 'kubernetesVersion' },
    ];
    const run = (ix: FleetIndex) =>
      requests.map(r => {
        const res = ix.query(r);
        const items = res.items.map(({ source: _s, ...rest }) => rest);
        return { ...res, items, revision: 0 };
      });
    run(index); // fill the caches
    const rnd = seededRandom(5);
    const current = new Map(fleet.map(s => [stringifyClusterKey(s), s]));
    for (let i = 0; i < 400; i++) {
      const victim = fleet[Math.floor(rnd() * fleet.length)];
      const key = stringifyClusterKey(victim);
      const r = rnd();
      if (r < 0.1) {
        index.remove(key);
        current.delete(key);
      } else {
        const next = {
          ...(current.get(key) ?? victim),
          health: (['healthy', 'degraded', 'unhealthy'] as const)[
            Math.floor(rnd() * 3)
          ],
          machineCount: Math.floor(rnd() * 50),
          owner:
            rnd() < 0.5
              ? 'group:default/team-a'
              : `group:default/team-${Math.floor(rnd() * 30)}`,
          labels:
            rnd() < 0.3
              ? { env: 'prod', [`k${Math.floor(rnd() * 5)}`]: 'v' }
              : { env: 'dev' },
        };
        index.upsert(next);
        current.set(key, next);
      }
      if (i % 50 === 0) run(index);
    }
    const fresh = new FleetIndex();
    for (const s of index.all()) fresh.upsert(s, { restored: true });
    expect(run(index)).toEqual(run(fresh));
  });

  it('keeps cached selections, sorted pages and facet counts exact when each change touches one field', () => {
    const fleet = makeFleet(300, 17);
    const index = new FleetIndex();
    fleet.forEach(s => index.upsert(s));
    const notPlatform: FleetQueryOptions = {
      visibility: s => s.owner !== 'group:default/platform',
      visibilityKey: 'not-platform',
    };
    const requests: Array<[ListClustersRequest, FleetQueryOptions?]> = [
      [{}],
      [{ owner: ['group:default/team-a'] }],
      [{ health: ['degraded', 'unhealthy'] }],
      [{ managementCluster: ['mc-b'], distribution: ['eks'] }],
      [{ label: ['env=prod'] }],
      [{ label: ['shipyard.io/tier'] }],
      [{ q: 'c-001' }],
      [{ provider: ['aws'] }, notPlatform],
    ];
    // every sort in both directions (one page holds the whole selection), with the facet counts
    const run = (ix: FleetIndex) =>
      requests.flatMap(([r, options]) =>
        CLUSTER_SORT_FIELDS.flatMap(sort =>
          (['asc', 'desc'] as const).map(order => {
            const res = ix.query({ ...r, sort, order, limit: 500 }, options);
            return {
              keys: keysOf(res.items),
              total: res.totalCount,
              facets: res.facets,
            };
          }),
        ),
      );
    run(index); // fill the caches (sorted lists of every selection)
    const rnd = seededRandom(9);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
    const changes: Array<(s: StoredClusterSummary) => StoredClusterSummary> = [
      s => ({ ...s, health: pick(HEALTH_STATUSES) }),
      s => ({ ...s, machineCount: Math.floor(rnd() * 20) }),
      s => ({
        ...s,
        owner: pick(['group:default/team-a', 'group:default/platform']),
      }),
      s => ({ ...s, distribution: pick(['eks', 'k3s']) }),
      s => ({ ...s, labels: { ...s.labels, env: pick(['prod', 'dev']) } }),
      s => ({ ...s, labels: { env: s.labels.env } }),
      s => ({ ...s, labels: { ...s.labels, 'shipyard.io/tier': 'gold' } }),
      s => ({ ...s, title: pick(['c-001 renamed', 'other']) }),
      s => ({ ...s, kubernetesVersion: pick(['v1.29.1', 'v1.31.10']) }),
      s => ({
        ...s,
        conditions: [{ type: 'Ready', status: pick(['True', 'False']) }],
      }),
      s => ({
        ...s,
        createdAt: new Date(1.7e12 + Math.floor(rnd() * 1e10)).toISOString(),
      }),
    ];
    const current = new Map(fleet.map(s => [stringifyClusterKey(s), s]));
    // the cached answers beside those of an index built afresh, every 100 changes
    const seen: unknown[] = [];
    const expected: unknown[] = [];
    const compare = () => {
      const fresh = new FleetIndex();
      for (const s of index.all()) fresh.upsert(s, { restored: true });
      seen.push(run(index));
      expected.push(run(fresh));
    };
    for (let i = 1; i <= 300; i++) {
      const key = stringifyClusterKey(pick(fleet));
      const next = pick(changes)(current.get(key)!);
      index.upsert(next);
      current.set(key, next);
      if (i % 100 === 0) compare();
    }
    expect(seen).toHaveLength(3);
    expect(seen).toEqual(expected);
  }, 30_000);
});
