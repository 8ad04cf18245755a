import { LoggerService } from '@backstage/backend-plugin-api';
import { toUserFacingError } from '@shipyard/plugin-shipyard-node';
import express from 'express';

/**
 * The last middleware of each Shipyard router: an error goes on to the backend's error handler without stack
 * frames, file paths or cluster addresses (`toUserFacingError`), whatever that handler's settings (a backend in
 * development mode shows stacks). A server error is logged in full first.
 */
export function userFacingErrors(
  logger: LoggerService,
): express.ErrorRequestHandler {
  return (error, req, _res, next) => {
    const err =
      error instanceof Error ? error : new Error(String(error ?? 'error'));
    const status = Number(
      (err as { statusCode?: unknown }).statusCode ??
        (err as { status?: unknown }).status,
    );
    const known = [
      'InputError',
      'AuthenticationError',
      'NotAllowedError',
      'NotFoundError',
      'ConflictError',
      'NotModifiedError',
      'ServiceUnavailableError',
    ].includes(err.name);
    if (!known && !(status >= 400 && status < 500)) {
      logger.error(`Shipyard: ${req.method} ${req.path} failed`, err);
    }
    const safe = toUserFacingError(err);
    // an error handler that shows stacks has none to show
    delete safe.stack;
    next(safe);
  };
}
