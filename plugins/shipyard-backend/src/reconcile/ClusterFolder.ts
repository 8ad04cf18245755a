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
  /** While folding early (before every kind is listed once), how often what changed is folded (ms, default 5000). */
  earlyIntervalMs?: number;
}

/**
 * Folds the records of the clusters that changed (`ns/name`, marked dirty) into summaries for the sink, once per
 * turn of the event loop and only once folding is enabled (after the first list of every kind, or the grace period).
 *
 * Enabled early (the grace period passed while some kinds are still being listed), it folds what changed every
 * `earlyIntervalMs` instead: the pages of the kinds still listed touch each cluster several times (its
 * MachineDeployment, MachineSet, control plane and Machines come in different lists), and folding every cluster again
 * for each of them cost more than the rest of a slow first sync. Once every kind is listed, what changed is folded
 * at once and from then on every turn.
 */
export class ClusterFolder {
  private readonly dirty = new Set<string>();
  private scheduled = false;
  private enabled = false;
  private early = false;
  private timer?: ReturnType<typeof setTimeout>;

  constructor(private readonly options: ClusterFolderOptions) {}

  get isEnabled(): boolean {
    return this.enabled;
  }

  /**
   * Starts folding (at once: what changed so far is folded now). `early`: not every kind is listed yet (what changes
   * is then folded every `earlyIntervalMs`); enabling it again without `early` folds at once what changed meanwhile.
   */
  enable(early = false): void {
    if (this.enabled && (early || !this.early)) return;
    this.enabled = true;
    this.early = early;
    this.flush();
  }

  /** Stops folding (a pending fold is dropped). */
  stop(): void {
    this.enabled = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.scheduled = false;
  }

  /** The cluster `ns/name` changed: fold it soon. */
  markDirty(clusterKey: string): void {
    this.dirty.add(clusterKey);
    if (!this.enabled || this.scheduled) return;
    this.scheduled = true;
    if (this.early) {
      this.timer = setTimeout(
        () => this.flush(),
        this.options.earlyIntervalMs ?? 5_000,
      );
      this.timer.unref?.();
    } else {
      setImmediate(() => this.flush());
    }
  }

  /** The cluster `ns/name` is removed by other means: nothing to fold. */
  forget(clusterKey: string): void {
    this.dirty.delete(clusterKey);
  }

  private flush() {
    clearTimeout(this.timer);
    this.timer = undefined;
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
