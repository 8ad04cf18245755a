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
 * The JSON of an entry's full summary as the index presents it. `sourceMemo` keeps the `source` JSON per management
 * cluster within one page; `extra` are the volatile fields.
 */
export function serializeEntry(
  entry: Entry,
  src: IndexedSourceState | undefined,
  sourceMemo: Map<string, string>,
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
  const extraJson = extra ? JSON.stringify(extra).slice(1, -1) : '';
  return `${contentOf(entry.summary).slice(
    0,
    -1,
  )},"lastChangedAt":${JSON.stringify(
    entry.summary.lastChangedAt,
  )},"source":${sourceJson}${extraJson ? `,${extraJson}` : ''}}`;
}

/**
 * UTF-8 bytes of a string in memory of their own: a small buffer is otherwise a slice of Node's shared pool, and one
 * kept slice keeps its whole pool alive.
 */
export function bytesOf(text: string): Buffer {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text, 'utf8'));
  bytes.write(text, 0, 'utf8');
  return bytes;
}

/**
 * The UTF-8 bytes of an entry's slim list item up to its `source` value: the list item's fields (ending with
 * `lastChangedAt`) and `"source":`. Kept on the entry until its summary changes: a page of slim items is these bytes, each item's `source`
 * and a closing brace, copied once into the answer (no page-sized string built and encoded at every request).
 */
export function listItemHead(entry: Entry): Buffer {
  entry.listHead ??= bytesOf(
    `${listContentOf(entry.summary).slice(0, -1)},"source":`,
  );
  return entry.listHead;
}

/**
 * The UTF-8 bytes of an entry's `source` value. `sourceMemo` keeps them per management cluster within one page:
 * resynced entries of one management cluster share their freshness.
 */
export function sourceBytesOf(
  entry: Entry,
  src: IndexedSourceState | undefined,
  sourceMemo: Map<string, Buffer>,
): Buffer {
  const shared = entry.resynced && src?.lastSeenAt !== undefined;
  if (shared) {
    const known = sourceMemo.get(entry.summary.managementCluster);
    if (known) return known;
  }
  const bytes = Buffer.from(JSON.stringify(sourceOf(entry, src)), 'utf8');
  if (shared) sourceMemo.set(entry.summary.managementCluster, bytes);
  return bytes;
}
