/**
 * Side-by-side benchmark of Shipyard against the Backstage Kubernetes plugin's per-request fan-out and a naive
 * informer cache, on the same simulated fleet.
 *
 * @packageDocumentation
 */
export {
  runCompareBenchmark,
  formatCompareReport,
  writeCompareReport,
} from './compare';
export type {
  CompareOptions,
  CompareReport,
  FanOutFigures,
  NaiveFigures,
  SideFigures,
  SizeFigures,
  ViewLoad,
} from './compare';
export type { CatalogWriteOptions, CatalogWriteResult } from './catalogWrites';
export type { FanOutScope } from './backends';
export {
  compareKeySets,
  formatNumber,
  formatRatio,
  percentile,
  ratio,
  summarize,
} from './stats';
export type { LatencySummary } from './stats';
