import { makeFleet, makeSummary } from '../__testUtils__/summaries';
import { contentOf, sameContent } from './entries';
import { StoredClusterSummary } from './model';

/** The definition `sameContent` stands for: the same JSON without `lastChangedAt` and `source`. */
const sameJson = (a: StoredClusterSummary, b: StoredClusterSummary) =>
  contentOf(a) === contentOf(b);

describe('sameContent', () => {
  const base = makeSummary({
    name: 'c1',
    conditions: [
      { type: 'Available', status: 'True', lastTransitionTime: 't1' },
      { type: 'Ready', status: 'False', reason: 'NotReady' },
    ],
    controlPlane: { desired: 3, ready: 3 },
    labels: { a: '1', b: '2' },
  });

  it('is the JSON comparison, field by field', () => {
    const cases: Array<[string, StoredClusterSummary]> = [
      ['a copy', structuredClone(base)],
      ['another lastChangedAt', { ...base, lastChangedAt: 'later' }],
      [
        'a source',
        { ...base, source: { state: 'connected', resynced: true } } as any,
      ],
      ['an undefined field', { ...base, system: undefined }],
      ['a changed field', { ...base, phase: 'Deleting' }],
      ['an added field', { ...base, system: 'payments' }],
      [
        'a changed nested value',
        {
          ...base,
          conditions: [
            base.conditions[0],
            { ...base.conditions[1], reason: 'Other' },
          ],
        },
      ],
      [
        'an undefined nested field',
        {
          ...base,
          conditions: [
            { ...base.conditions[0], message: undefined },
            base.conditions[1],
          ],
        },
      ],
      ['one condition fewer', { ...base, conditions: [base.conditions[0]] }],
      ['labels in another order', { ...base, labels: { b: '2', a: '1' } }],
      [
        'a changed counter',
        { ...base, controlPlane: { desired: 3, ready: 2 } },
      ],
      [
        'a counter of another name',
        { ...base, controlPlane: { desired: 3, current: 3 } },
      ],
      ['NaN written as null', { ...base, machineCount: NaN }],
    ];
    for (const [what, other] of cases) {
      expect([what, sameContent(base, other)]).toEqual([
        what,
        sameJson(base, other),
      ]);
      expect([what, sameContent(other, base)]).toEqual([
        what,
        sameJson(other, base),
      ]);
    }
    // the cases cover both answers
    expect(cases.filter(([, o]) => sameContent(base, o)).length).toBe(5);
  });

  it('agrees with the JSON comparison across a varied fleet', () => {
    const a = makeFleet(200, 1);
    const b = makeFleet(200, 2);
    let same = 0;
    for (let i = 0; i < a.length; i++) {
      for (const other of [b[i], structuredClone(a[i])]) {
        expect(sameContent(a[i], other)).toBe(sameJson(a[i], other));
        if (sameContent(a[i], other)) same++;
      }
    }
    expect(same).toBeGreaterThanOrEqual(200);
  });
});
