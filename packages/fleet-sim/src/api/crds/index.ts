/**
 * The simulator's own CustomResourceDefinitions: the structural schema of every Cluster API
 * kind it serves (storage version), and the CRD objects the management clusters serve under
 * `apiextensions.k8s.io/v1`. The other served versions are converted from and to the storage
 * version and keep spec and status as given.
 */
import type { ResourceType } from '../registry';
import { JsonObject } from '../../util/json';
import {
  CLUSTER,
  CLUSTER_CLASS,
  MACHINE,
  MACHINE_DEPLOYMENT,
  MACHINE_HEALTH_CHECK,
  MACHINE_POOL,
  MACHINE_SET,
} from './capi';
import {
  DEV_CLUSTER,
  DEV_CLUSTER_TEMPLATE,
  DEV_MACHINE,
  DEV_MACHINE_TEMPLATE,
  DOCKER_CLUSTER,
  DOCKER_CLUSTER_TEMPLATE,
  DOCKER_MACHINE_TEMPLATE,
} from './dev';
import {
  KUBEADM_CONFIG,
  KUBEADM_CONFIG_TEMPLATE,
  KUBEADM_CONTROL_PLANE,
  KUBEADM_CONTROL_PLANE_TEMPLATE,
} from './kubeadm';
import { freeObject, obj } from './dsl';
import { INVENTORY_CLUSTER_PROFILE } from './inventory';

/** Storage schemas by `group/kind` (of version `v1beta2` unless {@link STORAGE_VERSIONS} says otherwise). */
const STORAGE_SCHEMAS: Record<string, JsonObject> = {
  'cluster.x-k8s.io/Cluster': CLUSTER,
  'cluster.x-k8s.io/ClusterClass': CLUSTER_CLASS,
  'cluster.x-k8s.io/MachineDeployment': MACHINE_DEPLOYMENT,
  'cluster.x-k8s.io/MachineSet': MACHINE_SET,
  'cluster.x-k8s.io/Machine': MACHINE,
  'cluster.x-k8s.io/MachinePool': MACHINE_POOL,
  'cluster.x-k8s.io/MachineHealthCheck': MACHINE_HEALTH_CHECK,
  'controlplane.cluster.x-k8s.io/KubeadmControlPlane': KUBEADM_CONTROL_PLANE,
  'controlplane.cluster.x-k8s.io/KubeadmControlPlaneTemplate':
    KUBEADM_CONTROL_PLANE_TEMPLATE,
  'bootstrap.cluster.x-k8s.io/KubeadmConfig': KUBEADM_CONFIG,
  'bootstrap.cluster.x-k8s.io/KubeadmConfigTemplate': KUBEADM_CONFIG_TEMPLATE,
  'infrastructure.cluster.x-k8s.io/DevCluster': DEV_CLUSTER,
  'infrastructure.cluster.x-k8s.io/DevClusterTemplate': DEV_CLUSTER_TEMPLATE,
  'infrastructure.cluster.x-k8s.io/DevMachine': DEV_MACHINE,
  'infrastructure.cluster.x-k8s.io/DevMachineTemplate': DEV_MACHINE_TEMPLATE,
  'infrastructure.cluster.x-k8s.io/DockerCluster': DOCKER_CLUSTER,
  'infrastructure.cluster.x-k8s.io/DockerClusterTemplate':
    DOCKER_CLUSTER_TEMPLATE,
  'infrastructure.cluster.x-k8s.io/DockerMachineTemplate':
    DOCKER_MACHINE_TEMPLATE,
  // the cluster inventory API (KEP-4322), not a Cluster API kind
  'multicluster.x-k8s.io/ClusterProfile': INVENTORY_CLUSTER_PROFILE,
};

/** The described version of the kinds whose storage version is not `v1beta2`. */
const STORAGE_VERSIONS: Record<string, string> = {
  'multicluster.x-k8s.io/ClusterProfile': 'v1alpha1',
};

/** The schema of a version whose content the simulator does not describe: spec and status as given. */
export const PERMISSIVE_SCHEMA: JsonObject = obj({
  apiVersion: { type: 'string' },
  kind: { type: 'string' },
  metadata: { type: 'object' },
  spec: freeObject(),
  status: freeObject(),
});

/**
 * The built-in schema of a custom kind's version: the described one for the storage version of the
 * kinds above, undefined otherwise (the caller falls back to a permissive one).
 */
export function builtinSchema(
  group: string,
  kind: string,
  version: string,
): JsonObject | undefined {
  const id = `${group}/${kind}`;
  if (version !== (STORAGE_VERSIONS[id] ?? 'v1beta2')) return undefined;
  return STORAGE_SCHEMAS[id];
}

/** Whether the simulator describes the storage schema of `group/kind` itself. */
export function hasBuiltinSchema(group: string, kind: string): boolean {
  return `${group}/${kind}` in STORAGE_SCHEMAS;
}

/** The CustomResourceDefinition object (`apiextensions.k8s.io/v1`) of a custom resource type. */
export function customResourceDefinition(t: ResourceType): JsonObject {
  const subresources = (): JsonObject => {
    const sub: JsonObject = {};
    if (t.scale) {
      sub.scale = {
        specReplicasPath: t.scale.specReplicasPath,
        statusReplicasPath: t.scale.statusReplicasPath,
        ...(t.scale.labelSelectorPath
          ? { labelSelectorPath: t.scale.labelSelectorPath }
          : {}),
      };
    }
    if (t.status) sub.status = {};
    return sub;
  };
  const names: JsonObject = {
    kind: t.kind,
    listKind: t.listKind,
    plural: t.plural,
    singular: t.singular,
  };
  if (t.shortNames.length) names.shortNames = t.shortNames;
  if (t.categories.length) names.categories = t.categories;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${t.plural}.${t.group}`,
      // the Cluster API contract each served version implements
      labels: Object.fromEntries(
        t.versions
          .filter(v => v.served)
          .map(v => [`cluster.x-k8s.io/${v.name}`, v.name]),
      ),
    },
    spec: {
      group: t.group,
      names,
      scope: t.namespaced ? 'Namespaced' : 'Cluster',
      versions: t.versions.map(v => {
        const version: JsonObject = {
          name: v.name,
          served: v.served,
          storage: v.storage,
          schema: { openAPIV3Schema: v.schema ?? PERMISSIVE_SCHEMA },
          subresources: subresources(),
        };
        if (v.deprecated) version.deprecated = true;
        if (v.columns?.length) {
          version.additionalPrinterColumns = v.columns.map(c => ({
            name: c.name,
            type: c.type,
            jsonPath: c.jsonPath,
            ...(c.description ? { description: c.description } : {}),
            ...(c.priority ? { priority: c.priority } : {}),
            ...(c.format ? { format: c.format } : {}),
          }));
        }
        return version;
      }),
    },
    status: {
      acceptedNames: names,
      storedVersions: t.versions.filter(v => v.storage).map(v => v.name),
      conditions: [
        {
          type: 'Established',
          status: 'True',
          reason: 'InitialNamesAccepted',
          message: 'the initial names have been accepted',
          lastTransitionTime: '2026-01-01T00:00:00Z',
        },
      ],
    },
  };
}
