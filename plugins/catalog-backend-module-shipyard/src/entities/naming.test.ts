import { KubernetesValidatorFunctions } from '@backstage/catalog-model';
import {
  MAX_ENTITY_NAME_LENGTH,
  clusterEntityName,
  joinedEntityName,
  managementClusterEntityName,
  toTag,
} from './naming';

const valid = (name: string) =>
  KubernetesValidatorFunctions.isValidObjectName(name);

describe('entity names', () => {
  it('joins management cluster, namespace and name', () => {
    expect(
      clusterEntityName({
        managementCluster: 'mgmt-eu-1',
        namespace: 'team-a',
        name: 'prod',
      }),
    ).toBe('mgmt-eu-1--team-a--prod');
  });

  it('gives the same namespace/name on two management clusters distinct names', () => {
    const a = clusterEntityName({
      managementCluster: 'mgmt-eu-1',
      namespace: 'default',
      name: 'prod',
    });
    const b = clusterEntityName({
      managementCluster: 'mgmt-us-1',
      namespace: 'default',
      name: 'prod',
    });
    expect(a).not.toBe(b);
  });

  it('keeps long names within 63 characters, stable and distinct', () => {
    const long = 'payments-production-eu-central-1-blue-green-canary-01';
    const key = {
      managementCluster: 'mgmt-eu-1',
      namespace: 'team-payments',
      name: long,
    };
    const name = clusterEntityName(key);
    expect(name.length).toBeLessThanOrEqual(MAX_ENTITY_NAME_LENGTH);
    expect(valid(name)).toBe(true);
    expect(name).toMatch(
      /^mgmt-eu-1--team-payments--payments-.*---[0-9a-f]{10}$/,
    );
    expect(clusterEntityName({ ...key })).toBe(name);
    expect(
      clusterEntityName({ ...key, name: `${long.slice(0, -2)}02` }),
    ).not.toBe(name);
    expect(
      clusterEntityName({ ...key, managementCluster: 'mgmt-us-1' }),
    ).not.toBe(name);
  });

  it('never lets a `--` inside a part collide with the separator', () => {
    const a = clusterEntityName({
      managementCluster: 'm',
      namespace: 'a--b',
      name: 'c',
    });
    const b = clusterEntityName({
      managementCluster: 'm',
      namespace: 'a',
      name: 'b--c',
    });
    expect(a).not.toBe(b);
    expect(a).toContain('---');
    expect(b).toContain('---');
  });

  it('never gives a hashed name that equals a plain one', () => {
    const hashedName = clusterEntityName({
      managementCluster: 'mgmt-eu-1',
      namespace: 'team-a',
      name: 'x'.repeat(60),
    });
    // a plain name has exactly two separators and no `---`
    expect(hashedName).toContain('---');
    expect(
      clusterEntityName({ managementCluster: 'a', namespace: 'b', name: 'c' }),
    ).not.toContain('---');
  });

  it('produces valid names from odd input', () => {
    for (const parts of [
      ['Mgmt_EU', 'Team.A', 'Prod'],
      ['-lead', 'ns', 'trail-'],
      ['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(63)],
      ['m', 'ns', 'name.with.dots'],
    ]) {
      const name = joinedEntityName(parts);
      expect(valid(name)).toBe(true);
      expect(name.length).toBeLessThanOrEqual(MAX_ENTITY_NAME_LENGTH);
    }
    expect(joinedEntityName(['m', 'ns', 'name.with.dots'])).toBe(
      'm--ns--name.with.dots',
    );
  });

  it('names management clusters by their configured name', () => {
    expect(managementClusterEntityName('mgmt-eu-1')).toBe('mgmt-eu-1');
    expect(managementClusterEntityName('a--b')).toContain('---');
  });

  it('makes valid tags', () => {
    expect(toTag('k8s-1.35')).toBe('k8s-1-35');
    expect(toTag('AWS')).toBe('aws');
    expect(toTag('--')).toBeUndefined();
  });
});
