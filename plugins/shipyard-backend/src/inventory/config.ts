import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  DEFAULT_INVENTORY_CLUSTER_MANAGER,
  INVENTORY_KUBECONFIG_ACCESS_PROVIDER,
} from '@shipyard/plugin-shipyard-common';

/*
 * `shipyard.inventory`: publishing the fleet as cluster inventory API objects (`multicluster.x-k8s.io`
 * `ClusterProfile`, "inventory ClusterProfiles") and reading those other cluster managers publish.
 */

/** `shipyard.inventory.publish`: where Shipyard writes one inventory ClusterProfile per Cluster API cluster. */
export interface InventoryPublishConfig {
  /** The management cluster (by its configured name) whose API holds the inventory namespace. */
  managementCluster: string;
  /** The inventory namespace (must exist). */
  namespace: string;
  /** The access provider name written into `status.accessProviders` (the consumer's credential plugin). */
  accessProvider: string;
  /** How often published objects are compared with the fleet and repaired (ms). */
  resyncIntervalMs: number;
  /** Writes in flight at once. */
  concurrency: number;
}

/** One entry of `shipyard.inventory.consume`: where other cluster managers' inventory ClusterProfiles are read. */
export interface InventoryConsumeConfig {
  /** The source's name: the `managementCluster` part of its clusters' keys, and their entity names' prefix. */
  name: string;
  /** The management cluster (by its configured name) whose API holds the inventory ClusterProfiles. */
  managementCluster: string;
  /** The namespace to read; all namespaces when absent. */
  namespace?: string;
}

/** `shipyard.inventory`, parsed and defaulted. */
export interface InventoryConfig {
  /** Shipyard's name as a cluster manager (`spec.clusterManager.name` and the `x-k8s.io/cluster-manager` label). */
  clusterManager: string;
  publish?: InventoryPublishConfig;
  consume: InventoryConsumeConfig[];
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * Reads `shipyard.inventory`; every problem is reported at once in one `InputError`. `managementClusters`: the
 * configured management clusters' names (a consumed source may not take one of them).
 */
export function readInventoryConfig(
  config: Config,
  managementClusters: string[] = [],
): InventoryConfig {
  const inventory = config.getOptionalConfig('shipyard.inventory');
  const problems: string[] = [];
  const clusterManager =
    inventory?.getOptionalString('clusterManager') ??
    DEFAULT_INVENTORY_CLUSTER_MANAGER;
  if (!DNS_SUBDOMAIN.test(clusterManager) || clusterManager.length > 63) {
    problems.push(
      'shipyard.inventory.clusterManager must be a lowercase DNS name of at most 63 characters',
    );
  }
  let publish: InventoryPublishConfig | undefined;
  const p = inventory?.getOptionalConfig('publish');
  if (p) {
    const managementCluster = p.getOptionalString('managementCluster') ?? '';
    const namespace = p.getOptionalString('namespace') ?? '';
    if (!managementCluster) {
      problems.push(
        'shipyard.inventory.publish.managementCluster must name a management cluster',
      );
    }
    if (!DNS_LABEL.test(namespace) || namespace.length > 63) {
      problems.push(
        'shipyard.inventory.publish.namespace must be a namespace name (lowercase letters, digits and -)',
      );
    }
    const resyncSeconds = p.getOptionalNumber('resyncIntervalSeconds') ?? 300;
    if (!Number.isFinite(resyncSeconds) || resyncSeconds < 1) {
      problems.push(
        'shipyard.inventory.publish.resyncIntervalSeconds must be a number of seconds, at least 1',
      );
    }
    const concurrency = p.getOptionalNumber('concurrency') ?? 8;
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
      problems.push(
        'shipyard.inventory.publish.concurrency must be a whole number from 1 to 64',
      );
    }
    publish = {
      managementCluster,
      namespace,
      accessProvider:
        p.getOptionalString('accessProvider') ??
        INVENTORY_KUBECONFIG_ACCESS_PROVIDER,
      resyncIntervalMs: resyncSeconds * 1000,
      concurrency,
    };
  }
  const consume: InventoryConsumeConfig[] = [];
  const names = new Set<string>();
  (inventory?.getOptionalConfigArray('consume') ?? []).forEach((c, i) => {
    const at = `shipyard.inventory.consume[${i}]`;
    const name = c.getOptionalString('name') ?? '';
    const managementCluster = c.getOptionalString('managementCluster') ?? '';
    const namespace = c.getOptionalString('namespace');
    if (!DNS_LABEL.test(name) || name.includes('--') || name.length > 63) {
      problems.push(
        `${at}.name must be lowercase letters, digits and single dashes, at most 63 characters`,
      );
    } else if (managementClusters.includes(name)) {
      problems.push(
        `${at}.name ${name} is the name of a management cluster: give the inventory source its own name`,
      );
    } else if (names.has(name)) {
      problems.push(`${at}.name ${name} is used twice`);
    }
    names.add(name);
    if (!managementCluster) {
      problems.push(`${at}.managementCluster must name a management cluster`);
    }
    if (
      namespace !== undefined &&
      (!DNS_LABEL.test(namespace) || namespace.length > 63)
    ) {
      problems.push(`${at}.namespace must be a namespace name`);
    }
    consume.push({
      name,
      managementCluster,
      ...(namespace ? { namespace } : {}),
    });
  });
  if (problems.length > 0) throw new InputError(problems.join('; '));
  return { clusterManager, publish, consume };
}
