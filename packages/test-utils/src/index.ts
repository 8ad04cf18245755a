/**
 * What the project's test suites share.
 *
 * @packageDocumentation
 */
export { eventually, eventuallyWithin } from './eventually';
export type { EventuallyOptions } from './eventually';
export { seededRandom } from './random';
/** The simulated fleet with the real Shipyard backend, and the generated client of its API. */
export * from './shipyard';
/** The simulated fleet read directly: its Kubernetes APIs and its credentials. */
export * from './fleet';
export { POSTGRES15_URL_VARIABLE, createTestDatabases } from './postgres';
export { describePostgres15Coverage } from './postgresCoverage';
export type { ShipyardTestDatabases } from './postgres';
