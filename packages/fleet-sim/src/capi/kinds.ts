/**
 * The kinds the simulator serves and the metadata every object carries: resource type ids, Cluster API labels,
 * finalizers, owner and contract references, object metadata and timestamps.
 */
import { KindRef } from './distributions';
import { JsonObject } from '../util/json';

/** Resource type ids (`<group or core>/<plural>`) of the kinds the simulation reads and writes. */
export const TYPE_IDS = {
  cluster: 'cluster.x-k8s.io/clusters',
  clusterClass: 'cluster.x-k8s.io/clusterclasses',
  machineDeployment: 'cluster.x-k8s.io/machinedeployments',
  machineSet: 'cluster.x-k8s.io/machinesets',
  machine: 'cluster.x-k8s.io/machines',
  machinePool: 'cluster.x-k8s.io/machinepools',
  machineHealthCheck: 'cluster.x-k8s.io/machinehealthchecks',
  secret: 'core/secrets',
  namespace: 'core/namespaces',
  node: 'core/nodes',
  pod: 'core/pods',
  event: 'core/events',
  configMap: 'core/configmaps',
} as const;

/** The resource type id of a kind (its plural as the registry names it). */
export function typeIdFor(ref: KindRef): string {
  const kind = ref.kind.toLowerCase();
  return `${ref.group}/${kind.endsWith('s') ? `${kind}es` : `${kind}s`}`;
}

export const LABELS = {
  clusterName: 'cluster.x-k8s.io/cluster-name',
  deploymentName: 'cluster.x-k8s.io/deployment-name',
  setName: 'cluster.x-k8s.io/set-name',
  poolName: 'cluster.x-k8s.io/pool-name',
  controlPlane: 'cluster.x-k8s.io/control-plane',
  controlPlaneName: 'cluster.x-k8s.io/control-plane-name',
  topologyOwned: 'topology.cluster.x-k8s.io/owned',
  topologyDeploymentName: 'topology.cluster.x-k8s.io/deployment-name',
  topologyPoolName: 'topology.cluster.x-k8s.io/pool-name',
  templateHash: 'machine-template-hash',
  owner: 'shipyard.io/owner',
  system: 'shipyard.io/system',
  lifecycle: 'shipyard.io/lifecycle',
  profile: 'shipyard.io/profile',
  profileVersion: 'shipyard.io/profile-version',
  environment: 'environment',
  region: 'topology.kubernetes.io/region',
  /** On the Cluster of a management cluster (one Shipyard watches): that management cluster's name. */
  isManagementCluster: 'shipyard.io/is-management-cluster',
} as const;

export const FINALIZERS = {
  cluster: 'cluster.cluster.x-k8s.io',
  machine: 'machine.cluster.x-k8s.io',
  machineSet: 'cluster.x-k8s.io/machineset',
  machineDeployment: 'cluster.x-k8s.io/machinedeployment',
  controlPlane: 'kubeadm.controlplane.cluster.x-k8s.io',
  machinePool: 'machinepool.cluster.x-k8s.io',
} as const;

/** Where the simulator keeps the address it assigned to a machine it created. */
export const IP_ANNOTATION = 'fleet-sim.shipyard.io/ip';

export const CAPI_VERSION = 'cluster.x-k8s.io/v1beta2';

const timestampCache = new Map<number, string>();

/** RFC 3339 with second precision, as Kubernetes serializes `metav1.Time`. */
export function ts(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  let text = timestampCache.get(seconds);
  if (text === undefined) {
    if (timestampCache.size > 50_000) timestampCache.clear();
    text = `${new Date(seconds * 1000).toISOString().slice(0, 19)}Z`;
    timestampCache.set(seconds, text);
  }
  return text;
}

export function apiVersion(ref: KindRef): string {
  return `${ref.group}/${ref.version}`;
}

export function contractRef(ref: KindRef, name: string): JsonObject {
  return { apiGroup: ref.group, kind: ref.kind, name };
}

export function ownerRef(
  apiVersionText: string,
  kind: string,
  name: string,
  uid: string,
  controller = true,
): JsonObject {
  const ref: JsonObject = { apiVersion: apiVersionText, kind, name, uid };
  if (controller) {
    ref.controller = true;
    ref.blockOwnerDeletion = true;
  }
  return ref;
}

export interface MetaInput {
  namespace: string;
  name: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  owners?: JsonObject[];
  finalizers?: string[];
  createdAt?: number;
  generation?: number;
}

export function objectMeta(m: MetaInput): JsonObject {
  const out: JsonObject = { name: m.name, namespace: m.namespace };
  if (m.uid) out.uid = m.uid;
  if (m.generation !== undefined) out.generation = m.generation;
  if (m.createdAt !== undefined) out.creationTimestamp = ts(m.createdAt);
  if (m.labels && Object.keys(m.labels).length) out.labels = { ...m.labels };
  if (m.annotations && Object.keys(m.annotations).length)
    out.annotations = { ...m.annotations };
  if (m.owners?.length) out.ownerReferences = m.owners;
  if (m.finalizers?.length) out.finalizers = [...m.finalizers];
  return out;
}

export function clusterOwner(
  name: string,
  uid: string,
  controller = true,
): JsonObject {
  return ownerRef(CAPI_VERSION, 'Cluster', name, uid, controller);
}
