import { writesSeen } from './clusterChanges';
import type { SimClusterWrite } from '../sim/types';

describe('writesSeen', () => {
  const arrivals = (entries: Array<[string, number[]]>) => new Map(entries);

  it('times each write to the first arrival of its cluster at or after it', () => {
    const writes: SimClusterWrite[] = [
      ['mc/ns/a', 100, 'A', 'B'],
      ['mc/ns/a', 130, 'B', 'C'],
      ['mc/ns/b', 110, '', 'X'],
    ];
    expect(
      writesSeen(
        writes,
        arrivals([
          ['mc/ns/a', [90, 140]],
          ['mc/ns/b', [115]],
        ]),
        0,
        1000,
      ),
    ).toEqual({
      visible: [
        { key: 'mc/ns/a', at: 100, shown: 140 },
        { key: 'mc/ns/a', at: 130, shown: 140 },
        { key: 'mc/ns/b', at: 110, shown: 115 },
      ],
      notVisible: [],
      reverted: 0,
    });
  });

  it('counts writes taken back before they were shown apart from writes never shown', () => {
    const writes: SimClusterWrite[] = [
      // shown, then unhealthy and healed again between two folds: nothing new to show
      ['mc/ns/a', 100, 'A', 'B'],
      ['mc/ns/a', 200, 'B', 'C'],
      ['mc/ns/a', 230, 'C', 'B'],
      // never shown, and left other than it was: lost
      ['mc/ns/b', 300, 'X', 'Y'],
      ['mc/ns/b', 310, 'Y', 'Z'],
      // taken back by a write after the window: the write in the window is still taken back
      ['mc/ns/c', 400, 'P', 'Q'],
      ['mc/ns/c', 1200, 'Q', 'P'],
    ];
    const seen = writesSeen(writes, arrivals([['mc/ns/a', [150]]]), 0, 1000);
    expect(seen).toEqual({
      visible: [{ key: 'mc/ns/a', at: 100, shown: 150 }],
      notVisible: [
        { key: 'mc/ns/b', at: 300 },
        { key: 'mc/ns/b', at: 310 },
      ],
      reverted: 3,
    });
  });

  it('leaves writes outside the window out of the counts', () => {
    const writes: SimClusterWrite[] = [
      ['mc/ns/a', 50, 'A', 'B'],
      ['mc/ns/a', 500, 'B', 'C'],
      ['mc/ns/a', 1500, 'C', 'D'],
    ];
    expect(
      writesSeen(writes, arrivals([['mc/ns/a', [60]]]), 100, 1000),
    ).toEqual({
      visible: [],
      notVisible: [{ key: 'mc/ns/a', at: 500 }],
      reverted: 0,
    });
  });
});
