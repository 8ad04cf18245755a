/*
 * How Shipyard's backend plugins wait before trying again: one retry, backoff and abortable sleep with the frontend's,
 * in -common (see its `retry.ts`), exported here too for the backend modules that import them from -node.
 */
export {
  Backoff,
  isTransientError,
  retryTransient,
  sleep,
} from '@shipyard/plugin-shipyard-common';
export type {
  BackoffOptions,
  RetryTransientOptions,
} from '@shipyard/plugin-shipyard-common';
