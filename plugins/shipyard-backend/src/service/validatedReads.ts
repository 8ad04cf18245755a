import type express from 'express';
import { LRUCache } from 'lru-cache';

/*
 * Own code, because no library setting covers it: the spec's validator (express-openapi-validator, behind Backstage's
 * generated router) parses and checks every request again: it parses the URL and its query string, walks the
 * operation's parameters, dereferences and normalises each, mutates the query into the spec's types and runs the
 * compiled schema. For a read without a body that outcome is a function of the method, the URL and the values of the
 * headers the spec declares with a constraint: the fleet page and polling clients send the same URLs again and again.
 * The validator offers no cache of its own, so what it made of a read that passed (the typed query, the path
 * parameters, the operation it matched) is kept per such key and given to the next identical read, which then skips
 * it. A read that failed is not kept (it is validated, and refused, every time); the cache is bounded.
 */

/** A read that passed the validator: what the validator left on the request. */
interface Validated {
  query: unknown;
  params: Record<string, string>;
  openapi: unknown;
}

/** Distinct reads kept (bounded by count; each entry is a parsed query of a few hundred bytes). */
const MAX_READS = 5000;
/** Longer URLs are validated every time. */
const MAX_URL_LENGTH = 4096;

interface SpecParameter {
  in?: string;
  name?: string;
  schema?: Record<string, unknown>;
  $ref?: string;
}

/**
 * The headers whose values can change whether a request of `spec` is valid: those the spec declares as parameters,
 * unless their schema admits every string (a header's value is always a string).
 */
export function constrainedHeaders(spec: {
  paths?: Record<string, Record<string, { parameters?: SpecParameter[] }>>;
  components?: { parameters?: Record<string, SpecParameter> };
}): string[] {
  const names = new Set<string>();
  const resolve = (p: SpecParameter): SpecParameter | undefined => {
    if (!p.$ref) return p;
    const name = /^#\/components\/parameters\/(.+)$/.exec(p.$ref)?.[1];
    return name ? spec.components?.parameters?.[name] : undefined;
  };
  const consider = (p: SpecParameter | undefined) => {
    if (p?.in !== 'header' || !p.name) return;
    const schema = p.schema ?? {};
    const anyString =
      Object.keys(schema).every(k => k === 'type' || k === 'description') &&
      (schema.type === undefined || schema.type === 'string');
    if (!anyString) names.add(p.name.toLowerCase());
  };
  for (const path of Object.values(spec.paths ?? {})) {
    for (const operation of Object.values(path ?? {})) {
      if (!Array.isArray(operation?.parameters)) continue;
      for (const p of operation.parameters) consider(resolve(p));
    }
  }
  for (const p of Object.values(spec.components?.parameters ?? {})) {
    consider(p);
  }
  return [...names].sort();
}

/**
 * A copy of a parsed query: what the validator leaves is plain data (strings, numbers, booleans, arrays and objects of
 * them), copied here at a small share of `structuredClone`'s cost (which serialises and deserialises it, at every
 * read); anything else is copied by `structuredClone`.
 */
export function copyOfQuery(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyOfQuery(value[i]);
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    return structuredClone(value);
  }
  const out: Record<string, unknown> =
    proto === null ? Object.create(null) : {};
  for (const key of Object.keys(value)) {
    out[key] = copyOfQuery((value as Record<string, unknown>)[key]);
  }
  return out;
}

/** Outcomes of the validator for reads without a body, by method, URL and constrained headers. */
export class ValidatedReads {
  private readonly reads = new LRUCache<string, Validated>({
    max: MAX_READS,
  });

  constructor(private readonly headers: string[]) {}

  /** The key of a request whose validation may be reused; undefined when it must be validated. */
  keyOf(req: express.Request): string | undefined {
    if (req.method !== 'GET' && req.method !== 'HEAD') return undefined;
    const url = req.originalUrl;
    if (url.length > MAX_URL_LENGTH) return undefined;
    const h = req.headers;
    // a body, or a declared type of one, is validated every time
    if (h['content-length'] !== undefined && h['content-length'] !== '0') {
      return undefined;
    }
    if (h['transfer-encoding'] !== undefined) return undefined;
    if (h['content-type'] !== undefined) return undefined;
    let key = `${req.method} ${url}`;
    for (const name of this.headers) {
      const value = h[name];
      if (value === undefined) key += '\n';
      else if (typeof value === 'string') key += `\n${value}`;
      else return undefined;
    }
    return key;
  }

  /** Gives `req` what the validator made of the same read before; false when there is none. */
  reuse(key: string, req: express.Request): boolean {
    const known = this.reads.get(key);
    if (!known) return false;
    // each request gets its own copies (a route may read them as its own)
    req.query = copyOfQuery(known.query) as express.Request['query'];
    req.params = { ...known.params };
    (req as { openapi?: unknown }).openapi = known.openapi;
    // as the validating router's JSON body parser leaves a request without a body
    if (req.body === undefined) req.body = {};
    return true;
  }

  /** Keeps what the validator made of `req`, which it passed. */
  remember(key: string, req: express.Request): void {
    const openapi = (req as { openapi?: unknown }).openapi;
    // a request of no operation of the spec was not validated
    if (!openapi) return;
    this.reads.set(key, {
      query: copyOfQuery(req.query),
      params: { ...req.params },
      openapi,
    });
  }
}
