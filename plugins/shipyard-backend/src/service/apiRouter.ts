import { createValidatedOpenApiRouterFromGeneratedEndpointMap } from '@backstage/backend-openapi-utils';
import { InputError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import { createOpenApiRouter, EndpointMap, spec } from '../schema/openapi';
import { compileValidatorRoutesOnce } from './routeMatchers';
import { constrainedHeaders, ValidatedReads } from './validatedReads';

/**
 * The router of `/api/shipyard`, typed by the operations of `src/schema/openapi.yaml`: every request is validated
 * against the spec (unknown query parameters, types, enums, ranges, bodies) before a handler runs, and a handler's
 * parameters and responses have the spec's types.
 */
export type ShipyardApiRouter = ReturnType<
  typeof createValidatedOpenApiRouterFromGeneratedEndpointMap<EndpointMap>
>;

/**
 * Options of the generated `createOpenApiRouter`: JSON bodies up to 64 kB (audit records). Credentials are checked
 * by the plugin's HTTP router and `httpAuth` (the spec's security scheme documents them), not by the validator. The
 * spec itself is validated by `yarn openapi:check` (make test), not again at every start.
 */
export const API_ROUTER_OPTIONS = {
  middleware: [express.json({ limit: '64kb' })],
  validatorOptions: { validateSecurity: false, validateApiSpec: false },
};

compileValidatorRoutesOnce();

/**
 * The generated router of the spec, made once per process when this module loads: loading the spec for validation
 * takes a few hundred milliseconds, which is then spent at start rather than by the first request of each router.
 */
const validation = createOpenApiRouter(API_ROUTER_OPTIONS);
let validating: Awaited<typeof validation> | undefined;
validation.then(
  router => {
    validating = router;
  },
  () => {},
);

/**
 * A refusal of the validator in the words the routes use for their own checks (`unknown query parameter "x"`,
 * `Invalid query parameter limit: must be <= 500`), so that a caller reads one vocabulary whichever check refused.
 */
export function apiInputError(error: Error): InputError {
  const messages = error.message
    .split(/, (?=request\/|Unknown query parameter)/)
    .map(part => {
      const unknown = /^Unknown query parameter '(.*)'$/.exec(part);
      if (unknown) return `unknown query parameter "${unknown[1]}"`;
      const where =
        /^request\/(query|params|headers|body)(?:\/([^ ]+))? (.*)$/s.exec(part);
      if (!where) return part;
      const [, location, field, message] = where;
      if (location === 'body') {
        return field
          ? `Invalid request body field ${field.replace(
              /\//g,
              '.',
            )}: ${message}`
          : `Invalid request body: ${message}`;
      }
      const kind = { query: 'query', params: 'path', headers: 'header' }[
        location
      ];
      return `Invalid ${kind} parameter ${
        field?.split('/')[0] ?? ''
      }: ${message}`;
    });
  return new InputError(messages.join('; '));
}

/** The headers whose values the validator's outcome depends on (none of the spec's reads has one today). */
const CONSTRAINED_HEADERS = constrainedHeaders(spec as any);

/**
 * A router of the spec's operations: requests pass the shared validating router before any route of it. A read
 * identical to one that passed before (same method, URL and constrained headers; no body) gets what the validator
 * made of it then, without being validated again.
 */
export function createApiRouter(): ShipyardApiRouter {
  const router = Router();
  const reads = new ValidatedReads(CONSTRAINED_HEADERS);
  router.use(async (req, res, next) => {
    const key = reads.keyOf(req);
    if (key !== undefined && reads.reuse(key, req)) {
      next();
      return;
    }
    // once made, the validating router is called without waiting for its promise
    (validating ?? (await validation))(req, res, (error?: unknown) => {
      if (error instanceof Error) next(apiInputError(error));
      else {
        if (error === undefined && key !== undefined) reads.remember(key, req);
        next(error);
      }
    });
  });
  return router as unknown as ShipyardApiRouter;
}
