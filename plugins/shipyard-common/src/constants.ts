/** The plugin id of Shipyard (backend routes live under `/api/shipyard`). */
export const SHIPYARD_PLUGIN_ID = 'shipyard';

/** The catalog kind of cluster profiles and its apiVersion. */
export const CLUSTER_PROFILE_KIND = 'ClusterProfile';
export const CLUSTER_PROFILE_API_VERSION = 'shipyard.io/v1alpha1';

/** `spec.type` values of the Resource entities that Shipyard writes into the catalog. */
export const CLUSTER_RESOURCE_TYPE = 'kubernetes-cluster';
export const MANAGEMENT_CLUSTER_RESOURCE_TYPE = 'kubernetes-management-cluster';

/** Annotations and labels that Shipyard reads and writes. */
export const ANNOTATION_MANAGEMENT_CLUSTER = 'shipyard.io/management-cluster';
export const ANNOTATION_CLUSTER_NAMESPACE = 'shipyard.io/cluster-namespace';
export const ANNOTATION_CLUSTER_NAME = 'shipyard.io/cluster-name';
export const LABEL_OWNER = 'shipyard.io/owner';
export const LABEL_SYSTEM = 'shipyard.io/system';
export const LABEL_LIFECYCLE = 'shipyard.io/lifecycle';
export const LABEL_PROFILE = 'shipyard.io/profile';
export const LABEL_PROFILE_VERSION = 'shipyard.io/profile-version';
/** Label of a CAPI Cluster: `true` when the cluster is enrolled in its distribution's extended support, `false` when not. */
export const LABEL_EXTENDED_SUPPORT = 'shipyard.io/extended-support';
/** Annotation of a CAPI Cluster: its availability objective, overriding its class of service (`99.95/30d`). */
export const ANNOTATION_AVAILABILITY_OBJECTIVE =
  'shipyard.io/availability-objective';
