import {
  ClusterSummary,
  FleetChangeEvent,
  SourceState,
} from '@shipyard/plugin-shipyard-common';

/*
 * The public types of the fleet index: what it stores, what it is asked and what it tells its subscribers.
 */

/** A summary as the index stores it: everything but the `source` freshness, which is derived on read. */
export type StoredClusterSummary = Omit<ClusterSummary, 'source'>;

/** Connection state of one management cluster, as far as the index cares. */
export interface IndexedSourceState {
  state: SourceState;
  staleSince?: string;
  lastSeenAt?: string;
}

/** A predicate that narrows what a caller may see (from a conditional permission decision). */
export type ClusterVisibility = (summary: StoredClusterSummary) => boolean;

/** Options of a query. */
export interface FleetQueryOptions {
  visibility?: ClusterVisibility;
  /**
   * A stable identity of `visibility` (for example the serialised permission conditions). With it, results are
   * cached per fleet revision; without it, queries with a visibility predicate are always computed afresh.
   */
  visibilityKey?: string;
}

/**
 * What the stages before the index write into it (the reconcilers, through the health evaluation when there is one):
 * summaries, confirmed deletions and the connection state of management clusters. The index implements it, and so
 * does the health evaluation, which passes every write on to the index.
 */
export interface FleetSink {
  /** Inserts or updates a summary (`restored`: read from the database, not listed again yet). */
  upsert(
    summary: StoredClusterSummary,
    options?: { restored?: boolean; lastSeenAt?: string },
  ): boolean;
  /** Removes a cluster (a confirmed deletion). */
  remove(key: string): boolean;
  /** Keys of a management cluster's clusters, as written so far. */
  keysOf(managementCluster: string): string[];
  /** Updates the connection state of a management cluster. */
  setSourceState(managementCluster: string, state: IndexedSourceState): void;
  /** Records contact with a management cluster. */
  touchSource(managementCluster: string, lastSeenAt: string): void;
}

/** A page of a query, serialised: what `GET /clusters` sends. */
export interface SerializedClusterPage {
  /** The `ListClustersResponse` as JSON, in UTF-8. */
  body: Buffer;
  revision: number;
}

/**
 * Listener of fleet changes. `deleted` holds the last stored summary of each cluster the event reports deleted, so
 * that a listener can still tell whose it was (the index no longer has it).
 */
export type FleetChangeListener = (
  event: FleetChangeEvent,
  deleted: ReadonlyMap<string, StoredClusterSummary>,
) => void;
