import { useCallback, useRef, useState } from 'react';

/** What {@link useLatestAnswer} returns. */
export interface LatestAnswer<T> {
  /** The latest read's answer given to `take` (kept when a later read fails). */
  value?: T;
  /** The error of the latest read given to `take`, until a later read answers. */
  error?: Error;
  /**
   * Starts a read whose answers the caller applies: they are applied only while the returned `isLatest()` holds,
   * that is until the next `begin` or `take`.
   */
  begin(): () => boolean;
  /** Starts a read and makes its answer `value` (or its failure `error`) while it is the latest; returns `isLatest`. */
  take(read: Promise<T>): () => boolean;
}

/**
 * "The latest answer wins" for a view that reads again (on events, on a new query): an older read that answers
 * late never overwrites a newer one, nor does its error. `begin` and `take` keep their identity across renders.
 */
export function useLatestAnswer<T = never>(): LatestAnswer<T> {
  const reads = useRef(0);
  const [answer, setAnswer] = useState<{ value?: T; error?: Error }>({});
  const begin = useCallback(() => {
    const mine = ++reads.current;
    return () => mine === reads.current;
  }, []);
  const take = useCallback(
    (read: Promise<T>) => {
      const isLatest = begin();
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
