/*
 * Vocabulary of the catalog entities that Shipyard writes (clusters, management clusters, generated profiles).
 * The kinds, resource types and the cluster identity annotations are in `constants.ts`.
 */

/** UID of the CAPI `Cluster` object behind a cluster entity. */
export const ANNOTATION_CLUSTER_UID = 'shipyard.io/cluster-uid';

/**
 * On the entity of a cluster that Cluster API does not manage: `inventory` (read from an inventory ClusterProfile,
 * `multicluster.x-k8s.io`, that another cluster manager published). Absent on Cluster API clusters.
 */
export const ANNOTATION_CLUSTER_ORIGIN = 'shipyard.io/cluster-origin';

/** On the entity of a cluster of origin `inventory`: the cluster manager that published its inventory ClusterProfile. */
export const ANNOTATION_INVENTORY_CLUSTER_MANAGER =
  'shipyard.io/inventory-cluster-manager';

/** `namespace/name` of the ClusterClass behind a cluster or a generated cluster profile. */
export const ANNOTATION_CLUSTER_CLASS = 'shipyard.io/cluster-class';

/** Where a ClusterProfile entity comes from: `catalog` (YAML kept in git) or `cluster-class` (generated). */
export const ANNOTATION_PROFILE_SOURCE = 'shipyard.io/profile-source';

/** Values of {@link ANNOTATION_PROFILE_SOURCE}. */
export type ClusterProfileSource = 'catalog' | 'cluster-class';

/** The cluster profile (name) and profile version a cluster entity was requested from. */
export const ANNOTATION_PROFILE = 'shipyard.io/profile';
export const ANNOTATION_PROFILE_VERSION = 'shipyard.io/profile-version';

/**
 * Values of a cluster's Cluster API object that could not be used for its entity (an owner, system or profile that
 * is no entity reference, an odd lifecycle), and what was used instead, and references to a ClusterProfile or System
 * the catalog does not have (kept, so that they resolve once the entity exists): a JSON array of sentences. The
 * catalog module logs each once.
 */
export const ANNOTATION_PROCESSING_WARNINGS = 'shipyard.io/processing-warnings';

/**
 * Location type of the entities that Shipyard's entity providers emit
 * (`backstage.io/managed-by-location: shipyard:clusters/<mc>/<ns>/<name>`).
 */
export const SHIPYARD_LOCATION_TYPE = 'shipyard';
