import type { KubeObject } from '@shipyard/plugin-shipyard-node/kube';
import { capiChildren, capiCluster } from '../__testUtils__/capiObjects';
import { ManagementClusterRecords } from '../records/ManagementClusterRecords';
import { WatchedKind } from './discovery';
import { KindObjects } from './KindObjects';
import { KindState, applyProjection, projectObject } from './kinds';

function kindState(kind: WatchedKind): KindState {
  return {
    target: {
      kind,
      resourceKind: kind === 'ControlPlane' ? 'KubeadmControlPlane' : kind,
      group: 'cluster.x-k8s.io',
      version: 'v1beta2',
      plural: `${kind.toLowerCase()}s`,
      path: `/apis/cluster.x-k8s.io/v1beta2/${kind.toLowerCase()}s`,
    },
    state: 'connected',
    listedOnce: true,
    objects: new KindObjects(),
    malformed: new Map(),
  };
}

/** Applies objects as a reconciler does and returns the cluster keys each application marked (each once). */
function applier(records: ManagementClusterRecords) {
  const kinds = new Map<WatchedKind, KindState>();
  return (kind: WatchedKind, obj: unknown, deleted = false): string[] => {
    let state = kinds.get(kind);
    if (!state) {
      state = kindState(kind);
      kinds.set(kind, state);
    }
    const marked: string[] = [];
    const o = obj as KubeObject;
    applyProjection(
      records,
      state,
      o.metadata.namespace ?? 'default',
      o.metadata.name,
      deleted
        ? undefined
        : { record: projectObject(kind, o, new Set(['shipyard.io/owner'])) },
      key => marked.push(key),
    );
    return [...new Set(marked)];
  };
}

const withAnnotation = <T extends { metadata: object }>(
  obj: T,
  annotations: Record<string, string>,
): T => ({ ...obj, metadata: { ...obj.metadata, annotations } });

describe('applyProjection', () => {
  it('marks a cluster when its Cluster changes in what its record keeps, and not for a change nobody reads', () => {
    const records = new ManagementClusterRecords('mgmt');
    const apply = applier(records);
    expect(apply('Cluster', capiCluster('a'))).toEqual(['default/a']);
    const record = records.clusters.get('default/a')!.cluster;

    // a heartbeat annotation: the same record, nothing to fold
    expect(
      apply(
        'Cluster',
        withAnnotation(capiCluster('a'), { 'example.test/heartbeat': '1' }),
      ),
    ).toEqual([]);
    expect(records.clusters.get('default/a')!.cluster).toBe(record);

    // a kept annotation, a condition, the phase: marked, and the record replaced
    expect(
      apply(
        'Cluster',
        withAnnotation(capiCluster('a'), { 'shipyard.io/owner': 'team-b' }),
      ),
    ).toEqual(['default/a']);
    expect(records.clusters.get('default/a')!.cluster!.annotations).toEqual({
      'shipyard.io/owner': 'team-b',
    });
    expect(apply('Cluster', capiCluster('a', { available: false }))).toEqual([
      'default/a',
    ]);
    expect(apply('Cluster', capiCluster('a', { phase: 'Deleting' }))).toEqual([
      'default/a',
    ]);
    expect(records.clusters.get('default/a')!.cluster!.phase).toBe('Deleting');

    // a deletion always
    expect(apply('Cluster', capiCluster('a'), true)).toEqual(['default/a']);
    expect(records.clusters.get('default/a')!.cluster).toBeUndefined();
  });

  it('marks the cluster of a Machine, MachineDeployment or control plane only when its record changes', () => {
    const records = new ManagementClusterRecords('mgmt');
    const apply = applier(records);
    apply('Cluster', capiCluster('a'));
    const children = capiChildren('a', 2);
    const machine = children.machines[1];
    expect(apply('Machine', machine)).toEqual(['default/a']);
    expect(apply('MachineDeployment', children.machineDeployment)).toEqual([
      'default/a',
    ]);
    expect(apply('ControlPlane', children.controlPlane)).toEqual(['default/a']);

    // the same objects again (a resync, a status write of fields no record keeps)
    expect(apply('Machine', withAnnotation(machine, { note: 'x' }))).toEqual(
      [],
    );
    expect(
      apply('MachineDeployment', {
        ...children.machineDeployment,
        status: { ...children.machineDeployment.status, observedGeneration: 7 },
      }),
    ).toEqual([]);
    expect(
      apply('ControlPlane', withAnnotation(children.controlPlane, { n: '1' })),
    ).toEqual([]);
    expect(
      records.clusters.get('default/a')!.machines.get(machine.metadata.name),
    ).toMatchObject({ ready: 'True', phase: 'Running' });

    // its node goes unhealthy: marked, the record replaced
    const unhealthy = {
      ...machine,
      status: {
        ...machine.status,
        conditions: [
          {
            type: 'Available',
            status: 'False',
            reason: 'NodeNotHealthy',
          },
        ],
      },
    };
    expect(apply('Machine', unhealthy)).toEqual(['default/a']);
    expect(
      records.clusters.get('default/a')!.machines.get(machine.metadata.name),
    ).toMatchObject({ ready: 'False', readyReason: 'NodeNotHealthy' });

    // the control plane scales: marked
    expect(
      apply('ControlPlane', {
        ...children.controlPlane,
        status: { ...children.controlPlane.status, readyReplicas: 0 },
      }),
    ).toEqual(['default/a']);

    // a Machine that moves to another cluster: both marked; deleted: its cluster marked
    apply('Cluster', capiCluster('b'));
    const moved = {
      ...machine,
      metadata: {
        ...machine.metadata,
        labels: { 'cluster.x-k8s.io/cluster-name': 'b' },
      },
      spec: { ...machine.spec, clusterName: 'b' },
    };
    expect(apply('Machine', moved)).toEqual(['default/a', 'default/b']);
    expect(
      records.clusters.get('default/a')!.machines.has(machine.metadata.name),
    ).toBe(false);
    expect(apply('Machine', moved, true)).toEqual(['default/b']);
    expect(
      records.clusters.get('default/b')!.machines.has(machine.metadata.name),
    ).toBe(false);
  });

  it('files the objects of same-named clusters in two namespaces, in any order, under their own cluster', () => {
    const records = new ManagementClusterRecords('mgmt');
    const apply = applier(records);
    const inNamespace = <T extends { metadata: object }>(obj: T, ns: string) =>
      ({ ...obj, metadata: { ...obj.metadata, namespace: ns } } as T);
    const [m1, m2, m3] = capiChildren('a', 3).machines;
    expect(apply('Machine', m1)).toEqual(['default/a']);
    expect(apply('Machine', inNamespace(m2, 'team'))).toEqual(['team/a']);
    expect(apply('Machine', m3)).toEqual(['default/a']);
    expect(apply('Machine', inNamespace(m1, 'team'))).toEqual(['team/a']);
    expect([...records.clusters.keys()].sort()).toEqual([
      'default/a',
      'team/a',
    ]);
    expect([...records.clusters.get('default/a')!.machines.keys()]).toEqual([
      m1.metadata.name,
      m3.metadata.name,
    ]);
    expect([...records.clusters.get('team/a')!.machines.keys()]).toEqual([
      m2.metadata.name,
      m1.metadata.name,
    ]);
  });
});
