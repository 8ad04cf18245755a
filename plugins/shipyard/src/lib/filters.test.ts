import { readFleetQuery, toListRequest, writeFleetQuery } from './filters';

describe('fleet query in the URL', () => {
  it('round-trips filters, search, sort and columns and drops invalid values', () => {
    const params = new URLSearchParams(
      'owner=group:default/a&owner=group:default/b&health=degraded&health=bogus&versionSupport=end-of-life&q=prod&sort=owner&order=desc&columns=name,health&sort2=x',
    );
    const query = readFleetQuery(params);
    expect(query).toEqual({
      filters: {
        owner: ['group:default/a', 'group:default/b'],
        health: ['degraded'],
        versionSupport: ['end-of-life'],
      },
      q: 'prod',
      sort: 'owner',
      order: 'desc',
      columns: ['name', 'health'],
    });
    expect(readFleetQuery(writeFleetQuery(query))).toEqual(query);
    expect(toListRequest(query, 'c1')).toMatchObject({
      owner: ['group:default/a', 'group:default/b'],
      health: ['degraded'],
      q: 'prod',
      sort: 'owner',
      order: 'desc',
      limit: 50,
      cursor: 'c1',
    });
  });

  it('uses defaults', () => {
    const query = readFleetQuery(new URLSearchParams('sort=nope'));
    expect(query.sort).toBe('name');
    expect(writeFleetQuery(query).toString()).toBe('');
  });

  it('filters by drift kinds (and none), dropping unknown kinds', () => {
    const query = readFleetQuery(
      new URLSearchParams('drift=addonFailed&drift=none&drift=bogus'),
    );
    expect(query.filters.drift).toEqual(['addonFailed', 'none']);
    expect(toListRequest(query).drift).toEqual(['addonFailed', 'none']);
    expect(writeFleetQuery(query).toString()).toBe(
      'drift=addonFailed&drift=none',
    );
  });
});
