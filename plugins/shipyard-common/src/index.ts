/**
 * Shared vocabulary of Shipyard: kinds, annotations, permissions and API types.
 *
 * @packageDocumentation
 */
export * from './constants';
export * from './capi';
export * from './permissions';
export * from './types';
export * from './query';
export * from './versionSupport';
export * from './versions';
export * from './lifecycle';
export * from './upgradePath';
export * from './catalog';
export * from './profile';
export * from './clusterClasses';
export * from './audit';
export * from './rollout';
export * from './variables';
export * from './operations';
export * from './drift';
export * from './objectives';
export * from './inventory';
export * from './transientError';
export * from './retry';
/** The generated contract of `/api/shipyard`: the client, the operations' request types and the spec's models. */
export * as ShipyardOpenApi from './schema/openapi';
export { responseBody } from './schema/responseBody';
export { RolloutsApiClient } from './schema/rolloutsClient';
export type {
  RolloutsApiClientOptions,
  ShipyardAnswerReader,
} from './schema/rolloutsClient';
