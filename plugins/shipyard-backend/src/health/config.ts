import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  defaultMaxProbeConnections,
  openFilesLimit,
} from '../probes/openFiles';

/** `shipyard.health`, parsed and defaulted. */
export interface HealthConfig {
  /** Whether workload clusters are probed at all (CAPI-based health and history work without probes). */
  enabled: boolean;
  /** Time between probe rounds (ms). */
  intervalMs: number;
  /**
   * Longest a round may run (ms): the scheduled task's timeout. One replica probes per round, and a replica's claim on
   * the round lasts this long; a round still running then starts no more probes (the next one begins with the
   * clusters it did not reach), so that no other replica's round overlaps it. Default: 5 intervals, at least 10 probe
   * timeouts and 5 minutes — a fleet too large for the CPU budget takes rounds longer than the interval.
   */
  roundTimeoutMs: number;
  /** Delay of the first round after start (ms). */
  initialDelayMs: number;
  /** Clusters probed at once. */
  concurrency: number;
  /** Deadline of the whole probe of one cluster (ms). */
  timeoutMs: number;
  /** A probe still running after this long stops holding a concurrency slot (ms). */
  stallAfterMs: number;
  /** Upper bound of probes in flight, stalled ones included. */
  maxInFlight: number;
  /** A probe slower than this makes the cluster `degraded` (ms). */
  slowThresholdMs: number;
  /** Consecutive failed probes before a cluster is `unhealthy` (before that: `degraded`). */
  failureThreshold: number;
  /**
   * How long a cluster that Cluster API reports scaling or rolling out is `progressing` rather than `degraded` while
   * replicas are missing (ms).
   */
  progressingGraceMs: number;
  /** Longest backoff between probes of a cluster that keeps failing (ms). */
  maxBackoffMs: number;
  /** Idle keep-alive connections to a workload cluster are closed after this long (ms). */
  keepAliveMs: number;
  /**
   * Most connections to workload clusters open at once before a probe's connection is closed at its end instead of
   * kept for the next round (each is a file descriptor; default 70 % of the process's open files limit, no limit
   * where it has none).
   */
  maxConnections: number;
  /**
   * Share of one core the probes may keep the thread they run on busy, on average over the probe interval (event loop
   * utilisation of the probe worker thread; 1: not paced): a round runs at full speed while its busy time fits
   * `cpuBudget × intervalMs`. A round whose probes would take more waits before it starts more, so that on a busy
   * machine a large fleet's round takes longer instead of starving the rest of the replica (its requests, the
   * catalog, the watches). Probes on the backend's thread (`probeWorker: false`) are not paced: that thread's busy
   * time is mostly not theirs.
   */
  cpuBudget: number;
  /** Most nodes read per cluster and probe. */
  maxNodes: number;
  /** Whether kube-system pods are checked. */
  kubeSystemChecks: boolean;
  /**
   * Whether probes run in a worker thread: their connections, TLS handshakes, requests and the parsing of the answers
   * stay off the thread that serves requests (the results come back to it for health evaluation).
   */
  probeWorker: boolean;
  /** How often replicas read probe results written by other replicas from the database (ms). */
  refreshIntervalMs: number;
  /** Probe results older than this are ignored (ms). */
  resultsStaleAfterMs: number;
  /** How often kubeconfig Secrets are re-read (ms); a 401 re-reads at once. */
  credentialsRefreshMs: number;
  history: {
    /** Transitions older than this are deleted (days). */
    retentionDays: number;
    /** Most transitions kept per cluster. */
    maxEntriesPerCluster: number;
    /** History older than this is downsampled (days). */
    downsampleAfterDays: number;
    /** Bucket of the downsampled history (minutes; 0: none). */
    downsampleMinutes: number;
    /** Time between prunings and downsamplings of the history (minutes). */
    housekeepingIntervalMinutes: number;
  };
}

/** Defaults of `shipyard.health`. */
export const DEFAULT_HEALTH_CONFIG: HealthConfig = {
  enabled: true,
  intervalMs: 60_000,
  roundTimeoutMs: 300_000,
  initialDelayMs: 5_000,
  concurrency: 128,
  timeoutMs: 5_000,
  stallAfterMs: 1_000,
  maxInFlight: 1_024,
  slowThresholdMs: 2_000,
  failureThreshold: 2,
  progressingGraceMs: 10 * 60_000,
  maxBackoffMs: 15 * 60_000,
  keepAliveMs: 150_000,
  maxConnections: defaultMaxProbeConnections(openFilesLimit()),
  cpuBudget: 0.5,
  maxNodes: 5_000,
  kubeSystemChecks: true,
  probeWorker: true,
  refreshIntervalMs: 15_000,
  resultsStaleAfterMs: 5 * 60_000,
  credentialsRefreshMs: 10 * 60_000,
  history: {
    retentionDays: 90,
    maxEntriesPerCluster: 20_000,
    downsampleAfterDays: 7,
    downsampleMinutes: 60,
    housekeepingIntervalMinutes: 60,
  },
};

