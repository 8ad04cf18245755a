import {
  ClusterNodesSummary,
  ClusterVersionSupport,
  HealthReason,
  HealthStatus,
  kubeletSkew,
  kubernetesMinorOf,
} from '@shipyard/plugin-shipyard-common';
import { IndexedSourceState } from '../index/FleetIndex';
import { VersionLifecycle } from '../lifecycle/VersionLifecycle';
import { ProbeResult } from '../probes/types';
import { PROGRESSING_REASON } from './capiHealth';
import { DEFAULT_HEALTH_CONFIG, HealthConfig } from './config';

/** Probe findings that a scale-up or a rollout explains (new nodes joining, their pods starting). */
const PROGRESS_PROBE_TYPES = new Set([
  'NodesNotReady',
  'KubeSystemPodsNotReady',
]);

/**
 * A cluster Cluster API reports in progress for longer than the grace period is `degraded`: its missing replicas
 * count from then on.
 */
function progressOutlastingGrace(
  capi: AggregationInput['capi'],
  graceMs: number,
  now: number,
): AggregationInput['capi'] {
  if (capi.status !== 'progressing') return capi;
  const progress = capi.reasons.find(r => r.type === PROGRESSING_REASON);
  const since = progress?.since ? Date.parse(progress.since) : NaN;
  if (!Number.isFinite(since) || now - since <= graceMs) return capi;
  const minutes = Math.round(graceMs / 60_000);
  return {
    status: 'degraded',
    reasons: capi.reasons.map(r =>
      r.type === PROGRESSING_REASON
        ? {
            ...r,
            severity: 'warning',
            message: `${r.message} for more than ${
              minutes >= 1
                ? `${minutes} min`
                : `${Math.round(graceMs / 1000)} s`
            }`,
          }
        : { ...r, severity: 'warning' },
    ),
  };
}

/** What the aggregation of one cluster's health looks at. */
export interface AggregationInput {
  /** Health from Cluster API alone (the `CapiHealthEvaluator`). */
  capi: { status: HealthStatus; reasons: HealthReason[] };
  /** The Kubernetes minor of the spec (`kubernetesMinor` of the summary). */
  desiredMinor?: string;
  /** The Kubernetes version of the spec (`kubernetesVersion` of the summary). */
  desiredVersion?: string;
  /** Labels of the cluster (`shipyard.io/extended-support`). */
  labels?: Record<string, string>;
  /** Distribution as far as Cluster API tells. */
  capiDistribution?: string;
  /** Last probe result, if any. */
  probe?: ProbeResult;
  /** State of the cluster's management cluster. */
  source?: IndexedSourceState;
  managementCluster: string;
  /** The host of the cluster's control plane, when it runs as pods (k0smotron, Kamaji). */
  hostCluster?: string;
  /** The management cluster this cluster is (the management chain), when it is one. */
  managementClusterOf?: string;
  config: Pick<
    HealthConfig,
    'failureThreshold' | 'slowThresholdMs' | 'resultsStaleAfterMs'
  > &
    Partial<Pick<HealthConfig, 'progressingGraceMs'>>;
  /** The support calendars (version support and its reasons). */
  lifecycle: VersionLifecycle;
  now: number;
}

/** The aggregated health and what the probes add to a summary. */
export interface AggregatedHealth {
  status: HealthStatus;
  reasons: HealthReason[];
  distribution?: string;
  observedKubernetesVersion?: string;
  versionSupport?: ClusterVersionSupport;
  nodes?: ClusterNodesSummary;
}

/** Merge order of statuses that are not transitional: `unknown` yields to any evidence, then worst wins. */
const MERGE_RANK: Record<HealthStatus, number> = {
  unknown: 0,
  healthy: 1,
  progressing: 1.5,
  degraded: 2,
  unhealthy: 3,
  provisioning: -1,
  deleting: -1,
};

function worst(a: HealthStatus, b: HealthStatus): HealthStatus {
  return MERGE_RANK[b] > MERGE_RANK[a] ? b : a;
}

function probeReason(
  severity: HealthReason['severity'],
  type: string,
  message: string,
): HealthReason {
  return { source: 'probe', severity, type, message };
}

const FAILURE_TYPES: Record<string, string> = {
  unreachable: 'ApiServerUnreachable',
  timeout: 'ProbeTimeout',
  tls: 'ApiServerCertificate',
};

