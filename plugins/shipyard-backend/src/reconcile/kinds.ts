import {
  ManagementClusterKindStatus,
  ManagementClusterStatus,
  SourceState,
} from '@shipyard/plugin-shipyard-common';
import { redactInternals } from '@shipyard/plugin-shipyard-node';
import type { KubeObject } from '@shipyard/plugin-shipyard-node/kube';
import { sameJson } from '../index/entries';
import { ManagementClusterRecords } from '../records/ManagementClusterRecords';
import {
  AddonProjection,
  applyAddonProjection,
  projectAddonObject,
} from './addons';
import { WatchTarget, WatchedKind } from './discovery';
import { KindObjects, keepOwnRecord } from './KindObjects';
import {
  projectCluster,
  projectClusterClass,
  projectControlPlane,
  projectMachine,
  projectMachineDeployment,
  projectMachineHealthCheck,
  projectMachinePool,
  projectMachineSet,
} from './records';
import {
  ClusterClassRecord,
  ClusterRecord,
  ControlPlaneRecord,
  MachineDeploymentRecord,
  MachineHealthCheckRecord,
  MachinePoolRecord,
  MachineRecord,
  MachineSetRecord,
} from '../records/types';

/*
 * The kinds a reconciler lists and watches: the state of each kind's stream, how one object of a kind goes into the
 * records, and what the streams add up to in the management cluster's status.
 */

/** The stream of one kind. */
export interface KindState {
  target: WatchTarget;
  state: SourceState;
  lastSyncAt?: string;
  lastError?: string;
  failingSince?: number;
  listedOnce: boolean;
  /** The objects held, with the Cluster each is filed under (Clusters, ControlPlanes, ClusterClasses: their own name). */
  objects: KindObjects;
  /** ns/name (or `(unnamed)`) of each object skipped as malformed → the resourceVersion last logged. */
  malformed: Map<string, string>;
  /** When this kind's stream last said anything (a page, the watch's headers, an event or a bookmark). */
  lastHeardMs?: number;
}

const COLLECTIONS = {
  MachineDeployment: 'machineDeployments',
  MachineSet: 'machineSets',
  Machine: 'machines',
  MachinePool: 'machinePools',
  MachineHealthCheck: 'machineHealthChecks',
} as const;

/** What one valid object of a kind projects to (see {@link projectObject}). */
export type Projection =
  | ClusterRecord
  | ControlPlaneRecord
  | ClusterClassRecord
  | AddonProjection['record']
  | MachineDeploymentRecord
  | MachineSetRecord
  | MachineRecord
  | MachinePoolRecord
  | MachineHealthCheckRecord;

/**
 * The record of one valid listed or watched object of a kind: what {@link applyProjection} keeps of it. Reads the
 * object alone (no records), so that it can run where the object was parsed (see `ListWorkers`).
 */
export function projectObject(
  kind: WatchedKind,
  obj: KubeObject,
  annotationKeys: ReadonlySet<string>,
): Projection {
  switch (kind) {
    case 'Cluster':
      return projectCluster(obj, annotationKeys);
    case 'ControlPlane':
      return projectControlPlane(obj);
    case 'ClusterClass':
      return projectClusterClass(obj);
    case 'HelmChartProxy':
    case 'HelmReleaseProxy':
    case 'ClusterResourceSetBinding':
    case 'ClusterResourceSet':
      return projectAddonObject(kind, obj);
    case 'MachineDeployment':
      return projectMachineDeployment(obj);
    case 'MachineSet':
      return projectMachineSet(obj);
    case 'Machine':
      return projectMachine(obj);
    case 'MachinePool':
      return projectMachinePool(obj);
    default:
      return projectMachineHealthCheck(obj);
  }
}

/**
 * Applies the projection of one valid object (`projected` undefined: the object was deleted) to the records;
 * `markDirty` gets the clusters whose summary changes. An object whose record stays the same (a change in fields no
 * record keeps: an annotation nobody reads, a heartbeat, a status field no summary shows) keeps the record it had and
 * marks nothing: folding its cluster again would give the summary it has.
 */
