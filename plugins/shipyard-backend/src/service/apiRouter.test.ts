import path from 'node:path';
import request from 'supertest';
import { routerApp } from '../__testUtils__/routerApp';
import { createApiRouter } from './apiRouter';
import { compiledOnce } from './routeMatchers';
import {
  constrainedHeaders,
  copyOfQuery,
  ValidatedReads,
} from './validatedReads';
import { spec } from '../schema/openapi';

/*
 * The validating router in front of every route of `/api/shipyard`: the spec's validator finds a request's operation
 * by matching its path against the spec's routes. Matching must not compile the routes' patterns again at every
 * request (a CPU profile under mixed load found that compilation on the request path), and must still validate.
 */

/** The path-to-regexp module that the spec's validator calls. */
function validatorsPathToRegexp(): {
  pathToRegexp: (...args: unknown[]) => { regexp: RegExp; keys: unknown[] };
} {
  const utils = path.dirname(
    require.resolve('@backstage/backend-openapi-utils'),
  );
  const validator = path.dirname(
    require.resolve('express-openapi-validator', { paths: [utils] }),
  );
  return require(require.resolve('path-to-regexp', { paths: [validator] }));
}

describe('the validating router of the spec', () => {
  afterEach(() => jest.restoreAllMocks());

  it('validates requests and matches them against route patterns compiled before, not at every request', async () => {
    const compile = jest.spyOn(validatorsPathToRegexp(), 'pathToRegexp');
    // routes of the test's own, answering what they matched (not the spec's answers)
    const router = createApiRouter();
    router.get('/clusters/:managementCluster/:namespace/:name', (req, res) => {
      res.json({ name: req.params.name } as any);
    });
    router.get('/clusters', (_req, res) => {
      res.json({ items: [] } as any);
    });
    const app = routerApp(router);
    // the first requests may compile what they match against
    await request(app).get('/clusters/mc-a/default/warm').expect(200);
    await request(app).get('/clusters?limit=5').expect(200);
    const warm = compile.mock.results.length;
    expect(warm).toBeGreaterThan(0);
    const compiled = new Set(compile.mock.results.map(r => r.value.regexp));

    for (let i = 0; i < 20; i++) {
      const res = await request(app).get(`/clusters/mc-a/default/c-${i}%2Ex`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ name: `c-${i}.x` });
    }
    await request(app).get('/clusters?limit=5').expect(200);
    // still validated against the spec
    const refused = await request(app).get('/clusters?limit=nope');
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/limit/);
    const unknown = await request(app).get('/clusters?ownr=team-a');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(
      /unknown query parameter "ownr"/,
    );

    const later = compile.mock.results.slice(warm);
    expect(later.length).toBeGreaterThan(20);
    for (const result of later) {
      expect(compiled.has(result.value.regexp)).toBe(true);
    }
  });
});

