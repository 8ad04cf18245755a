import {
  ClusterSummary,
  HealthReason,
  HealthStatus,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import { FleetIndex, StoredClusterSummary } from '../index/FleetIndex';
import { VersionLifecycle } from '../lifecycle/VersionLifecycle';
import { ProbeResult } from '../probes/types';
import { kubernetesMinorOfDistribution } from '../reconcile/versions';
import { aggregateHealth } from './aggregate';
import { HealthConfig } from './config';

/** What a summary looked like before aggregation (as folded from Cluster API). */
interface RawParts {
  health: HealthStatus;
  healthReasons: HealthReason[];
  distribution?: string;
  observedKubernetesVersion?: string;
  kubernetesMinor?: string;
}

/** The fields aggregation writes. */
const AGGREGATED_FIELDS = [
  'health',
  'healthReasons',
  'distribution',
  'observedKubernetesVersion',
  'versionSupport',
  'nodes',
] as const;

/** The minor of a declared version, or of the version the workload cluster reports when nothing declares one. */
function minorWithFallback(
  declared: string | undefined,
  distribution: string | undefined,
  observed: string | undefined,
): string | undefined {
  return declared ?? kubernetesMinorOfDistribution(distribution, observed);
}

/**
 * Keeps the health of every cluster in the index up to date with Cluster API, the probes of the workload clusters
 * and the freshness of the management clusters.
 *
 * It hooks into the index: every summary folded from Cluster API passes through {@link decorate} on its way in (the
 * Cluster API part is remembered), and {@link apply} re-aggregates clusters when probe results arrive. Reasons keep
 * the time they were first seen (`since`). Probe freshness is added to summaries as they are served (see
 * {@link extra}), so it does not turn every probe round into a fleet-wide change.
 *
 * Version support depends on the day: the aggregator remembers when the earliest answer in the index changes next
 * (a support boundary or the start of a nearing window) and re-evaluates before the index is read past that time
 * ({@link settle}), and at once when the support calendars change (a refresh).
 */
export class HealthAggregator {
  private readonly raw = new Map<string, RawParts>();
  private readonly results = new Map<string, ProbeResult>();
  private readonly since = new Map<string, Map<string, string>>();
  private readonly fingerprints = new Map<string, string>();
  private readonly sourceStates = new Map<string, string>();
  /** The health of each cluster as last written to the index. */
  private readonly current = new Map<string, HealthStatus>();
  private readonly transitionListeners = new Set<
    (summary: StoredClusterSummary, previous?: HealthStatus) => void
  >();
  private readonly now: () => number;
  readonly lifecycle: VersionLifecycle;
  /** When the earliest version support answer in the index changes next (ms since the epoch). */
  private nextVersionChangeAt = Infinity;
  private settling = false;
  private unsubscribeLifecycle?: () => void;

  constructor(
    private readonly index: FleetIndex,
    private readonly config: Pick<
      HealthConfig,
      | 'failureThreshold'
      | 'progressingGraceMs'
      | 'slowThresholdMs'
      | 'resultsStaleAfterMs'
    >,
    options: { now?: () => number; lifecycle?: VersionLifecycle } = {},
  ) {
    this.now = options.now ?? Date.now;
    this.lifecycle =
      options.lifecycle ??
      new VersionLifecycle({
        config: {
          nearingEndOfLifeDays: 90,
          overrides: {},
          extendedSupport: {},
        },
        now: this.now,
      });
  }

  /** Installs the hooks into the index. Call before anything is upserted. */
  install(): void {
    this.index.setHooks({
      decorate: summary => this.decorate(summary),
      restore: summary => this.restore(summary),
      extra: key => this.extra(key),
      settle: () => this.settle(),
    });
    this.unsubscribeLifecycle?.();
    this.unsubscribeLifecycle = this.lifecycle.subscribe(() => {
      if (this.reaggregateAll() > 0) this.index.touch();
    });
  }

  /** Stops following the support calendars. */
  uninstall(): void {
    this.unsubscribeLifecycle?.();
    this.unsubscribeLifecycle = undefined;
  }

  /**
   * Re-evaluates version support when the clock has passed the earliest change of an answer in the index. Cheap when
   * nothing is due (one comparison); the index calls it before it answers.
   */
  settle(): void {
    if (this.settling || this.now() < this.nextVersionChangeAt) return;
    this.settling = true;
    try {
      this.reaggregateAll();
    } finally {
      this.settling = false;
    }
  }

  /**
   * The index's `restore` hook: a summary restored from the database gets its version support evaluated now (the
   * database never holds it), its health stays as persisted until the cluster is listed again.
   */
  restore(summary: StoredClusterSummary): StoredClusterSummary {
    const out: StoredClusterSummary = { ...summary };
    delete out.versionSupport;
    const vs = this.lifecycle.evaluate(summary, this.now());
    if (vs.minor) {
      out.versionSupport = vs;
      this.noteVersionChange(vs);
    }
    return out;
  }

  private noteVersionChange(vs: StoredClusterSummary['versionSupport']) {
    if (!vs) return;
    const at = this.lifecycle.nextChangeAt(vs, this.now());
    if (at !== undefined && at < this.nextVersionChangeAt) {
      this.nextVersionChangeAt = at;
    }
  }

  /**
   * Calls `listener` with every summary whose health differs from the last one of its cluster, as it goes into the
   * index (`previous` is absent the first time a cluster is seen). Returns an unsubscribe function.
   */
  onTransition(
    listener: (summary: StoredClusterSummary, previous?: HealthStatus) => void,
  ): () => void {
    this.transitionListeners.add(listener);
    return () => {
      this.transitionListeners.delete(listener);
    };
  }

  /** The last probe result of a cluster. */
  result(key: string): ProbeResult | undefined {
    return this.results.get(key);
  }

  /** Every cluster key with its last probe result. */
  allResults(): IterableIterator<ProbeResult> {
    return this.results.values();
  }

  /** Takes new probe results (newer than what is known) and re-aggregates their clusters. */
  apply(results: Iterable<ProbeResult>): number {
    let changed = 0;
    for (const r of results) {
      const known = this.results.get(r.key);
      if (known && known.at > r.at) continue;
      this.results.set(r.key, r);
      if (this.reaggregate(r.key)) changed++;
    }
    return changed;
  }

  /**
   * Re-aggregates every cluster (time passes: probe results go stale, releases reach end of life; management
   * clusters go stale and come back). Only clusters whose aggregated fields change are written to the index.
   */
  reaggregateAll(): number {
    let changed = 0;
    this.nextVersionChangeAt = Infinity;
    for (const stored of this.index.all()) {
      // restored summaries (not listed again yet) keep their health but not a stale version support
      if (this.raw.has(stringifyClusterKey(stored))) continue;
      const restored = this.restore(stored);
      if (
        JSON.stringify(restored.versionSupport) !==
        JSON.stringify(stored.versionSupport)
      ) {
        if (this.index.upsert(restored, { restored: true })) changed++;
      }
    }
    for (const key of [...this.raw.keys()]) {
      if (!this.index.getStored(key)) {
        this.forget(key);
        continue;
      }
      if (this.reaggregate(key)) changed++;
    }
    for (const key of this.results.keys()) {
      if (!this.raw.has(key) && !this.index.getStored(key))
        this.results.delete(key);
    }
    return changed;
  }

  /** Re-aggregates the clusters of management clusters whose connection state changed since the last call. */
  reaggregateChangedSources(managementClusters: Iterable<string>): number {
    let changed = 0;
    for (const mc of managementClusters) {
      const s = this.index.sourceState(mc);
      const fingerprint = `${s?.state}|${s?.staleSince ?? ''}`;
      if (this.sourceStates.get(mc) === fingerprint) continue;
      this.sourceStates.set(mc, fingerprint);
      for (const key of this.index.keysOf(mc)) {
        if (this.reaggregate(key)) changed++;
      }
    }
    return changed;
  }

  private reaggregate(key: string): boolean {
    const stored = this.index.getStored(key);
    const raw = this.raw.get(key);
    if (!stored || !raw) return false;
    const input: StoredClusterSummary = { ...stored, ...raw };
    if (raw.distribution === undefined) delete input.distribution;
    if (raw.observedKubernetesVersion === undefined)
      delete input.observedKubernetesVersion;
    if (raw.kubernetesMinor === undefined) delete input.kubernetesMinor;
    delete input.versionSupport;
    delete input.nodes;
    const fingerprint = this.fingerprints.get(key);
    this.decorate(input);
    if (fingerprint === this.fingerprints.get(key)) return false;
    // the index runs the input through decorate() again on its way in
    return this.index.upsert(input);
  }

  /** The index's `decorate` hook: remembers the Cluster API part, returns the aggregated summary. */
  decorate(summary: StoredClusterSummary): StoredClusterSummary {
    const key = stringifyClusterKey(summary);
    const raw: RawParts = {
      health: summary.health,
      healthReasons: summary.healthReasons,
    };
    if (summary.distribution !== undefined)
      raw.distribution = summary.distribution;
    if (summary.observedKubernetesVersion !== undefined) {
      raw.observedKubernetesVersion = summary.observedKubernetesVersion;
    }
    if (summary.kubernetesMinor !== undefined) {
      raw.kubernetesMinor = summary.kubernetesMinor;
    }
    this.raw.set(key, raw);
    const now = this.now();
    const aggregated = aggregateHealth({
      capi: { status: summary.health, reasons: summary.healthReasons },
      desiredMinor: summary.kubernetesMinor,
      desiredVersion: summary.kubernetesVersion,
      labels: summary.labels,
      capiDistribution: summary.distribution,
      probe: this.results.get(key),
      source: this.index.sourceState(summary.managementCluster),
      managementCluster: summary.managementCluster,
      config: this.config,
      lifecycle: this.lifecycle,
      now,
    });
    this.noteVersionChange(aggregated.versionSupport);
    // reasons keep the time they were first seen
    const previous = this.since.get(key);
    const seen = new Map<string, string>();
    const nowIso = new Date(now).toISOString();
    const reasons = aggregated.reasons.map(r => {
      const id = `${r.source}/${r.type}`;
      if (r.since) {
        seen.set(id, r.since);
        return r;
      }
      const since = previous?.get(id) ?? nowIso;
      seen.set(id, since);
      return { ...r, since };
    });
    if (seen.size > 0) this.since.set(key, seen);
    else this.since.delete(key);

    const out: StoredClusterSummary = {
      ...summary,
      health: aggregated.status,
      healthReasons: reasons,
    };
    for (const field of AGGREGATED_FIELDS) {
      if (field === 'health' || field === 'healthReasons') continue;
      const value = aggregated[field];
      if (value === undefined) delete out[field];
      else (out as Record<string, unknown>)[field] = value;
    }
    const minor = minorWithFallback(
      summary.kubernetesMinor,
      out.distribution,
      out.observedKubernetesVersion,
    );
    if (minor === undefined) delete out.kubernetesMinor;
    else out.kubernetesMinor = minor;
    const previousHealth = this.current.get(key);
    if (previousHealth !== out.health) {
      this.current.set(key, out.health);
      for (const listener of this.transitionListeners) {
        try {
          listener(out, previousHealth);
        } catch {
          // a listener's failure is its own
        }
      }
    }
    this.fingerprints.set(
      key,
      JSON.stringify([
        out.health,
        reasons,
        out.distribution,
        out.observedKubernetesVersion,
        out.kubernetesMinor,
        out.versionSupport,
        out.nodes,
      ]),
    );
    return out;
  }

  /** Forgets a cluster (deleted). */
  forget(key: string): void {
    this.raw.delete(key);
    this.results.delete(key);
    this.since.delete(key);
    this.fingerprints.delete(key);
    this.current.delete(key);
  }

  /** The index's `extra` hook: probe freshness, added to summaries as they are served. */
  extra(key: string): Partial<ClusterSummary> | undefined {
    const r = this.results.get(key);
    if (!r) return undefined;
    const probe: NonNullable<ClusterSummary['probe']> = {
      lastProbeAt: r.at,
      ok: r.ok,
      latencyMs: r.latencyMs,
      consecutiveFailures: r.consecutiveFailures,
    };
    if (r.error) probe.error = r.error;
    if (r.lastSuccessAt) probe.lastSuccessAt = r.lastSuccessAt;
    if (r.nextProbeAt) probe.nextProbeAt = r.nextProbeAt;
    return { probe };
  }
}
