export { CaptureLogger } from './captureLogger';
export { fixedService } from './fixedService';
export {
  listAllClusters,
  managementClusterStates,
  shipyardTestClient,
  waitConnected,
} from './client';
export type { ShipyardTestClient } from './client';
export {
  PLATFORM_TEAM,
  TEST_PROBE_CONFIG,
  TEST_SYNC_CONFIG,
  shipyardTestConfig,
  startShipyardBackend,
  startSimulatedFleet,
} from './fleetBackend';
export type {
  ShipyardBackend,
  ShipyardBackendOptions,
  SimulatedFleet,
  SimulatedFleetOptions,
  TestBackend,
} from './fleetBackend';
export { membershipUserInfo, membershipUserInfoFactory } from './membership';
export type { Membership } from './membership';
export { ShipyardRequestFaults } from './requestFaults';
export type { ShipyardRequest, ShipyardRequestFault } from './requestFaults';
