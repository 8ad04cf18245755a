import {
  ManagementClusterKindStatus,
  ManagementClusterStatus,
  SourceState,
} from '@shipyard/plugin-shipyard-common';
import { redactInternals } from '@shipyard/plugin-shipyard-node';
import type { KubeObject } from '@shipyard/plugin-shipyard-node/kube';
import { OwnershipResolver } from '../config/ownership';
import { ManagementClusterRecords } from '../records/ManagementClusterRecords';
import { applyAddonObject } from './addons';
import { WatchTarget } from './discovery';
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

/** Applies one valid listed or watched object to the records; `markDirty` gets the clusters whose summary changes. */
export function applyObject(
  records: ManagementClusterRecords,
  kind: KindState,
  deleted: boolean,
  obj: KubeObject,
  options: {
    annotationKeys: OwnershipResolver['annotationKeys'];
    markDirty(clusterKey: string): void;
  },
): void {
  const namespace = obj.metadata.namespace ?? 'default';
  const name = obj.metadata.name;
  const key = `${namespace}/${name}`;
  switch (kind.target.kind) {
    case 'Cluster': {
      const state = records.stateOf(namespace, name, key);
      if (deleted) {
        state.cluster = undefined;
        kind.objects.delete(namespace, name);
      } else {
        const record = projectCluster(obj, options.annotationKeys);
        if (record.controlPlaneName) {
          records.controlPlaneOwners.set(
            `${namespace}/${record.controlPlaneName}`,
            key,
          );
        }
        state.cluster = record;
        kind.objects.set(namespace, name, name);
      }
      options.markDirty(key);
      return;
    }
    case 'ControlPlane': {
      const previous = records.controlPlanes.get(key);
      keepOwnRecord(
        records.controlPlanes,
        kind.objects,
        key,
        namespace,
        name,
        deleted ? undefined : projectControlPlane(obj),
      );
      const owner =
        records.controlPlaneOwners.get(key) ??
        (previous?.clusterName
          ? `${namespace}/${previous.clusterName}`
          : undefined) ??
        (records.controlPlanes.get(key)?.clusterName
          ? `${namespace}/${records.controlPlanes.get(key)!.clusterName}`
          : undefined);
      if (owner) options.markDirty(owner);
      return;
    }
    case 'ClusterClass': {
      keepOwnRecord(
        records.clusterClasses,
        kind.objects,
        key,
        namespace,
        name,
        deleted ? undefined : projectClusterClass(obj),
      );
      return;
    }
    case 'HelmChartProxy':
    case 'HelmReleaseProxy':
    case 'ClusterResourceSetBinding':
    case 'ClusterResourceSet':
      applyAddonObject(
        records,
        kind.target.kind,
        kind.objects,
        deleted,
        obj,
        options.markDirty,
      );
      return;
    default: {
      const collection = COLLECTIONS[kind.target.kind];
      const previousOwner = kind.objects.ownerKeyOf(namespace, name);
      if (previousOwner) {
        const prevState = records.clusters.get(previousOwner);
        prevState?.[collection].delete(name);
        options.markDirty(previousOwner);
      }
      if (deleted) {
        kind.objects.delete(namespace, name);
        return;
      }
      let record;
      switch (kind.target.kind) {
        case 'MachineDeployment':
          record = projectMachineDeployment(obj);
          break;
        case 'MachineSet':
          record = projectMachineSet(obj);
          break;
        case 'Machine':
          record = projectMachine(obj);
          break;
        case 'MachinePool':
          record = projectMachinePool(obj);
          break;
        default:
          record = projectMachineHealthCheck(obj);
      }
      if (!record.clusterName) {
        kind.objects.set(namespace, name, undefined);
        return;
      }
      const clusterKey = `${namespace}/${record.clusterName}`;
      const state = records.stateOf(namespace, record.clusterName, clusterKey);
      (state[collection] as Map<string, typeof record>).set(name, record);
      kind.objects.set(namespace, name, record.clusterName);
      options.markDirty(clusterKey);
    }
  }
}

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
