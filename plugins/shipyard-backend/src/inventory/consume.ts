import {
  ClusterCondition,
  HealthReason,
  HealthStatus,
  INVENTORY_API_VERSION,
  INVENTORY_CONDITIONS,
  INVENTORY_EXEC_EXTENSION,
  INVENTORY_LABELS,
  INVENTORY_PROPERTIES,
} from '@shipyard/plugin-shipyard-common';
import type { KubeObject } from '@shipyard/plugin-shipyard-node/kube';
import { OwnershipResolver, normaliseRef } from '../config/ownership';
import { StoredClusterSummary } from '../index/FleetIndex';
import { kubernetesMinorOfDistribution } from '../reconcile/versions';

/*
 * What Shipyard reads from an inventory ClusterProfile (`multicluster.x-k8s.io/v1alpha1`) published by another
 * cluster manager: a cluster that Cluster API does not manage, as a summary of the fleet (`origin: inventory`).
 */

/** Where the kubeconfig of an inventory cluster is, when its access provider names a Secret. */
export interface InventorySecretRef {
  namespace: string;
  name: string;
  key: string;
}

/** Property names of other producers, read when Shipyard's own are absent (Open Cluster Management's claims). */
const FALLBACK_PROPERTIES: Record<string, string[]> = {
  [INVENTORY_PROPERTIES.distribution]: ['product.open-cluster-management.io'],
  [INVENTORY_PROPERTIES.provider]: ['platform.open-cluster-management.io'],
  [INVENTORY_PROPERTIES.region]: ['region.open-cluster-management.io'],
};

/** Product names of other producers → Shipyard's distribution names. */
const DISTRIBUTIONS: Record<string, string> = {
  eks: 'eks',
  aks: 'aks',
  gke: 'gke',
  openshift: 'openshift',
  rosa: 'openshift',
  aro: 'openshift',
  k3s: 'k3s',
  rke2: 'rke2',
  k0s: 'k0s',
  microk8s: 'microk8s',
  kubeadm: 'kubeadm',
  kubernetes: 'kubeadm',
};

/** Platform names of other producers → Shipyard's provider names. */
const PROVIDERS: Record<string, string> = {
  aws: 'aws',
  amazon: 'aws',
  azure: 'azure',
  gcp: 'gcp',
  google: 'gcp',
  vsphere: 'vsphere',
  openstack: 'openstack',
  baremetal: 'metal3',
  ibm: 'ibmcloud',
};

const MAX_TEXT = 1024;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0
    ? value.slice(0, MAX_TEXT)
    : undefined;
}

function propertiesOf(object: KubeObject): Map<string, string> {
  const out = new Map<string, string>();
  const list = object.status?.properties;
  if (!Array.isArray(list)) return out;
  for (const p of list) {
    const name = text(p?.name);
    const value = text(p?.value);
    if (name && value && !out.has(name)) out.set(name, value);
  }
  return out;
}

function property(
  properties: Map<string, string>,
  name: string,
): string | undefined {
  const own = properties.get(name);
  if (own) return own;
  for (const other of FALLBACK_PROPERTIES[name] ?? []) {
    const value = properties.get(other);
    if (value) return value;
  }
  return undefined;
}

function normalised(
  value: string | undefined,
  known: Record<string, string>,
): string | undefined {
  if (!value) return undefined;
  const lower = value.toLowerCase();
  return known[lower] ?? lower.replace(/[^a-z0-9.-]/g, '-');
}

function conditionsOf(object: KubeObject): ClusterCondition[] {
  const list = object.status?.conditions;
  if (!Array.isArray(list)) return [];
  const out: ClusterCondition[] = [];
  for (const c of list.slice(0, 32)) {
    const type = text(c?.type);
    const status = c?.status;
    if (!type || !['True', 'False', 'Unknown'].includes(status)) continue;
    const condition: ClusterCondition = { type, status };
    if (text(c.reason)) condition.reason = text(c.reason);
    if (text(c.message)) condition.message = text(c.message);
    if (text(c.lastTransitionTime))
      condition.lastTransitionTime = text(c.lastTransitionTime);
    out.push(condition);
  }
  return out;
}

/** Whether an inventory object was published by the cluster manager `clusterManager` (Shipyard itself). */
export function isPublishedBy(
  object: KubeObject,
  clusterManager: string,
): boolean {
  return (
    object.metadata.labels?.[INVENTORY_LABELS.clusterManager] ===
      clusterManager || object.spec?.clusterManager?.name === clusterManager
  );
}

/** The access providers of an object (`accessProviders`, or the older `credentialProviders`). */
function accessProvidersOf(object: KubeObject): any[] {
  const status = object.status ?? {};
  if (Array.isArray(status.accessProviders)) return status.accessProviders;
  if (Array.isArray(status.credentialProviders))
    return status.credentialProviders;
  return [];
}

