export { runFleetBenchmark, formatBenchmarkTable } from './fleetBenchmark';
export type {
  FleetBenchmarkOptions,
  FleetBenchmarkRow,
} from './fleetBenchmark';
