/**
 * A Kubernetes-API-compatible simulator of Cluster API management clusters and their
 * workload clusters, for the embedded demo, the tests and the benchmarks.
 *
 * @packageDocumentation
 */
export { startFleetSim } from './sim/sim';
export type {
  FleetSim,
  FleetSimOptions,
  FleetSimTiming,
  FleetSimStats,
  FleetSimChange,
  FleetFaults,
  FleetController,
  ManagementClusterInfo,
  WorkloadClusterInfo,
} from './sim/sim';
export type {
  ClusterRef,
  ClusterFaults,
  DeprecatedApiRequest,
  UnreachableMode,
} from './faults/faults';
export { shipyardManagementClusters } from './sim/shipyardConfig';
export type { SimManagementClusterConfig } from './sim/shipyardConfig';
export type { FleetSimRequestStats } from './sim/requestCounter';
export type {
  LoadDriver,
  LoadOptions,
  LoadStats,
  LoadChange,
} from './load/load';
export type { Distribution, Provider } from './capi/distributions';
export { LABELS as FLEET_SIM_LABELS } from './capi/kinds';
export { TYPE_IDS as FLEET_SIM_TYPE_IDS } from './capi/kinds';
export { generateTls } from './server/tls';
export type { TlsMaterial } from './server/tls';
