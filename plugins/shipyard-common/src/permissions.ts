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

/** Pause and resume the reconciliation of a cluster. */
export const shipyardClusterPausePermission = createPermission({
  name: 'shipyard.cluster.pause',
  attributes: { action: 'update' },
  resourceType: SHIPYARD_CLUSTER_RESOURCE_TYPE,
});

/** Change the number of machines of a cluster (worker replicas, control plane replicas, a named size). */
export const shipyardClusterScalePermission = createPermission({
  name: 'shipyard.cluster.scale',
  attributes: { action: 'update' },
  resourceType: SHIPYARD_CLUSTER_RESOURCE_TYPE,
});

/** Decommission (delete) a cluster. */
export const shipyardClusterDeletePermission = createPermission({
  name: 'shipyard.cluster.delete',
  attributes: { action: 'delete' },
  resourceType: SHIPYARD_CLUSTER_RESOURCE_TYPE,
});

/** The permissions of changes to one existing cluster, each conditional on the cluster (e.g. its owner). */
export const shipyardClusterChangePermissions = [
  shipyardClusterUpdatePermission,
  shipyardClusterPausePermission,
  shipyardClusterScalePermission,
  shipyardClusterDeletePermission,
];

/** Plan and start a fleet rollout (conditional: every cluster of the rollout must be allowed). */
export const shipyardRolloutCreatePermission = createPermission({
  name: 'shipyard.rollout.create',
  attributes: { action: 'create' },
  resourceType: SHIPYARD_CLUSTER_RESOURCE_TYPE,
});

/** Approve a rollout stage's gate (conditional: every cluster of the stage must be allowed). */
export const shipyardRolloutApprovePermission = createPermission({
  name: 'shipyard.rollout.approve',
  attributes: { action: 'update' },
  resourceType: SHIPYARD_CLUSTER_RESOURCE_TYPE,
});

/** Pause, resume or abort a rollout (conditional: every cluster of the rollout must be allowed). */
export const shipyardRolloutOperatePermission = createPermission({
  name: 'shipyard.rollout.operate',
  attributes: { action: 'update' },
  resourceType: SHIPYARD_CLUSTER_RESOURCE_TYPE,
});

/** The permissions of fleet rollouts, each conditional on every cluster the rollout touches. */
export const shipyardRolloutPermissions = [
  shipyardRolloutCreatePermission,
  shipyardRolloutApprovePermission,
  shipyardRolloutOperatePermission,
];

/** Every permission that Shipyard defines. */
export const shipyardPermissions = [
  shipyardClusterReadPermission,
  shipyardClusterCreatePermission,
  ...shipyardClusterChangePermissions,
  ...shipyardRolloutPermissions,
];
