import { redactInternals, toUserFacingError } from './userFacingErrors';

describe('redactInternals', () => {
  it('replaces URLs, host:port addresses and absolute file paths, and keeps the rest', () => {
    expect(
      redactInternals(
        'request to https://10.0.0.5:6443/apis/x failed: connect ECONNREFUSED 10.0.0.5:6443 (api.mgmt.internal:443/healthz) at /work/plugins/x/src/a.ts:12:5 in /home/me/app',
      ),
    ).toBe(
      'request to <address> failed: connect ECONNREFUSED <address> (<address>/healthz) at <path> in <path>',
    );
    expect(
      redactInternals(
        'Cluster: /apis/cluster.x-k8s.io/v1beta2/clusters: HTTP 500: etcdserver: request timed out',
      ),
    ).toBe(
      'Cluster: /apis/cluster.x-k8s.io/v1beta2/clusters: HTTP 500: etcdserver: request timed out',
    );
    expect(redactInternals('version v1.35.2 of team-a/payments at 12:30')).toBe(
      'version v1.35.2 of team-a/payments at 12:30',
    );
  });
});

describe('toUserFacingError', () => {
  it('keeps the class and fields, drops the frames', () => {
    class StatusError extends Error {
      statusCode = 409;
    }
    const error = toUserFacingError(
      Object.assign(new StatusError('busy at localhost:7007'), {
        name: 'ConflictError',
      }),
    );
    expect(error).toBeInstanceOf(StatusError);
    expect(error.statusCode).toBe(409);
    expect(error.message).toBe('busy at <address>');
    expect(error.stack).toBe('ConflictError: busy at <address>');
  });
});
