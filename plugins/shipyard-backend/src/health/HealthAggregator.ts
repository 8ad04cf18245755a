import {
  BudgetState,
  ClusterSummary,
  HealthStatus,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import {
  FleetIndex,
  FleetSink,
  IndexedSourceState,
  StoredClusterSummary,
} from '../index/FleetIndex';
import { sameJson } from '../index/entries';
import { VersionLifecycle } from '../lifecycle/VersionLifecycle';
import { ProbeResult } from '../probes/types';
import { kubernetesMinorOfDistribution } from '../reconcile/versions';
import { aggregateHealth } from './aggregate';
import { HealthConfig } from './config';
import { maintenanceOf } from './history';

/** Longest stretch (ms) a pass over every cluster's budget holds the thread before it lets waiting work run. */
const BUDGET_SLICE_MS = 20;

/**
 * A summary with the fields aggregation writes: each in the place it had (new ones after the others, in the order
 * given), an undefined one left out. Built key by key: deleting properties of a copy would turn it into a slow
 * dictionary-mode object, and every later read, comparison and copy of the summary would pay for it.
 */
function withAggregated(
  summary: StoredClusterSummary,
  fields: Partial<Record<keyof StoredClusterSummary, unknown>>,
): StoredClusterSummary {
  const from = summary as unknown as Record<string, unknown>;
  const given = fields as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(from)) {
    if (!Object.prototype.hasOwnProperty.call(given, key)) out[key] = from[key];
    else if (given[key] !== undefined) out[key] = given[key];
  }
  for (const key of Object.keys(given)) {
    if (
      given[key] !== undefined &&
      !Object.prototype.hasOwnProperty.call(from, key)
    ) {
      out[key] = given[key];
    }
  }
  return out as unknown as StoredClusterSummary;
}

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
 * It is the stage between folding and the index: the reconcilers write into it as into the index ({@link FleetSink}),
 * every summary folded from Cluster API is aggregated on its way through ({@link upsert}; the folded summary is
 * remembered), restored summaries get their version support evaluated, and {@link apply} re-aggregates clusters when
 * probe results arrive. It never reads the index: what it needs (the folded and restored summaries, the management
 * clusters' connection state) it keeps from what passes through. Reasons keep the time they were first seen
 * (`since`). Probe freshness goes into the index as volatile fields (see {@link extra}), so it does not turn every
 * probe round into a fleet-wide change.
 *
 * Version support depends on the day: the aggregator remembers when the earliest answer it wrote changes next (a
 * support boundary or the start of a nearing window) and re-evaluates then (a timer while started, or
 * {@link settle}), and at once when the support calendars change (a refresh).
 */
export class HealthAggregator implements FleetSink {
  /** The summary of each cluster as folded from Cluster API (before aggregation). */
  private readonly folded = new Map<string, StoredClusterSummary>();
  /** Summaries restored from the database and not listed again, as written to the index. */
  private readonly restored = new Map<string, StoredClusterSummary>();
  /** The connection state of each management cluster, as passed on to the index. */
  private readonly sources = new Map<string, IndexedSourceState>();
  private readonly results = new Map<string, ProbeResult>();
  /**
   * The probe result each cluster's health is aggregated from: the last one, except while a timeout after a probe
   * that answered is not confirmed yet (see {@link HealthAggregator.apply}).
   */
  private readonly evidence = new Map<string, ProbeResult>();
  private readonly since = new Map<string, Map<string, string>>();
  /**
   * The aggregated fields of each cluster as last written (health, reasons, distribution, observed version, minor,
   * version support, nodes, budget), compared as their JSON would be to tell whether a re-aggregation changed them.
   */
  private readonly aggregatedFields = new Map<string, unknown[]>();
  private readonly sourceStates = new Map<string, string>();
  /** The health of each cluster as last written to the index. */
  private readonly current = new Map<string, HealthStatus>();
  /** The budget state of each cluster as last written to the index. */
  private readonly budgets = new Map<string, BudgetState>();
  private budgetOf?: (summary: StoredClusterSummary) => BudgetState | undefined;
  /**
   * What each cluster's budget state was computed from: the fields that choose its objective, and the budget pass
   * it was computed in. A budget moves only with the history and the time, which a budget pass ({@link refreshBudgets},
   * every health refresh) takes in for every cluster; a cluster that changes between passes keeps the state of the
   * last one, unless its objective's inputs changed (computing it on every change cost more than the rest of the
   * cluster's evaluation).
   */
  private readonly budgetInputs = new Map<
    string,
    { inputs: string; pass: number }
  >();
  private budgetPass = 0;
  /** Clusters in maintenance (a rollout step in progress, paused) as last written to the index. */
  private readonly inMaintenance = new Set<string>();
  private readonly transitionListeners = new Set<
    (summary: StoredClusterSummary, previous?: HealthStatus) => void
  >();
  private readonly now: () => number;
  readonly lifecycle: VersionLifecycle;
  /** When the earliest version support answer in the index changes next (ms since the epoch). */
  private nextVersionChangeAt = Infinity;
  private settling = false;
  private settleTimer?: ReturnType<typeof setTimeout>;
  private settleTimerAt = Infinity;
  private started = false;
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

  /** Follows the support calendars and re-evaluates version support when an answer changes. */
  start(): void {
    this.started = true;
    this.unsubscribeLifecycle?.();
    this.unsubscribeLifecycle = this.lifecycle.subscribe(() => {
      if (this.reaggregateAll() > 0) this.index.touch();
    });
    this.scheduleSettle();
  }

  /** Stops following the support calendars and the clock. */
  stop(): void {
    this.started = false;
    this.unsubscribeLifecycle?.();
    this.unsubscribeLifecycle = undefined;
    clearTimeout(this.settleTimer);
    this.settleTimer = undefined;
    this.settleTimerAt = Infinity;
  }

  // ---- the sink: what the reconcilers write ----------------------------------------------------------------------

  /**
   * Takes a summary on its way into the index: a folded one is aggregated (its folded form remembered), a restored
   * one gets its version support evaluated now (see {@link restore}).
   */
  upsert(
    summary: StoredClusterSummary,
    options: { restored?: boolean; lastSeenAt?: string } = {},
  ): boolean {
    if (options.restored) {
      const out = this.restore(summary);
      this.restored.set(stringifyClusterKey(out), out);
      return this.index.upsert(out, options);
    }
    const out = this.decorate(summary);
    this.restored.delete(stringifyClusterKey(out));
    return this.index.upsert(out, options);
  }

  /** Passes a confirmed deletion on (the cluster's health is forgotten when the index reports it deleted). */
  remove(key: string): boolean {
    this.folded.delete(key);
    this.restored.delete(key);
    return this.index.remove(key);
  }

  /** Keys of a management cluster's clusters, folded or restored (folded first, each key once). */
  keysOf(managementCluster: string): string[] {
    const out: string[] = [];
    for (const [key, s] of this.folded) {
      if (s.managementCluster === managementCluster) out.push(key);
    }
    for (const [key, s] of this.restored) {
      if (s.managementCluster !== managementCluster) continue;
      // listed again: already there
      if (this.folded.get(key)?.managementCluster === managementCluster) {
        continue;
      }
      out.push(key);
    }
    return out;
  }

  /** Remembers the connection state of a management cluster and passes it on. */
  setSourceState(managementCluster: string, state: IndexedSourceState): void {
    this.sources.set(managementCluster, { ...state });
    this.index.setSourceState(managementCluster, state);
  }

  /** Records contact with a management cluster and passes it on. */
  touchSource(managementCluster: string, lastSeenAt: string): void {
    const src = this.sources.get(managementCluster);
    if (src) src.lastSeenAt = lastSeenAt;
    this.index.touchSource(managementCluster, lastSeenAt);
  }

  /** The connection state of a management cluster, as last passed on. */
  sourceState(managementCluster: string): IndexedSourceState | undefined {
    return this.sources.get(managementCluster);
  }

  // ---- evaluation ------------------------------------------------------------------------------------------------

  /**
   * Re-evaluates version support when the clock has passed the earliest change of an answer it wrote. Cheap when
   * nothing is due (one comparison); the timer calls it at that time.
   */
  settle(): void {
    if (this.settling || this.now() < this.nextVersionChangeAt) return;
    this.settling = true;
    try {
      if (this.reaggregateAll() > 0) this.index.touch();
    } finally {
      this.settling = false;
    }
  }

  /** Arms the timer for the earliest change of a version support answer (while started). */
  private scheduleSettle() {
    if (!this.started || this.nextVersionChangeAt >= this.settleTimerAt) return;
    clearTimeout(this.settleTimer);
    const at = this.nextVersionChangeAt;
    if (at === Infinity) return;
    this.settleTimerAt = at;
    // setTimeout takes at most 2^31-1 ms; a later time is reached in steps
    const delay = Math.min(Math.max(0, at - this.now()) + 1, 2 ** 31 - 1);
    this.settleTimer = setTimeout(() => {
      this.settleTimer = undefined;
      this.settleTimerAt = Infinity;
      this.settle();
      this.scheduleSettle();
    }, delay);
    this.settleTimer.unref?.();
  }

  /**
   * A summary restored from the database gets its version support evaluated now (the database never holds it), its
   * health stays as persisted until the cluster is listed again.
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
      this.scheduleSettle();
    }
  }

  /**
   * Calls `listener` with every summary whose health or maintenance (see {@link maintenanceOf}) differs from the last
   * one of its cluster, as it goes into the index (`previous` is absent the first time a cluster is seen). Returns an
   * unsubscribe function.
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

  /**
   * Takes new probe results (newer than what is known) and re-aggregates their clusters.
   *
   * A timeout after a probe that answered counts only once it repeats (`failureThreshold` timeouts in a row, which
   * make the cluster `unhealthy`): until then the health stays what the answered probe found, and the summary's
   * `probe` tells of the timeout. A prober whose own machine or network is full for a moment (a cold round of many
   * thousand TLS handshakes) sees clusters time out once and answer in the next round; each would otherwise change
   * its health twice, with a history transition, an event and an index update each. A refused or reset connection, a
   * certificate error and an API server that says it is not ready count at once.
   */
  apply(results: Iterable<ProbeResult>): number {
    let changed = 0;
    for (const r of results) {
      const known = this.results.get(r.key);
      if (known && known.at > r.at) continue;
      this.results.set(r.key, r);
      const previous = this.evidence.get(r.key);
      if (!previous || !this.unconfirmedTimeout(r, previous)) {
        this.evidence.set(r.key, r);
      }
      this.index.setVolatile(r.key, this.extra(r.key));
      if (this.reaggregate(r.key)) changed++;
    }
    return changed;
  }

  /** Whether `r` is a timeout not yet repeated after `previous`, a recent probe that answered. */
  private unconfirmedTimeout(r: ProbeResult, previous: ProbeResult): boolean {
    return (
      r.failure === 'timeout' &&
      r.consecutiveFailures < this.config.failureThreshold &&
      previous.ok &&
      Date.parse(r.at) - Date.parse(previous.at) <=
        this.config.resultsStaleAfterMs
    );
  }

  /**
   * Re-aggregates every cluster (time passes: probe results go stale, releases reach end of life; management
   * clusters go stale and come back). Only clusters whose aggregated fields change are written to the index.
   */
  reaggregateAll(): number {
    let changed = 0;
    this.nextVersionChangeAt = Infinity;
    for (const [key, stored] of [...this.restored]) {
      // restored summaries (not listed again yet) keep their health but not a stale version support
      if (this.folded.has(key)) continue;
      const restored = this.restore(stored);
      if (
        JSON.stringify(restored.versionSupport) !==
        JSON.stringify(stored.versionSupport)
      ) {
        this.restored.set(key, restored);
        if (this.index.upsert(restored, { restored: true })) changed++;
      }
    }
    for (const key of [...this.folded.keys()]) {
      if (this.reaggregate(key)) changed++;
    }
    for (const key of [...this.results.keys()]) {
      if (!this.folded.has(key) && !this.restored.has(key)) {
        this.results.delete(key);
        this.evidence.delete(key);
        this.index.setVolatile(key, undefined);
      }
    }
    return changed;
  }

  /** Re-aggregates the clusters of management clusters whose connection state changed since the last call. */
  reaggregateChangedSources(managementClusters: Iterable<string>): number {
    let changed = 0;
    for (const mc of managementClusters) {
      const s = this.sources.get(mc);
      const fingerprint = `${s?.state}|${s?.staleSince ?? ''}`;
      if (this.sourceStates.get(mc) === fingerprint) continue;
      this.sourceStates.set(mc, fingerprint);
      for (const key of this.keysOf(mc)) {
        if (this.reaggregate(key)) changed++;
      }
    }
    return changed;
  }

  private reaggregate(key: string): boolean {
    const folded = this.folded.get(key);
    if (!folded) return false;
    const before = this.aggregatedFields.get(key);
    const out = this.decorate(folded);
    if (before && sameJson(before, this.aggregatedFields.get(key))) {
      return false;
    }
    return this.index.upsert(out);
  }

  /** Remembers a folded summary, returns the aggregated one. */
  decorate(summary: StoredClusterSummary): StoredClusterSummary {
    const key = stringifyClusterKey(summary);
    this.folded.set(key, summary);
    const now = this.now();
    const aggregated = aggregateHealth({
      capi: { status: summary.health, reasons: summary.healthReasons },
      desiredMinor: summary.kubernetesMinor,
      desiredVersion: summary.kubernetesVersion,
      labels: summary.labels,
      capiDistribution: summary.distribution,
      probe: this.evidence.get(key),
      source: this.sources.get(summary.managementCluster),
      managementCluster: summary.managementCluster,
      hostCluster: summary.hostedControlPlane?.hostCluster,
      managementClusterOf: summary.managementClusterOf,
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

    const minor = minorWithFallback(
      summary.kubernetesMinor,
      aggregated.distribution,
      aggregated.observedKubernetesVersion,
    );
    const budget = this.budgetFor(key, summary);
    const out = withAggregated(summary, {
      health: aggregated.status,
      healthReasons: reasons,
      distribution: aggregated.distribution,
      observedKubernetesVersion: aggregated.observedKubernetesVersion,
      versionSupport: aggregated.versionSupport,
      nodes: aggregated.nodes,
      kubernetesMinor: minor,
      budget,
    });
    const previousHealth = this.current.get(key);
    const maintenance = maintenanceOf(out);
    if (
      previousHealth !== out.health ||
      maintenance !== this.inMaintenance.has(key)
    ) {
      this.current.set(key, out.health);
      if (maintenance) this.inMaintenance.add(key);
      else this.inMaintenance.delete(key);
      for (const listener of this.transitionListeners) {
        try {
          listener(out, previousHealth);
        } catch {
          // a listener's failure is its own
        }
      }
    }
    this.aggregatedFields.set(key, [
      out.health,
      reasons,
      out.distribution,
      out.observedKubernetesVersion,
      out.kubernetesMinor,
      out.versionSupport,
      out.nodes,
      out.budget,
    ]);
    return out;
  }

  /**
   * Takes the budget state of each cluster (the objectives of its health history) into the summaries it writes from
   * now on.
   */
  setBudgets(
    budgetOf: (summary: StoredClusterSummary) => BudgetState | undefined,
  ): void {
    this.budgetOf = budgetOf;
    this.budgetInputs.clear();
  }

  /** A cluster's budget state: as computed in this budget pass for the same objective inputs, else computed now. */
  private budgetFor(
    key: string,
    summary: StoredClusterSummary,
  ): BudgetState | undefined {
    if (!this.budgetOf) {
      this.budgets.delete(key);
      return undefined;
    }
    const inputs = `${summary.lifecycle ?? ''}\n${summary.profile ?? ''}\n${
      summary.availabilityObjective ?? ''
    }`;
    const known = this.budgetInputs.get(key);
    if (known && known.inputs === inputs && known.pass === this.budgetPass) {
      return this.budgets.get(key);
    }
    const budget = this.budgetOf(summary);
    if (budget === undefined) this.budgets.delete(key);
    else this.budgets.set(key, budget);
    this.budgetInputs.set(key, { inputs, pass: this.budgetPass });
    return budget;
  }

  /**
   * Re-aggregates the clusters whose budget state changed (time passes, history grows). Returns how many changed.
   * A pass over a large fleet takes seconds of the thread: it gives way to waiting requests every
   * {@link BUDGET_SLICE_MS}, so that no request waits for the whole pass.
   */
  async refreshBudgets(): Promise<number> {
    if (!this.budgetOf) return 0;
    // what was computed before this pass is computed again at the cluster's next change
    this.budgetPass++;
    let changed = 0;
    let sliceStart = performance.now();
    let n = 0;
    for (const key of [...this.folded.keys()]) {
      if (++n % 64 === 0 && performance.now() - sliceStart > BUDGET_SLICE_MS) {
        await new Promise<void>(resolve => setImmediate(resolve));
        sliceStart = performance.now();
      }
      // read now: the cluster may have changed or gone while the pass gave way
      const folded = this.folded.get(key);
      if (!folded || !this.budgetOf) continue;
      const before = this.budgets.get(key);
      if (this.budgetFor(key, folded) === before) continue;
      if (this.reaggregate(key)) changed++;
    }
    return changed;
  }

  /** Forgets a cluster (deleted). */
  forget(key: string): void {
    this.folded.delete(key);
    this.restored.delete(key);
    this.results.delete(key);
    this.evidence.delete(key);
    this.index.setVolatile(key, undefined);
    this.since.delete(key);
    this.aggregatedFields.delete(key);
    this.current.delete(key);
    this.inMaintenance.delete(key);
    this.budgets.delete(key);
    this.budgetInputs.delete(key);
  }

  /** Probe freshness of a cluster: the volatile fields the index adds to its summary as it is served. */
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
