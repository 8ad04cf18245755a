import { ResponseError } from '@backstage/errors';

/**
 * Whether a failed request to a backend is worth asking again: a 5xx or 429 answer, a timeout, a refused or reset
 * connection (a restart, an overloaded process, the network). With `unauthorized`, a 401 as well: a service token is
 * refused when the receiving backend, too busy, could not fetch the keys that check it in time. One notion for the
 * backend plugins (Node's fetch and node-fetch) and the frontend (the browser's fetch, which names no code: its
 * network failures are a `TypeError` with the browser's own message).
 */
export function isTransientError(
  error: unknown,
  options: { unauthorized?: boolean } = {},
): boolean {
  if (error instanceof ResponseError) {
    const status = error.statusCode;
    return (
      status >= 500 ||
      status === 429 ||
      status === 408 ||
      (!!options.unauthorized && status === 401)
    );
  }
  const e = error as {
    name?: string;
    message?: string;
    code?: string;
    cause?: { code?: string };
  };
  // undici names the code on the cause, node-fetch on the error itself
  const code = e?.cause?.code ?? e?.code ?? '';
  return (
    (e?.name === 'TypeError' &&
      // Node's fetch; Chromium, Firefox and Safari
      /fetch failed|failed to fetch|networkerror|load failed/i.test(
        String(e.message),
      )) ||
    e?.name === 'AbortError' ||
    e?.name === 'TimeoutError' ||
    /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|UND_ERR_\w+)$/.test(code)
  );
}
