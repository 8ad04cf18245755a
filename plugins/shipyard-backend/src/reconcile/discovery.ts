import {
  CAPI_GROUP,
  CAPI_KINDS,
  CapiKind,
  preferredCapiVersion,
  resourcePath,
} from '@shipyard/plugin-shipyard-common';
import type { KubeClient } from '@shipyard/plugin-shipyard-node/kube';
import { ADDONS_GROUP, ADDON_KINDS, AddonKind } from './addons';

/** Kinds the reconcilers watch. `ControlPlane` stands for every discovered control plane kind. */
export type WatchedKind = CapiKind | 'ControlPlane' | AddonKind;

/** One collection to list and watch. */
export interface WatchTarget {
  kind: WatchedKind;
  /** The Kubernetes kind (`KubeadmControlPlane` for control planes). */
  resourceKind: string;
  group: string;
  version: string;
  plural: string;
  /** Collection path across namespaces, e.g. `/apis/cluster.x-k8s.io/v1beta2/clusters`. */
  path: string;
}

interface APIGroupList {
  groups?: Array<{
    name: string;
    versions?: Array<{ groupVersion: string; version: string }>;
    preferredVersion?: { groupVersion: string; version: string };
  }>;
}

interface APIResourceList {
  resources?: Array<{ name: string; kind: string; verbs?: string[] }>;
}

/** Result of discovery on one management cluster. */
export interface DiscoveryResult {
  /** The CAPI version chosen (`v1beta2` when served, else `v1beta1`). */
  capiVersion: string;
  targets: WatchTarget[];
}

/** Cluster API provider groups that may hold control plane kinds (`controlplane.…`, `infrastructure.…`). */
function isProviderGroup(name: string): boolean {
  return (
    name.endsWith(`.${CAPI_GROUP}`) &&
    (name.startsWith('controlplane.') || name.startsWith('infrastructure.'))
  );
}

/** A group's served versions, most wanted first: v1beta2, v1beta1, the preferred one, the rest. */
function versionsInOrder(g: {
  versions?: Array<{ version: string }>;
  preferredVersion?: { version: string };
}): string[] {
  const served = (g.versions ?? []).map(v => v.version);
  const order = ['v1beta2', 'v1beta1', g.preferredVersion?.version];
  const out: string[] = [];
  for (const v of [...order, ...served]) {
    if (v && served.includes(v) && !out.includes(v)) out.push(v);
  }
  return out;
}

/** The target of a kind a group version serves (its resource, not a subresource), if it serves it. */
function servedTarget(
  list: APIResourceList,
  kind: CapiKind | AddonKind,
  group: string,
  version: string,
): WatchTarget | undefined {
  const r = list.resources?.find(x => x.kind === kind && !x.name.includes('/'));
  if (!r) return undefined;
  return {
    kind,
    resourceKind: kind,
    group,
    version,
    plural: r.name,
    path: resourcePath({ group, version, plural: r.name }),
  };
}

/**
 * Finds what to watch: the CAPI kinds at v1beta2 (or v1beta1 when that is all the server has), and every
 * `*ControlPlane` kind of the control plane and infrastructure provider groups, in any served version.
 */
export async function discoverTargets(
  client: KubeClient,
  signal?: AbortSignal,
): Promise<DiscoveryResult> {
  const groups = await client.getJson<APIGroupList>('/apis', signal);
  const capi = groups.groups?.find(g => g.name === CAPI_GROUP);
  const capiVersion = preferredCapiVersion(
    (capi?.versions ?? []).map(v => v.version),
  );
  if (!capi || !capiVersion) {
    throw new Error(
      `the API server does not serve ${CAPI_GROUP} v1beta2 or v1beta1`,
    );
  }
  const targets: WatchTarget[] = [];
  const capiResources = await client.getJson<APIResourceList>(
    `/apis/${CAPI_GROUP}/${capiVersion}`,
    signal,
  );
  for (const kind of Object.keys(CAPI_KINDS) as CapiKind[]) {
    const target = servedTarget(capiResources, kind, CAPI_GROUP, capiVersion);
    if (target) targets.push(target);
  }
  // control planes: every `*ControlPlane` kind of the provider groups, in whichever served version has it
  // (K0sControlPlane is only v1beta1 beside KubeadmControlPlane v1beta2; AKS and GKE control planes live in the
  // infrastructure group)
  const seen = new Set<string>();
  for (const g of groups.groups ?? []) {
    if (!isProviderGroup(g.name)) continue;
    for (const version of versionsInOrder(g)) {
      let list: APIResourceList;
      try {
        list = await client.getJson<APIResourceList>(
          `/apis/${g.name}/${version}`,
          signal,
        );
      } catch {
        continue;
      }
      for (const r of list.resources ?? []) {
        if (r.name.includes('/') || !r.kind.endsWith('ControlPlane')) continue;
        if (
          r.verbs &&
          !(r.verbs.includes('list') && r.verbs.includes('watch'))
        ) {
          continue;
        }
        if (seen.has(`${g.name}/${r.kind}`)) continue;
        seen.add(`${g.name}/${r.kind}`);
        targets.push({
          kind: 'ControlPlane',
          resourceKind: r.kind,
          group: g.name,
          version,
          plural: r.name,
          path: resourcePath({ group: g.name, version, plural: r.name }),
        });
      }
    }
  }
  targets.push(...(await addonTargets(client, groups, signal)));
  return { capiVersion, targets };
}

/**
 * The add-on kinds (ClusterResourceSets and their bindings, the add-on provider for Helm's HelmReleaseProxies), each in
 * the most wanted version served; none when the management cluster does not serve them.
 */
async function addonTargets(
  client: KubeClient,
  groups: APIGroupList,
  signal?: AbortSignal,
): Promise<WatchTarget[]> {
  const group = groups.groups?.find(g => g.name === ADDONS_GROUP);
  if (!group) return [];
  const out: WatchTarget[] = [];
  for (const version of versionsInOrder(group)) {
    let list: APIResourceList;
    try {
      list = await client.getJson<APIResourceList>(
        `/apis/${ADDONS_GROUP}/${version}`,
        signal,
      );
    } catch {
      continue;
    }
    for (const kind of ADDON_KINDS) {
      if (out.some(t => t.kind === kind)) continue;
      const target = servedTarget(list, kind, ADDONS_GROUP, version);
      if (target) out.push(target);
    }
  }
  return out;
}
