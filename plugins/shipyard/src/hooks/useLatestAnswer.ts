import { useCallback, useRef, useState } from 'react';

/** How a read begun by {@link LatestAnswer} relates to the reads begun before it. */
export interface ReadOptions {
  /**
   * A read of the same thing again (a live refresh): the reads begun before it still apply when they answer, until
   * one begun later has answered — so that refreshes that come faster than the answers never leave a view without
   * one. Without it a read starts anew (a new query, another page): no read begun before it applies any more.
   */
  again?: boolean;
}

/** What {@link useLatestAnswer} returns. */
export interface LatestAnswer<T> {
  /** The latest read's answer given to `take` (kept when a later read fails). */
  value?: T;
  /** The error of the latest read given to `take`, until a later read answers. */
  error?: Error;
  /**
   * Starts a read whose answers the caller applies: the returned `isLatest()` says whether its answer applies (no
   * read began anew since, and no read begun later has answered); from a `true` on, it is the latest answer.
   */
  begin(options?: ReadOptions): () => boolean;
  /** Starts a read and makes its answer `value` (or its failure `error`) when it applies; returns `isLatest`. */
  take(read: Promise<T>, options?: ReadOptions): () => boolean;
}

/**
 * "The latest answer wins" for a view that reads again (on events, on a new query): an older read that answers
 * late never overwrites a newer one, nor does its error. `begin` and `take` keep their identity across renders.
 */
export function useLatestAnswer<T = never>(): LatestAnswer<T> {
  const reads = useRef({ begun: 0, anew: 0, answered: 0 });
  const [answer, setAnswer] = useState<{ value?: T; error?: Error }>({});
  const begin = useCallback((options: ReadOptions = {}) => {
    const r = reads.current;
    const mine = ++r.begun;
    if (!options.again) r.anew = mine;
    const since = r.anew;
    return () => {
      if (since !== r.anew || mine < r.answered) return false;
      r.answered = mine;
      return true;
    };
  }, []);
  const take = useCallback(
    (read: Promise<T>, options?: ReadOptions) => {
      const isLatest = begin(options);
      read.then(
        value => {
          if (isLatest()) setAnswer({ value });
        },
        (error: Error) => {
          if (isLatest()) setAnswer(prev => ({ value: prev.value, error }));
        },
      );
      return isLatest;
    },
    [begin],
  );
  return { ...answer, begin, take };
}
