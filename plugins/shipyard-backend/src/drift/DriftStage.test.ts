import { ClusterProfileSpec } from '@shipyard/plugin-shipyard-common';
import { FleetIndex } from '../index/FleetIndex';
import { makeSummary } from '../__testUtils__/summaries';
import { DriftStage } from './DriftStage';
import { driftProfileOf } from './profiles';

const base: Partial<ClusterProfileSpec> = {
  version: '1.0.0',
  clusterClass: { name: 'quick-start' },
  kubernetes: { versions: ['v1.35'] },
  variables: { pinned: { audit: true } },
  sizes: { small: { controlPlaneReplicas: 1, workerReplicas: 2 } },
  layers: { kubernetes: { name: 'kubernetes', version: 'v1.35' } },
};

function cluster(name: string, overrides = {}) {
  return makeSummary({
    name,
    profile: 'standard',
    profileVersion: '1.0.0',
    clusterClass: 'quick-start',
    kubernetesVersion: 'v1.35.0',
    ...overrides,
  });
}

describe('DriftStage', () => {
  let clock: number;
  let variables: Record<string, Record<string, unknown>>;
  let index: FleetIndex;
  let stage: DriftStage;

  beforeEach(() => {
    clock = Date.parse('2026-01-01T00:00:00Z');
    variables = {};
    index = new FleetIndex();
    stage = new DriftStage({
      next: index,
      now: () => clock,
      inputsOf: s => ({ variables: variables[s.name] ?? { audit: true } }),
    });
  });

  const driftOf = (name: string) =>
    index.getStored(`mc-a/default/${name}`)?.drift;

  it('passes summaries on unchanged until profiles are known, then compares every cluster', () => {
    stage.upsert(cluster('a', { clusterClass: 'other' }));
    expect(driftOf('a')).toBeUndefined();
    expect(stage.setProfiles([driftProfileOf('standard', base)!])).toBe(1);
    expect(driftOf('a')).toEqual([
      {
        kind: 'clusterClass',
        expected: 'quick-start',
        actual: 'other',
        since: '2026-01-01T00:00:00.000Z',
      },
    ]);
  });

  it('re-evaluates the clusters of a profile when it gets a new version, and keeps since while a finding holds', () => {
    stage.setProfiles([driftProfileOf('standard', base)!]);
    stage.upsert(cluster('a'));
    stage.upsert(cluster('b', { profile: 'other' }));
    expect(driftOf('a')).toEqual([]);
    expect(driftOf('b')).toBeUndefined();

    clock += 60_000;
    const released = {
      ...base,
      version: '1.1.0',
      previousVersions: [
        { version: '1.0.0', kubernetes: { versions: ['v1.35'] } },
      ],
    };
    expect(stage.setProfiles([driftProfileOf('standard', released)!])).toBe(1);
    expect(driftOf('a')).toEqual([
      {
        kind: 'profileVersion',
        expected: '1.1.0',
        actual: '1.0.0',
        since: '2026-01-01T00:01:00.000Z',
      },
    ]);
    // the same profiles again: nothing is passed on
    expect(stage.setProfiles([driftProfileOf('standard', released)!])).toBe(0);

    clock += 60_000;
    variables.a = { audit: false };
    stage.upsert(cluster('a'));
    expect(driftOf('a')).toEqual([
      {
        kind: 'profileVersion',
        expected: '1.1.0',
        actual: '1.0.0',
        since: '2026-01-01T00:01:00.000Z',
      },
      {
        kind: 'variable',
        subject: 'audit',
        expected: 'true',
        actual: 'false',
        since: '2026-01-01T00:02:00.000Z',
      },
    ]);

    // moved to the new version, the variable set back: in sync
    variables.a = { audit: true };
    stage.upsert(cluster('a', { profileVersion: '1.1.0' }));
    expect(driftOf('a')).toEqual([]);
  });

  it('scaling by hand drifts and scaling back clears it', () => {
    stage.setProfiles([driftProfileOf('standard', base)!]);
    stage.upsert(
      cluster('a', {
        machineDeployments: [{ name: 'md-0', replicas: { desired: 5 } }],
      }),
    );
    expect(driftOf('a')?.map(f => [f.kind, f.subject])).toEqual([
      ['replicas', 'md-0'],
    ]);
    stage.upsert(
      cluster('a', {
        machineDeployments: [{ name: 'md-0', replicas: { desired: 2 } }],
      }),
    );
    expect(driftOf('a')).toEqual([]);
  });

  it('keeps persisted findings and their since on restore, and variable findings until the cluster is listed again', () => {
    const persisted = [
      {
        kind: 'variable' as const,
        subject: 'audit',
        expected: 'true',
        actual: 'false',
        since: '2025-12-01T00:00:00.000Z',
      },
    ];
    stage.setProfiles([driftProfileOf('standard', base)!]);
    stage.upsert(cluster('a', { drift: persisted }), { restored: true });
    expect(driftOf('a')).toEqual(persisted);
    stage.upsert(cluster('a'));
    expect(driftOf('a')).toEqual([]);
  });

  it('drops drift when the profile leaves the catalog, and forgets deleted clusters', () => {
    stage.setProfiles([driftProfileOf('standard', base)!]);
    stage.upsert(cluster('a'));
    expect(driftOf('a')).toEqual([]);
    stage.setProfiles([]);
    expect(driftOf('a')).toBeUndefined();
    stage.remove('mc-a/default/a');
    expect(index.size).toBe(0);
    expect(stage.setProfiles([driftProfileOf('standard', base)!])).toBe(0);
  });
});
