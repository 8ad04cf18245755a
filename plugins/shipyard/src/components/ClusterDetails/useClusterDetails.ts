import { useApi } from '@backstage/core-plugin-api';
import {
  ClusterDetails,
  ClusterHistoryResponse,
  ClusterKey,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import { useCallback, useEffect, useState } from 'react';
import { shipyardApiRef } from '../../api';
import { FleetStreamState } from '../../api/types';
import { useFleetEvents, useLatestAnswer, useThrottled } from '../../hooks';

/** Loads a cluster with its history and keeps both live over the fleet event stream. */
export function useClusterDetails(key: ClusterKey): {
  details?: ClusterDetails;
  history?: ClusterHistoryResponse;
  loading: boolean;
  error?: Error;
  stream: FleetStreamState;
} {
  const api = useApi(shipyardApiRef);
  const id = stringifyClusterKey(key);
  const [details, setDetails] = useState<ClusterDetails>();
  const [history, setHistory] = useState<ClusterHistoryResponse>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<Error>();
  const { begin } = useLatestAnswer();

  const load = useCallback(
    (silent: boolean) => {
      // a live refresh reads the same cluster again: a read begun before it still shows when it answers first
      const isLatest = begin({ again: silent });
      const controller = new AbortController();
      if (!silent) setLoading(true);
      const k = { ...key };
      Promise.all([
        api.getCluster(k, { signal: controller.signal }),
        // the timeline is optional: a failing history read leaves the rest of the page intact
        api
          .getClusterHistory(k, { signal: controller.signal })
          .catch((): ClusterHistoryResponse => ({ items: [] })),
      ])
        .then(([d, h]) => {
          if (!isLatest()) return;
          setDetails(d);
          setHistory(h);
          setError(undefined);
          setLoading(false);
        })
        .catch((e: Error) => {
          if (!isLatest() || controller.signal.aborted) return;
          if (!silent) setError(e);
          setLoading(false);
        });
      return () => controller.abort();
    },
    // the key is represented by its string form
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, begin, id],
  );

  useEffect(() => load(false), [load]);
  const refresh = useThrottled(() => load(true), 1000);
  const stream = useFleetEvents(event => {
    if (event.changes.some(c => stringifyClusterKey(c) === id)) refresh();
  });
  return { details, history, loading, error, stream };
}
