import { createHash } from 'node:crypto';
import { Config } from '@backstage/config';
import { ClusterKey } from '@shipyard/plugin-shipyard-common';

/** Longest catalog entity name. */
export const MAX_ENTITY_NAME_LENGTH = 63;

const HASH_LENGTH = 10;
const SEGMENT = /^[a-z0-9]([a-z0-9.]|-(?!-))*$/;

function segmentIsPlain(segment: string): boolean {
  return (
    segment.length > 0 &&
    SEGMENT.test(segment) &&
    !segment.endsWith('-') &&
    !segment.endsWith('.')
  );
}

function hashed(readable: string, identity: string): string {
  const hash = createHash('sha256')
    .update(identity)
    .digest('hex')
    .slice(0, HASH_LENGTH);
  const room = MAX_ENTITY_NAME_LENGTH - HASH_LENGTH - 3;
  const prefix = readable
    .toLocaleLowerCase('en-US')
    .replace(/[^a-z0-9.-]/g, '-')
    .replace(/^[-.]+/, '')
    .slice(0, room)
    .replace(/[-.]+$/, '');
  return prefix ? `${prefix}---${hash}` : `h---${hash}`;
}

/**
 * Entity name of the parts of an identity, joined by `--`.
 *
 * Names are stable and collision-free: when every part is a lowercase DNS name without `--` and the result fits in
 * 63 characters the name is the plain join (`mgmt-eu-1--team-a--prod`), which can be split back unambiguously.
 * Otherwise it is a readable prefix plus `---` and a hash of the whole identity (`mgmt-eu-1--team-a--very-lo---3f9c0a1b2d`).
 * A plain name never contains `---`, so plain and hashed names never meet.
 */
export function joinedEntityName(parts: string[]): string {
  const plain = parts.join('--');
  if (parts.every(segmentIsPlain) && plain.length <= MAX_ENTITY_NAME_LENGTH) {
    return plain;
  }
  return hashed(plain, JSON.stringify(parts));
}

/** Entity name of a workload cluster: `<managementCluster>--<namespace>--<name>`, hashed when needed. */
export function clusterEntityName(key: ClusterKey): string {
  return joinedEntityName([key.managementCluster, key.namespace, key.name]);
}

/** Entity name of a management cluster: its configured name, hashed when needed. */
export function managementClusterEntityName(name: string): string {
  return joinedEntityName([name]);
}

/** Entity name of the profile generated from a ClusterClass: `<managementCluster>--<namespace>--<class>`. */
export function generatedProfileEntityName(
  managementCluster: string,
  namespace: string,
  clusterClass: string,
): string {
  return joinedEntityName([managementCluster, namespace, clusterClass]);
}

/** A Backstage tag from any text: lowercase, `[a-z0-9:+#]` words joined by single `-`, at most 63 characters. */
export function toTag(value: string): string | undefined {
  const tag = value
    .toLocaleLowerCase('en-US')
    .replace(/[^a-z0-9:+#]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return tag.length > 0 ? tag : undefined;
}

/**
 * The catalog namespace of the entities the Shipyard catalog module writes (`catalog.providers.shipyard.entityNamespace`,
 * default `default`): what other modules need to name a cluster's entity as the catalog does.
 */
export function readCatalogEntityNamespace(root: Config): string {
  return (
    root.getOptionalString('catalog.providers.shipyard.entityNamespace') ??
    // the catalog's default namespace
    'default'
  );
}

/** Entity ref of the Resource of a workload cluster in the catalog namespace `entityNamespace`. */
export function clusterEntityRef(
  entityNamespace: string,
  key: ClusterKey,
): string {
  return `resource:${entityNamespace}/${clusterEntityName(key)}`;
}
