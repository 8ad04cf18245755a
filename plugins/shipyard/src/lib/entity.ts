import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  ANNOTATION_CLUSTER_NAME,
  ANNOTATION_CLUSTER_NAMESPACE,
  ANNOTATION_MANAGEMENT_CLUSTER,
  CLUSTER_PROFILE_KIND,
  CLUSTER_RESOURCE_TYPE,
  ClusterKey,
} from '@shipyard/plugin-shipyard-common';

/** True for `Resource` entities of type `kubernetes-cluster`. */
export function isClusterEntity(entity: Entity): boolean {
  return (
    entity.kind.toLocaleLowerCase('en-US') === 'resource' &&
    entity.spec?.type === CLUSTER_RESOURCE_TYPE
  );
}

/** True for `ClusterProfile` entities. */
export function isClusterProfileEntity(entity: Entity): boolean {
  return (
    entity.kind.toLocaleLowerCase('en-US') ===
    CLUSTER_PROFILE_KIND.toLocaleLowerCase('en-US')
  );
}

/** True for `Group` entities. */
export function isGroupEntity(entity: Entity): boolean {
  return entity.kind.toLocaleLowerCase('en-US') === 'group';
}

/** The fleet key of a cluster entity, from its Shipyard annotations. */
export function clusterKeyFromEntity(entity: Entity): ClusterKey | undefined {
  const a = entity.metadata.annotations ?? {};
  const managementCluster = a[ANNOTATION_MANAGEMENT_CLUSTER];
  const namespace = a[ANNOTATION_CLUSTER_NAMESPACE];
  const name = a[ANNOTATION_CLUSTER_NAME];
  if (!managementCluster || !namespace || !name) return undefined;
  return { managementCluster, namespace, name };
}

/** The full ref of an entity (`group:default/team-a`). */
export function entityRefOf(entity: Entity): string {
  return stringifyEntityRef(entity);
}
