import { stringifyClusterKey } from '@shipyard/plugin-shipyard-common';
import { OwnershipResolver } from '../config/ownership';
import { ClusterHealthEvaluator } from '../health';
import { FleetSink } from '../index/FleetIndex';
import { ManagementClusterRecords } from '../records/ManagementClusterRecords';
import { addonsOf } from './addons';
import { foldClusterSummary } from './fold';

/** Options of {@link ClusterFolder}. */
export interface ClusterFolderOptions {
  /** The management cluster's name. */
  name: string;
  records: ManagementClusterRecords;
  sink: FleetSink;
  ownership: OwnershipResolver;
  health: ClusterHealthEvaluator;
  /** When the management cluster was last heard (sent with every summary). */
  lastSeenAt: () => string | undefined;
}

/**
 * Folds the records of the clusters that changed (`ns/name`, marked dirty) into summaries for the sink, once per
 * turn of the event loop and only once folding is enabled (after the first list of every kind, or the grace period).
 */
export class ClusterFolder {
  private readonly dirty = new Set<string>();
  private scheduled = false;
  private enabled = false;

  constructor(private readonly options: ClusterFolderOptions) {}

  get isEnabled(): boolean {
    return this.enabled;
  }

  /** Starts folding (at once: what changed so far is folded now). */
  enable(): void {
    if (this.enabled) return;
    this.enabled = true;
    this.flush();
  }

  /** The cluster `ns/name` changed: fold it soon. */
  markDirty(clusterKey: string): void {
    this.dirty.add(clusterKey);
    if (!this.enabled || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** The cluster `ns/name` is removed by other means: nothing to fold. */
  forget(clusterKey: string): void {
    this.dirty.delete(clusterKey);
  }

  private flush() {
    this.scheduled = false;
    if (!this.enabled) return;
    const { name, records, sink } = this.options;
    const lastSeenAt = this.options.lastSeenAt();
    for (const key of this.dirty) {
      const state = records.clusters.get(key);
      const [namespace, clusterName] = key.split('/');
      const indexKey = stringifyClusterKey({
        managementCluster: name,
        namespace,
        name: clusterName,
      });
      if (!state?.cluster) {
        sink.remove(indexKey);
        if (state?.isEmpty) records.clusters.delete(key);
        continue;
      }
      const c = state.cluster;
      const summary = foldClusterSummary(state, {
        managementCluster: name,
        ownership: this.options.ownership,
        health: this.options.health,
        controlPlane: records.controlPlaneOf(c),
        addons: records.addonKindsServed
          ? addonsOf(records, namespace, clusterName)
          : undefined,
      });
      if (summary) sink.upsert(summary, { lastSeenAt });
    }
    this.dirty.clear();
  }
}