/** The health of an inventory cluster from its producer's conditions (`ControlPlaneHealthy`, `Joined`). */
function healthOf(conditions: ClusterCondition[]): {
  status: HealthStatus;
  reasons: HealthReason[];
} {
  const reasonOf = (
    c: ClusterCondition,
    severity: HealthReason['severity'],
  ): HealthReason => ({
    source: 'inventory',
    severity,
    type: c.reason ? `${c.type}/${c.reason}` : c.type,
    message: c.message ?? `${c.type} is ${c.status}`,
    ...(c.lastTransitionTime ? { since: c.lastTransitionTime } : {}),
  });
  const joined = conditions.find(c => c.type === INVENTORY_CONDITIONS.joined);
  const healthy = conditions.find(
    c => c.type === INVENTORY_CONDITIONS.controlPlaneHealthy,
  );
  if (joined?.status === 'False' && healthy?.status !== 'True') {
    return { status: 'provisioning', reasons: [reasonOf(joined, 'info')] };
  }
  if (!healthy) {
    return {
      status: 'unknown',
      reasons: [
        {
          source: 'inventory',
          severity: 'warning',
          type: 'NoConditions',
          message: `The inventory ClusterProfile has no ${INVENTORY_CONDITIONS.controlPlaneHealthy} condition`,
        },
      ],
    };
  }
  if (healthy.status === 'True') return { status: 'healthy', reasons: [] };
  if (healthy.status === 'False')
    return { status: 'unhealthy', reasons: [reasonOf(healthy, 'error')] };
  return { status: 'unknown', reasons: [reasonOf(healthy, 'warning')] };
}

/**
 * The summary of a cluster known from another cluster manager's inventory ClusterProfile, keyed
 * `<source>/<namespace>/<name>`; its kubeconfig Secret reference when its access provider names one (the
 * `client.authentication.k8s.io/exec` extension with a Secret `name` and `key`). Undefined for an object without a
 * name.
 */
export function inventoryClusterSummary(
  object: KubeObject,
  options: {
    source: string;
    /** The management cluster whose API holds the object. */
    managementCluster: string;
    ownership: OwnershipResolver;
  },
):
  | { summary: StoredClusterSummary; secretRef?: InventorySecretRef }
  | undefined {
  const name = text(object.metadata?.name);
  const namespace = text(object.metadata?.namespace) ?? 'default';
  if (!name) return undefined;
  const labels = { ...(object.metadata.labels ?? {}) };
  const annotations = object.metadata.annotations ?? {};
  const properties = propertiesOf(object);
  const ownership = options.ownership.resolve(
    options.source,
    namespace,
    labels,
    annotations,
  );
  const ownerProperty = property(properties, INVENTORY_PROPERTIES.owner);
  const owner = ownerProperty
    ? normaliseRef(ownerProperty, 'group')
    : ownership.owner;
  const distribution = normalised(
    property(properties, INVENTORY_PROPERTIES.distribution),
    DISTRIBUTIONS,
  );
  const provider = normalised(
    property(properties, INVENTORY_PROPERTIES.provider),
    PROVIDERS,
  );
  const region = property(properties, INVENTORY_PROPERTIES.region);
  if (region && !labels[INVENTORY_PROPERTIES.region])
    labels[INVENTORY_PROPERTIES.region] = region;
  const version = text(object.status?.version?.kubernetes);
  const conditions = conditionsOf(object);
  const health = healthOf(conditions);
  const joined = conditions.find(c => c.type === INVENTORY_CONDITIONS.joined);
  const providers = accessProvidersOf(object);
  const server = providers
    .map(p => text(p?.cluster?.server))
    .find(s => s && /^https?:\/\//.test(s));
  let secretRef: InventorySecretRef | undefined;
  for (const p of providers) {
    const extensions = Array.isArray(p?.cluster?.extensions)
      ? p.cluster.extensions
      : [];
    const exec = extensions.find(
      (e: any) => e?.name === INVENTORY_EXEC_EXTENSION,
    )?.extension;
    const secretName = text(exec?.name);
    const key = text(exec?.key);
    if (secretName && key) {
      secretRef = {
        namespace: text(exec?.namespace) ?? namespace,
        name: secretName,
        key,
      };
      break;
    }
  }
  const summary: StoredClusterSummary = {
    managementCluster: options.source,
    namespace,
    name,
    uid: text(object.metadata.uid) ?? '',
    title: text(object.spec?.displayName) ?? name,
    owner,
    ...(ownership.system ? { system: ownership.system } : {}),
    ...(ownership.lifecycle ? { lifecycle: ownership.lifecycle } : {}),
    ...(provider ? { provider } : {}),
    ...(distribution ? { distribution } : {}),
    ...(version
      ? {
          kubernetesVersion: version,
          observedKubernetesVersion: version,
          kubernetesMinor: kubernetesMinorOfDistribution(distribution, version),
        }
      : {}),
    phase: joined?.status === 'False' ? 'Pending' : 'Provisioned',
    health: health.status,
    healthReasons: health.reasons,
    conditions,
    controlPlane: {},
    workers: {},
    machineDeployments: [],
    machinePools: [],
    machinesByPhase: {},
    machineCount: 0,
    ...(server ? { apiServerUrl: server } : {}),
    ...(text(object.metadata.creationTimestamp)
      ? { createdAt: text(object.metadata.creationTimestamp) }
      : {}),
    ...(object.metadata.deletionTimestamp
      ? { deletingSince: text(object.metadata.deletionTimestamp) }
      : {}),
    labels,
    lastChangedAt: new Date().toISOString(),
    apiVersion: INVENTORY_API_VERSION,
    origin: 'inventory',
    inventory: {
      source: options.source,
      managementCluster: options.managementCluster,
      clusterManager:
        text(object.spec?.clusterManager?.name) ??
        labels[INVENTORY_LABELS.clusterManager] ??
        'unknown',
      accessProviders: providers
        .map(p => text(p?.name))
        .filter((n): n is string => Boolean(n)),
    },
  };
  return { summary, secretRef };
}
