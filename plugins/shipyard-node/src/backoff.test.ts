import * as common from '@shipyard/plugin-shipyard-common';
import { Backoff, isTransientError, retryTransient, sleep } from './backoff';

describe('the retry of -node', () => {
  it("is -common's, for the modules that import it from here", () => {
    expect(retryTransient).toBe(common.retryTransient);
    expect(Backoff).toBe(common.Backoff);
    expect(sleep).toBe(common.sleep);
    expect(isTransientError).toBe(common.isTransientError);
  });
});
