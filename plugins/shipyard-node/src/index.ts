/**
 * Backend extension points of Shipyard.
 *
 * @packageDocumentation
 */
export * from './extensions';
export * from './permissions';
export * from './criteria';
export * from './connections';
export * from './naming';
export * from './userFacingErrors';
export * from './backoff';
export * from './signedInUser';
