import v8 from 'node:v8';
import { constants, PerformanceObserver } from 'node:perf_hooks';

/** Latency figures of a series of measurements (milliseconds). */
export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

/** The nearest-rank percentile `p` (0–100) of `values`; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** Count, median, 99th percentile, maximum and mean of `values`. */
export function summarize(values: readonly number[]): LatencySummary {
  if (values.length === 0) {
    return { count: 0, p50: NaN, p99: NaN, max: NaN, mean: NaN };
  }
  let sum = 0;
  let max = -Infinity;
  for (const v of values) {
    sum += v;
    if (v > max) max = v;
  }
  return {
    count: values.length,
    p50: percentile(values, 50),
    p99: percentile(values, 99),
    max,
    mean: sum / values.length,
  };
}

/**
 * How many times `baseline` is larger than `candidate` (e.g. requests of the fan-out over Shipyard's).
 * A zero candidate against a positive baseline is `Infinity`; missing or non-finite inputs give NaN.
 */
export function ratio(baseline: number, candidate: number): number {
  if (!Number.isFinite(baseline) || !Number.isFinite(candidate)) return NaN;
  if (baseline < 0 || candidate < 0) return NaN;
  if (candidate === 0) return baseline === 0 ? NaN : Infinity;
  return baseline / candidate;
}

/** A number for a table cell: fixed decimals, `∞` for Infinity, `–` for NaN. */
export function formatNumber(value: number, decimals = 1): string {
  if (Number.isNaN(value)) return '–';
  if (value === Infinity) return '∞';
  return value.toLocaleString('en', {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
}

/** A ratio for a table cell (`123×`, `∞`, `–`). */
export function formatRatio(value: number): string {
  if (Number.isNaN(value)) return '–';
  if (value === Infinity) return '∞';
  return `${formatNumber(value, value >= 100 ? 0 : 1)}×`;
}

/** Whether two lists hold the same keys (ignoring order); reports what differs. */
export function compareKeySets(
  expected: Iterable<string>,
  actual: Iterable<string>,
): { same: boolean; missing: string[]; extra: string[] } {
  const e = new Set(expected);
  const a = new Set(actual);
  const missing = [...e].filter(k => !a.has(k)).sort();
  const extra = [...a].filter(k => !e.has(k)).sort();
  return { same: missing.length === 0 && extra.length === 0, missing, extra };
}

/** Used heap in bytes, after two full collections when the process runs with `--expose-gc`. */
export function heapUsed(): number {
  const gc = (global as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  return v8.getHeapStatistics().used_heap_size;
}

/** CPU time of the calling thread in milliseconds (user + system). */
export function threadCpuMs(): number {
  const usage = process.threadCpuUsage
    ? process.threadCpuUsage()
    : process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** Garbage collections of this thread: minor (scavenges) and major (mark-compact), count and pause time (ms). */
export interface GcTimes {
  minor: number;
  minorMs: number;
  major: number;
  majorMs: number;
}

/** Counts this thread's garbage collections from now until `stop`. */
export function watchGc(): { stop(): GcTimes } {
  const times: GcTimes = { minor: 0, minorMs: 0, major: 0, majorMs: 0 };
  const add = (entries: PerformanceEntry[]) => {
    for (const entry of entries) {
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) {
        times.minor++;
        times.minorMs += entry.duration;
      } else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
        times.major++;
        times.majorMs += entry.duration;
      }
    }
  };
  const observer = new PerformanceObserver(list => add(list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  return {
    stop() {
      add(observer.takeRecords());
      observer.disconnect();
      return times;
    },
  };
}

/** `GcTimes` for a line of output. */
export function formatGc(gc: GcTimes): string {
  return `GC ${gc.minor} minor ${gc.minorMs.toFixed(0)} ms, ${
    gc.major
  } major ${gc.majorMs.toFixed(0)} ms`;
}
