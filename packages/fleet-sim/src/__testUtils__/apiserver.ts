/** Objects and assertions the API server's test suites share. */
import { ApiError } from '../api/errors';
import { JsonObject } from '../util/json';

export const CLUSTERS = 'cluster.x-k8s.io/clusters';
export const CONFIGMAPS = 'core/configmaps';

/** A topology Cluster named `name`; `extra.metadata` and `extra.spec` are merged in. */
export function cluster(name: string, extra: JsonObject = {}): JsonObject {
  return {
    apiVersion: 'cluster.x-k8s.io/v1beta2',
    kind: 'Cluster',
    metadata: { name, ...((extra.metadata as JsonObject) ?? {}) },
    spec: {
      topology: {
        classRef: { name: 'quick-start' },
        version: 'v1.34.7',
        controlPlane: { replicas: 1 },
      },
      ...((extra.spec as JsonObject) ?? {}),
    },
  };
}

/** Runs `fn` and expects it to throw an ApiError with `code` (and `reason`); returns the error. */
export function expectApiError(
  fn: () => unknown,
  code: number,
  reason?: string,
): ApiError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    const err = e as ApiError;
    expect(err.code).toBe(code);
    if (reason) expect(err.reason).toBe(reason);
    return err;
  }
  throw new Error(`expected an ApiError ${code}`);
}
