import {
  ClusterChange,
  FleetChangeEvent,
} from '@shipyard/plugin-shipyard-common';
import { FleetChangeListener, StoredClusterSummary } from './model';

/**
 * The index's change stream: changes recorded as they happen, coalesced per cluster and delivered to the
 * subscribers asynchronously (on the next turn of the event loop, or at {@link flush}).
 */
export class ChangeStream {
  private readonly listeners = new Set<FleetChangeListener>();
  private pending = new Map<string, ClusterChange>();
  /** The last summary of each cluster deleted since the last delivery. */
  private pendingDeleted = new Map<string, StoredClusterSummary>();
  private flushScheduled = false;

  /** `revision` is the index's revision when the changes are delivered. */
  constructor(private readonly revision: () => number) {}

  /** Subscribes to change events. Returns an unsubscribe function. */
  subscribe(listener: FleetChangeListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Records a change of a cluster (nothing when nobody listens). */
  record(
    key: string,
    summary: StoredClusterSummary,
    type: ClusterChange['type'],
    entityChanged: boolean,
  ) {
    if (this.listeners.size === 0) {
      // clearing a map makes it a new table even when it is empty: only once there is something to drop
      if (this.pending.size > 0) this.pending.clear();
      if (this.pendingDeleted.size > 0) this.pendingDeleted.clear();
      return;
    }
    if (type === 'deleted') this.pendingDeleted.set(key, summary);
    else this.pendingDeleted.delete(key);
    const previous = this.pending.get(key);
    this.pending.set(key, {
      managementCluster: summary.managementCluster,
      namespace: summary.namespace,
      name: summary.name,
      type,
      entityChanged: entityChanged || (previous?.entityChanged ?? false),
    });
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Delivers pending changes now. */
  flush(): void {
    this.flushScheduled = false;
    if (this.pending.size === 0) return;
    const event: FleetChangeEvent = {
      revision: this.revision(),
      changes: [...this.pending.values()],
    };
    const deleted = this.pendingDeleted;
    this.pending = new Map();
    this.pendingDeleted = new Map();
    for (const listener of this.listeners) {
      try {
        listener(event, deleted);
      } catch {
        // a failing listener must not affect others
      }
    }
  }
}
