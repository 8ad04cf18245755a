/*
 * The Cluster API vocabulary Shipyard reads and writes: API groups and versions, the kinds it lists and watches,
 * the labels CAPI sets on every child object, and the polarity of conditions.
 */

/** The Cluster API group. */
export const CAPI_GROUP = 'cluster.x-k8s.io';

/** The CAPI versions Shipyard reads, preferred first: `v1beta2` (storage version since CAPI v1.11), then `v1beta1`. */
export const CAPI_VERSIONS = ['v1beta2', 'v1beta1'] as const;

/** A CAPI version Shipyard reads. */
export type CapiVersion = (typeof CAPI_VERSIONS)[number];

/** The CAPI version Shipyard writes. */
export const CAPI_VERSION: CapiVersion = 'v1beta2';

/** `cluster.x-k8s.io/v1beta2` (or the given version). */
export function capiApiVersion(version: string = CAPI_VERSION): string {
  return `${CAPI_GROUP}/${version}`;
}

/** The preferred CAPI version among those a server offers, if any. */
export function preferredCapiVersion(
  versions: readonly string[],
): CapiVersion | undefined {
  return CAPI_VERSIONS.find(v => versions.includes(v));
}

/** Whether an API group is a CAPI control plane provider's (`controlplane.cluster.x-k8s.io`, …). */
export function isCapiControlPlaneGroup(group: string): boolean {
  return group.startsWith('controlplane.') && group.endsWith(CAPI_GROUP);
}

/** A Kubernetes resource type: where its objects live in the API. */
export interface KubeResourceType {
  /** API group (`''` for the core group). */
  group: string;
  version: string;
  kind: string;
  /** Resource name in paths (`clusters`). */
  plural: string;
  namespaced: boolean;
}

/** The CAPI kinds of the `cluster.x-k8s.io` group that Shipyard reads, with their resource names. */
export const CAPI_KINDS = {
  Cluster: 'clusters',
  ClusterClass: 'clusterclasses',
  MachineDeployment: 'machinedeployments',
  MachineSet: 'machinesets',
  Machine: 'machines',
  MachinePool: 'machinepools',
  MachineHealthCheck: 'machinehealthchecks',
} as const;

/** A kind of {@link CAPI_KINDS}. */
export type CapiKind = keyof typeof CAPI_KINDS;

/** The resource type of a CAPI kind at a version (default {@link CAPI_VERSION}). */
export function capiResource(
  kind: CapiKind,
  version: string = CAPI_VERSION,
): KubeResourceType {
  return {
    group: CAPI_GROUP,
    version,
    kind,
    plural: CAPI_KINDS[kind],
    namespaced: true,
  };
}

/** Core resource types Shipyard reads or writes on management clusters. */
export const CORE_RESOURCES = {
  Namespace: {
    group: '',
    version: 'v1',
    kind: 'Namespace',
    plural: 'namespaces',
    namespaced: false,
  },
  Secret: {
    group: '',
    version: 'v1',
    kind: 'Secret',
    plural: 'secrets',
    namespaced: true,
  },
} as const satisfies Record<string, KubeResourceType>;

/**
 * The API path of a resource type's collection (across namespaces, or in `namespace`), or of one object when
 * `name` is given: `/apis/cluster.x-k8s.io/v1beta2/namespaces/team-a/clusters/dev`.
 */
export function resourcePath(
  type: Pick<KubeResourceType, 'group' | 'version' | 'plural'>,
  options: { namespace?: string; name?: string } = {},
): string {
  const base = type.group
    ? `/apis/${type.group}/${type.version}`
    : `/api/${type.version}`;
  const namespace =
    options.namespace !== undefined
      ? `/namespaces/${encodeURIComponent(options.namespace)}`
      : '';
  const name =
    options.name !== undefined ? `/${encodeURIComponent(options.name)}` : '';
  return `${base}${namespace}/${type.plural}${name}`;
}

/** Labels that Cluster API sets. */
export const CAPI_LABELS = {
  /** The cluster an object belongs to (every child object, and the `<cluster>-kubeconfig` Secret). */
  clusterName: `${CAPI_GROUP}/cluster-name`,
  /** Set (empty) on control plane Machines. */
  controlPlane: `${CAPI_GROUP}/control-plane`,
  /** The MachineDeployment of a MachineSet or Machine. */
  deploymentName: `${CAPI_GROUP}/deployment-name`,
  /** The topology name of a MachineDeployment (`md-0`). */
  topologyDeploymentName: `topology.${CAPI_GROUP}/deployment-name`,
} as const;

/** Whether a label or annotation key belongs to Cluster API (`cluster.x-k8s.io/…`). */
export function isCapiKey(key: string): boolean {
  return key.startsWith(`${CAPI_GROUP}/`);
}

/** The name of the Secret that holds a workload cluster's kubeconfig (`<cluster>-kubeconfig`, key `value`). */
export function kubeconfigSecretName(clusterName: string): string {
  return `${clusterName}-kubeconfig`;
}

/**
 * Conditions whose `True` means something is going on rather than all is well (`Deleting`, `Paused`, `RollingOut`,
 * `ScalingUp`, `ScalingDown`, `Stalled`, `…Remediating`): for them `False` is the good state.
 */
const NEGATIVE_POLARITY = new Set([
  'Deleting',
  'Paused',
  'RollingOut',
  'ScalingUp',
  'ScalingDown',
  'Stalled',
]);

/** Whether a condition type has negative polarity: `True` is the state to look at, `False` the normal one. */
export function hasNegativePolarity(type: string): boolean {
  return NEGATIVE_POLARITY.has(type) || type.endsWith('Remediating');
}

/** Whether a condition is in its good state (`True`, or `False` for negative polarity). */
export function conditionIsGood(condition: {
  type: string;
  status: string;
}): boolean {
  return hasNegativePolarity(condition.type)
    ? condition.status === 'False'
    : condition.status === 'True';
}
