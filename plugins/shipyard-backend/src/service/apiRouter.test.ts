import path from 'node:path';
import request from 'supertest';
import { routerApp } from '../__testUtils__/routerApp';
import { createApiRouter } from './apiRouter';
import { compiledOnce } from './routeMatchers';

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
