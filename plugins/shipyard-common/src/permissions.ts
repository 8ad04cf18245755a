import { createPermission } from '@backstage/plugin-permission-common';

/** The resource type of cluster permissions, for conditional decisions on owner. */
export const SHIPYARD_CLUSTER_RESOURCE_TYPE = 'shipyard-cluster';

/** Read clusters of the fleet (lists, facets, details, the change stream). */
export const shipyardClusterReadPermission = createPermission({
  name: 'shipyard.cluster.read',
  attributes: { action: 'read' },
  resourceType: SHIPYARD_CLUSTER_RESOURCE_TYPE,
});

/** Request a new cluster from a profile. */
export const shipyardClusterCreatePermission = createPermission({
  name: 'shipyard.cluster.create',
  attributes: { action: 'create' },
});

/** Change an existing cluster (upgrade, scale). */
export const shipyardClusterUpdatePermission = createPermission({
  name: 'shipyard.cluster.update',
  attributes: { action: 'update' },
  resourceType: SHIPYARD_CLUSTER_RESOURCE_TYPE,
});

/** Every permission that Shipyard defines. */
export const shipyardPermissions = [
  shipyardClusterReadPermission,
  shipyardClusterCreatePermission,
  shipyardClusterUpdatePermission,
];
