/**
 * What the project's test suites share.
 *
 * @packageDocumentation
 */
export { eventually, eventuallyWithin } from './eventually';
export type { EventuallyOptions } from './eventually';
export { seededRandom } from './random';
