import {
  ClusterSortField,
  DEFAULT_CLUSTER_PAGE_SIZE,
  ListClustersRequest,
  SortOrder,
} from '@shipyard/plugin-shipyard-common';
import { InputError } from '@backstage/errors';
import { CursorPayload, decodeCursor, encodeCursor } from './cursor';
import { Entry } from './entries';
import { FleetQueryOptions } from './model';
import { Selection, Selections } from './selections';
import {
  SORT_SLOT,
  SortOrders,
  compareEntries,
  lowerBound,
} from './sortOrders';

/** Below this many matches a filtered page is cut from the sorted matches; above, the global sort order is walked. */
const SMALL_SELECTION = 2048;

/** One page of a query, with the selection it was cut from. */
export interface PageResult {
  page: Entry[];
  hasMore: boolean;
  selection: Selection;
  field: ClusterSortField;
  order: SortOrder;
}

export function pageOf(
  request: ListClustersRequest,
  options: FleetQueryOptions,
  selections: Selections,
  orders: SortOrders,
): PageResult {
  const field: ClusterSortField = request.sort ?? 'name';
  const order: SortOrder = request.order ?? 'asc';
  const limit = request.limit ?? DEFAULT_CLUSTER_PAGE_SIZE;
  const cursor = request.cursor ? decodeCursor(request.cursor) : undefined;
  if (cursor && (cursor.f !== field || cursor.o !== order)) {
    throw new InputError(
      'cursor: the cursor belongs to a different sort; start again without it',
    );
  }
  const compiled = selections.compile(request, options);
  const selection = selections.select(compiled);
  const slot = SORT_SLOT.get(field)!;
  const members = selection.members;

  if (!members || members.size > SMALL_SELECTION) {
    const { page, hasMore } = walk(
      orders.by(field),
      slot,
      order,
      limit,
      cursor,
      members ? e => members.has(e) : undefined,
    );
    return { page, hasMore, selection, field, order };
  }

  let list = selection.sorted.get(field);
  if (!list) {
    list = [...members];
    list.sort((a, b) => compareEntries(slot, a, b));
    selection.sorted.set(field, list);
  }
  const { page, hasMore } = walk(list, slot, order, limit, cursor);
  return { page, hasMore, selection, field, order };
}

export function nextCursorOf(result: PageResult): string | undefined {
  const last = result.page[result.page.length - 1];
  if (!result.hasMore || !last) return undefined;
  return encodeCursor({
    f: result.field,
    o: result.order,
    v: last.sortKeys[SORT_SLOT.get(result.field)!],
    k: last.key,
  });
}

/** Cuts a page from an ascending array, starting after the cursor, in either direction. */
function walk(
  arr: Entry[],
  slot: number,
  order: SortOrder,
  limit: number,
  cursor: CursorPayload | undefined,
  accept?: (entry: Entry) => boolean,
): { page: Entry[]; hasMore: boolean } {
  const page: Entry[] = [];
  if (order === 'asc') {
    let i = 0;
    if (cursor) {
      i = lowerBound(arr, slot, cursor.v, cursor.k);
      if (i < arr.length && arr[i].key === cursor.k) i++;
    }
    for (; i < arr.length; i++) {
      if (accept && !accept(arr[i])) continue;
      if (page.length === limit) return { page, hasMore: true };
      page.push(arr[i]);
    }
  } else {
    let i = arr.length - 1;
    if (cursor) i = lowerBound(arr, slot, cursor.v, cursor.k) - 1;
    for (; i >= 0; i--) {
      if (accept && !accept(arr[i])) continue;
      if (page.length === limit) return { page, hasMore: true };
      page.push(arr[i]);
    }
  }
  return { page, hasMore: false };
}
