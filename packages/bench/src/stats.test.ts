import {
  compareKeySets,
  formatNumber,
  formatRatio,
  percentile,
  ratio,
  summarize,
} from './stats';

describe('percentile', () => {
  it('uses the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('summarize', () => {
  it('gives count, percentiles, max and mean', () => {
    expect(summarize([1, 2, 3, 4])).toEqual({
      count: 4,
      p50: 2,
      p99: 4,
      max: 4,
      mean: 2.5,
    });
    expect(summarize([]).count).toBe(0);
  });
});

describe('ratio', () => {
  it('divides the baseline by the candidate', () => {
    expect(ratio(1300, 13)).toBe(100);
    expect(ratio(5, 0)).toBe(Infinity);
    expect(ratio(0, 0)).toBeNaN();
    expect(ratio(NaN, 1)).toBeNaN();
    expect(ratio(1, -1)).toBeNaN();
  });

  it('formats ratios and numbers for the table', () => {
    expect(formatRatio(1234.4)).toBe('1,234×');
    expect(formatRatio(21.26)).toBe('21.3×');
    expect(formatRatio(Infinity)).toBe('∞');
    expect(formatRatio(NaN)).toBe('–');
    expect(formatNumber(0.1234, 2)).toBe('0.12');
    expect(formatNumber(NaN)).toBe('–');
  });
});

describe('compareKeySets', () => {
  it('names what is missing and what is extra', () => {
    expect(compareKeySets(['a', 'b'], ['b', 'a'])).toEqual({
      same: true,
      missing: [],
      extra: [],
    });
    expect(compareKeySets(['a', 'b'], ['b', 'c'])).toEqual({
      same: false,
      missing: ['a'],
      extra: ['c'],
    });
  });
});
