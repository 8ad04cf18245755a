import { useApi } from '@backstage/core-plugin-api';
import { ClusterKey } from '@shipyard/plugin-shipyard-common';
import { useEffect, useState } from 'react';
import {
  ShipyardReads,
  ShipyardRequestOptions,
  shipyardApiRef,
  shipyardReads,
} from '../api';

/** The reads of the API that take one cluster's key. */
export type ClusterRead = {
  [Method in keyof ShipyardReads]: (typeof shipyardReads)[Method][1] extends 'key'
    ? Method
    : never;
}[keyof ShipyardReads];

/**
 * One read of a cluster's (`getClusterLifecycle`, …): read again whenever the cluster's key or `reload` changes, and
 * abandoned when either changes first or the component leaves. A failed read keeps the last answer and sets the
 * error; an answer clears it.
 */
export function useClusterRead<Method extends ClusterRead>(
  method: Method,
  key: ClusterKey,
  reload?: unknown,
): { value?: Awaited<ReturnType<ShipyardReads[Method]>>; error?: Error } {
  type Answer = Awaited<ReturnType<ShipyardReads[Method]>>;
  const api = useApi(shipyardApiRef);
  const [value, setValue] = useState<Answer>();
  const [error, setError] = useState<Error>();
  const { managementCluster, namespace, name } = key;
  useEffect(() => {
    const controller = new AbortController();
    const read = api[method] as (
      clusterKey: ClusterKey,
      options: ShipyardRequestOptions,
    ) => Promise<Answer>;
    read
      .call(
        api,
        { managementCluster, namespace, name },
        { signal: controller.signal },
      )
      .then(answer => {
        setValue(answer);
        setError(undefined);
      })
      .catch((e: Error) => {
        if (!controller.signal.aborted) setError(e);
      });
    return () => controller.abort();
  }, [api, method, managementCluster, namespace, name, reload]);
  return { value, error };
}
