import {
  Entity,
  makeValidator,
  parseEntityRef,
  resourceEntityV1alpha1Validator,
} from '@backstage/catalog-model';
import {
  catalogConfig,
  managementCluster,
  summary,
} from '../__testUtils__/fixtures';
import {
  buildClusterEntity,
  buildManagementClusterEntity,
  publishableApiServerUrl,
  toClusterEntityInput,
} from './clusterEntities';

import { ClusterKey } from '@shipyard/plugin-shipyard-common';

const validator = makeValidator();

describe('buildClusterEntity', () => {
  const config = catalogConfig({
    catalog: {
      providers: {
        shipyard: {
          clusters: {
            links: [
              {
                title: 'Grafana {{name}}',
                url: 'https://grafana.example.com/d/k8s?var-cluster={{managementCluster}}/{{namespace}}/{{name}}',
                icon: 'dashboard',
              },
              { title: 'System', url: 'https://x.example.com/{{system}}' },
            ],
            locatorAnnotations: {
              authProvider: 'oidc',
              oidcTokenProvider: 'okta',
            },
          },
        },
      },
    },
  });
  const ctx = {
    config,
    resolveProfileRef: () => 'clusterprofile:default/eks-standard',
  };

  it('builds a kubernetes-cluster Resource owned by the team', async () => {
    const entity = buildClusterEntity(
      toClusterEntityInput(
        summary({ name: 'payments-prod', system: 'system:default/payments' }),
      ),
      ctx,
    );
    await expect(resourceEntityV1alpha1Validator.check(entity)).resolves.toBe(
      true,
    );
    expect(entity.metadata.name).toBe('mgmt-eu-1--team-a--payments-prod');
    expect(entity.metadata.title).toBe('payments-prod');
    expect(entity.metadata.description).toContain('team-a/payments-prod');
    expect(entity.metadata.description).toContain('mgmt-eu-1');
    expect(entity.spec).toEqual({
      type: 'kubernetes-cluster',
      owner: 'group:default/team-a',
      system: 'system:default/payments',
      lifecycle: 'production',
      dependsOn: [
        'clusterprofile:default/eks-standard',
        'resource:default/mgmt-eu-1',
      ],
    });
    expect(entity.metadata.tags).toEqual(['aws', 'eks', 'k8s-1-35']);
    expect(entity.metadata.links).toEqual([
      {
        url: 'https://portal.example.com/shipyard/clusters/mgmt-eu-1/team-a/payments-prod',
        title: 'Cluster in Shipyard',
        icon: 'dashboard',
      },
      {
        url: 'https://grafana.example.com/d/k8s?var-cluster=mgmt-eu-1/team-a/payments-prod',
        title: 'Grafana payments-prod',
        icon: 'dashboard',
      },
    ]);
    expect(entity.metadata.annotations).toMatchObject({
      'backstage.io/managed-by-location':
        'shipyard:clusters/mgmt-eu-1/team-a/payments-prod',
      'backstage.io/managed-by-origin-location':
        'shipyard:clusters/mgmt-eu-1/team-a/payments-prod',
      'shipyard.io/management-cluster': 'mgmt-eu-1',
      'shipyard.io/cluster-namespace': 'team-a',
      'shipyard.io/cluster-name': 'payments-prod',
      'shipyard.io/cluster-uid': 'uid-mgmt-eu-1-team-a-payments-prod',
      'shipyard.io/cluster-class': 'team-a/eks-standard',
      'kubernetes.io/api-server': 'https://payments-prod.example.com:6443',
      'kubernetes.io/auth-provider': 'oidc',
      'kubernetes.io/oidc-token-provider': 'okta',
    });
  });

  it('turns annotation values that are no entity references into processing warnings, not broken relations', async () => {
    const resolved: Array<string | undefined> = [];
    const entity = buildClusterEntity(
      toClusterEntityInput(
        summary({
          name: 'odd',
          owner: 'group:default/team a',
          system: 'system:default/../payments',
          lifecycle: 'prod<script>',
          profile: 'clusterprofile:default/x:y',
        }),
      ),
      {
        config,
        resolveProfileRef: s => {
          resolved.push(s.profile);
          return s.profile ? `clusterprofile:default/${s.profile}` : undefined;
        },
      },
    );
    await expect(resourceEntityV1alpha1Validator.check(entity)).resolves.toBe(
      true,
    );
    // every reference the entity makes is one the catalog can resolve to an entity name
    const spec = entity.spec as Record<string, any>;
    for (const ref of [spec.owner, spec.system, ...spec.dependsOn].filter(
      Boolean,
    )) {
      const parsed = parseEntityRef(ref);
      expect(validator.isValidEntityName(parsed.name)).toBe(true);
      expect(validator.isValidNamespace(parsed.namespace)).toBe(true);
    }
    expect(spec.owner).toBe('group:default/platform-team');
    expect(spec.system).toBeUndefined();
    expect(spec.lifecycle).toBeUndefined();
    expect(spec.dependsOn).toEqual(['resource:default/mgmt-eu-1']);
    expect(resolved).toEqual([undefined]);
    expect(
      entity.metadata.annotations?.['shipyard.io/profile'],
    ).toBeUndefined();
    const warnings = JSON.parse(
      entity.metadata.annotations?.['shipyard.io/processing-warnings'] ?? '[]',
    );
    expect(warnings).toEqual([
      expect.stringMatching(
        /^owner "group:default\/team a" is not a valid entity reference.*group:default\/platform-team/,
      ),
      expect.stringMatching(
        /^system "system:default\/..\/payments" is not a valid entity reference/,
      ),
      expect.stringMatching(
        /^lifecycle "prod<script>" is not a valid lifecycle/,
      ),
      expect.stringMatching(
        /^profile "clusterprofile:default\/x:y" is not a valid entity reference/,
      ),
    ]);
    // valid values, bare or full references, produce no warning
    const fine = buildClusterEntity(
      toClusterEntityInput(
        summary({
          name: 'fine',
          owner: 'user:default/alice',
          system: 'payments',
          profile: 'clusterprofile:default/kubeadm-standard',
        }),
      ),
      { config, resolveProfileRef: () => undefined },
    );
    expect(
      fine.metadata.annotations?.['shipyard.io/processing-warnings'],
    ).toBeUndefined();
    expect(fine.spec).toMatchObject({
      owner: 'user:default/alice',
      system: 'system:default/payments',
      dependsOn: [
        'clusterprofile:default/kubeadm-standard',
        'resource:default/mgmt-eu-1',
      ],
    });
  });

  it('names a profile or system the catalog does not have in a processing warning, keeping the relation', () => {
    const known = new Set([
      'clusterprofile:default/eks-standard',
      'system:default/payments',
    ]);
    const missing = buildClusterEntity(
      toClusterEntityInput(
        summary({ name: 'lost', system: 'system:default/checkout' }),
      ),
      {
        config,
        resolveProfileRef: () => 'clusterprofile:default/eks-gpu',
        isMissing: ref => !known.has(ref),
      },
    );
    expect(
      JSON.parse(
        missing.metadata.annotations?.['shipyard.io/processing-warnings'] ??
          '[]',
      ),
    ).toEqual([
      'profile clusterprofile:default/eks-gpu is not in the catalog (add the ClusterProfile, or fix the cluster’s shipyard.io/profile label)',
      'system system:default/checkout is not in the catalog (add the System, or fix the cluster’s shipyard.io/system label)',
    ]);
    expect(missing.spec).toMatchObject({
      system: 'system:default/checkout',
      dependsOn: [
        'clusterprofile:default/eks-gpu',
        'resource:default/mgmt-eu-1',
      ],
    });
    const found = buildClusterEntity(
      toClusterEntityInput(
        summary({ name: 'found', system: 'system:default/payments' }),
      ),
      {
        config,
        resolveProfileRef: () => 'clusterprofile:default/eks-standard',
        isMissing: ref => !known.has(ref),
      },
    );
    expect(
      found.metadata.annotations?.['shipyard.io/processing-warnings'],
    ).toBeUndefined();
  });

  it('publishes no credential and no unsafe API server URL', () => {
    for (const url of [
      'https://admin:secret@api.example.com:6443',
      'https://api.example.com:6443?token=abc',
      'https://api.example.com:6443/#token',
      'file:///etc/kubeconfig',
      'not a url',
    ]) {
      const entity = buildClusterEntity(
        toClusterEntityInput(summary({ name: 'c', apiServerUrl: url })),
        ctx,
      );
      expect(
        entity.metadata.annotations?.['kubernetes.io/api-server'],
      ).toBeUndefined();
      expect(
        entity.metadata.annotations?.['kubernetes.io/auth-provider'],
      ).toBeUndefined();
    }
    const text = JSON.stringify(
      buildClusterEntity(toClusterEntityInput(summary({ name: 'c' })), ctx),
    );
    expect(text).not.toMatch(/secret|password|kubeconfig|bearer/i);
    expect(publishableApiServerUrl('https://api.example.com:6443/')).toBe(
      'https://api.example.com:6443',
    );
  });

  it('can be told not to publish locator annotations', () => {
    const off = catalogConfig({
      catalog: {
        providers: {
          shipyard: { clusters: { locatorAnnotations: { enabled: false } } },
        },
      },
    });
    const entity = buildClusterEntity(
      toClusterEntityInput(summary({ name: 'c' })),
      {
        config: off,
        resolveProfileRef: () => undefined,
      },
    );
    expect(
      entity.metadata.annotations?.['kubernetes.io/api-server'],
    ).toBeUndefined();
    expect(entity.spec?.dependsOn).toEqual(['resource:default/mgmt-eu-1']);
  });

  it('ignores health, phase and counters', () => {
    const build = (s: ReturnType<typeof summary>): Entity =>
      buildClusterEntity(toClusterEntityInput(s), ctx);
    const a = build(summary({ name: 'c' }));
    const b = build(
      summary({
        name: 'c',
        health: 'degraded',
        phase: 'Provisioning',
        healthReasons: [
          {
            source: 'probe',
            severity: 'error',
            type: 'Readyz',
            message: 'timeout',
          },
        ],
        workers: { desired: 3, ready: 1 },
        machineCount: 4,
        lastChangedAt: '2025-02-02T00:00:00Z',
        observedKubernetesVersion: 'v1.35.4',
        source: {
          state: 'stale',
          resynced: true,
          staleSince: '2025-02-02T00:00:00Z',
        },
      }),
    );
    expect(b).toEqual(a);
  });

  it('uses the configured default lifecycle only when the cluster has none', () => {
    const withDefault = catalogConfig({
      catalog: {
        providers: {
          shipyard: { clusters: { defaultLifecycle: 'experimental' } },
        },
      },
    });
    const entity = buildClusterEntity(
      toClusterEntityInput(summary({ name: 'c', lifecycle: undefined })),
      { config: withDefault, resolveProfileRef: () => undefined },
    );
    expect(entity.spec?.lifecycle).toBe('experimental');
    const none = buildClusterEntity(
      toClusterEntityInput(summary({ name: 'c', lifecycle: undefined })),
      ctx,
    );
    expect(none.spec?.lifecycle).toBeUndefined();
  });
});

