import { CLUSTER_SORT_FIELDS } from '@shipyard/plugin-shipyard-common';
import fc from 'fast-check';
import request from 'supertest';
import {
  PLATFORM_TEAM,
  ProofFleet,
  eventually,
  listAllClusters,
  startProofFleet,
} from '../__testUtils__/proofUtils';

/*
 * Bad input: property-based fuzzing of the REST API's query and path parameters. Every case answers 2xx, or 4xx
 * with a message; never 5xx, never a hang.
 */

jest.setTimeout(120_000);

const NASTY = [
  "' OR 1=1 --",
  '"; DROP TABLE shipyard_clusters; --',
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '%00',
  '\u0000',
  '\ud83d\ude80',
  '\u202e',
  'constructor',
  '__proto__',
  'toString',
  '*',
  '-1',
  '1e309',
  'NaN',
  '9'.repeat(400),
  'x'.repeat(5000),
];

const PARAMS: Record<string, string[]> = {
  '/clusters': [
    'owner',
    'health',
    'phase',
    'provider',
    'distribution',
    'version',
    'managementCluster',
    'profile',
    'label',
    'system',
    'lifecycle',
    'namespace',
    'versionSupport',
    'drift',
    'budget',
    'q',
    'sort',
    'order',
    'limit',
    'cursor',
    'facets',
    'fields',
  ],
  '/cluster-classes': [
    'managementCluster',
    'namespace',
    'q',
    'limit',
    'cursor',
  ],
  '/audit': [
    'action',
    'since',
    'until',
    'limit',
    'cursor',
    'actor',
    'managementCluster',
    'namespace',
    'cluster',
    'outcome',
  ],
  '/history': ['limit', 'cursor', 'since', 'until'],
  '/summary': ['owner'],
};

const value = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.fullUnicodeString({ maxLength: 20 }),
  fc.constantFrom(...NASTY),
  fc.integer().map(String),
  fc.double().map(String),
  fc.constantFrom(
    'healthy',
    'degraded',
    'name',
    'desc',
    'true',
    'false',
    '0',
    '500',
    '501',
    'kubeadm',
  ),
);

/** A raw query string: known and unknown keys, repeated keys (arrays), bracket keys (nested objects). */
function queryOf(keys: string[]) {
  const key = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...keys) },
    { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) },
  );
  const pair = fc.tuple(
    key,
    fc.constantFrom('', '[]', '[a]', '[0]', '[__proto__]'),
    value,
    fc.boolean(),
  );
  return fc
    .array(pair, { maxLength: 6 })
    .map(pairs =>
      pairs
        .map(([k, suffix, v, raw]) =>
          raw
            ? `${encodeURIComponent(k)}${suffix}=${encodeURIComponent(v)}`
            : `${encodeURIComponent(k + suffix)}=${encodeURIComponent(v)}`,
        )
        .join('&'),
    );
}

const segment = fc.oneof(
  fc.constantFrom('mgmt-eu-1', 'default', 'team-a', 'x'),
  fc.string({ minLength: 1, maxLength: 30 }),
  fc.fullUnicodeString({ minLength: 1, maxLength: 10 }),
  fc.constantFrom(...NASTY),
);

describe('REST API fuzzing', () => {
  let backend: ProofFleet;
  const logs: string[] = [];

  beforeAll(async () => {
    backend = await startProofFleet({
      sim: {
        managementClusters: 2,
        clusters: 10,
        seed: 'fuzz',
        anomalies: false,
        timing: { stepMs: 20 },
      },
      logs,
      config: { shipyard: { platformTeam: PLATFORM_TEAM } },
      // the caller is a member of the platform team: the audit log's parameters are parsed too
      membership: { 'user:default/mock': [PLATFORM_TEAM] },
    });
    await eventually(async () => {
      if ((await listAllClusters(backend.client)).length !== 10)
        throw new Error('not synced');
    });
  });

  afterAll(async () => {
    await backend?.stop();
  });

  async function expectGraceful(path: string) {
    const res = await request(backend.server).get(path).timeout(5000);
    const ok = res.status >= 200 && res.status < 300;
    const clientError = res.status >= 400 && res.status < 500;
    if (!ok && !clientError) {
      throw new Error(
        `GET ${path.slice(0, 300)} → ${res.status} ${res.text.slice(0, 300)}`,
      );
    }
    if (clientError) {
      const message = res.body?.error?.message;
      if (typeof message !== 'string' || message.length === 0) {
        throw new Error(
          `GET ${path.slice(0, 300)} → ${
            res.status
          } without a message: ${res.text.slice(0, 200)}`,
        );
      }
    }
    return res;
  }

  it('answers every query of GET /clusters, /cluster-classes, /audit and /summary with 2xx or 4xx + message', async () => {
    const a = await listAllClusters(backend.client);
    const known = `${a[0].managementCluster}/${a[0].namespace}/${a[0].name}`;
    for (const base of [
      '/clusters',
      '/cluster-classes',
      '/audit',
      '/summary',
    ]) {
      await fc.assert(
        fc.asyncProperty(queryOf(PARAMS[base]), async query => {
          await expectGraceful(`/api/shipyard${base}?${query}`);
        }),
        { numRuns: base === '/clusters' ? 200 : 60, seed: 4242 },
      );
    }
    await fc.assert(
      fc.asyncProperty(queryOf(PARAMS['/history']), async query => {
        await expectGraceful(
          `/api/shipyard/clusters/${known}/history?${query}`,
        );
      }),
      { numRuns: 60, seed: 4243 },
    );
  });

  it('answers every path of GET /clusters/:mc/:ns/:name(/history) with 2xx or 4xx + message', async () => {
    await fc.assert(
      fc.asyncProperty(
        segment,
        segment,
        segment,
        fc.boolean(),
        async (mc, ns, name, history) => {
          const path = `/api/shipyard/clusters/${[mc, ns, name]
            .map(encodeURIComponent)
            .join('/')}${history ? '/history' : ''}`;
          await expectGraceful(path);
        },
      ),
      { numRuns: 150, seed: 4244 },
    );
  });

  it('pages through the fleet with arbitrary valid filters: no duplicates, counts agree', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 7 }),
        fc.constantFrom(...CLUSTER_SORT_FIELDS),
        fc.constantFrom('asc', 'desc'),
        async (limit, sort, order) => {
          const seen: string[] = [];
          let cursor: string | undefined;
          let total = -1;
          do {
            const res = await expectGraceful(
              `/api/shipyard/clusters?limit=${limit}&sort=${sort}&order=${order}${
                cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''
              }`,
            );
            expect(res.status).toBe(200);
            total = res.body.totalCount;
            seen.push(
              ...res.body.items.map(
                (i: any) => `${i.managementCluster}/${i.namespace}/${i.name}`,
              ),
            );
            cursor = res.body.nextCursor;
          } while (cursor);
          expect(new Set(seen).size).toBe(seen.length);
          expect(seen.length).toBe(total);
        },
      ),
      { numRuns: 40, seed: 4245 },
    );
  });

  it('logged no unexpected server error', () => {
    expect(
      logs.filter(l => /^error /.test(l) || /status(Code)?":5\d\d/.test(l)),
    ).toEqual([]);
  });
});