export function applyProjection(
  records: ManagementClusterRecords,
  kind: KindState,
  namespace: string,
  name: string,
  projected: { record: Projection } | undefined,
  markDirty: (clusterKey: string) => void,
): void {
  const deleted = projected === undefined;
  switch (kind.target.kind) {
    case 'Cluster': {
      const key = `${namespace}/${name}`;
      const state = records.stateOf(namespace, name, key);
      if (deleted) {
        state.cluster = undefined;
        kind.objects.delete(namespace, name);
      } else {
        const record = projected.record as ClusterRecord;
        if (record.controlPlaneName) {
          records.controlPlaneOwners.set(
            `${namespace}/${record.controlPlaneName}`,
            key,
          );
        }
        kind.objects.set(namespace, name, name);
        if (state.cluster && sameJson(state.cluster, record)) return;
        state.cluster = record;
      }
      markDirty(key);
      return;
    }
    case 'ControlPlane': {
      const key = `${namespace}/${name}`;
      const previous = records.controlPlanes.get(key);
      if (previous && projected && sameJson(previous, projected.record)) {
        return;
      }
      keepOwnRecord(
        records.controlPlanes,
        kind.objects,
        key,
        namespace,
        name,
        projected?.record as ControlPlaneRecord | undefined,
      );
      const owner =
        records.controlPlaneOwners.get(key) ??
        (previous?.clusterName
          ? `${namespace}/${previous.clusterName}`
          : undefined) ??
        (records.controlPlanes.get(key)?.clusterName
          ? `${namespace}/${records.controlPlanes.get(key)!.clusterName}`
          : undefined);
      if (owner) markDirty(owner);
      return;
    }
    case 'ClusterClass': {
      keepOwnRecord(
        records.clusterClasses,
        kind.objects,
        `${namespace}/${name}`,
        namespace,
        name,
        projected?.record as ClusterClassRecord | undefined,
      );
      return;
    }
    case 'HelmChartProxy':
    case 'HelmReleaseProxy':
    case 'ClusterResourceSetBinding':
    case 'ClusterResourceSet':
      applyAddonProjection(
        records,
        kind.target.kind,
        kind.objects,
        namespace,
        name,
        projected as AddonProjection | undefined,
        markDirty,
      );
      return;
    default: {
      const collection = COLLECTIONS[kind.target.kind];
      const previousCluster = kind.objects.clusterOf(namespace, name);
      const next = projected?.record as WorkersRecord | undefined;
      if (
        previousCluster !== undefined &&
        next?.clusterName !== undefined &&
        previousCluster === next.clusterName
      ) {
        const held = records.clusters
          .get(records.keyOf(namespace, previousCluster))
          ?.[collection].get(name);
        if (held && sameJson(held, next)) return;
      }
      if (previousCluster !== undefined) {
        const previousOwner = records.keyOf(namespace, previousCluster);
        const prevState = records.clusters.get(previousOwner);
        prevState?.[collection].delete(name);
        markDirty(previousOwner);
      }
      if (deleted) {
        kind.objects.delete(namespace, name);
        return;
      }
      const record = projected.record as WorkersRecord;
      if (!record.clusterName) {
        kind.objects.set(namespace, name, undefined);
        return;
      }
      const clusterKey = records.keyOf(namespace, record.clusterName);
      const state = records.stateOf(namespace, record.clusterName, clusterKey);
      (state[collection] as Map<string, WorkersRecord>).set(name, record);
      kind.objects.set(namespace, name, record.clusterName);
      markDirty(clusterKey);
    }
  }
}

type WorkersRecord =
  | MachineDeploymentRecord
  | MachineSetRecord
  | MachineRecord
  | MachinePoolRecord
  | MachineHealthCheckRecord;

/** The state of every kind's stream for `GET /management-clusters`. */
export function kindStatusesOf(
  kinds: Iterable<KindState>,
  staleAfterMs: number,
): ManagementClusterKindStatus[] {
  return [...kinds].map(k => {
    let state = k.state;
    if (k.failingSince !== undefined) {
      state = Date.now() - k.failingSince >= staleAfterMs ? 'stale' : 'syncing';
    }
    const out: ManagementClusterKindStatus = {
      kind: k.target.resourceKind,
      apiVersion: `${k.target.group}/${k.target.version}`,
      state,
    };
    if (k.lastSyncAt) out.lastSyncAt = k.lastSyncAt;
    if (k.lastError) out.lastError = redactInternals(k.lastError);
    return out;
  });
}

/** How many objects of each kind are held, and how many were skipped as malformed. */
export function objectCountsOf(
  kinds: Iterable<KindState>,
): ManagementClusterStatus['objectCounts'] {
  const list = [...kinds];
  const count = (kind: string) => {
    let n = 0;
    for (const k of list) {
      if (k.target.kind === kind) n += k.objects.size;
    }
    return n;
  };
  return {
    clusters: count('Cluster'),
    clusterClasses: count('ClusterClass'),
    machineDeployments: count('MachineDeployment'),
    machineSets: count('MachineSet'),
    machines: count('Machine'),
    machinePools: count('MachinePool'),
    machineHealthChecks: count('MachineHealthCheck'),
    controlPlanes: count('ControlPlane'),
    skipped: list.reduce((n, k) => n + k.malformed.size, 0),
  };
}
