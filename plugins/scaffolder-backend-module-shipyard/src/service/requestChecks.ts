import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError, InputError, NotAllowedError } from '@backstage/errors';
import {
  ClusterClassSummary,
  ClusterKey,
  ClusterProfileSpec,
  capiResource,
  isCapiKey,
  resourcePath,
} from '@shipyard/plugin-shipyard-common';
import { KubeApiError } from '@shipyard/plugin-shipyard-node/kube';
import { ShipyardRequestsConfig } from '../config';
import { Requester } from './access';
import { ShipyardBackend } from './ShipyardBackendClient';

/*
 * The checks of a cluster request that need no state of their own: names, labels, groups, who may use a profile,
 * the ClusterClass a profile names, and how a failed dry run reads.
 */

/** A DNS-1123 label. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
export const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
export const MAX_WORKERS = 500;

/** Explains a failed server-side dry run in the words of the API server. */
export function dryRunError(error: unknown, key: ClusterKey): Error {
  if (error instanceof KubeApiError) {
    const causes = (error.status?.details?.causes ?? [])
      .map(
        c => `${c.field ? `${c.field}: ` : ''}${c.message ?? c.reason ?? ''}`,
      )
      .filter(Boolean);
    const detail =
      causes.length > 0
        ? causes.join('; ')
        : error.status?.message ?? error.message;
    if (error.statusCode === 409) {
      return new ConflictError(
        `A cluster named ${key.name} already exists in namespace ${key.namespace} on ${key.managementCluster}; choose another name`,
      );
    }
    if (error.statusCode === 0 || error.statusCode >= 500) {
      return new ConflictError(
        `Management cluster ${key.managementCluster} could not validate the request (${detail}); try again later`,
      );
    }
    return new InputError(
      `Management cluster ${key.managementCluster} rejected the cluster in a dry run: ${detail}`,
    );
  }
  return error as Error;
}

/** The path of the CAPI Clusters of a namespace, or of one of them. */
export function clusterPath(namespace: string, name?: string): string {
  return resourcePath(capiResource('Cluster'), { namespace, name });
}

export function groupRef(value: string, field: string): string {
  try {
    const ref = parseEntityRef(value, {
      defaultKind: 'group',
      defaultNamespace: 'default',
    });
    if (ref.kind.toLocaleLowerCase('en-US') !== 'group')
      throw new Error('not a group');
    return stringifyEntityRef(ref).toLocaleLowerCase('en-US');
  } catch {
    throw new InputError(
      `${field} "${value}" must be a group (group:default/team-a)`,
    );
  }
}

export function checkProfileAccess(
  profileRef: string,
  spec: ClusterProfileSpec,
  requester: Requester,
  owner: string,
): void {
  const allowed = new Set(
    spec.allowedGroups.map(g => g.toLocaleLowerCase('en-US')),
  );
  if (!requester.isPlatform && !requester.ownershipRefs.has(owner)) {
    throw new NotAllowedError(
      `${requester.userEntityRef} is not a member of ${owner} and cannot request clusters for it; choose one of your own groups`,
    );
  }
  if (
    !requester.isPlatform &&
    ![...requester.ownershipRefs].some(r => allowed.has(r))
  ) {
    throw new NotAllowedError(
      `Profile ${profileRef} is open to ${spec.allowedGroups.join(
        ', ',
      )} only; ${
        requester.userEntityRef
      } is in none of them. Choose another profile or ask the platform team`,
    );
  }
  if (!allowed.has(owner)) {
    throw new NotAllowedError(
      `Profile ${profileRef} is open to ${spec.allowedGroups.join(
        ', ',
      )} only; ${owner} may not own clusters from it. Choose another profile or owner`,
    );
  }
}

export function namespaceFor(
  config: ShipyardRequestsConfig,
  owner: string,
): string {
  const ref = parseEntityRef(owner);
  return config.namespaceTemplate
    .replace(/\{team\}/g, ref.name)
    .replace(/\{namespace\}/g, ref.namespace)
    .toLocaleLowerCase('en-US');
}

export function checkLabels(
  labels: Record<string, string>,
): Record<string, string> {
  for (const [k, v] of Object.entries(labels)) {
    if (!LABEL_KEY.test(k) || k.length > 316) {
      throw new InputError(
        `Label key "${k}" is not a valid Kubernetes label key`,
      );
    }
    if (k.startsWith('shipyard.io/') || isCapiKey(k)) {
      throw new InputError(
        `Label "${k}" is set by Shipyard or Cluster API and cannot be requested`,
      );
    }
    if (!LABEL_VALUE.test(v)) {
      throw new InputError(
        `Label ${k}="${v}" has an invalid value (at most 63 letters, digits, '-', '_' or '.')`,
      );
    }
  }
  return labels;
}

export async function findClusterClass(
  backend: ShipyardBackend,
  profileRef: string,
  spec: ClusterProfileSpec,
  key: ClusterKey,
): Promise<ClusterClassSummary> {
  if (!spec.clusterClass) {
    throw new InputError(
      `Profile ${profileRef} names no ClusterClass, so clusters cannot be requested from it`,
    );
  }
  const classes = (
    await backend.listClusterClasses(key.managementCluster)
  ).filter(c => c.name === spec.clusterClass?.name);
  const wanted = spec.clusterClass.namespace;
  const found = wanted
    ? classes.find(c => c.namespace === wanted)
    : classes.find(c => c.namespace === key.namespace) ??
      (classes.length === 1 ? classes[0] : undefined) ??
      classes.sort((a, b) => a.namespace.localeCompare(b.namespace))[0];
  if (!found) {
    throw new InputError(
      `ClusterClass ${wanted ? `${wanted}/` : ''}${
        spec.clusterClass.name
      } of profile ${profileRef} does not exist on management cluster ${
        key.managementCluster
      }; choose another management cluster`,
    );
  }
  return found;
}
