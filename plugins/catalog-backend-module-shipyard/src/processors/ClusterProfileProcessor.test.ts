import fs from 'node:fs';
import path from 'node:path';
import { Entity } from '@backstage/catalog-model';
import { CatalogProcessorResult } from '@backstage/plugin-catalog-node';
import { parseAllDocuments } from 'yaml';
import { buildGeneratedProfileEntity } from '../entities/profileEntities';
import { catalogConfig, clusterClass } from '../__testUtils__/fixtures';
import { ClusterProfileProcessor } from './ClusterProfileProcessor';

const profilesDir = path.resolve(__dirname, '../../catalog/profiles');
const demoFleetProfilesDir = path.resolve(
  __dirname,
  '../../../../catalog/demo-fleet/profiles',
);

function exampleProfiles(dir = profilesDir): Entity[] {
  return fs
    .readdirSync(dir)
    .filter(f => f.endsWith('.yaml'))
    .flatMap(f =>
      parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map(
        d => d.toJS() as Entity,
      ),
    );
}

function profile(mutate: (spec: any) => void = () => {}): Entity {
  const entity = exampleProfiles().find(
    e => e.metadata.name === 'eks-standard',
  );
  if (!entity) throw new Error('eks-standard example is missing');
  const copy = JSON.parse(JSON.stringify(entity));
  mutate(copy.spec);
  return copy;
}

const location = { type: 'url', target: 'https://example.com/profile.yaml' };

