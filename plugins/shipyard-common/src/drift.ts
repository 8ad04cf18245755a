/*
 * Drift: how a cluster differs from the version of the cluster profile it was made from. The backend evaluates it
 * for every cluster (see `plugins/shipyard-backend/src/drift`); the shapes it serves are the spec's models.
 */
import type {
  ClusterAddonSummary,
  DriftFacetValue,
  DriftFinding,
  DriftKind,
} from './schema/openapi/generated/models';
import { driftKindValues } from './schema/openapi/generated/models/schema';
import { enumValues } from './schema/enumValues';

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
export const DRIFT_KINDS = enumValues<DriftKind>(driftKindValues);

export type {
  ClusterAddonSummary,
  DriftFacetValue,
  DriftFinding,
  DriftKind,
} from './schema/openapi/generated/models';

/** The `drift` facet value of a cluster that was compared with its profile version and matches it. */
export const DRIFT_NONE = 'none' satisfies Exclude<DriftFacetValue, DriftKind>;

/** State of an add-on on one cluster, as Cluster API's add-on objects report it. */
export type ClusterAddonState = ClusterAddonSummary['state'];

/** Where an add-on was observed. */
export type ClusterAddonSource = ClusterAddonSummary['source'];

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
