import { ClusterSummary, SourceState } from '@shipyard/plugin-shipyard-common';
import { Entry, contentOf, listContentOf } from './entries';
import { IndexedSourceState } from './model';

/*
 * How the index serves an entry: its summary with the `source` freshness derived from its management cluster's
 * connection state, as an object or as JSON cut from the JSON the entry keeps.
 */

/** The `source` of an entry, given the state of its management cluster. */
export function sourceOf(
  entry: Entry,
  src: IndexedSourceState | undefined,
): ClusterSummary['source'] {
  const state: SourceState = entry.resynced
    ? src?.state ?? 'syncing'
    : 'restored';
  const source: ClusterSummary['source'] = {
    state,
    resynced: entry.resynced,
  };
  if (src?.staleSince) source.staleSince = src.staleSince;
  const lastSeenAt = entry.resynced
    ? src?.lastSeenAt ?? entry.lastSeenAt
    : entry.lastSeenAt;
  if (lastSeenAt) source.lastSeenAt = lastSeenAt;
  return source;
}

/**
 * The JSON of an entry as the index presents it. `sourceMemo` keeps the `source` JSON per management cluster
 * within one page; `extra` are the volatile fields added to a full summary.
 */
export function serializeEntry(
  entry: Entry,
  src: IndexedSourceState | undefined,
  sourceMemo: Map<string, string>,
  slim: boolean,
  extra: Partial<ClusterSummary> | undefined,
): string {
  let sourceJson: string | undefined;
  // resynced entries of one management cluster share their freshness
  const shared = entry.resynced && src?.lastSeenAt !== undefined;
  if (shared) sourceJson = sourceMemo.get(entry.summary.managementCluster);
  if (sourceJson === undefined) {
    sourceJson = JSON.stringify(sourceOf(entry, src));
    if (shared) sourceMemo.set(entry.summary.managementCluster, sourceJson);
  }
  const lastChangedAt = JSON.stringify(entry.summary.lastChangedAt);
  if (slim) {
    entry.listContent ??= listContentOf(entry.summary);
    return `${entry.listContent.slice(
      0,
      -1,
    )},"lastChangedAt":${lastChangedAt},"source":${sourceJson}}`;
  }
  const extraJson = extra ? JSON.stringify(extra).slice(1, -1) : '';
  return `${contentOf(entry.summary).slice(
    0,
    -1,
  )},"lastChangedAt":${JSON.stringify(
    entry.summary.lastChangedAt,
  )},"source":${sourceJson}${extraJson ? `,${extraJson}` : ''}}`;
}