describe('reads validated before', () => {
  afterEach(() => jest.restoreAllMocks());

  /** A router of the spec whose routes answer what they were given after validation. */
  function echoApp() {
    const router = createApiRouter();
    const echo = (req: any, res: any) => {
      res.json({ query: req.query, params: req.params });
      // a route that changes what it was given does not change what the next identical read gets
      if (Array.isArray(req.query.owner)) req.query.owner.push('changed');
      req.params.name = 'changed';
    };
    router.get('/clusters/:managementCluster/:namespace/:name', echo);
    router.get('/clusters', echo);
    return routerApp(router);
  }

  it('gives an identical read what the validator made of it before, without validating it again', async () => {
    const compile = jest.spyOn(validatorsPathToRegexp(), 'pathToRegexp');
    const app = echoApp();
    const url =
      '/clusters?owner=group%3Adefault%2Fteam-a&owner=team-b&limit=5&facets=false&q=z%C3%BCrich';
    const first = await request(app).get(url).expect(200);
    // typed by the spec (numbers, repeated parameters as arrays), with the spec's defaults
    expect(first.body.query).toEqual({
      owner: ['group:default/team-a', 'team-b'],
      limit: 5,
      facets: 'false',
      q: 'zürich',
      fields: 'full',
      order: 'asc',
      sort: 'name',
    });
    const validated = compile.mock.calls.length;
    expect(validated).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) {
      const again = await request(app).get(url).expect(200);
      expect(again.text).toBe(first.text);
    }
    expect(compile.mock.calls.length).toBe(validated);

    const one = '/clusters/mc-a/default/c-1%2Ex';
    const cluster = await request(app).get(one).expect(200);
    expect(cluster.body.params).toEqual({
      managementCluster: 'mc-a',
      namespace: 'default',
      name: 'c-1.x',
    });
    const calls = compile.mock.calls.length;
    expect((await request(app).get(one).expect(200)).text).toBe(cluster.text);
    expect(compile.mock.calls.length).toBe(calls);
  });

  it('refuses an invalid read every time, and validates other URLs and reads with a body', async () => {
    const compile = jest.spyOn(validatorsPathToRegexp(), 'pathToRegexp');
    const app = echoApp();
    for (let i = 0; i < 2; i++) {
      const refused = await request(app).get('/clusters?limit=nope');
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toMatch(/limit/);
      const unknown = await request(app).get('/clusters?ownr=team-a');
      expect(unknown.status).toBe(400);
    }
    await request(app).get('/clusters?limit=5').expect(200);
    const before = compile.mock.calls.length;
    // another URL of the same operation is validated
    await request(app).get('/clusters?limit=6').expect(200);
    expect(compile.mock.calls.length).toBeGreaterThan(before);
    const after = compile.mock.calls.length;
    await request(app)
      .get('/clusters?limit=5')
      .set('content-type', 'application/json')
      .send('{}')
      .expect(200);
    expect(compile.mock.calls.length).toBeGreaterThan(after);
  });

  it('keys a read by method, URL and the headers the spec constrains; nothing with a body', () => {
    const reads = new ValidatedReads(['x-version']);
    const req = (method: string, headers: Record<string, string> = {}) =>
      ({ method, originalUrl: '/clusters?limit=5', headers } as any);
    expect(reads.keyOf(req('GET'))).toBe('GET /clusters?limit=5\n');
    expect(reads.keyOf(req('GET', { 'x-version': '2' }))).toBe(
      'GET /clusters?limit=5\n2',
    );
    expect(reads.keyOf(req('HEAD'))).toBe('HEAD /clusters?limit=5\n');
    expect(reads.keyOf(req('POST'))).toBeUndefined();
    expect(reads.keyOf(req('GET', { 'content-length': '2' }))).toBeUndefined();
    expect(
      reads.keyOf(req('GET', { 'transfer-encoding': 'chunked' })),
    ).toBeUndefined();
    expect(
      reads.keyOf(req('GET', { 'content-type': 'application/json' })),
    ).toBeUndefined();
    expect(
      reads.keyOf({
        method: 'GET',
        originalUrl: `/clusters?q=${'a'.repeat(5000)}`,
        headers: {},
      } as any),
    ).toBeUndefined();
  });

  it('copies a parsed query deeply: arrays and objects of its own, other values as structuredClone copies them', () => {
    const dict = Object.assign(Object.create(null), { a: ['1'] });
    const at = new Date(0);
    const query = {
      owner: ['group:default/a', 'b'],
      limit: 5,
      facets: false,
      q: 'zürich',
      filter: { label: ['x=y'], nested: { n: null } },
      dict,
      at,
    };
    const copy = copyOfQuery(query) as typeof query;
    expect(copy).toEqual(query);
    expect(copy.owner).not.toBe(query.owner);
    expect(copy.filter).not.toBe(query.filter);
    expect(copy.filter.label).not.toBe(query.filter.label);
    expect(Object.getPrototypeOf(copy.dict)).toBeNull();
    expect(copy.dict.a).not.toBe(dict.a);
    expect(copy.at).not.toBe(at);
    expect(copy.at).toEqual(at);
  });

  it('finds the headers that can make a request invalid: declared ones whose schema does not admit every string', () => {
    // the spec's header parameters (If-None-Match, Last-Event-ID) admit every string
    expect(constrainedHeaders(spec as any)).toEqual([]);
    expect(
      constrainedHeaders({
        paths: {
          '/a': {
            get: {
              parameters: [
                {
                  in: 'header',
                  name: 'X-Version',
                  schema: { type: 'string', enum: ['1'] },
                },
                { in: 'header', name: 'X-Free', schema: { type: 'string' } },
                { in: 'query', name: 'limit', schema: { type: 'integer' } },
                { $ref: '#/components/parameters/count' },
              ],
            },
          },
        },
        components: {
          parameters: {
            count: {
              in: 'header',
              name: 'X-Count',
              schema: { type: 'integer' },
            },
          },
        },
      }),
    ).toEqual(['x-count', 'x-version']);
  });
});

describe('compiledOnce', () => {
  const counting = () => {
    const calls: unknown[][] = [];
    const compile = (pattern: unknown, options?: Record<string, unknown>) => {
      calls.push([pattern, options]);
      return { regexp: new RegExp(String(pattern)), keys: [{ name: 'k' }] };
    };
    return { calls, compile };
  };

  it('compiles a pattern once per options and answers what the compile function answered', () => {
    const { calls, compile } = counting();
    const once = compiledOnce(compile);
    const a = once('/a/:k', { sensitive: false, strict: false });
    const b = once('/a/:k', { sensitive: false, strict: false });
    expect(calls).toHaveLength(1);
    expect(b.regexp).toBe(a.regexp);
    expect(b.keys).toEqual([{ name: 'k' }]);
    // each caller gets its own array of keys
    expect(b.keys).not.toBe(a.keys);
    once('/a/:k', { sensitive: true, strict: false });
    once('/a/:k');
    once('/b/:k', { sensitive: false, strict: false });
    expect(calls).toHaveLength(4);
    // wrapping again keeps the one cache
    expect(compiledOnce(once)).toBe(once);
  });

  it('compiles every time what it cannot key: patterns that are not strings, options that are not flags', () => {
    const { calls, compile } = counting();
    const once = compiledOnce(compile);
    once(['/a', '/b']);
    once(['/a', '/b']);
    const encode = (s: string) => s;
    once('/a/:k', { encode });
    once('/a/:k', { encode });
    expect(calls).toHaveLength(4);
  });
});
