import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
  stringifyLocationRef,
} from '@backstage/catalog-model';
import {
  ANNOTATION_CLUSTER_CLASS,
  ANNOTATION_MANAGEMENT_CLUSTER,
  ANNOTATION_PROFILE_SOURCE,
  CLUSTER_PROFILE_API_VERSION,
  CLUSTER_PROFILE_KIND,
  ClusterClassSummary,
  LABEL_PROFILE_VERSION,
  clusterVariablesFormSchema,
  ClusterProfileSize,
  ClusterProfileSpec,
  ProfileJsonValue,
  SHIPYARD_LOCATION_TYPE,
  kubernetesMinorOf,
} from '@shipyard/plugin-shipyard-common';
import { ShipyardCatalogConfig } from '../config';
import { generatedProfileEntityName, toTag } from './naming';

type JsonSchema = { [key: string]: ProfileJsonValue };

/** Entity ref of the profile generated from a ClusterClass. */
export function generatedProfileEntityRef(
  config: ShipyardCatalogConfig,
  managementCluster: string,
  namespace: string,
  clusterClass: string,
): string {
  return `clusterprofile:${config.entityNamespace}/${generatedProfileEntityName(
    managementCluster,
    namespace,
    clusterClass,
  )}`;
}

/**
 * The request form of a ClusterClass: an object schema with one property per variable, `required` as the class
 * declares it (the form builder of -common that the request form uses too).
 */
export function variablesFormSchema(cc: ClusterClassSummary): JsonSchema {
  return clusterVariablesFormSchema(cc.variables);
}

/** Variable defaults: the `default` of each variable's schema, when it declares one. */
export function variableDefaults(cc: ClusterClassSummary): {
  [name: string]: ProfileJsonValue;
} {
  const defaults: { [name: string]: ProfileJsonValue } = {};
  for (const v of cc.variables) {
    const d = v.schema.default;
    if (d !== undefined) defaults[v.name] = d;
  }
  return defaults;
}

function sizesFor(
  cc: ClusterClassSummary,
  sizes: Record<string, ClusterProfileSize>,
): Record<string, ClusterProfileSize> {
  const machineClass =
    cc.machineDeploymentClasses[0] ?? cc.machinePoolClasses[0];
  const out: Record<string, ClusterProfileSize> = {};
  for (const [name, size] of Object.entries(sizes)) {
    out[name] = {
      ...size,
      ...(size.machineClass || !machineClass ? {} : { machineClass }),
    };
  }
  return out;
}

function sortVersionsDescending(versions: string[]): string[] {
  const key = (v: string) =>
    (v.replace(/^v/, '').match(/\d+/g) ?? []).map(Number);
  return [...versions].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < Math.max(ka.length, kb.length); i++) {
      const d = (kb[i] ?? 0) - (ka[i] ?? 0);
      if (d !== 0) return d;
    }
    return a.localeCompare(b);
  });
}

const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

/** The profile version a ClusterClass declares (label `shipyard.io/profile-version`), when it is semver. */
function declaredVersion(cc: ClusterClassSummary): string | undefined {
  const v = cc.labels?.[LABEL_PROFILE_VERSION];
  return v && SEMVER.test(v) ? v : undefined;
}

/**
 * The `ClusterProfile` generated from a ClusterClass found on a management cluster. Its variables schema becomes
 * the request form; its version is the one the class declares (label `shipyard.io/profile-version`, else from its
 * generation); owner, lifecycle, sizes and allowed groups come from configuration. Titles name the class, its
 * namespace and management cluster, so that same-named classes tell apart.
 */
export function buildGeneratedProfileEntity(
  cc: ClusterClassSummary,
  config: ShipyardCatalogConfig,
): Entity {
  const p = config.profiles;
  const versions = sortVersionsDescending(
    cc.kubernetesVersions && cc.kubernetesVersions.length
      ? cc.kubernetesVersions
      : p.kubernetesVersions,
  );
  const sizes = sizesFor(cc, p.sizes);
  const defaultSize = Object.keys(sizes)[0];
  const spec: ClusterProfileSpec = {
    owner: p.owner,
    lifecycle: p.lifecycle,
    version: declaredVersion(cc) ?? `1.${cc.generation ?? 0}.0`,
    managementClusters: [cc.managementCluster],
    defaultManagementCluster: cc.managementCluster,
    clusterClass: { name: cc.name, namespace: cc.namespace },
    provider: cc.provider ?? 'unknown',
    distribution: cc.distribution ?? 'unknown',
    kubernetes: { versions, default: versions[0] },
    layers: {
      kubernetes: {
        name: cc.distribution ?? 'kubernetes',
        version: kubernetesMinorOf(versions[0]) ?? versions[0],
      },
    },
    variables: {
      defaults: variableDefaults(cc),
      schema: variablesFormSchema(cc),
    },
    sizes,
    ...(defaultSize ? { defaultSize } : {}),
    allowedGroups: p.allowedGroups,
  };
  const ref = stringifyLocationRef({
    type: SHIPYARD_LOCATION_TYPE,
    target: `cluster-classes/${cc.managementCluster}/${cc.namespace}/${cc.name}`,
  });
  const tags = [
    ...new Set(
      [cc.provider, cc.distribution, 'generated']
        .filter((t): t is string => !!t)
        .map(toTag)
        .filter((t): t is string => !!t),
    ),
  ];
  return {
    apiVersion: CLUSTER_PROFILE_API_VERSION,
    kind: CLUSTER_PROFILE_KIND,
    metadata: {
      name: generatedProfileEntityName(
        cc.managementCluster,
        cc.namespace,
        cc.name,
      ),
      namespace: config.entityNamespace,
      title: `${cc.name} (${cc.namespace} on ${cc.managementCluster})`,
      description:
        cc.description ??
        `Generated from ClusterClass ${cc.namespace}/${cc.name} on management cluster ${cc.managementCluster}.`,
      annotations: {
        [ANNOTATION_LOCATION]: ref,
        [ANNOTATION_ORIGIN_LOCATION]: ref,
        [ANNOTATION_PROFILE_SOURCE]: 'cluster-class',
        [ANNOTATION_MANAGEMENT_CLUSTER]: cc.managementCluster,
        [ANNOTATION_CLUSTER_CLASS]: `${cc.namespace}/${cc.name}`,
      },
      tags,
    },
    spec: spec as unknown as Entity['spec'],
  };
}
