import { ClusterAddonSummary } from '@shipyard/plugin-shipyard-common';
import type { KubeObject } from '@shipyard/plugin-shipyard-node/kube';
import { intern } from '../index/intern';
import { KindObjects, keepOwnRecord } from './KindObjects';
import { ManagementClusterRecords } from '../records/ManagementClusterRecords';
import {
  ChartProxyRecord,
  ResourceSetBindingRecord,
  ResourceSetRecord,
} from '../records/types';

/*
 * Add-ons as Cluster API's add-on objects report them on the management cluster: the releases of the add-on provider
 * for Helm (`HelmReleaseProxy`, one per HelmChartProxy and matching Cluster, labelled with the cluster's name) and
 * the `ClusterResourceSetBinding` of a cluster (named after it), whose bindings say which ClusterResourceSets were
 * applied. A ClusterResourceSet names the layer it provides with its `shipyard.io/layer` label (else
 * `app.kubernetes.io/name`, else its own name) and its version with `app.kubernetes.io/version`.
 *
 * The HelmChartProxy a release comes from says what a release cannot: which Clusters it selects
 * (`status.matchingClusters`) and whether it made their releases (its `HelmReleaseProxySpecsUpToDate` condition). A
 * selected cluster with no release of it has the layer failed when the chart proxy could not make the release (values
 * template not parsed, release not created), pending while the chart proxy has a change not yet reconciled, and missing
 * when the chart proxy says its releases are up to date. The provider does not copy a chart proxy's labels onto its
 * releases: a release provides the layer its chart proxy's `shipyard.io/layer` label names.
 */

export const ADDONS_GROUP = 'addons.cluster.x-k8s.io';
/** The add-on kinds the reconcilers watch when a management cluster serves them. */
export const ADDON_KINDS = [
  'HelmChartProxy',
  'HelmReleaseProxy',
  'ClusterResourceSetBinding',
  'ClusterResourceSet',
] as const;
export type AddonKind = (typeof ADDON_KINDS)[number];

const CLUSTER_NAME_LABEL = 'cluster.x-k8s.io/cluster-name';
const CHART_PROXY_LABEL =
  'helmreleaseproxy.addons.cluster.x-k8s.io/helmchartproxy-name';
const LAYER_LABEL = 'shipyard.io/layer';

type Json = Record<string, any>;

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function conditionOf(obj: Json, type: string): Json | undefined {
  const status = obj.status ?? {};
  const lists = [
    status.v1beta2?.conditions,
    status.conditions,
    status.deprecated?.v1beta1?.conditions,
  ];
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    const found = list.find((c: Json) => c?.type === type);
    if (found) return found;
  }
  return undefined;
}

/** A HelmReleaseProxy as an add-on of its cluster (undefined when it names no cluster). */
export function projectHelmReleaseProxy(
  obj: KubeObject,
): { clusterName: string; addon: ClusterAddonSummary } | undefined {
  const o = obj as Json;
  const spec = o.spec ?? {};
  const status = o.status ?? {};
  const clusterName =
    str(spec.clusterRef?.name) ?? str(o.metadata?.labels?.[CLUSTER_NAME_LABEL]);
  if (!clusterName) return undefined;
  const name =
    str(o.metadata?.labels?.[LAYER_LABEL]) ??
    str(spec.chartName) ??
    str(spec.releaseName) ??
    o.metadata.name;
  const releaseReady = conditionOf(o, 'HelmReleaseReady');
  const helmStatus = str(status.status);
  let state: ClusterAddonSummary['state'] = 'pending';
  let message: string | undefined;
  if (
    helmStatus === 'failed' ||
    (releaseReady?.status === 'False' &&
      /Failed$/.test(String(releaseReady.reason ?? '')))
  ) {
    state = 'failed';
    message =
      str(status.failureReason) ??
      str(releaseReady?.message) ??
      str(releaseReady?.reason) ??
      'the Helm release failed';
  } else if (
    status.ready === true ||
    helmStatus === 'deployed' ||
    releaseReady?.status === 'True'
  ) {
    state = 'installed';
  } else if (helmStatus || releaseReady?.message) {
    message = str(releaseReady?.message) ?? helmStatus;
  }
  const addon: ClusterAddonSummary = {
    name: intern(name),
    state,
    source: 'HelmReleaseProxy',
  };
  const version = str(spec.version);
  if (version) addon.version = intern(version);
  const from = str(o.metadata?.labels?.[CHART_PROXY_LABEL]);
  if (from) addon.from = intern(from);
  if (message) addon.message = message.slice(0, 500);
  return { clusterName, addon };
}

