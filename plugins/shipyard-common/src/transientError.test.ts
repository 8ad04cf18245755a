import { responseError } from './__testUtils__/responseError';
import { isTransientError } from './transientError';

describe('isTransientError', () => {
  it('asks again after 5xx, 429 and 408 answers, not after other refusals', async () => {
    for (const status of [500, 502, 503, 429, 408]) {
      expect(isTransientError(await responseError(status))).toBe(true);
    }
    for (const status of [400, 401, 403, 404, 409]) {
      expect(isTransientError(await responseError(status))).toBe(false);
    }
  });

  it('asks again after a 401 only when told to (a service token refused by a busy backend)', async () => {
    expect(
      isTransientError(await responseError(401), { unauthorized: true }),
    ).toBe(true);
    expect(
      isTransientError(await responseError(403), { unauthorized: true }),
    ).toBe(false);
  });

  it('asks again after timeouts and failed or reset connections, not after other errors', () => {
    const timeout = new DOMException('timed out', 'TimeoutError');
    const reset = Object.assign(new TypeError('fetch failed'), {
      cause: { code: 'ECONNRESET' },
    });
    const refused = Object.assign(new Error('connect'), {
      cause: { code: 'ECONNREFUSED' },
    });
    // node-fetch (the permission and catalog clients) names the code on the error itself
    const resetFetch = Object.assign(
      new Error(
        'request to http://localhost/api/permission/authorize failed, reason: read ECONNRESET',
      ),
      { name: 'FetchError', type: 'system', code: 'ECONNRESET' },
    );
    expect(isTransientError(resetFetch)).toBe(true);
    expect(
      isTransientError(Object.assign(new Error('x'), { code: 'ENOENT' })),
    ).toBe(false);
    expect(isTransientError(timeout)).toBe(true);
    expect(isTransientError(reset)).toBe(true);
    expect(isTransientError(refused)).toBe(true);
    expect(isTransientError(new Error('boom'))).toBe(false);
    expect(isTransientError(new TypeError('x is not a function'))).toBe(false);
  });

  it("asks again after the browsers' network failures of fetch", () => {
    for (const message of [
      'Failed to fetch',
      'NetworkError when attempting to fetch resource.',
      'Load failed',
    ]) {
      expect(isTransientError(new TypeError(message))).toBe(true);
    }
  });
});
