import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { compareKubernetesVersions } from '@shipyard/plugin-shipyard-common';

/** One layer of a cluster profile (OS, Kubernetes, CNI, CSI, add-on …). */
export interface ProfileLayer {
  kind: string;
  name: string;
  version?: string;
}

/** What the frontend needs from a `ClusterProfile` entity, read tolerantly from its spec. */
export interface ProfileModel {
  ref: string;
  name: string;
  title: string;
  description?: string;
  owner?: string;
  lifecycle?: string;
  /** Current profile version (semver). */
  version?: string;
  /** The current version is deprecated: it can no longer be requested. */
  deprecated: boolean;
  provider?: string;
  distribution?: string;
  clusterClass?: string;
  /** Namespace of the ClusterClass, when the profile names one. */
  clusterClassNamespace?: string;
  /** True for a profile the catalog generated from a ClusterClass (`shipyard.io/profile-source: cluster-class`). */
  generated: boolean;
  /** The default (current) Kubernetes version of the profile. */
  kubernetesVersion?: string;
  /** Every Kubernetes version the profile allows, newest first. */
  kubernetesVersions: string[];
  layers: ProfileLayer[];
  /** Group refs that may request the profile; empty means everyone. */
  allowedGroups: string[];
  managementClusters: string[];
  /** The management cluster clusters go to unless the request names one. */
  defaultManagementCluster?: string;
  /**
   * The provider (`k0smotron`, `kamaji`) of a control plane hosted as pods on the management cluster the cluster is
   * created on, when the profile's control plane is one.
   */
  hostedControlPlane?: string;
  sizes: string[];
  /** The sizes with their titles and replicas, in the profile's order. */
  sizeOptions: ProfileSize[];
  defaultSize?: string;
  /** The profile's values for ClusterClass variables. */
  variableDefaults: Record<string, unknown>;
}

/** One named size of a profile. */
export interface ProfileSize {
  name: string;
  title?: string;
  controlPlaneReplicas?: number;
  workerReplicas?: number;
  machineClass?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

function strings(value: unknown): string[] {
  if (Array.isArray(value)) {
    return value
      .map(v => (isRecord(v) ? str(v.version) ?? str(v.name) : str(v)))
      .filter((v): v is string => v !== undefined);
  }
  const single = str(value);
  return single ? [single] : [];
}

function normalizeGroupRef(ref: string): string {
  const lower = ref.toLocaleLowerCase('en-US');
  if (lower.includes(':'))
    return lower.includes('/') ? lower : lower.replace(':', ':default/');
  return lower.includes('/') ? `group:${lower}` : `group:default/${lower}`;
}

function readLayers(value: unknown): ProfileLayer[] {
  const layers: ProfileLayer[] = [];
  if (Array.isArray(value)) {
    for (const l of value) {
      if (!isRecord(l)) continue;
      const name = str(l.name);
      if (!name) continue;
      layers.push({
        kind: str(l.kind) ?? str(l.type) ?? str(l.layer) ?? 'layer',
        name,
        version: str(l.version),
      });
    }
  } else if (isRecord(value)) {
    for (const [kind, l] of Object.entries(value)) {
      if (Array.isArray(l)) {
        for (const item of readLayers(l)) {
          layers.push({
            ...item,
            kind: item.kind === 'layer' ? kind : item.kind,
          });
        }
      } else if (isRecord(l)) {
        const name = str(l.name);
        if (name) layers.push({ kind, name, version: str(l.version) });
      } else if (str(l)) {
        layers.push({ kind, name: String(l) });
      }
    }
  }
  return layers;
}

/** Reads a `ClusterProfile` entity. Unknown or missing fields are left out. */
export function readProfile(entity: Entity): ProfileModel {
  const spec = isRecord(entity.spec) ? entity.spec : {};
  const kubernetes = isRecord(spec.kubernetes) ? spec.kubernetes : {};
  const kubernetesVersion =
    str(kubernetes.default) ??
    str(spec.kubernetesVersion) ??
    str(kubernetes.version);
  const versions = new Set<string>([
    ...strings(spec.kubernetesVersions),
    ...strings(kubernetes.versions),
    ...strings(spec.allowedKubernetesVersions),
  ]);
  if (kubernetesVersion) versions.add(kubernetesVersion);
  const access = isRecord(spec.access) ? spec.access : {};
  const allowed = [
    ...strings(spec.allowedGroups),
    ...strings(access.groups),
    ...strings(spec.requesters),
  ].map(normalizeGroupRef);
  let sizes: string[] = [];
  const sizeOptions: ProfileSize[] = [];
  if (Array.isArray(spec.sizes)) sizes = strings(spec.sizes);
  else if (isRecord(spec.sizes)) {
    sizes = Object.keys(spec.sizes);
    for (const [name, value] of Object.entries(spec.sizes)) {
      const size = isRecord(value) ? value : {};
      const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
      sizeOptions.push({
        name,
        title: str(size.title),
        controlPlaneReplicas: num(size.controlPlaneReplicas),
        workerReplicas: num(size.workerReplicas),
        machineClass: str(size.machineClass),
      });
    }
  }
  const variables = isRecord(spec.variables) ? spec.variables : {};
  const clusterClass = isRecord(spec.clusterClass)
    ? str(spec.clusterClass.name)
    : str(spec.clusterClass) ?? str(spec.clusterClassRef);
  const clusterClassNamespace = isRecord(spec.clusterClass)
    ? str(spec.clusterClass.namespace)
    : undefined;
  return {
    ref: stringifyEntityRef(entity),
    name: entity.metadata.name,
    title: entity.metadata.title ?? entity.metadata.name,
    description: entity.metadata.description,
    owner: str(spec.owner),
    lifecycle: str(spec.lifecycle),
    version: str(spec.version) ?? str(spec.profileVersion),
    deprecated: spec.deprecated === true,
    provider: str(spec.provider),
    distribution: str(spec.distribution),
    clusterClass,
    ...(clusterClassNamespace ? { clusterClassNamespace } : {}),
    generated:
      entity.metadata.annotations?.['shipyard.io/profile-source'] ===
      'cluster-class',
    kubernetesVersion,
    kubernetesVersions: [...versions].sort(
      (a, b) =>
        compareKubernetesVersions(b, a) ||
        b.localeCompare(a, undefined, { numeric: true }),
    ),
    layers: readLayers(spec.layers),
    allowedGroups: [...new Set(allowed)],
    managementClusters: [
      ...strings(spec.managementClusters),
      ...strings(spec.managementCluster),
    ],
    defaultManagementCluster: str(spec.defaultManagementCluster),
    ...(isRecord(spec.hostedControlPlane) &&
    str(spec.hostedControlPlane.provider)
      ? { hostedControlPlane: str(spec.hostedControlPlane.provider) }
      : {}),
    sizes,
    sizeOptions,
    defaultSize: str(spec.defaultSize),
    variableDefaults: isRecord(variables.defaults) ? variables.defaults : {},
  };
}

/** True when a user with these ownership refs may request the profile. */
export function mayUseProfile(
  profile: ProfileModel,
  ownershipEntityRefs: string[],
): boolean {
  if (profile.allowedGroups.length === 0) return true;
  const mine = new Set(
    ownershipEntityRefs.map(r => r.toLocaleLowerCase('en-US')),
  );
  return profile.allowedGroups.some(g => mine.has(g));
}
