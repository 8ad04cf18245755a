import { act, render, renderHook, screen } from '@testing-library/react';
import { useEffect, useState } from 'react';
import { useLatestAnswer } from './useLatestAnswer';

/** A promise settled from outside. */
function pending<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A view that reads `ask(query)` whenever its query changes and shows what the latest read answered. */
const View = (props: {
  query: string;
  ask: (q: string) => Promise<string>;
}) => {
  const { query, ask } = props;
  const { begin } = useLatestAnswer();
  const [shown, setShown] = useState('nothing yet');
  useEffect(() => {
    const isLatest = begin();
    ask(query).then(
      answer => {
        if (isLatest()) setShown(answer);
      },
      (e: Error) => {
        if (isLatest()) setShown(`failed: ${e.message}`);
      },
    );
  }, [begin, ask, query]);
  return <span data-testid="shown">{shown}</span>;
};

/** Reads that answer when the test says so, by query. */
function reads() {
  const byQuery = new Map<string, ReturnType<typeof pending<string>>>();
  const ask = (q: string) => {
    const read = pending<string>();
    byQuery.set(q, read);
    return read.promise;
  };
  return { ask, of: (q: string) => byQuery.get(q)! };
}

describe('useLatestAnswer', () => {
  it('keeps the newer answer when an older read answers after it', async () => {
    const { ask, of } = reads();
    const { rerender } = render(<View query="old" ask={ask} />);
    rerender(<View query="new" ask={ask} />);

    await act(async () => of('new').resolve('the new answer'));
    expect(screen.getByTestId('shown')).toHaveTextContent('the new answer');
    await act(async () => of('old').resolve('the old answer'));
    expect(screen.getByTestId('shown')).toHaveTextContent('the new answer');
  });

  it('drops an older read that answers first, and its error', async () => {
    const { ask, of } = reads();
    const { rerender } = render(<View query="a" ask={ask} />);
    rerender(<View query="b" ask={ask} />);
    rerender(<View query="c" ask={ask} />);

    await act(async () => of('a').resolve('answer a'));
    await act(async () => of('b').reject(new Error('b broke')));
    expect(screen.getByTestId('shown')).toHaveTextContent('nothing yet');
    await act(async () => of('c').resolve('answer c'));
    expect(screen.getByTestId('shown')).toHaveTextContent('answer c');
  });

  it('lets the latest read fail visibly', async () => {
    const { ask, of } = reads();
    render(<View query="only" ask={ask} />);
    await act(async () => of('only').reject(new Error('unreachable')));
    expect(screen.getByTestId('shown')).toHaveTextContent(
      'failed: unreachable',
    );
  });

  it('marks only the last begun read as the latest, with the same begin and take on every render', () => {
    const { result, rerender } = renderHook(() => useLatestAnswer<string>());
    const { begin, take } = result.current;
    const first = begin();
    expect(first()).toBe(true);
    rerender();
    expect(result.current.begin).toBe(begin);
    expect(result.current.take).toBe(take);
    const second = result.current.begin();
    expect(first()).toBe(false);
    expect(second()).toBe(true);
    const third = result.current.take(new Promise<string>(() => {}));
    expect(second()).toBe(false);
    expect(third()).toBe(true);
  });

  it('takes the newer answer as its value when an older read answers after it', async () => {
    const { ask, of } = reads();
    const { result } = renderHook(() => useLatestAnswer<string>());
    act(() => {
      result.current.take(ask('old'));
      result.current.take(ask('new'));
    });
    await act(async () => of('new').resolve('the new answer'));
    expect(result.current.value).toBe('the new answer');
    await act(async () => of('old').resolve('the old answer'));
    expect(result.current.value).toBe('the new answer');
    expect(result.current.error).toBeUndefined();
  });

  it("drops an older read's error, keeps the value on the latest read's error and clears the error on an answer", async () => {
    const { ask, of } = reads();
    const { result } = renderHook(() => useLatestAnswer<string>());
    act(() => {
      result.current.take(ask('first'));
    });
    await act(async () => of('first').resolve('answer 1'));
    act(() => {
      result.current.take(ask('older'));
      result.current.take(ask('latest'));
    });
    await act(async () => of('older').reject(new Error('too late')));
    expect(result.current.error).toBeUndefined();
    await act(async () => of('latest').reject(new Error('unreachable')));
    expect(result.current).toMatchObject({
      value: 'answer 1',
      error: new Error('unreachable'),
    });
    act(() => {
      result.current.take(ask('again'));
    });
    await act(async () => of('again').resolve('answer 2'));
    expect(result.current.value).toBe('answer 2');
    expect(result.current.error).toBeUndefined();
  });

  it('lets a read answer while a refresh of it is on its way, and drops it once the refresh answered', async () => {
    const { ask, of } = reads();
    const { result } = renderHook(() => useLatestAnswer<string>());
    act(() => {
      result.current.take(ask('first'));
      result.current.take(ask('refresh 1'), { again: true });
    });
    await act(async () => of('first').resolve('answer 1'));
    expect(result.current.value).toBe('answer 1');
    act(() => {
      result.current.take(ask('refresh 2'), { again: true });
    });
    await act(async () => of('refresh 2').resolve('answer 3'));
    await act(async () => of('refresh 1').resolve('answer 2'));
    expect(result.current.value).toBe('answer 3');
  });

  it('drops the reads and refreshes begun before a read that starts anew', () => {
    const { result } = renderHook(() => useLatestAnswer<string>());
    const first = result.current.begin();
    const refresh = result.current.begin({ again: true });
    const anew = result.current.begin();
    const again = result.current.begin({ again: true });
    expect(first()).toBe(false);
    expect(refresh()).toBe(false);
    expect(again()).toBe(true);
    expect(anew()).toBe(false);
  });
});