describe('the management chain in the catalog', () => {
  const config = catalogConfig();
  // mgmt-eu-1 manages itself and mgmt-us-1; mgmt-us-1 hosts a k0smotron control plane
  const records: Record<string, ClusterKey> = {
    'mgmt-eu-1': {
      managementCluster: 'mgmt-eu-1',
      namespace: 'management',
      name: 'mgmt-eu-1',
    },
    'mgmt-us-1': {
      managementCluster: 'mgmt-eu-1',
      namespace: 'management',
      name: 'mgmt-us-1',
    },
  };
  const ctx = {
    config,
    resolveProfileRef: () => undefined,
    clusterOfManagementCluster: (name: string) => records[name],
  };
  const dependsOn = (s: Parameters<typeof summary>[0]) =>
    buildClusterEntity(toClusterEntityInput(summary(s)), ctx).spec?.dependsOn;

  it('makes the cluster of a managed management cluster depend on its manager’s cluster', () => {
    expect(
      dependsOn({
        ...records['mgmt-us-1'],
        managementClusterOf: 'mgmt-us-1',
      }),
    ).toEqual([
      'resource:default/mgmt-eu-1',
      'resource:default/mgmt-eu-1--management--mgmt-eu-1',
    ]);
  });

  it('lets a self-hosted management cluster’s cluster depend on no cluster of its own', () => {
    expect(
      dependsOn({
        ...records['mgmt-eu-1'],
        managementClusterOf: 'mgmt-eu-1',
      }),
    ).toEqual(['resource:default/mgmt-eu-1']);
  });

  it('makes a cluster with a hosted control plane depend on its host and the host’s cluster', () => {
    const hosted = {
      provider: 'k0smotron',
      hostCluster: 'mgmt-us-1',
      namespace: 'team-a',
      workloadKind: 'StatefulSet',
      workloadName: 'kmc-payments-dev-control-plane',
      replicas: 2,
      readyReplicas: 2,
    };
    expect(
      dependsOn({
        managementCluster: 'mgmt-us-1',
        name: 'payments-dev',
        hostedControlPlane: hosted,
      }),
    ).toEqual([
      'resource:default/mgmt-us-1',
      'resource:default/mgmt-eu-1--management--mgmt-us-1',
    ]);
    // the pods' readiness is no entity matter
    const a = buildClusterEntity(
      toClusterEntityInput(summary({ name: 'x', hostedControlPlane: hosted })),
      ctx,
    );
    const b = buildClusterEntity(
      toClusterEntityInput(
        summary({
          name: 'x',
          hostedControlPlane: { ...hosted, readyReplicas: 0 },
        }),
      ),
      ctx,
    );
    expect(b).toEqual(a);
  });

  it('makes a managed management cluster depend on its own cluster', () => {
    expect(
      buildManagementClusterEntity(
        managementCluster('mgmt-us-1', { cluster: records['mgmt-us-1'] }),
        config,
      ).spec?.dependsOn,
    ).toEqual(['resource:default/mgmt-eu-1--management--mgmt-us-1']);
    expect(
      buildManagementClusterEntity(
        managementCluster('mgmt-eu-1', { cluster: records['mgmt-eu-1'] }),
        config,
      ).spec?.dependsOn,
    ).toBeUndefined();
  });
});

describe('buildManagementClusterEntity', () => {
  it('builds a management cluster Resource owned by the platform team', async () => {
    const entity = buildManagementClusterEntity(
      managementCluster('mgmt-eu-1'),
      catalogConfig(),
    );
    await expect(resourceEntityV1alpha1Validator.check(entity)).resolves.toBe(
      true,
    );
    expect(entity.metadata.name).toBe('mgmt-eu-1');
    expect(entity.spec).toEqual({
      type: 'kubernetes-management-cluster',
      owner: 'group:default/platform-team',
      lifecycle: 'production',
    });
  });

  it('follows the configured owner and type', () => {
    const entity = buildManagementClusterEntity(
      managementCluster('mgmt-eu-1'),
      catalogConfig({
        shipyard: { platformTeam: 'group:default/sre' },
        catalog: {
          providers: {
            shipyard: {
              managementClusters: {
                type: 'capi-hub',
                system: 'system:default/shipyard',
              },
            },
          },
        },
      }),
    );
    expect(entity.spec).toMatchObject({
      type: 'capi-hub',
      owner: 'group:default/sre',
      system: 'system:default/shipyard',
    });
  });
});
