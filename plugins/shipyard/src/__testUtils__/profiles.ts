import { Entity } from '@backstage/catalog-model';

/** A `ClusterProfile` entity as the catalog module writes it. */
export function makeProfileEntity(
  name: string,
  spec: Record<string, unknown> = {},
): Entity {
  return {
    apiVersion: 'shipyard.io/v1alpha1',
    kind: 'ClusterProfile',
    metadata: {
      name,
      namespace: 'default',
      title: `${name} profile`,
      description: 'A profile',
    },
    spec: {
      owner: 'group:default/platform-team',
      lifecycle: 'production',
      version: '1.2.0',
      managementClusters: ['mgmt-eu'],
      clusterClass: { name },
      provider: 'aws',
      distribution: 'eks',
      kubernetes: { versions: ['v1.31.2', 'v1.30.6'], default: 'v1.31.2' },
      layers: {
        os: { name: 'bottlerocket', version: '1.20' },
        kubernetes: { name: 'eks', version: 'v1.31.2' },
        cni: { name: 'vpc-cni', version: 'v1.18' },
        addons: [{ name: 'cert-manager', version: 'v1.15' }],
      },
      sizes: { small: { controlPlaneReplicas: 0, workerReplicas: 2 } },
      allowedGroups: ['group:default/team-a'],
      ...spec,
    },
  };
}