/** Reasons of a chart proxy's `HelmReleaseProxySpecsUpToDate` condition that say it could not make its releases. */
const CHART_PROXY_FAILED = /Failed$/;

/** A HelmChartProxy: its layer and version, the Clusters it selects, whether it made their releases. */
export function projectChartProxy(obj: KubeObject): ChartProxyRecord {
  const o = obj as Json;
  const spec = o.spec ?? {};
  const status = o.status ?? {};
  const namespace = o.metadata?.namespace ?? 'default';
  const label = str(o.metadata?.labels?.[LAYER_LABEL]);
  const matching: string[] = [];
  for (const ref of Array.isArray(status.matchingClusters)
    ? status.matchingClusters
    : []) {
    const name = str(ref?.name);
    if (name)
      matching.push(intern(`${str(ref.namespace) ?? namespace}/${name}`));
  }
  const upToDate = conditionOf(o, 'HelmReleaseProxySpecsUpToDate');
  const ready = conditionOf(o, 'Ready');
  const generation = o.metadata?.generation;
  const observed = status.observedGeneration;
  let state: ChartProxyRecord['state'] = 'pending';
  let message: string | undefined;
  if (
    typeof generation === 'number' &&
    typeof observed === 'number' &&
    observed < generation
  ) {
    // what it says is of an earlier spec
    message = 'the chart proxy has a change it has not reconciled yet';
  } else if (
    upToDate?.status === 'False' &&
    CHART_PROXY_FAILED.test(String(upToDate.reason ?? ''))
  ) {
    state = 'failed';
    message = str(upToDate.message) ?? str(upToDate.reason);
  } else if (str(status.failureReason)) {
    // the earlier API of the provider: a reconciliation error in failureReason
    state = 'failed';
    message = str(status.failureReason);
  } else if (
    upToDate?.status === 'True' ||
    (!upToDate && ready?.status === 'True')
  ) {
    state = 'ready';
  } else {
    message =
      str(upToDate?.message) ??
      str(upToDate?.reason) ??
      'the chart proxy has not made its releases yet';
  }
  const out: ChartProxyRecord = {
    layer: intern(
      label ?? str(spec.chartName) ?? str(spec.releaseName) ?? o.metadata.name,
    ),
    labelled: label !== undefined,
    matching,
    state,
  };
  const version = str(spec.version);
  if (version) out.version = intern(version);
  if (message) out.message = message.slice(0, 500);
  return out;
}

/** A ClusterResourceSetBinding: the cluster it binds and each resource set's outcome. */
export function projectResourceSetBinding(
  obj: KubeObject,
): { clusterName: string; bindings: ResourceSetBindingRecord[] } | undefined {
  const o = obj as Json;
  const spec = o.spec ?? {};
  const clusterName =
    str(spec.clusterName) ??
    str(o.metadata?.labels?.[CLUSTER_NAME_LABEL]) ??
    str(o.metadata?.name);
  if (!clusterName) return undefined;
  const bindings: ResourceSetBindingRecord[] = [];
  for (const b of Array.isArray(spec.bindings) ? spec.bindings : []) {
    const resourceSet = str(b?.clusterResourceSetName);
    if (!resourceSet) continue;
    const resources: Json[] = Array.isArray(b.resources) ? b.resources : [];
    const notApplied = resources
      .filter(r => r?.applied !== true)
      .map(r => `${r?.kind ?? 'resource'}/${r?.name ?? ''}`);
    bindings.push({
      resourceSet: intern(resourceSet),
      applied: resources.length > 0 && notApplied.length === 0,
      ...(notApplied.length > 0 ? { notApplied } : {}),
    });
  }
  return { clusterName, bindings };
}

export function projectResourceSet(obj: KubeObject): ResourceSetRecord {
  const labels = (obj.metadata.labels ?? {}) as Record<string, string>;
  const out: ResourceSetRecord = {
    layer: intern(
      str(labels[LAYER_LABEL]) ??
        str(labels['app.kubernetes.io/name']) ??
        obj.metadata.name,
    ),
  };
  const version = str(labels['app.kubernetes.io/version']);
  if (version) out.version = intern(version);
  return out;
}

