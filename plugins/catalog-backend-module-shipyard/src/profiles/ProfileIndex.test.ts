import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogConfig } from '../__testUtils__/fixtures';
import { ProfileIndex } from './ProfileIndex';

function profile(
  name: string,
  className?: string,
  mcs = ['mgmt-us-1'],
): Entity {
  return {
    apiVersion: 'shipyard.io/v1alpha1',
    kind: 'ClusterProfile',
    metadata: { name, namespace: 'default' },
    spec: {
      ...(className ? { clusterClass: { name: className } } : {}),
      managementClusters: mcs,
    },
  };
}

describe('ProfileIndex', () => {
  async function index() {
    const profiles = new ProfileIndex({
      config: catalogConfig(),
      missingGraceMs: 0,
      logger: mockServices.logger.mock(),
      source: {
        listCatalogProfiles: async () => [
          profile('eks-standard', 'eks-standard'),
          profile('rosa-hcp'),
        ],
        listSystems: async () => [
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'System',
            metadata: { name: 'payments', namespace: 'default' },
          },
        ],
      },
    });
    await profiles.refreshCatalogProfiles(true);
    profiles.setGenerated([['mgmt-us-1', 'team-a', 'kubeadm-aws']]);
    return profiles;
  }

  it('resolves a profile label that names the cluster’s own ClusterClass to the profile generated from it', async () => {
    const profiles = await index();
    const cluster = {
      managementCluster: 'mgmt-us-1',
      namespace: 'team-a',
      clusterClass: 'kubeadm-aws',
    };
    // the label names the class, no profile has that name: the generated profile, named by the one rule
    expect(profiles.resolve({ ...cluster, profile: 'kubeadm-aws' })).toBe(
      'clusterprofile:default/mgmt-us-1--team-a--kubeadm-aws',
    );
    expect(profiles.resolve(cluster)).toBe(
      'clusterprofile:default/mgmt-us-1--team-a--kubeadm-aws',
    );
    // a label that names an existing profile wins
    expect(profiles.resolve({ ...cluster, profile: 'rosa-hcp' })).toBe(
      'clusterprofile:default/rosa-hcp',
    );
    // a label naming the generated profile itself resolves to it
    expect(
      profiles.resolve({
        ...cluster,
        profile: 'mgmt-us-1--team-a--kubeadm-aws',
      }),
    ).toBe('clusterprofile:default/mgmt-us-1--team-a--kubeadm-aws');
  });

  it('knows which profiles and systems the catalog lacks, once a later read confirms it', async () => {
    const profiles = await index();
    // first found absent: not yet reported (the catalog may still be processing its locations)
    expect(profiles.isMissing('clusterprofile:default/eks-gpu')).toBe(false);
    expect(profiles.isMissing('system:default/checkout')).toBe(false);
    await new Promise(r => setTimeout(r, 5));
    await profiles.refreshCatalogProfiles(true);
    expect(profiles.isMissing('clusterprofile:default/eks-standard')).toBe(
      false,
    );
    expect(
      profiles.isMissing(
        'clusterprofile:default/mgmt-us-1--team-a--kubeadm-aws',
      ),
    ).toBe(false);
    expect(profiles.isMissing('clusterprofile:default/eks-gpu')).toBe(true);
    expect(profiles.isMissing('system:default/payments')).toBe(false);
    expect(profiles.isMissing('system:default/checkout')).toBe(true);
    // before the catalog was read nothing is called missing
    const fresh = new ProfileIndex({
      config: catalogConfig(),
      logger: mockServices.logger.mock(),
    });
    expect(fresh.isMissing('system:default/checkout')).toBe(false);
  });
});
