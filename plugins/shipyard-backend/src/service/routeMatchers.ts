import path from 'node:path';
import { LRUCache } from 'lru-cache';

/*
 * Own code, because no library setting covers it: the spec's validator (express-openapi-validator, behind Backstage's
 * generated router) finds a request's operation by scanning the spec's routes in order and compiling the pattern of
 * every route it scans with path-to-regexp again at every request (about fifteen compilations for `GET /clusters`,
 * the most of the validator's CPU per request). The validator offers no option for it and a patch of the installed
 * package would not travel with this plugin, so the one compile function the validator calls is kept, once per
 * process, behind a bounded cache of its results. Compiling is a pure function of the pattern and its options:
 * every caller gets the matcher it got before, only once compiled.
 */

const COMPILED = Symbol.for('shipyard.routeMatchers.compiled');

type Compile = ((
  pattern: unknown,
  options?: Record<string, unknown>,
) => { regexp: RegExp; keys: unknown[] }) & { [COMPILED]?: true };

/** Distinct patterns kept (the spec's routes and those of other routers in the process are far fewer). */
const MAX_PATTERNS = 2000;

/** The key of a pattern and its options, or undefined when they are not plain strings and flags. */
function keyOf(
  pattern: unknown,
  options: Record<string, unknown> | undefined,
): string | undefined {
  if (typeof pattern !== 'string') return undefined;
  let key = pattern;
  if (options) {
    for (const name of Object.keys(options)) {
      const value = options[name];
      if (value === undefined) continue;
      if (typeof value !== 'boolean' && typeof value !== 'string') {
        return undefined;
      }
      key += `\0${name}=${String(value)}`;
    }
  }
  return key;
}

/** A compile function that keeps what `compile` returned per pattern and options. */
export function compiledOnce(compile: Compile): Compile {
  if (compile[COMPILED]) return compile;
  const compiled = new LRUCache<string, { regexp: RegExp; keys: unknown[] }>({
    max: MAX_PATTERNS,
  });
  const once: Compile = (pattern, options) => {
    const key = keyOf(pattern, options);
    if (key === undefined) return compile(pattern, options);
    let matcher = compiled.get(key);
    if (!matcher) {
      matcher = compile(pattern, options);
      compiled.set(key, matcher);
    }
    // the keys in an array of the caller's own; the expression has no state (neither global nor sticky)
    return { ...matcher, keys: [...matcher.keys] };
  };
  once[COMPILED] = true;
  return once;
}

/**
 * Makes the spec's validator compile each route pattern once per process. Returns whether its compile function is
 * now the cached one (false where the modules cannot be found, as in a bundle: requests are then validated as
 * before, only compiling again).
 */
export function compileValidatorRoutesOnce(): boolean {
  let module: { pathToRegexp?: Compile };
  try {
    // the path-to-regexp that the validator of Backstage's OpenAPI router loads
    const utils = path.dirname(
      require.resolve('@backstage/backend-openapi-utils'),
    );
    const validator = path.dirname(
      require.resolve('express-openapi-validator', { paths: [utils] }),
    );
    module = require(require.resolve('path-to-regexp', { paths: [validator] }));
  } catch {
    return false;
  }
  const compile = module.pathToRegexp;
  if (typeof compile !== 'function') return false;
  try {
    module.pathToRegexp = compiledOnce(compile);
  } catch {
    return false;
  }
  return module.pathToRegexp?.[COMPILED] === true;
}
