import {
  ClusterSummary,
  HealthStatus,
  INVENTORY_ANNOTATIONS,
  INVENTORY_API_VERSION,
  INVENTORY_CLUSTER_PROFILE_RESOURCE,
  INVENTORY_CONDITIONS,
  INVENTORY_EXEC_EXTENSION,
  INVENTORY_LABELS,
  INVENTORY_PROPERTIES,
  kubeconfigSecretName,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import { clusterEntityName } from '@shipyard/plugin-shipyard-node';

/*
 * What Shipyard publishes for one Cluster API cluster: an inventory ClusterProfile (`multicluster.x-k8s.io/v1alpha1`),
 * as plain data derived from the cluster's summary alone. Condition times are not part of it: the publisher keeps
 * the time of the last transition of each condition.
 */

/** A condition of an inventory object, without its transition time. */
export interface InventoryCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

/** The inventory ClusterProfile of one cluster, without condition times. */
export interface InventoryProjection {
  /** Object name: the cluster's catalog entity name (a DNS label, unique across the fleet). */
  name: string;
  /** The fleet key of the cluster. */
  key: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: { displayName: string; clusterManager: { name: string } };
  status: {
    conditions: InventoryCondition[];
    version?: { kubernetes: string };
    properties: Array<{ name: string; value: string }>;
    accessProviders?: Array<{
      name: string;
      cluster: {
        server: string;
        extensions: Array<{ name: string; extension: Record<string, string> }>;
      };
    }>;
  };
}

/** Options of {@link projectInventory}. */
export interface ProjectionOptions {
  clusterManager: string;
  accessProvider: string;
}

const MAX_MESSAGE = 1024;
const MAX_PROPERTY_VALUE = 1024;

const REASON_OF: Record<HealthStatus, string> = {
  healthy: 'Healthy',
  progressing: 'Progressing',
  degraded: 'Degraded',
  unhealthy: 'Unhealthy',
  unknown: 'Unknown',
  provisioning: 'Provisioning',
  deleting: 'Deleting',
};

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function healthMessage(summary: ClusterSummary): string {
  const reasons = summary.healthReasons
    .filter(r => r.severity !== 'info')
    .map(r => `${r.type}: ${r.message}`);
  return clip(
    reasons.length > 0
      ? reasons.join('; ')
      : `Shipyard reports the cluster ${summary.health}`,
    MAX_MESSAGE,
  );
}

/** `ControlPlaneHealthy`: the control plane serves (healthy, progressing or degraded elsewhere). */
function controlPlaneHealthy(summary: ClusterSummary): InventoryCondition {
  const { health } = summary;
  let status: InventoryCondition['status'];
  if (health === 'healthy' || health === 'progressing' || health === 'degraded')
    status = 'True';
  else if (health === 'unknown') status = 'Unknown';
  else status = 'False';
  return {
    type: INVENTORY_CONDITIONS.controlPlaneHealthy,
    status,
    reason: REASON_OF[health],
    message: healthMessage(summary),
  };
}

/** `Joined`: Cluster API has provisioned the cluster and it is not being deleted. */
function joined(summary: ClusterSummary): InventoryCondition {
  const condition = (
    status: InventoryCondition['status'],
    reason: string,
    message: string,
  ): InventoryCondition => ({
    type: INVENTORY_CONDITIONS.joined,
    status,
    reason,
    message,
  });
  if (summary.health === 'deleting' || summary.deletingSince) {
    return condition(
      'False',
      'Deleting',
      'Cluster API is deleting the cluster',
    );
  }
  if (summary.phase === 'Failed') {
    return condition(
      'False',
      'Failed',
      'Cluster API reports the cluster failed',
    );
  }
  if (
    summary.health === 'provisioning' ||
    summary.phase === 'Pending' ||
    summary.phase === 'Provisioning'
  ) {
    return condition(
      'False',
      'Provisioning',
      `Cluster API is provisioning the cluster (phase ${
        summary.phase || 'unknown'
      })`,
    );
  }
  if (summary.phase === 'Provisioned' || summary.apiServerUrl) {
    return condition(
      'True',
      'Provisioned',
      'Cluster API provisioned the cluster',
    );
  }
  return condition(
    'Unknown',
    'Unknown',
    `Cluster API reports phase ${summary.phase || 'unknown'}`,
  );
}

/** The inventory ClusterProfile of a Cluster API cluster. */
export function projectInventory(
  summary: ClusterSummary,
  options: ProjectionOptions,
): InventoryProjection {
  const key = stringifyClusterKey(summary);
  const properties: Array<{ name: string; value: string }> = [];
  const add = (name: string, value: string | undefined) => {
    if (value)
      properties.push({ name, value: clip(value, MAX_PROPERTY_VALUE) });
  };
  add(INVENTORY_PROPERTIES.clusterId, summary.uid);
  add(INVENTORY_PROPERTIES.region, summary.labels[INVENTORY_PROPERTIES.region]);
  add(INVENTORY_PROPERTIES.distribution, summary.distribution);
  add(INVENTORY_PROPERTIES.provider, summary.provider);
  add(INVENTORY_PROPERTIES.owner, summary.owner);
  add(INVENTORY_PROPERTIES.lifecycle, summary.lifecycle);
  add(INVENTORY_PROPERTIES.profile, summary.profile);
  add(INVENTORY_PROPERTIES.managementCluster, summary.managementCluster);
  const version =
    summary.observedKubernetesVersion ?? summary.kubernetesVersion;
  const projection: InventoryProjection = {
    name: clusterEntityName(summary),
    key,
    labels: {
      [INVENTORY_LABELS.clusterManager]: options.clusterManager,
      [INVENTORY_LABELS.managementCluster]: summary.managementCluster,
    },
    annotations: { [INVENTORY_ANNOTATIONS.cluster]: key },
    spec: {
      displayName: summary.title,
      clusterManager: { name: options.clusterManager },
    },
    status: {
      conditions: [controlPlaneHealthy(summary), joined(summary)],
      ...(version ? { version: { kubernetes: version } } : {}),
      properties,
    },
  };
  if (summary.apiServerUrl) {
    // the credential plugin reads the Cluster API kubeconfig Secret; no credential is written here
    projection.status.accessProviders = [
      {
        name: options.accessProvider,
        cluster: {
          server: summary.apiServerUrl,
          extensions: [
            {
              name: INVENTORY_EXEC_EXTENSION,
              extension: {
                name: kubeconfigSecretName(summary.name),
                namespace: summary.namespace,
                key: 'value',
              },
            },
          ],
        },
      },
    ];
  }
  return projection;
}

/** Compares what matters of two projections (or of a projection and a listed object read by {@link readPublished}). */
export function projectionText(p: InventoryProjection): string {
  return JSON.stringify([p.labels, p.annotations, p.spec, p.status]);
}

/**
 * What an inventory object on the server holds of a projection's content (the labels and annotations Shipyard
 * sets, spec, status without times), so that it can be compared with {@link projectionText}; undefined when the
 * object was not published by Shipyard as `clusterManager`.
 */
export function readPublished(
  object: {
    metadata: {
      name: string;
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
    };
    spec?: any;
    status?: any;
  },
  clusterManager: string,
):
  | {
      projection: InventoryProjection;
      transitions: Map<string, { status: string; at: string }>;
    }
  | undefined {
  const labels = object.metadata.labels ?? {};
  const annotations = object.metadata.annotations ?? {};
  const key = annotations[INVENTORY_ANNOTATIONS.cluster];
  if (
    labels[INVENTORY_LABELS.clusterManager] !== clusterManager ||
    object.spec?.clusterManager?.name !== clusterManager ||
    !key
  ) {
    return undefined;
  }
  const status = object.status ?? {};
  const transitions = new Map<string, { status: string; at: string }>();
  const conditions: InventoryCondition[] = [];
  for (const c of Array.isArray(status.conditions) ? status.conditions : []) {
    conditions.push({
      type: String(c.type),
      status: c.status,
      reason: String(c.reason ?? ''),
      message: String(c.message ?? ''),
    });
    if (c.lastTransitionTime)
      transitions.set(String(c.type), {
        status: String(c.status),
        at: String(c.lastTransitionTime),
      });
  }
  const projection: InventoryProjection = {
    name: object.metadata.name,
    key,
    labels: {
      [INVENTORY_LABELS.clusterManager]:
        labels[INVENTORY_LABELS.clusterManager],
      [INVENTORY_LABELS.managementCluster]:
        labels[INVENTORY_LABELS.managementCluster] ?? '',
    },
    annotations: { [INVENTORY_ANNOTATIONS.cluster]: key },
    spec: {
      displayName: String(object.spec?.displayName ?? ''),
      clusterManager: { name: clusterManager },
    },
    status: {
      conditions,
      ...(status.version?.kubernetes
        ? { version: { kubernetes: String(status.version.kubernetes) } }
        : {}),
      properties: (Array.isArray(status.properties)
        ? status.properties
        : []
      ).map((p: any) => ({ name: String(p.name), value: String(p.value) })),
      ...(Array.isArray(status.accessProviders)
        ? {
            accessProviders: status.accessProviders.map((a: any) => ({
              name: String(a.name),
              cluster: {
                server: String(a.cluster?.server ?? ''),
                extensions: (Array.isArray(a.cluster?.extensions)
                  ? a.cluster.extensions
                  : []
                ).map((e: any) => ({
                  name: String(e.name),
                  extension: {
                    name: String(e.extension?.name ?? ''),
                    namespace: String(e.extension?.namespace ?? ''),
                    key: String(e.extension?.key ?? ''),
                  },
                })),
              },
            })),
          }
        : {}),
    },
  };
  return { projection, transitions };
}

/** The object to apply (metadata and spec; the status goes to the status subresource). */
export function inventoryObject(p: InventoryProjection, namespace: string) {
  return {
    apiVersion: INVENTORY_API_VERSION,
    kind: INVENTORY_CLUSTER_PROFILE_RESOURCE.kind,
    metadata: {
      name: p.name,
      namespace,
      labels: p.labels,
      annotations: p.annotations,
    },
    spec: p.spec,
  };
}

/** The status to apply, with the transition time of each condition. */
export function inventoryStatus(
  p: InventoryProjection,
  namespace: string,
  transitionTime: (condition: InventoryCondition) => string,
) {
  return {
    apiVersion: INVENTORY_API_VERSION,
    kind: INVENTORY_CLUSTER_PROFILE_RESOURCE.kind,
    metadata: { name: p.name, namespace },
    status: {
      ...p.status,
      conditions: p.status.conditions.map(c => ({
        ...c,
        lastTransitionTime: transitionTime(c),
      })),
    },
  };
}
