import { ClusterSortField, SortOrder } from '@shipyard/plugin-shipyard-common';
import { InputError } from '@backstage/errors';
import { SortValue } from './entries';

/** Where a page ends: the sort, and the sort value and key of its last cluster. */
export interface CursorPayload {
  f: ClusterSortField;
  o: SortOrder;
  v: SortValue;
  k: string;
}

export function encodeCursor(payload: CursorPayload): string {
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): CursorPayload {
  try {
    const p = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      p &&
      typeof p.f === 'string' &&
      (p.o === 'asc' || p.o === 'desc') &&
      typeof p.k === 'string' &&
      (p.v === undefined || typeof p.v === 'string' || typeof p.v === 'number')
    ) {
      return p as CursorPayload;
    }
  } catch {
    // fall through
  }
  throw new InputError('cursor: invalid cursor');
}
