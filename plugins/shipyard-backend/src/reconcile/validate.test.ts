import { malformedReason, objectKeyOf } from './validate';

describe('malformedReason', () => {
  const target = {
    group: 'cluster.x-k8s.io',
    version: 'v1beta2',
    resourceKind: 'Machine',
  };
  const valid = () => ({
    apiVersion: 'cluster.x-k8s.io/v1beta2',
    kind: 'Machine',
    metadata: {
      name: 'm1',
      namespace: 'ns',
      uid: 'u1',
      resourceVersion: '7',
      creationTimestamp: '2026-01-01T00:00:00Z',
      labels: { 'cluster.x-k8s.io/cluster-name': 'c1' },
      annotations: { note: 'x'.repeat(1000) },
      ownerReferences: [{ kind: 'MachineSet', name: 'ms', controller: true }],
    },
    spec: { clusterName: 'c1' },
    status: { phase: 'Running' },
  });
  const withMetadata = (metadata: object) => {
    const obj = valid();
    return { ...obj, metadata: { ...obj.metadata, ...metadata } };
  };

  it('accepts a well-formed object, and one without the optional parts', () => {
    expect(malformedReason(valid(), target)).toBeUndefined();
    expect(
      malformedReason({ metadata: { name: 'm1' } }, target),
    ).toBeUndefined();
    expect(
      malformedReason(
        {
          metadata: {
            name: 'm1',
            labels: null,
            annotations: null,
            ownerReferences: null,
            uid: null,
          },
          spec: null,
          status: null,
        },
        target,
      ),
    ).toBeUndefined();
  });

  it.each<[string, unknown, string]>([
    ['not an object', [1], 'not an object'],
    ['null', null, 'not an object'],
    ['no metadata', { spec: {} }, 'metadata is missing'],
    ['metadata an array', { metadata: [] }, 'metadata is missing'],
    ['no name', { metadata: { namespace: 'ns' } }, 'metadata.name is missing'],
    ['an empty name', { metadata: { name: '' } }, 'metadata.name is missing'],
    [
      'a long name',
      { metadata: { name: 'n'.repeat(254) } },
      'metadata.name is longer than 253 characters',
    ],
    [
      'a namespace not a string',
      { metadata: { name: 'm', namespace: 3 } },
      'metadata.namespace is not a valid name',
    ],
    [
      'another apiVersion',
      { apiVersion: 'cluster.x-k8s.io/v1beta1', metadata: { name: 'm' } },
      'apiVersion cluster.x-k8s.io/v1beta1 is not the watched cluster.x-k8s.io/v1beta2',
    ],
    [
      'an apiVersion of another group',
      { apiVersion: 'cluster.x-k8s.iox/v1beta2', metadata: { name: 'm' } },
      'apiVersion cluster.x-k8s.iox/v1beta2 is not the watched cluster.x-k8s.io/v1beta2',
    ],
    [
      'another kind',
      { kind: 'MachineSet', metadata: { name: 'm' } },
      'kind MachineSet is not Machine',
    ],
    [
      'a spec not an object',
      { metadata: { name: 'm' }, spec: 'nope' },
      'spec is not an object',
    ],
    [
      'a status array',
      { metadata: { name: 'm' }, status: [1] },
      'status is not an object',
    ],
    [
      'labels not an object',
      { metadata: { name: 'm', labels: 'a=b' } },
      'metadata.labels is not an object',
    ],
    [
      'a label not a string',
      { metadata: { name: 'm', labels: { a: 'b', owner: 1 } } },
      'metadata.labels.owner is not a string',
    ],
    [
      'an empty label key',
      { metadata: { name: 'm', labels: { '': 'b' } } },
      'metadata.labels has a key of 0 characters',
    ],
    [
      'a long label key',
      { metadata: { name: 'm', labels: { ['k'.repeat(318)]: 'b' } } },
      'metadata.labels has a key of 318 characters',
    ],
    [
      'a long label value',
      { metadata: { name: 'm', labels: { a: 'v'.repeat(64) } } },
      'metadata.labels.a is longer than 63 characters',
    ],
    [
      'annotations not an object',
      { metadata: { name: 'm', annotations: [] } },
      'metadata.annotations is not an object',
    ],
    [
      'an annotation not a string',
      { metadata: { name: 'm', annotations: { a: {} } } },
      'metadata.annotations.a is not a string',
    ],
    [
      'annotations over 256 KiB',
      {
        metadata: {
          name: 'm',
          annotations: { a: 'x'.repeat(200_000), b: 'y'.repeat(70_000) },
        },
      },
      'metadata.annotations are larger than 262144 bytes',
    ],
    [
      'ownerReferences not a list',
      { metadata: { name: 'm', ownerReferences: {} } },
      'metadata.ownerReferences is not a list of objects',
    ],
    [
      'an ownerReference not an object',
      { metadata: { name: 'm', ownerReferences: [{ kind: 'A' }, 'B'] } },
      'metadata.ownerReferences is not a list of objects',
    ],
    [
      'a uid not a string',
      { metadata: { name: 'm', uid: 1 } },
      'metadata.uid is not a string',
    ],
    [
      'a resourceVersion not a string',
      { metadata: { name: 'm', resourceVersion: 12 } },
      'metadata.resourceVersion is not a string',
    ],
    [
      'a creationTimestamp not a string',
      { metadata: { name: 'm', creationTimestamp: {} } },
      'metadata.creationTimestamp is not a string',
    ],
    [
      'a deletionTimestamp not a string',
      { metadata: { name: 'm', deletionTimestamp: false } },
      'metadata.deletionTimestamp is not a string',
    ],
  ])('refuses %s', (_what, obj, reason) => {
    expect(malformedReason(obj, target)).toBe(reason);
  });

  it('gives the first problem in the order the checks are made', () => {
    expect(
      malformedReason(
        withMetadata({ labels: { a: 1 }, annotations: [], uid: 1 }),
        target,
      ),
    ).toBe('metadata.labels.a is not a string');
    expect(
      malformedReason(
        { ...valid(), spec: 1, status: 2, kind: 'Cluster' },
        target,
      ),
    ).toBe('kind Cluster is not Machine');
  });

  it('counts only the own keys of a labels object', () => {
    const labels = Object.create({ inherited: 1 });
    labels.own = 'x';
    expect(malformedReason(withMetadata({ labels }), target)).toBeUndefined();
  });

  it('checks only the name and namespace of a deleted object', () => {
    expect(
      malformedReason(
        { apiVersion: 'v1', metadata: { name: 'm', uid: 1 }, spec: 1 },
        target,
        true,
      ),
    ).toBeUndefined();
    expect(malformedReason({ metadata: {} }, target, true)).toBe(
      'metadata.name is missing',
    );
  });
});

describe('objectKeyOf', () => {
  it('is namespace/name, in the default namespace without one, and undefined without a name', () => {
    expect(
      objectKeyOf({ metadata: { name: 'a', namespace: 'ns' } } as any),
    ).toBe('ns/a');
    expect(objectKeyOf({ metadata: { name: 'a' } } as any)).toBe('default/a');
    expect(objectKeyOf({ metadata: {} } as any)).toBeUndefined();
    expect(objectKeyOf(undefined)).toBeUndefined();
  });
});
