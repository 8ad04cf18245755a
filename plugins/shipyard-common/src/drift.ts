/*
 * Drift: how a cluster differs from the version of the cluster profile it was made from. The backend evaluates it
 * for every cluster (see `plugins/shipyard-backend/src/drift`); these are the shapes it serves.
 */

/**
 * The kinds of drift, each a facet value of `GET /clusters?drift=…`:
 * - `profileVersion`: the cluster's profile version is behind the profile's latest released version;
 * - `clusterClass`: the cluster's ClusterClass is not the one the profile version names;
 * - `kubernetesVersion`: the cluster's Kubernetes version is not one the profile version allows;
 * - `variable`: a ClusterClass variable differs from the value the profile version pins;
 * - `replicas`: a control plane or worker pool has a replica count outside the profile version's sizes;
 * - `addonMissing`, `addonFailed`, `addonVersion`: an add-on layer of the profile version is not installed, failed
 *   to install, or runs another version than the profile declares.
 */
export const DRIFT_KINDS = [
  'profileVersion',
  'clusterClass',
  'kubernetesVersion',
  'variable',
  'replicas',
  'addonMissing',
  'addonFailed',
  'addonVersion',
] as const;

/** A kind of drift. */
export type DriftKind = (typeof DRIFT_KINDS)[number];

/** The `drift` facet value of a cluster that was compared with its profile version and matches it. */
export const DRIFT_NONE = 'none';

/** A value of the `drift` facet and filter: a drift kind, or `none` (compared, no drift). */
export type DriftFacetValue = DriftKind | typeof DRIFT_NONE;

/** One way a cluster differs from its profile version. */
export interface DriftFinding {
  kind: DriftKind;
  /** What differs within the kind: the variable, the worker pool (or `controlPlane`), the add-on layer. */
  subject?: string;
  /** What the profile version expects (a version, a name, a JSON value, a range of replicas). */
  expected: string;
  /** What the cluster has (`missing` when it has nothing). */
  actual: string;
  /** ISO-8601 time since when the finding holds. */
  since: string;
  /** A short explanation (the add-on's failure message, for example). */
  message?: string;
}

/** State of an add-on on one cluster, as Cluster API's add-on objects report it. */
export type ClusterAddonState = 'installed' | 'failed' | 'pending';

/** Where an add-on was observed. */
export type ClusterAddonSource =
  | 'HelmReleaseProxy'
  | 'HelmChartProxy'
  | 'ClusterResourceSet';

/**
 * An add-on installed (or being installed) on a cluster: a Helm release of the Cluster API add-on provider for Helm
 * (`HelmReleaseProxy`), a `HelmChartProxy` selecting the cluster that has not made (or could not make) its release, or
 * a `ClusterResourceSet` applied through its `ClusterResourceSetBinding`.
 */
export interface ClusterAddonSummary {
  /** The layer name it provides (chart name, release name or the object's `shipyard.io/layer` label). */
  name: string;
  /** Version installed (chart version, or the resource set's `app.kubernetes.io/version` label). */
  version?: string;
  state: ClusterAddonState;
  source: ClusterAddonSource;
  /** Name of the HelmChartProxy / ClusterResourceSet it comes from. */
  from?: string;
  /** Why it failed or is pending, when known. */
  message?: string;
}

/** The `drift` facet values of a cluster: its finding kinds, `none` when it matches, nothing when not compared. */
export function driftFacetValues(
  drift: ReadonlyArray<Pick<DriftFinding, 'kind'>> | undefined,
): DriftFacetValue[] {
  if (!drift) return [];
  if (drift.length === 0) return [DRIFT_NONE];
  const out: DriftFacetValue[] = [];
  for (const f of drift) if (!out.includes(f.kind)) out.push(f.kind);
  return out;
}