/** Health that the probe of the workload cluster indicates, with its reasons. */
function fromProbe(
  probe: ProbeResult,
  config: AggregationInput['config'],
): { status: HealthStatus; reasons: HealthReason[] } {
  const reasons: HealthReason[] = [];
  // a failure of the probe is the one reason of the health it indicates
  const failed = (
    status: HealthStatus,
    severity: HealthReason['severity'],
    type: string,
    message: string,
  ) => ({ status, reasons: [probeReason(severity, type, message)] });
  switch (probe.failure) {
    case 'no-credentials':
      return failed(
        'unknown',
        'info',
        'NotProbed',
        `Not probed: ${probe.error ?? 'no credentials'}`,
      );
    case 'bad-credentials':
      return failed(
        'unknown',
        'warning',
        'NotProbed',
        `Not probed: ${probe.error ?? 'unusable credentials'}`,
      );
    case 'unauthorized':
      return failed(
        'unknown',
        'warning',
        'ProbeUnauthorized',
        'The workload API server rejected the credentials',
      );
    case 'unreachable':
    case 'timeout':
    case 'tls': {
      const unhealthy = probe.consecutiveFailures >= config.failureThreshold;
      const message =
        probe.failure === 'timeout'
          ? `The workload API server did not answer: ${
              probe.error ?? 'timeout'
            }`
          : `The workload API server cannot be reached: ${
              probe.error ?? probe.failure
            }`;
      return failed(
        unhealthy ? 'unhealthy' : 'degraded',
        unhealthy ? 'error' : 'warning',
        FAILURE_TYPES[probe.failure],
        message,
      );
    }
    case 'not-ready':
      return failed(
        'unhealthy',
        'error',
        'ApiServerNotReady',
        probe.error ?? 'The API server is not ready',
      );
    case 'errors':
      return failed(
        'unhealthy',
        'error',
        'ApiServerErrors',
        `The workload API server answers only errors (${
          probe.apiErrors?.example ?? 'HTTP 5xx'
        })`,
      );
    default:
      break;
  }
  let status: HealthStatus = 'healthy';
  if (probe.apiErrors && probe.apiErrors.failed > 0) {
    status = 'degraded';
    reasons.push(
      probeReason(
        'warning',
        'ApiServerErrors',
        `Some workload API requests fail (${probe.apiErrors.example})`,
      ),
    );
  }
  // the time the probe's connection took to open (after an idle one was closed) is not the server answering slowly
  if (
    probe.latencyMs - (probe.connectMs ?? 0) > config.slowThresholdMs ||
    probe.unanswered
  ) {
    status = 'degraded';
    reasons.push(
      probeReason(
        'warning',
        'ApiServerSlow',
        probe.unanswered
          ? `The workload API server answers slowly: /readyz answered in ${
              probe.readyzMs ?? probe.latencyMs
            } ms, ${
              probe.unanswered
            } more request(s) were unanswered when the probe's deadline ended it`
          : `The workload API server answers slowly (probe took over ${config.slowThresholdMs} ms)`,
      ),
    );
  }
  const nodes = probe.nodes;
  if (nodes && nodes.notReady > 0) {
    const all = nodes.ready === 0;
    status = all ? 'unhealthy' : worst(status, 'degraded');
    const names = probe.notReadyNodes?.length
      ? `: ${probe.notReadyNodes.join(', ')}${
          nodes.notReady > probe.notReadyNodes.length ? ', …' : ''
        }`
      : '';
    reasons.push(
      probeReason(
        all ? 'error' : 'warning',
        'NodesNotReady',
        `${nodes.notReady} of ${nodes.total} nodes NotReady${names}`,
      ),
    );
  }
  const ks = probe.kubeSystem;
  if (ks && ks.notReady > 0) {
    status = worst(status, 'degraded');
    reasons.push(
      probeReason(
        'warning',
        'KubeSystemPodsNotReady',
        `${ks.notReady} kube-system pod${
          ks.notReady === 1 ? '' : 's'
        } not ready: ${ks.notReadyPods.join(', ')}${
          ks.notReady > ks.notReadyPods.length ? ', …' : ''
        }`,
      ),
    );
  }
  return { status, reasons };
}

/** Reasons about kubelet versions that differ from the control plane's. Never changes the status. */
function skewReasons(probe: ProbeResult): HealthReason[] {
  const cp = kubernetesMinorOf(probe.gitVersion);
  if (!cp || !probe.nodes) return [];
  const minors = new Set<string>();
  for (const v of Object.keys(probe.nodes.kubeletVersions)) {
    const m = kubernetesMinorOf(v);
    if (m) minors.add(m);
  }
  const reasons: HealthReason[] = [];
  const older: string[] = [];
  for (const m of [...minors].sort()) {
    const skew = kubeletSkew(cp, m);
    if (!skew || skew.minorsBehind === 0) continue;
    if (skew.minorsBehind < 0) {
      reasons.push(
        probeReason(
          'warning',
          'VersionSkew',
          `Kubelets on ${m} are newer than the control plane (${cp}); this is not supported`,
        ),
      );
    } else if (!skew.supported) {
      reasons.push(
        probeReason(
          'warning',
          'VersionSkew',
          `Kubelets on ${m} are ${skew.minorsBehind} minors behind the control plane (${cp}), more than the skew policy allows`,
        ),
      );
    } else {
      older.push(m);
    }
  }
  if (older.length > 0) {
    reasons.push(
      probeReason(
        'info',
        'VersionSkew',
        `Kubelets on ${older.join(
          ', ',
        )} run behind the control plane (${cp}), within the skew policy`,
      ),
    );
  }
  return reasons;
}