/** The add-ons of one cluster from its records (sorted by name, then source). */
export function addonsOf(
  records: ManagementClusterRecords,
  namespace: string,
  clusterName: string,
): ClusterAddonSummary[] {
  const key = `${namespace}/${clusterName}`;
  const state = records.clusters.get(key);
  const out: ClusterAddonSummary[] = [];
  for (const a of state?.helmReleases?.values() ?? []) {
    // the layer its chart proxy names
    const proxy = a.from
      ? records.chartProxies.get(`${namespace}/${a.from}`)
      : undefined;
    out.push(
      proxy?.labelled && proxy.layer !== a.name
        ? { ...a, name: proxy.layer }
        : a,
    );
  }
  for (const proxyKey of records.chartProxiesOfCluster.get(key) ?? []) {
    const proxy = records.chartProxies.get(proxyKey);
    if (!proxy || proxy.state === 'ready') continue;
    const proxyName = proxyKey.slice(proxyKey.indexOf('/') + 1);
    let released = false;
    for (const a of state?.helmReleases?.values() ?? []) {
      if (a.from === proxyName || (!a.from && a.name === proxy.layer)) {
        released = true;
        break;
      }
    }
    if (released) continue;
    const addon: ClusterAddonSummary = {
      name: proxy.layer,
      state: proxy.state,
      source: 'HelmChartProxy',
      from: proxyName,
    };
    if (proxy.version) addon.version = proxy.version;
    if (proxy.message) addon.message = proxy.message;
    out.push(addon);
  }
  for (const b of state?.resourceSetBindings ?? []) {
    const set = records.resourceSets.get(`${namespace}/${b.resourceSet}`);
    let outcome: ClusterAddonSummary['state'] = 'pending';
    if (b.applied) outcome = 'installed';
    else if (b.notApplied) outcome = 'failed';
    const addon: ClusterAddonSummary = {
      name: set?.layer ?? b.resourceSet,
      state: outcome,
      source: 'ClusterResourceSet',
      from: b.resourceSet,
    };
    if (set?.version) addon.version = set.version;
    if (b.notApplied) {
      addon.message = `not applied: ${b.notApplied.slice(0, 5).join(', ')}`;
    }
    out.push(addon);
  }
  return out.sort(
    (a, b) =>
      a.name.localeCompare(b.name) ||
      a.source.localeCompare(b.source) ||
      (a.from ?? '').localeCompare(b.from ?? ''),
  );
}

/** What one valid add-on object projects to (see {@link applyAddonProjection}). */
export type AddonProjection = {
  record:
    | ChartProxyRecord
    | ResourceSetRecord
    | ReturnType<typeof projectHelmReleaseProxy>
    | ReturnType<typeof projectResourceSetBinding>;
};

/** The projection of one valid add-on object of a kind. */
export function projectAddonObject(
  kind: AddonKind,
  obj: KubeObject,
): AddonProjection['record'] {
  switch (kind) {
    case 'HelmChartProxy':
      return projectChartProxy(obj);
    case 'ClusterResourceSet':
      return projectResourceSet(obj);
    case 'HelmReleaseProxy':
      return projectHelmReleaseProxy(obj);
    default:
      return projectResourceSetBinding(obj);
  }
}

/**
 * Applies one add-on object to the records; `markDirty` gets the clusters whose add-ons change. `objects` maps the
 * object's ns/name to the ns/cluster it was filed under (for deletions and moves).
 */
export function applyAddonObject(
  records: ManagementClusterRecords,
  kind: AddonKind,
  objects: KindObjects,
  deleted: boolean,
  obj: KubeObject,
  markDirty: (clusterKey: string) => void,
): void {
  applyAddonProjection(
    records,
    kind,
    objects,
    obj.metadata.namespace ?? 'default',
    obj.metadata.name,
    deleted ? undefined : { record: projectAddonObject(kind, obj) },
    markDirty,
  );
}

