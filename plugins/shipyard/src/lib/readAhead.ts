import type { ShipyardApi } from '../api';
import { readFleetQuery, toTableRequest } from './filters';

/**
 * Asks for the fleet table's first rows from the fleet page's loader, while the page's own code still loads: the
 * table's first `GET /clusters` (and the permission decision the backend makes for it) is on its way during that
 * time, and the table takes the read over when it asks for the same. Only when the address is the fleet page itself
 * (`pagePath`, under any base path), with the filters of its query; not below it (a cluster's page) and never in the
 * way of the page: an API without `readClustersAhead` or a failure here leaves the table to read as it renders.
 */
export function readFleetTableAhead(
  api: ShipyardApi | undefined,
  pagePath: string,
  location: Pick<Location, 'pathname' | 'search'> = window.location,
): void {
  try {
    const path = location.pathname.replace(/\/+$/, '');
    if (
      !api?.readClustersAhead ||
      !path.endsWith(pagePath.replace(/\/+$/, ''))
    ) {
      return;
    }
    api.readClustersAhead(
      toTableRequest(readFleetQuery(new URLSearchParams(location.search))),
    );
  } catch {
    // the table reads when it renders
  }
}
