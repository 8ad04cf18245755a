import { evaluateJsonPath, toJsonPath } from './table';

describe('printer column JSONPath', () => {
  const obj = {
    metadata: {
      name: 'm-1',
      labels: { 'cluster.x-k8s.io/cluster-name': 'dev-1' },
      ownerReferences: [
        { kind: 'MachineSet', name: 'ms-1' },
        { kind: 'Other', name: 'o' },
      ],
    },
    status: {
      conditions: [
        { type: 'Ready', status: 'True' },
        { type: 'Available', status: 'False' },
      ],
      addresses: [
        { type: 'InternalIP', address: '10.0.0.1' },
        { type: 'ExternalIP', address: '1.2.3.4' },
      ],
      replicas: 0,
    },
  };

  it('reads the forms Kubernetes printer columns use', () => {
    expect(evaluateJsonPath(obj, '.metadata.name')).toEqual(['m-1']);
    expect(evaluateJsonPath(obj, '{.metadata.name}')).toEqual(['m-1']);
    expect(
      evaluateJsonPath(
        obj,
        ".metadata.labels['cluster\\.x-k8s\\.io/cluster-name']",
      ),
    ).toEqual(['dev-1']);
    expect(
      evaluateJsonPath(
        obj,
        '.metadata.labels.cluster\\.x-k8s\\.io/cluster-name',
      ),
    ).toEqual(['dev-1']);
    expect(
      evaluateJsonPath(
        obj,
        '.status.conditions[?(@.type=="Available")].status',
      ),
    ).toEqual(['False']);
    expect(
      evaluateJsonPath(
        obj,
        '.metadata.ownerReferences[?(@.kind=="MachineSet")].name',
      ),
    ).toEqual(['ms-1']);
    expect(evaluateJsonPath(obj, '.status.addresses[*].address')).toEqual([
      '10.0.0.1',
      '1.2.3.4',
    ]);
    expect(evaluateJsonPath(obj, '.status.addresses[1].type')).toEqual([
      'ExternalIP',
    ]);
    expect(evaluateJsonPath(obj, '.status.replicas')).toEqual([0]);
    expect(evaluateJsonPath(obj, '.status.missing.deeper')).toEqual([]);
  });

  it('rewrites names that are not identifiers as quoted brackets', () => {
    expect(toJsonPath(".metadata.labels['a\\.b/c']")).toBe(
      "$.metadata.labels['a.b/c']",
    );
  });
});