/** Applies the projection of one add-on object (`projected` undefined: the object was deleted) to the records. */
export function applyAddonProjection(
  records: ManagementClusterRecords,
  kind: AddonKind,
  objects: KindObjects,
  namespace: string,
  name: string,
  projected: AddonProjection | undefined,
  markDirty: (clusterKey: string) => void,
): void {
  const key = `${namespace}/${name}`;
  const deleted = projected === undefined;
  if (kind === 'HelmChartProxy') {
    applyChartProxy(
      records,
      objects,
      { namespace, name, key },
      projected?.record as ChartProxyRecord | undefined,
      markDirty,
    );
    return;
  }
  if (kind === 'ClusterResourceSet') {
    keepOwnRecord(
      records.resourceSets,
      objects,
      key,
      namespace,
      name,
      projected?.record as ResourceSetRecord | undefined,
    );
    // the clusters bound to it show its layer and version
    for (const [clusterKey, state] of records.clusters) {
      if (
        state.namespace === namespace &&
        state.resourceSetBindings?.some(b => b.resourceSet === name)
      ) {
        markDirty(clusterKey);
      }
    }
    return;
  }
  const previousOwner = objects.ownerKeyOf(namespace, name);
  if (previousOwner) {
    const prev = records.clusters.get(previousOwner);
    if (prev) {
      if (kind === 'HelmReleaseProxy') {
        prev.helmReleases?.delete(name);
        if (prev.helmReleases?.size === 0) prev.helmReleases = undefined;
      } else {
        prev.resourceSetBindings = undefined;
      }
    }
    markDirty(previousOwner);
  }
  if (deleted) {
    objects.delete(namespace, name);
    return;
  }
  // a release or a binding belongs to the cluster its record names
  const record = projected.record as
    | ReturnType<typeof projectHelmReleaseProxy>
    | ReturnType<typeof projectResourceSetBinding>;
  if (!record) {
    objects.set(namespace, name, undefined);
    return;
  }
  const state = records.stateOf(namespace, record.clusterName);
  if ('addon' in record) {
    state.helmReleases ??= new Map();
    state.helmReleases.set(name, record.addon);
  } else {
    state.resourceSetBindings = record.bindings;
  }
  objects.set(namespace, name, state.name);
  markDirty(`${namespace}/${record.clusterName}`);
}

/**
 * A HelmChartProxy added, changed or deleted (`next` undefined): the clusters it selected before and selects now
 * are marked.
 */
function applyChartProxy(
  records: ManagementClusterRecords,
  objects: KindObjects,
  { namespace, name, key }: { namespace: string; name: string; key: string },
  next: ChartProxyRecord | undefined,
  markDirty: (clusterKey: string) => void,
): void {
  const previous = records.chartProxies.get(key);
  // only a chart proxy that has not made its releases adds to its clusters' add-ons: only those are indexed by cluster
  // (a healthy fleet indexes none)
  for (const clusterKey of previous && previous.state !== 'ready'
    ? previous.matching
    : []) {
    const proxies = records.chartProxiesOfCluster.get(clusterKey);
    proxies?.delete(key);
    if (proxies?.size === 0) records.chartProxiesOfCluster.delete(clusterKey);
  }
  if (next) {
    records.chartProxies.set(key, next);
    objects.set(namespace, name, name);
    for (const clusterKey of next.state !== 'ready' ? next.matching : []) {
      let proxies = records.chartProxiesOfCluster.get(clusterKey);
      if (!proxies) {
        proxies = new Set();
        records.chartProxiesOfCluster.set(clusterKey, proxies);
      }
      proxies.add(key);
    }
  } else {
    records.chartProxies.delete(key);
    objects.delete(namespace, name);
  }
  // a status that changed only in what it reports of the releases it made (their readiness) changes no cluster's
  // add-ons: then only the clusters selected or deselected are marked
  const same =
    previous !== undefined &&
    next !== undefined &&
    previous.layer === next.layer &&
    previous.labelled === next.labelled &&
    previous.version === next.version &&
    previous.state === next.state &&
    previous.message === next.message;
  const before = new Set(previous?.matching ?? []);
  const after = new Set(next?.matching ?? []);
  for (const clusterKey of before) {
    if (!same || !after.has(clusterKey)) markDirty(clusterKey);
  }
  for (const clusterKey of after) {
    if (!before.has(clusterKey)) markDirty(clusterKey);
  }
}