/** Reads `shipyard.health`. Throws an `InputError` naming the offending key. */
export function readHealthConfig(root: Config): HealthConfig {
  const c = root.getOptionalConfig('shipyard.health');
  const d = DEFAULT_HEALTH_CONFIG;
  const num = (key: string, fallback: number, min: number) => {
    const v = c?.getOptionalNumber(key) ?? fallback;
    // an unlimited default (Infinity) is not a configured value
    if (!(Number.isFinite(v) || v === fallback) || v < min) {
      throw new InputError(`shipyard.health.${key} must be a number >= ${min}`);
    }
    return v;
  };
  const intervalMs = num('intervalMs', d.intervalMs, 100);
  const timeoutMs = num('timeoutMs', d.timeoutMs, 10);
  const concurrency = num('concurrency', d.concurrency, 1);
  return {
    enabled: c?.getOptionalBoolean('enabled') ?? d.enabled,
    intervalMs,
    roundTimeoutMs: num(
      'roundTimeoutMs',
      Math.max(d.roundTimeoutMs, intervalMs * 5, timeoutMs * 10),
      timeoutMs,
    ),
    initialDelayMs: num('initialDelayMs', d.initialDelayMs, 0),
    concurrency,
    timeoutMs,
    stallAfterMs: num('stallAfterMs', Math.min(d.stallAfterMs, timeoutMs), 1),
    maxInFlight: Math.max(
      concurrency,
      num('maxInFlight', Math.max(d.maxInFlight, concurrency * 4), 1),
    ),
    slowThresholdMs: num(
      'slowThresholdMs',
      Math.min(d.slowThresholdMs, Math.floor(timeoutMs / 2)),
      1,
    ),
    failureThreshold: num('failureThreshold', d.failureThreshold, 1),
    maxBackoffMs: num('maxBackoffMs', d.maxBackoffMs, 0),
    progressingGraceMs: num('progressingGraceMs', d.progressingGraceMs, 0),
    keepAliveMs: num(
      'keepAliveMs',
      Math.max(d.keepAliveMs, intervalMs * 2 + timeoutMs),
      0,
    ),
    maxConnections: num('maxConnections', d.maxConnections, 1),
    cpuBudget: cpuBudgetOf(c?.getOptionalNumber('cpuBudget') ?? d.cpuBudget),
    maxNodes: num('maxNodes', d.maxNodes, 1),
    kubeSystemChecks:
      c?.getOptionalBoolean('kubeSystemChecks') ?? d.kubeSystemChecks,
    probeWorker: c?.getOptionalBoolean('probeWorker') ?? d.probeWorker,
    refreshIntervalMs: num(
      'refreshIntervalMs',
      Math.min(d.refreshIntervalMs, intervalMs),
      50,
    ),
    resultsStaleAfterMs: num(
      'resultsStaleAfterMs',
      Math.max(d.resultsStaleAfterMs, intervalMs * 3),
      1,
    ),
    credentialsRefreshMs: num(
      'credentialsRefreshMs',
      d.credentialsRefreshMs,
      0,
    ),
    history: {
      retentionDays: num('history.retentionDays', d.history.retentionDays, 0),
      maxEntriesPerCluster: num(
        'history.maxEntriesPerCluster',
        d.history.maxEntriesPerCluster,
        1,
      ),
      downsampleAfterDays: num(
        'history.downsampleAfterDays',
        d.history.downsampleAfterDays,
        1,
      ),
      downsampleMinutes: downsampleMinutesOf(
        c?.getOptionalNumber('history.downsampleMinutes') ??
          d.history.downsampleMinutes,
      ),
      housekeepingIntervalMinutes: num(
        'history.housekeepingIntervalMinutes',
        d.history.housekeepingIntervalMinutes,
        0,
      ),
    },
  };
}

/** `cpuBudget`: a share of one core above 0 (1 or more: not paced). */
function cpuBudgetOf(v: number): number {
  if (!(Number.isFinite(v) && v > 0)) {
    throw new InputError(
      'shipyard.health.cpuBudget must be a share of one core above 0 (0.5: half a core; 1: not paced)',
    );
  }
  return v;
}

/** `history.downsampleMinutes`: 0 (off) or a whole number of minutes that divides a day. */
function downsampleMinutesOf(v: number): number {
  if (v !== 0 && !(Number.isInteger(v) && v >= 1 && 1440 % v === 0)) {
    throw new InputError(
      'shipyard.health.history.downsampleMinutes must be 0 (no downsampling) or a whole number of minutes that divides a day (1 to 1440)',
    );
  }
  return v;
}
