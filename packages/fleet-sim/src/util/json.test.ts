import { PatchError, deepEqual, jsonMergePatch, jsonPatch } from './json';
import { strategicMergePatch } from './strategicMergePatch';

describe('JSON merge patch (RFC 7386)', () => {
  it('merges, replaces and deletes', () => {
    const target = { a: 'b', c: { d: 'e', f: 'g' }, list: [1, 2] };
    expect(
      jsonMergePatch(target, { a: 'z', c: { f: null }, list: [3] }),
    ).toEqual({ a: 'z', c: { d: 'e' }, list: [3] });
    expect(target.c.f).toBe('g');
  });
});

describe('JSON patch (RFC 6902)', () => {
  const doc = { metadata: { labels: { a: '1' } }, list: ['x', 'y'] };

  it('applies add, replace, remove, move, copy and test', () => {
    const out = jsonPatch(doc, [
      { op: 'add', path: '/metadata/labels/b', value: '2' },
      { op: 'replace', path: '/metadata/labels/a', value: '9' },
      { op: 'add', path: '/list/-', value: 'z' },
      { op: 'remove', path: '/list/0' },
      { op: 'copy', from: '/metadata/labels/b', path: '/copied' },
      { op: 'move', from: '/copied', path: '/moved' },
      { op: 'test', path: '/moved', value: '2' },
    ]);
    expect(out).toEqual({
      metadata: { labels: { a: '9', b: '2' } },
      list: ['y', 'z'],
      moved: '2',
    });
    expect(doc.list).toEqual(['x', 'y']);
  });

  it('distinguishes malformed documents from failed operations', () => {
    expect(() => jsonPatch(doc, { op: 'add' })).toThrow(PatchError);
    const errorOf = (fn: () => unknown): unknown => {
      try {
        fn();
      } catch (e) {
        return e;
      }
      return undefined;
    };
    expect(
      errorOf(() => jsonPatch(doc, [{ op: 'wat', path: '/a' }])),
    ).toMatchObject({ malformed: true });
    expect(
      errorOf(() =>
        jsonPatch(doc, [{ op: 'test', path: '/list/0', value: 'nope' }]),
      ),
    ).toMatchObject({
      malformed: false,
    });
    expect(() => jsonPatch(doc, [{ op: 'remove', path: '/missing' }])).toThrow(
      'does not exist',
    );
  });
});

describe('strategic merge patch', () => {
  it('merges lists by their merge key and honours directives', () => {
    const pod = {
      metadata: {
        finalizers: ['a'],
        ownerReferences: [{ uid: '1', name: 'x' }],
      },
      spec: {
        containers: [
          { name: 'app', image: 'v1' },
          { name: 'side', image: 's1' },
        ],
      },
    };
    const patched = strategicMergePatch(pod, {
      metadata: {
        finalizers: ['b'],
        ownerReferences: [{ uid: '1', name: 'y' }],
      },
      spec: {
        containers: [
          { name: 'app', image: 'v2' },
          { name: 'side', $patch: 'delete' },
        ],
        '$setElementOrder/containers': [{ name: 'app' }],
      },
    });
    expect(patched).toEqual({
      metadata: {
        finalizers: ['a', 'b'],
        ownerReferences: [{ uid: '1', name: 'y' }],
      },
      spec: { containers: [{ name: 'app', image: 'v2' }] },
    });
    expect(
      deepEqual(
        strategicMergePatch(
          { a: { b: 1 } },
          { a: { $patch: 'replace', c: 2 } },
        ),
        { a: { c: 2 } },
      ),
    ).toBe(true);
  });
});
