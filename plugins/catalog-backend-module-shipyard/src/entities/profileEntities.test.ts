import { catalogConfig, clusterClass } from '../__testUtils__/fixtures';
import { buildGeneratedProfileEntity } from './profileEntities';

describe('buildGeneratedProfileEntity', () => {
  const config = catalogConfig();

  it('gives profiles of same-named ClusterClasses titles that tell them apart', () => {
    const titles = ['team-a', 'team-b', 'fleet-shared'].map(
      namespace =>
        buildGeneratedProfileEntity(
          clusterClass({
            name: 'kubeadm-aws',
            namespace,
            managementCluster: 'mgmt-us-1',
          }),
          config,
        ).metadata.title,
    );
    expect(new Set(titles).size).toBe(3);
    expect(titles[0]).toBe('kubeadm-aws (team-a on mgmt-us-1)');
  });

  it('takes the profile version its ClusterClass declares', () => {
    const declared = buildGeneratedProfileEntity(
      clusterClass({
        name: 'kubeadm-aws',
        labels: { 'shipyard.io/profile-version': '2.0.0' },
      }),
      config,
    );
    expect((declared.spec as any).version).toBe('2.0.0');
    // without a (valid) declaration: from the class's generation
    const cases: Array<Record<string, string>> = [
      {},
      { 'shipyard.io/profile-version': 'latest' },
    ];
    for (const labels of cases) {
      const entity = buildGeneratedProfileEntity(
        clusterClass({ name: 'kubeadm-aws', generation: 4, labels }),
        config,
      );
      expect((entity.spec as any).version).toBe('1.4.0');
    }
  });
});
