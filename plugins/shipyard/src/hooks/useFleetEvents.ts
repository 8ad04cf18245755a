import { useEffect, useRef, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { FleetChangeEvent } from '@shipyard/plugin-shipyard-common';
import { shipyardApiRef } from '../api';
import { FleetStreamState } from '../api/types';

/**
 * Subscribes to the fleet event stream while the component is mounted. `onChange` may change on every render;
 * the latest one is called. Returns the state of the connection.
 */
export function useFleetEvents(
  onChange: (event: FleetChangeEvent) => void,
  options: { enabled?: boolean } = {},
): FleetStreamState {
  const api = useApi(shipyardApiRef);
  const enabled = options.enabled ?? true;
  const callback = useRef(onChange);
  callback.current = onChange;
  const [state, setState] = useState<FleetStreamState>(
    enabled ? 'connecting' : 'closed',
  );
  useEffect(() => {
    if (!enabled) return undefined;
    const subscription = api.subscribe({
      onChange: event => callback.current(event),
      onState: setState,
    });
    return () => subscription.unsubscribe();
  }, [api, enabled]);
  return state;
}

/**
 * Returns a function that runs `fn` at most once per `intervalMs` (trailing call guaranteed), for refreshing views
 * on bursts of change events.
 */
export function useThrottled(fn: () => void, intervalMs: number): () => void {
  const latest = useRef(fn);
  latest.current = fn;
  const state = useRef<{ last: number; timer?: ReturnType<typeof setTimeout> }>(
    {
      last: 0,
    },
  );
  useEffect(
    () => () => {
      if (state.current.timer) clearTimeout(state.current.timer);
    },
    [],
  );
  const throttled = useRef(() => {
    const s = state.current;
    if (s.timer) return;
    const wait = Math.max(0, s.last + intervalMs - Date.now());
    s.timer = setTimeout(() => {
      s.timer = undefined;
      s.last = Date.now();
      latest.current();
    }, wait);
  });
  return throttled.current;
}

/**
 * Runs `read(false)` now (and again whenever `read` changes) and, while fleet change events arrive, `read(true)` at
 * most once per `intervalMs`: a view that stays live. `again` says the read is a refresh of the same thing (for
 * `useLatestAnswer`'s `{ again }`: a refresh does not throw away the reads on their way). Returns the state of the
 * event stream.
 */
export function useLiveRead(
  read: (again: boolean) => void,
  intervalMs: number,
): FleetStreamState {
  useEffect(() => read(false), [read]);
  const refresh = useThrottled(() => read(true), intervalMs);
  return useFleetEvents(() => refresh());
}
