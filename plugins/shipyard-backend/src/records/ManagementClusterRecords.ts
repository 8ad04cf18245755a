import { ClusterTreeNode } from '@shipyard/plugin-shipyard-common';
import { ClusterState } from './ClusterState';
import { clusterTree } from './clusterTree';
import {
  ChartProxyRecord,
  ClusterClassRecord,
  ClusterRecord,
  ControlPlaneRecord,
  ResourceSetRecord,
} from './types';

/**
 * The trimmed Cluster API objects of one management cluster. Its reconciler is the only writer (as it lists and
 * watches); folding reads a cluster's records from here, and so do the API's object tree and ClusterClass routes.
 */
export class ManagementClusterRecords {
  /** ns/name → everything known about that Cluster. */
  readonly clusters = new Map<string, ClusterState>();
  /** ns/name → control plane. */
  readonly controlPlanes = new Map<string, ControlPlaneRecord>();
  /** ns/controlPlaneName → ns/clusterName, from Cluster.spec.controlPlaneRef. */
  readonly controlPlaneOwners = new Map<string, string>();
  /** ns/name → ClusterClass. */
  readonly clusterClasses = new Map<string, ClusterClassRecord>();
  /** ns/name → what a ClusterResourceSet provides (its layer and version). */
  readonly resourceSets = new Map<string, ResourceSetRecord>();
  /** ns/name → what a HelmChartProxy says of its layer and the clusters it selects. */
  readonly chartProxies = new Map<string, ChartProxyRecord>();
  /** ns/cluster-name → ns/name of each HelmChartProxy not ready (failed, pending) whose status lists the cluster. */
  readonly chartProxiesOfCluster = new Map<string, Set<string>>();
  /** Whether the management cluster serves add-on kinds (its clusters' add-ons are then known, even when none). */
  addonKindsServed = false;

  /** The key {@link keyOf} made last, and of what. */
  private lastKey = { namespace: '', name: '', key: '' };

  constructor(readonly managementCluster: string) {}

  /**
   * The `ns/name` key of a cluster; the same string as last time when asked for the same cluster again (the objects
   * of one cluster mostly come one after another in a list: one key made, and hashed, per cluster, not per object).
   */
  keyOf(namespace: string, name: string): string {
    const last = this.lastKey;
    if (last.name !== name || last.namespace !== namespace) {
      this.lastKey = { namespace, name, key: `${namespace}/${name}` };
    }
    return this.lastKey.key;
  }

  /** The records of a cluster (`key`: its `ns/name`), created empty when unknown. */
  stateOf(
    namespace: string,
    clusterName: string,
    key = `${namespace}/${clusterName}`,
  ): ClusterState {
    let state = this.clusters.get(key);
    if (!state) {
      state = new ClusterState(namespace, clusterName);
      this.clusters.set(key, state);
    }
    return state;
  }

  /** The control plane a Cluster refers to. */
  controlPlaneOf(cluster: ClusterRecord): ControlPlaneRecord | undefined {
    return cluster.controlPlaneName
      ? this.controlPlanes.get(
          `${cluster.namespace}/${cluster.controlPlaneName}`,
        )
      : undefined;
  }

  /** The ClusterClasses, as last listed or watched. */
  clusterClassRecords(): ClusterClassRecord[] {
    return [...this.clusterClasses.values()];
  }

  /** The object tree of one cluster, or undefined when there are no records of it. */
  describe(namespace: string, name: string): ClusterTreeNode | undefined {
    const state = this.clusters.get(`${namespace}/${name}`);
    if (!state?.cluster) return undefined;
    return clusterTree(state, this.controlPlaneOf(state.cluster));
  }
}
