import { JsonObject } from '../util/json';

/** One cause of an `Invalid` error, as in `metav1.StatusCause`. */
export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** An error that becomes a `metav1.Status` body with the given code and reason. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): JsonObject {
    return statusBody(this.code, this.reason, this.message, this.details);
  }
}

export function statusBody(
  code: number,
  reason: string,
  message: string,
  details?: StatusDetails,
): JsonObject {
  const body: JsonObject = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: code >= 200 && code < 300 ? 'Success' : 'Failure',
    message,
    reason,
    code,
  };
  if (details) {
    body.details = JSON.parse(JSON.stringify(details));
  }
  if (!reason) {
    delete body.reason;
  }
  return body;
}

/** Identifies a resource in error messages: `clusters.cluster.x-k8s.io`. */
export interface ResourceName {
  group: string;
  plural: string;
  kind: string;
}

export function qualifiedResource(r: ResourceName): string {
  return r.group ? `${r.plural}.${r.group}` : r.plural;
}

export function qualifiedKind(r: ResourceName): string {
  return r.group ? `${r.kind}.${r.group}` : r.kind;
}

export const errors = {
  notFound(r: ResourceName, name: string): ApiError {
    return new ApiError(
      404,
      'NotFound',
      `${qualifiedResource(r)} "${name}" not found`,
      { name, group: r.group || undefined, kind: r.plural },
    );
  },
  pathNotFound(): ApiError {
    return new ApiError(
      404,
      'NotFound',
      'the server could not find the requested resource',
      {},
    );
  },
  alreadyExists(r: ResourceName, name: string): ApiError {
    return new ApiError(
      409,
      'AlreadyExists',
      `${qualifiedResource(r)} "${name}" already exists`,
      { name, group: r.group || undefined, kind: r.plural },
    );
  },
  conflict(r: ResourceName, name: string, why: string): ApiError {
    return new ApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualifiedResource(
        r,
      )} "${name}": ${why}`,
      { name, group: r.group || undefined, kind: r.plural },
    );
  },
  staleUpdate(r: ResourceName, name: string): ApiError {
    return errors.conflict(
      r,
      name,
      'the object has been modified; please apply your changes to the latest version and try again',
    );
  },
  invalid(r: ResourceName, name: string, causes: StatusCause[]): ApiError {
    const summary = causes
      .map(c => (c.field ? `${c.field}: ${c.message}` : c.message))
      .join(', ');
    const list = causes.length > 1 ? `[${summary}]` : summary;
    return new ApiError(
      422,
      'Invalid',
      `${qualifiedKind(r)} "${name}" is invalid: ${list}`,
      { name, group: r.group || undefined, kind: r.kind, causes },
    );
  },
  badRequest(message: string): ApiError {
    return new ApiError(400, 'BadRequest', message);
  },
  unauthorized(): ApiError {
    return new ApiError(401, 'Unauthorized', 'Unauthorized');
  },
  forbidden(message: string, r?: ResourceName, name?: string): ApiError {
    return new ApiError(
      403,
      'Forbidden',
      message,
      r ? { name, group: r.group || undefined, kind: r.plural } : undefined,
    );
  },
  methodNotAllowed(): ApiError {
    return new ApiError(
      405,
      'MethodNotAllowed',
      'the server does not allow this method on the requested resource',
      {},
    );
  },
  notAcceptable(accepted: string): ApiError {
    return new ApiError(
      406,
      'NotAcceptable',
      `only the following media types are accepted: ${accepted}`,
    );
  },
  unsupportedMediaType(
    contentType: string,
    accepted: string[],
    detail?: string,
  ): ApiError {
    return new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${accepted.join(
        ', ',
      )}`,
      {
        causes: [
          {
            reason: 'UnexpectedServerResponse',
            message: detail ? `${contentType}: ${detail}` : contentType,
          },
        ],
      },
    );
  },
  gone(message: string): ApiError {
    return new ApiError(410, 'Expired', message);
  },
  tooLarge(): ApiError {
    return new ApiError(
      413,
      'RequestEntityTooLarge',
      'Request entity too large: limit is 3145728',
    );
  },
  tooManyRequests(retryAfterSeconds: number): ApiError {
    return new ApiError(
      429,
      'TooManyRequests',
      'Too many requests, please try again later.',
      { retryAfterSeconds },
    );
  },
  internal(message: string): ApiError {
    return new ApiError(
      500,
      'InternalError',
      `Internal error occurred: ${message}`,
      { causes: [{ reason: '', message }] },
    );
  },
  serviceUnavailable(message: string): ApiError {
    return new ApiError(503, 'ServiceUnavailable', message);
  },
  timeout(message: string): ApiError {
    return new ApiError(504, 'Timeout', message);
  },
};
