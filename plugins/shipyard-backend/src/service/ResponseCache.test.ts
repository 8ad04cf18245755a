import { ResponseCache } from './ResponseCache';

describe('ResponseCache', () => {
  const body = (n: number) => ({ body: Buffer.alloc(n, 'x'), bytes: n });

  it('serves bodies of the current revision only', () => {
    const cache = new ResponseCache();
    cache.set('a', 1, { etag: 'e1', ...body(10) });
    expect(cache.get('a', 1)?.etag).toBe('e1');
    expect(cache.get('a', 2)).toBeUndefined();
    expect(cache.get('a', 1)).toBeUndefined();
  });

  it('expires bodies after the maximum age', () => {
    let now = 0;
    const cache = new ResponseCache({ maxAgeMs: 100, now: () => now });
    cache.set('a', 1, { etag: 'e', ...body(10) });
    now = 50;
    expect(cache.get('a', 1)).toBeDefined();
    now = 151;
    expect(cache.get('a', 1)).toBeUndefined();
  });

  it('drops the least recently used bodies beyond its size', () => {
    const cache = new ResponseCache({ maxBytes: 800 });
    cache.set('a', 1, { etag: 'a', ...body(100) });
    cache.set('b', 1, { etag: 'b', ...body(100) });
    expect(cache.get('a', 1)).toBeDefined();
    for (let i = 0; i < 7; i++)
      cache.set(`x${i}`, 1, { etag: 'x', ...body(100) });
    expect(cache.get('a', 1)).toBeDefined();
    expect(cache.get('b', 1)).toBeUndefined();
    // too large to be worth caching
    cache.set('big', 1, { etag: 'big', ...body(200) });
    expect(cache.get('big', 1)).toBeUndefined();
  });

  it('keeps no body beyond the largest entry, whatever room is left', () => {
    const cache = new ResponseCache({ maxEntryBytes: 300 });
    cache.set('page', 1, { etag: 'p', ...body(300) });
    cache.set('batch', 1, { etag: 'b', ...body(301) });
    expect(cache.get('page', 1)).toBeDefined();
    expect(cache.get('batch', 1)).toBeUndefined();
    // by default a page of 500 clusters (hundreds of KB) is not kept, a page of 50 is
    const byDefault = new ResponseCache();
    byDefault.set('limit=50', 1, { etag: 'a', ...body(45_000) });
    byDefault.set('limit=500', 1, { etag: 'b', ...body(450_000) });
    expect(byDefault.get('limit=50', 1)).toBeDefined();
    expect(byDefault.get('limit=500', 1)).toBeUndefined();
  });
});