describe('ClusterProfileProcessor', () => {
  const processor = new ClusterProfileProcessor();

  it('accepts every profile the demo fleet refers to (catalog/demo-fleet/profiles)', async () => {
    const demo = exampleProfiles(demoFleetProfilesDir);
    expect(demo.length).toBeGreaterThan(0);
    for (const entity of demo) {
      await expect(processor.validateEntityKind(entity)).resolves.toBe(true);
    }
  });

  it('accepts every example profile in plugins/catalog-backend-module-shipyard/catalog/profiles', async () => {
    const examples = exampleProfiles();
    expect(examples.length).toBeGreaterThanOrEqual(4);
    expect(examples.length).toBeLessThanOrEqual(8);
    expect(
      new Set(examples.map(e => e.spec?.provider)).size,
    ).toBeGreaterThanOrEqual(3);
    expect(
      new Set(examples.map(e => e.spec?.distribution)).size,
    ).toBeGreaterThanOrEqual(4);
    for (const entity of examples) {
      await expect(processor.validateEntityKind(entity)).resolves.toBe(true);
    }
  });

  it('accepts a profile generated from a ClusterClass', async () => {
    const entity = buildGeneratedProfileEntity(
      clusterClass({ name: 'quick-start' }),
      catalogConfig(),
    );
    await expect(processor.validateEntityKind(entity)).resolves.toBe(true);
  });

  it('ignores other kinds', async () => {
    await expect(
      processor.validateEntityKind({ ...profile(), kind: 'Component' }),
    ).resolves.toBe(false);
  });

  it.each([
    [
      'a non-integer replica count',
      (s: any) => {
        s.sizes.small.workerReplicas = '3';
      },
      'spec.sizes.small.workerReplicas must be integer',
    ],
    [
      'a missing owner',
      (s: any) => {
        delete s.owner;
      },
      'spec.owner is required',
    ],
    [
      'a profile version that is not semver',
      (s: any) => {
        s.version = '2.0';
      },
      'spec.version must be a semantic version',
    ],
    [
      'an unknown layer',
      (s: any) => {
        s.layers.cnii = { name: 'calico', version: 'v3' };
      },
      'spec.layers.cnii is not an allowed field',
    ],
    [
      'a layer without version',
      (s: any) => {
        delete s.layers.cni.version;
      },
      'spec.layers.cni.version is required',
    ],
    [
      'an add-on without name',
      (s: any) => {
        delete s.layers.addons[1].name;
      },
      'spec.layers.addons[1].name is required',
    ],
    [
      'a bad Kubernetes version',
      (s: any) => {
        s.kubernetes.versions = ['latest'];
      },
      'spec.kubernetes.versions[0] must be a Kubernetes version',
    ],
    [
      'a default size that is not a size',
      (s: any) => {
        s.defaultSize = 'huge';
      },
      'spec.defaultSize must be one of spec.sizes',
    ],
    [
      'a default Kubernetes version that is not allowed',
      (s: any) => {
        s.kubernetes.default = 'v1.20';
      },
      'spec.kubernetes.default must be one of spec.kubernetes.versions',
    ],
    [
      'a default management cluster outside the list',
      (s: any) => {
        s.defaultManagementCluster = 'mgmt-ap-1';
      },
      'spec.defaultManagementCluster must be one of spec.managementClusters',
    ],
    [
      'no management cluster',
      (s: any) => {
        s.managementClusters = [];
      },
      'spec.managementClusters must NOT have fewer than 1 items',
    ],
    [
      'negative replicas',
      (s: any) => {
        s.sizes.large.controlPlaneReplicas = -1;
      },
      'spec.sizes.large.controlPlaneReplicas must be >= 0',
    ],
    [
      'an upgrade target that is not a profile version',
      (s: any) => {
        s.upgradesTo = ['latest'];
      },
      'spec.upgradesTo[0] must be a profile version',
    ],
    [
      'an upgrade target that is not a version of the profile',
      (s: any) => {
        s.previousVersions[0].upgradesTo = ['9.9.9'];
      },
      'spec.previousVersions[0].upgradesTo[0] must name a version of this profile',
    ],
    [
      'a previous version without its Kubernetes versions',
      (s: any) => {
        delete s.previousVersions[1].kubernetes;
      },
      'spec.previousVersions[1].kubernetes is required',
    ],
    [
      'no allowed groups',
      (s: any) => {
        delete s.allowedGroups;
      },
      'spec.allowedGroups is required',
    ],
  ])('rejects %s, naming the field', async (_what, mutate, message) => {
    await expect(processor.validateEntityKind(profile(mutate))).rejects.toThrow(
      message,
    );
  });

  describe('profiles of hosted control planes', () => {
    const hosted = (mutate: (spec: any) => void = () => {}) => {
      const entity = exampleProfiles().find(
        e => e.metadata.name === 'k0smotron-hosted',
      );
      if (!entity) throw new Error('k0smotron-hosted example is missing');
      const copy = JSON.parse(JSON.stringify(entity));
      mutate(copy.spec);
      return copy;
    };

    it('accepts the k0smotron and Kamaji examples, each on a ClusterClass with the host chosen by the profile', async () => {
      const examples = exampleProfiles().filter(
        e => e.spec?.hostedControlPlane,
      );
      expect(
        examples.map(e => [
          e.metadata.name,
          (e.spec as any).hostedControlPlane.provider,
          (e.spec as any).clusterClass.name,
          (e.spec as any).defaultManagementCluster,
        ]),
      ).toEqual(
        expect.arrayContaining([
          ['k0smotron-hosted', 'k0smotron', 'k0smotron-hosted', 'mgmt-eu-1'],
          ['kamaji-hosted', 'kamaji', 'kamaji-hosted', 'mgmt-us-1'],
        ]),
      );
      for (const entity of examples) {
        await expect(processor.validateEntityKind(entity)).resolves.toBe(true);
      }
    });

    it.each([
      [
        'an unknown provider',
        (s: any) => {
          s.hostedControlPlane.provider = 'hypershift';
        },
        'spec.hostedControlPlane.provider must be one of "k0smotron", "kamaji"',
      ],
      [
        'no ClusterClass',
        (s: any) => {
          delete s.clusterClass;
        },
        'spec.clusterClass is required with spec.hostedControlPlane',
      ],
      [
        'a size without control plane pods',
        (s: any) => {
          s.sizes.medium.controlPlaneReplicas = 0;
        },
        'spec.sizes.medium.controlPlaneReplicas must be at least 1: the hosted control plane runs that many pods',
      ],
    ])('rejects %s, naming the field', async (_what, mutate, message) => {
      await expect(
        processor.validateEntityKind(hosted(mutate)),
      ).rejects.toThrow(message);
    });
  });

  it('names invalid size names', async () => {
    await expect(
      processor.validateEntityKind(
        profile(s => {
          s.sizes.Huge_One = { controlPlaneReplicas: 1, workerReplicas: 1 };
        }),
      ),
    ).rejects.toThrow('spec.sizes.Huge_One is not a size name (DNS label)');
  });

  it('reports several problems at once', async () => {
    const error = await processor
      .validateEntityKind(
        profile(s => {
          s.sizes.small.workerReplicas = 1.5;
          s.provider = 'AWS';
        }),
      )
      .catch(e => e);
    expect(error.name).toBe('InputError');
    expect(error.message).toContain(
      'spec.sizes.small.workerReplicas must be integer',
    );
    expect(error.message).toContain('spec.provider must be a provider name');
  });

  it('rejects an owner that is not an entity reference', async () => {
    await expect(
      processor.validateEntityKind(
        profile(s => {
          s.owner = 'group:';
        }),
      ),
    ).rejects.toThrow(/spec\.owner/);
  });

  it('emits ownership and management cluster relations', async () => {
    const emitted: CatalogProcessorResult[] = [];
    await processor.postProcessEntity(profile(), location, r =>
      emitted.push(r),
    );
    const relations = emitted.map(r =>
      r.type === 'relation'
        ? `${r.relation.source.kind}:${r.relation.source.name} ${r.relation.type} ${r.relation.target.kind}:${r.relation.target.name}`
        : r.type,
    );
    expect(relations).toEqual([
      'ClusterProfile:eks-standard ownedBy group:platform-team',
      'group:platform-team ownerOf ClusterProfile:eks-standard',
      'ClusterProfile:eks-standard dependsOn resource:mgmt-eu-1',
      'resource:mgmt-eu-1 dependencyOf ClusterProfile:eks-standard',
      'ClusterProfile:eks-standard dependsOn resource:mgmt-us-1',
      'resource:mgmt-us-1 dependencyOf ClusterProfile:eks-standard',
    ]);
  });
});
