/** A Kubernetes `Status` object: the body of every error the API server answers with. */
export interface KubeStatus {
  apiVersion?: string;
  kind?: string;
  /** `Success` or `Failure`. */
  status?: string;
  message?: string;
  /** `NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, `Expired`, `Forbidden`, … */
  reason?: string;
  code?: number;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: Array<{ field?: string; message?: string; reason?: string }>;
    retryAfterSeconds?: number;
  };
}

/**
 * Why a request got no usable HTTP response. Each is also the `reason` of the {@link KubeApiError}:
 * `Timeout` (a deadline or an idle limit passed), `Aborted` (the caller's signal), `TooLarge` (the body or a watch
 * event passed the size limit), `TLSError`, `Unreachable` (refused, reset, no route, no such host), `Invalid` (the
 * server sent something that is not what it should be: no JSON, an unknown watch event).
 */
export type KubeTransportReason =
  | 'Timeout'
  | 'Aborted'
  | 'TooLarge'
  | 'TLSError'
  | 'Unreachable'
  | 'Invalid';

/**
 * The one error of the Kubernetes access layer: either the API server answered with an error (`statusCode` is the
 * HTTP status and `status` the `Status` body it sent, when it sent one), or no usable answer came (`statusCode` 0,
 * `reason` a {@link KubeTransportReason}). Messages never quote credentials or response bodies beyond the
 * `Status` message.
 */
export class KubeApiError extends Error {
  /** HTTP status code, or 0 when no HTTP response arrived. */
  readonly statusCode: number;
  /** The `Status` reason (`NotFound`, `Expired`, …) or a {@link KubeTransportReason}. */
  readonly reason?: string;
  /** The `Status` body of the answer, when the server sent one. */
  readonly status?: KubeStatus;

  constructor(
    message: string,
    statusCode: number,
    reason?: string,
    status?: KubeStatus,
  ) {
    super(message);
    this.name = 'KubeApiError';
    this.statusCode = statusCode;
    this.reason = reason;
    this.status = status;
  }

  /** The requested resourceVersion is too old (410 Gone / Expired): relist. */
  get isExpired(): boolean {
    return (
      this.statusCode === 410 ||
      this.reason === 'Expired' ||
      this.reason === 'Gone'
    );
  }

  /** 404 Not Found. */
  get isNotFound(): boolean {
    return this.statusCode === 404;
  }

  /** 409: the object exists already, or its resourceVersion moved on. */
  get isConflict(): boolean {
    return this.statusCode === 409;
  }

  /** No usable answer arrived (nothing the server said about the request itself). */
  get isTransport(): boolean {
    return this.statusCode === 0;
  }
}

/** The error of an HTTP error answer, from its `Status` body when it has one. */
export function errorFromResponse(
  what: string,
  statusCode: number,
  body: string,
): KubeApiError {
  let status: KubeStatus | undefined;
  try {
    const parsed = JSON.parse(body);
    if (parsed && typeof parsed === 'object' && parsed.kind === 'Status') {
      status = parsed as KubeStatus;
    }
  } catch {
    // not a Status body
  }
  const reason =
    typeof status?.reason === 'string' && status.reason
      ? status.reason
      : undefined;
  const message =
    typeof status?.message === 'string' && status.message
      ? status.message.slice(0, 1000)
      : `HTTP ${statusCode}`;
  return new KubeApiError(`${what}: ${message}`, statusCode, reason, status);
}

const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_NOT_YET_VALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

/** Turns a socket or TLS error into a short {@link KubeApiError} that names no host and no credential. */
export function transportError(error: unknown): KubeApiError {
  if (error instanceof KubeApiError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  const fail = (message: string, reason: KubeTransportReason) =>
    new KubeApiError(message, 0, reason);
  if (TLS_CODES.has(code) || /certificate|ssl|tls/i.test(code)) {
    return fail(`TLS error: ${code}`, 'TLSError');
  }
  switch (code) {
    case 'ABORT_ERR':
      return fail('aborted', 'Aborted');
    case 'ECONNREFUSED':
      return fail('connection refused', 'Unreachable');
    case 'ECONNRESET':
    case 'EPIPE':
      return fail('connection reset', 'Unreachable');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return fail('host not found', 'Unreachable');
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return fail('host unreachable', 'Unreachable');
    case 'ETIMEDOUT':
      return fail('connect timed out', 'Timeout');
    default:
      return fail(
        code ? `request failed: ${code}` : 'request failed',
        'Unreachable',
      );
  }
}