/**
 * What an unreachable management cluster leaves unknown about one of its clusters: since when it is not observed,
 * and, for a control plane hosted on it or a management cluster it manages, what that puts out of reach.
 */
function sourceStale(input: AggregationInput): HealthReason | undefined {
  if (input.source?.state !== 'stale') return undefined;
  const mc = input.managementCluster;
  const since = input.source.lastSeenAt ?? input.source.staleSince;
  let message = `${mc} unreachable: not observed since ${
    since ?? 'it was connected'
  }; the Cluster API state may be outdated`;
  if (input.hostCluster === mc)
    message += `, and the control plane pods it hosts are not confirmed`;
  if (input.managementClusterOf && input.managementClusterOf !== mc)
    message += `; the management cluster ${input.managementClusterOf} cannot be changed through Cluster API meanwhile`;
  const reason: HealthReason = {
    source: 'source',
    severity: 'warning',
    type: 'SourceStale',
    message,
  };
  if (input.source.staleSince) reason.since = input.source.staleSince;
  return reason;
}

/**
 * Combines the Cluster API health of a cluster with the probes of the workload cluster and the freshness of the
 * management cluster (the table in the package README):
 *
 * - `deleting` and `provisioning` (from Cluster API) stay; probe findings become `info` reasons.
 * - `progressing` (Cluster API scales or rolls out) stays within `progressingGraceMs`, then becomes `degraded`; probe
 *   findings of nodes and kube-system pods not ready yet are `info` while it lasts.
 * - Otherwise the worse of the Cluster API status and the probe status wins, where `unknown` yields to any evidence.
 * - Without a fresh probe, a stale management cluster makes the cluster `unknown`.
 * - Version support, version skew and end of life add reasons but never change the status.
 */
export function aggregateHealth(input: AggregationInput): AggregatedHealth {
  const { config, now } = input;
  const capi = progressOutlastingGrace(
    input.capi,
    config.progressingGraceMs ?? DEFAULT_HEALTH_CONFIG.progressingGraceMs,
    now,
  );
  const probe = input.probe;
  const fresh =
    probe !== undefined &&
    now - Date.parse(probe.at) <= config.resultsStaleAfterMs;
  const out: AggregatedHealth = {
    status: capi.status,
    reasons: [...capi.reasons],
  };

  // what the workload cluster says, including from earlier successful probes
  if (probe) {
    if (probe.distribution) out.distribution = probe.distribution;
    if (probe.gitVersion) out.observedKubernetesVersion = probe.gitVersion;
    if (probe.nodes) out.nodes = probe.nodes;
  }
  if (!out.distribution && input.capiDistribution)
    out.distribution = input.capiDistribution;

  const transitional =
    capi.status === 'deleting' || capi.status === 'provisioning';
  if (probe && fresh) {
    const p = fromProbe(probe, config);
    if (transitional) {
      if (probe.failure !== 'no-credentials') {
        out.reasons.push(
          ...p.reasons.map(r => ({ ...r, severity: 'info' as const })),
        );
      }
    } else if (
      capi.status === 'progressing' &&
      p.reasons.every(r => PROGRESS_PROBE_TYPES.has(r.type))
    ) {
      // nodes still joining while Cluster API scales: progress too
      out.reasons.push(
        ...p.reasons.map(r => ({ ...r, severity: 'info' as const })),
      );
    } else {
      out.status = worst(capi.status, p.status);
      out.reasons.push(...p.reasons);
    }
    if (probe.ok) out.reasons.push(...skewReasons(probe));
  } else if (probe) {
    out.reasons.push(
      probeReason(
        'info',
        'ProbeStale',
        `The last probe of the workload cluster is older than ${Math.round(
          config.resultsStaleAfterMs / 1000,
        )} s`,
      ),
    );
  }

  const stale = sourceStale(input);
  if (stale) {
    out.reasons.push(stale);
    const freshEvidence =
      probe !== undefined &&
      fresh &&
      probe.failure !== 'no-credentials' &&
      probe.failure !== 'bad-credentials';
    if (!transitional && !freshEvidence) out.status = 'unknown';
  }

  // version support: the observed version when the workload cluster told it, else the desired one
  const vs = input.lifecycle.evaluate(
    {
      distribution: out.distribution,
      observedKubernetesVersion: out.observedKubernetesVersion,
      kubernetesVersion: input.desiredVersion,
      kubernetesMinor: input.desiredMinor,
      labels: input.labels,
    },
    now,
  );
  if (vs.minor) {
    out.versionSupport = vs;
    const source = out.observedKubernetesVersion ? 'probe' : 'capi';
    out.reasons.push(...input.lifecycle.reasons(vs, source, now));
  }
  return out;
}
