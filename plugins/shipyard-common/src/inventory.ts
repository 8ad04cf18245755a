import { KubeResourceType } from './capi';

/*
 * The SIG-Multicluster cluster inventory API (`multicluster.x-k8s.io/v1alpha1`, KEP-4322), which Shipyard publishes
 * and consumes: one "inventory ClusterProfile" object per cluster, written by a cluster manager into an inventory
 * namespace. This is not Shipyard's catalog kind `ClusterProfile` (`shipyard.io/v1alpha1`, a curated cluster
 * template); every name here says "inventory" to keep the two apart.
 */

/** The API group of the cluster inventory API. */
export const INVENTORY_API_GROUP = 'multicluster.x-k8s.io';

/** The version of the cluster inventory API Shipyard reads and writes. */
export const INVENTORY_API_VERSION = `${INVENTORY_API_GROUP}/v1alpha1`;

/** The resource type of inventory `ClusterProfile` objects. */
export const INVENTORY_CLUSTER_PROFILE_RESOURCE: KubeResourceType = {
  group: INVENTORY_API_GROUP,
  version: 'v1alpha1',
  kind: 'ClusterProfile',
  plural: 'clusterprofiles',
  namespaced: true,
};

/** The cluster manager Shipyard names itself as, unless configured otherwise (`spec.clusterManager.name`). */
export const DEFAULT_INVENTORY_CLUSTER_MANAGER = 'shipyard';

/** Labels of inventory objects. */
export const INVENTORY_LABELS = {
  /** The cluster manager that wrote the object (KEP-4322), the same as `spec.clusterManager.name`. */
  clusterManager: 'x-k8s.io/cluster-manager',
  /** On objects Shipyard published: the management cluster of the Cluster API cluster. */
  managementCluster: 'shipyard.io/management-cluster',
} as const;

/** Annotations of inventory objects Shipyard published. */
export const INVENTORY_ANNOTATIONS = {
  /** The fleet key (`managementCluster/namespace/name`) of the Cluster API cluster the object describes. */
  cluster: 'shipyard.io/cluster',
} as const;

/** Condition types of inventory objects (KEP-4322). */
export const INVENTORY_CONDITIONS = {
  /** The cluster's control plane serves. */
  controlPlaneHealthy: 'ControlPlaneHealthy',
  /** The cluster has joined the cluster manager's fleet (provisioned and reachable through its credentials). */
  joined: 'Joined',
} as const;

/** Property names Shipyard writes, and reads first. */
export const INVENTORY_PROPERTIES = {
  /** Stable identity of the cluster (KEP-2149): the UID of its Cluster API object. */
  clusterId: 'clusterset.k8s.io/cluster-id',
  region: 'topology.kubernetes.io/region',
  distribution: 'shipyard.io/distribution',
  provider: 'shipyard.io/provider',
  /** The owning group as an entity ref. */
  owner: 'shipyard.io/owner',
  lifecycle: 'shipyard.io/lifecycle',
  profile: 'shipyard.io/profile',
  managementCluster: 'shipyard.io/management-cluster',
} as const;

/** The access provider Shipyard publishes: a credential plugin that reads a kubeconfig from a Secret (KEP-5339). */
export const INVENTORY_KUBECONFIG_ACCESS_PROVIDER = 'kubeconfig-secretreader';

/** The kubeconfig cluster extension that carries a credential plugin's configuration (KEP-5339). */
export const INVENTORY_EXEC_EXTENSION = 'client.authentication.k8s.io/exec';

/** The field manager of Shipyard's writes of inventory objects. */
export const INVENTORY_FIELD_MANAGER = 'shipyard-inventory';
