import { KindObjects } from './KindObjects';

describe('KindObjects', () => {
  it('keeps each object once, with the cluster it is filed under', () => {
    const objects = new KindObjects();
    objects.set('ns-a', 'm1', 'c1');
    objects.set('ns-a', 'm2', undefined);
    objects.set('ns-b', 'm1', 'c2');
    objects.set('ns-a', 'm1', 'c3');
    expect(objects.size).toBe(3);
    expect(objects.has('ns-a', 'm2')).toBe(true);
    expect(objects.clusterOf('ns-a', 'm1')).toBe('c3');
    expect(objects.ownerKeyOf('ns-a', 'm1')).toBe('ns-a/c3');
    expect(objects.ownerKeyOf('ns-a', 'm2')).toBeUndefined();
    expect(objects.ownerKeyOf('ns-b', 'm1')).toBe('ns-b/c2');
    expect([...objects.keys()]).toEqual([
      ['ns-a', 'm1'],
      ['ns-a', 'm2'],
      ['ns-b', 'm1'],
    ]);
    objects.delete('ns-a', 'm1');
    objects.delete('ns-a', 'm1');
    objects.delete('ns-c', 'm1');
    expect(objects.size).toBe(2);
    expect(objects.has('ns-a', 'm1')).toBe(false);
    objects.delete('ns-b', 'm1');
    expect([...objects.keys()]).toEqual([['ns-a', 'm2']]);
  });
});
