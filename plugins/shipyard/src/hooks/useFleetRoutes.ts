import { useRouteRef } from '@backstage/core-plugin-api';
import { ClusterKey } from '@shipyard/plugin-shipyard-common';
import { rootRouteRef } from '../routes';

/** Links into the fleet page; falls back to `/shipyard` when the page is not mounted in this app. */
export function useFleetRoutes(): {
  fleet: (params?: URLSearchParams) => string;
  cluster: (key: ClusterKey) => string;
  audit: (params?: URLSearchParams) => string;
} {
  let base = '/shipyard';
  try {
    // eslint-disable-next-line react-hooks/rules-of-hooks
    base = useRouteRef(rootRouteRef)();
  } catch {
    base = '/shipyard';
  }
  const root = base.replace(/\/$/, '');
  return {
    fleet: params => {
      const qs = params?.toString();
      return qs ? `${root}?${qs}` : root;
    },
    cluster: key =>
      `${root}/clusters/${[key.managementCluster, key.namespace, key.name]
        .map(encodeURIComponent)
        .join('/')}`,
    audit: params => {
      const qs = params?.toString();
      return qs ? `${root}/audit?${qs}` : `${root}/audit`;
    },
  };
}
