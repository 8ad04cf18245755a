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
 * Hooks of the health aggregation (issue 5): `decorate` rewrites each summary on its way into the index (not restored
 * ones); `restore` rewrites restored ones (time-dependent fields the database does not keep); `extra` gives volatile,
 * read-only fields (probe freshness) added to a summary each time it is served; `settle` brings time-dependent fields
 * up to date before the index answers (version support past a support boundary).
 */
export interface FleetIndexHooks {
  decorate?(summary: StoredClusterSummary): StoredClusterSummary;
  restore?(summary: StoredClusterSummary): StoredClusterSummary;
  extra?(key: string): Partial<ClusterSummary> | undefined;
  settle?(): void;
}

/** A page of a query, serialised: what `GET /clusters` sends. */
export interface SerializedClusterPage {
  /** The `ListClustersResponse` as JSON. */
  body: string;
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
