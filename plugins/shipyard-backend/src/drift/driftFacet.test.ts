import { DriftFinding } from '@shipyard/plugin-shipyard-common';
import { FleetIndex } from '../index/FleetIndex';
import { makeSummary } from '../__testUtils__/summaries';

function finding(kind: DriftFinding['kind'], subject?: string): DriftFinding {
  return {
    kind,
    ...(subject ? { subject } : {}),
    expected: 'x',
    actual: 'y',
    since: '2026-01-01T00:00:00.000Z',
  };
}

describe('the drift facet of the fleet index', () => {
  it('filters and counts clusters by drift kind, none, and follows changes', () => {
    const index = new FleetIndex();
    index.upsert(
      makeSummary({
        name: 'a',
        drift: [
          finding('replicas', 'md-0'),
          finding('replicas', 'md-1'),
          finding('variable', 'audit'),
        ],
      }),
    );
    index.upsert(makeSummary({ name: 'b', drift: [finding('addonFailed')] }));
    index.upsert(makeSummary({ name: 'c', drift: [] }));
    index.upsert(makeSummary({ name: 'd' }));

    const names = (drift: string[]) =>
      index
        .query({ drift: drift as never })
        .items.map(i => i.name)
        .sort();
    expect(names(['replicas'])).toEqual(['a']);
    expect(names(['replicas', 'addonFailed'])).toEqual(['a', 'b']);
    expect(names(['none'])).toEqual(['c']);
    expect(index.query({ drift: ['replicas', 'variable'] }).totalCount).toBe(1);
    expect(index.query({}).facets!.drift).toEqual([
      { value: 'addonFailed', count: 1 },
      { value: 'none', count: 1 },
      { value: 'replicas', count: 1 },
      { value: 'variable', count: 1 },
    ]);
    // a filter on drift counts its own facet without itself, other facets within it
    const filtered = index.query({ drift: ['replicas'] });
    expect(filtered.facets!.drift.find(f => f.value === 'none')?.count).toBe(1);
    expect(filtered.facets!.owner).toEqual([
      { value: 'group:default/team-a', count: 1 },
    ]);
    expect(index.summary()).toMatchObject({
      byDrift: { replicas: 1, variable: 1, addonFailed: 1, none: 1 },
      driftedCount: 2,
    });

    // the replicas drift clears: the cached selection follows
    index.upsert(makeSummary({ name: 'a', drift: [] }));
    expect(names(['replicas'])).toEqual([]);
    expect(names(['none'])).toEqual(['a', 'c']);
    expect(index.summary().driftedCount).toBe(1);
  });
});
