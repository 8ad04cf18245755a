import { parseListClustersQuery, toListClustersQueryString } from './query';

describe('parseListClustersQuery', () => {
  it('accepts the item representation and names a bad one', () => {
    expect(parseListClustersQuery({ fields: 'list', limit: '50' })).toEqual({
      ok: true,
      request: { fields: 'list', limit: 50 },
    });
    expect(parseListClustersQuery({ fields: 'full' })).toEqual({
      ok: true,
      request: { fields: 'full' },
    });
    const bad = parseListClustersQuery({ fields: 'everything' });
    expect(bad.ok).toBe(false);
    expect(bad.ok === false && bad.field).toBe('fields');
  });

  it('round-trips through the query string', () => {
    const qs = toListClustersQueryString({
      owner: ['group:default/a'],
      fields: 'list',
    });
    expect(
      parseListClustersQuery(Object.fromEntries(new URLSearchParams(qs))),
    ).toEqual({
      ok: true,
      request: { owner: ['group:default/a'], fields: 'list' },
    });
  });
});
