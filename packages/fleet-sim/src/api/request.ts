/** A request to one simulated API server, as the server layer hands it over, and what its URL names. */
import { IncomingMessage, ServerResponse } from 'node:http';
import { FieldValidation } from './writeOptions';
import { errors } from './errors';
import { ResourceType } from './registry';

/** Who is calling. */
export interface Caller {
  user: string;
  /** Read-only callers may get/list/watch everything except secrets. */
  readOnly: boolean;
}

export interface ApiRequest {
  req: IncomingMessage;
  res: ServerResponse;
  /** The path below the cluster's URL prefix, starting with `/`. */
  path: string;
  query: URLSearchParams;
  /** The cluster's URL prefix (`/clusters/<name>`). */
  prefix: string;
  caller: Caller;
}

/** The resource a request's path names. */
export interface ResourcePath {
  type: ResourceType;
  version: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  watch: boolean;
}

export function boolParam(query: URLSearchParams, name: string): boolean {
  const v = query.get(name);
  return v === 'true' || v === '1';
}

export function fieldValidationOf(
  query: URLSearchParams,
): FieldValidation | undefined {
  const v = query.get('fieldValidation');
  if (v === null || v === '') return undefined;
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw errors.badRequest(
    `fieldValidation must be one of Strict, Warn, Ignore; got "${v}"`,
  );
}
