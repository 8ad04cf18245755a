import semver from 'semver';
import {
  ClusterProfileLayers,
  ClusterProfileSize,
  ClusterProfileSpec,
  ProfileJsonValue,
  compareProfileVersions,
} from '@shipyard/plugin-shipyard-common';

/*
 * What drift evaluation needs of a cluster profile: every version it declares (the current one and the previous ones,
 * a previous version taking what it does not say from the current one) with its ClusterClass, Kubernetes versions,
 * pinned variables, sizes and add-on layers, and which version is the latest released one.
 */

/** An add-on layer a profile version declares (CNI, CSI or an add-on). */
export interface DriftLayer {
  name: string;
  version: string;
}

/** One version of a profile, as drift compares clusters with it. */
export interface DriftProfileVersion {
  version: string;
  deprecated: boolean;
  clusterClass?: string;
  kubernetesVersions: string[];
  pinned: Record<string, ProfileJsonValue>;
  sizes: ClusterProfileSize[];
  layers: DriftLayer[];
}

/** A profile with all its versions. */
export interface DriftProfile {
  name: string;
  versions: Map<string, DriftProfileVersion>;
  /** The highest version that is not a pre-release (undefined when every version is one). */
  latestReleased?: string;
  /** Identity of what drift reads of the profile (a change re-evaluates its clusters). */
  fingerprint: string;
}

function layersOf(layers: Partial<ClusterProfileLayers> | undefined) {
  const out: DriftLayer[] = [];
  if (!layers) return out;
  for (const layer of [layers.cni, layers.csi, ...(layers.addons ?? [])]) {
    if (layer?.name && layer.version) {
      out.push({ name: layer.name, version: layer.version });
    }
  }
  return out;
}

/** The drift view of a ClusterProfile entity's spec; undefined when it has no usable version. */
export function driftProfileOf(
  name: string,
  spec: Partial<ClusterProfileSpec> | undefined,
): DriftProfile | undefined {
  if (!spec?.version) return undefined;
  const versions = new Map<string, DriftProfileVersion>();
  const current: DriftProfileVersion = {
    version: spec.version,
    deprecated: spec.deprecated === true,
    clusterClass: spec.clusterClass?.name,
    kubernetesVersions: spec.kubernetes?.versions ?? [],
    pinned: spec.variables?.pinned ?? {},
    sizes: Object.values(spec.sizes ?? {}),
    layers: layersOf(spec.layers),
  };
  versions.set(current.version, current);
  for (const previous of spec.previousVersions ?? []) {
    if (!previous?.version || versions.has(previous.version)) continue;
    versions.set(previous.version, {
      version: previous.version,
      deprecated: previous.deprecated === true,
      clusterClass: previous.clusterClass
        ? previous.clusterClass.name
        : current.clusterClass,
      kubernetesVersions:
        previous.kubernetes?.versions ?? current.kubernetesVersions,
      pinned: previous.variables?.pinned ?? current.pinned,
      sizes: previous.sizes ? Object.values(previous.sizes) : current.sizes,
      layers: previous.layers ? layersOf(previous.layers) : current.layers,
    });
  }
  let latestReleased: string | undefined;
  for (const v of versions.keys()) {
    if (semver.valid(v) && semver.prerelease(v)) continue;
    if (!latestReleased || compareProfileVersions(v, latestReleased) > 0) {
      latestReleased = v;
    }
  }
  return {
    name,
    versions,
    latestReleased,
    fingerprint: JSON.stringify([...versions.values(), latestReleased]),
  };
}
