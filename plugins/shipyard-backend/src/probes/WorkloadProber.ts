import { LoggerService } from '@backstage/backend-plugin-api';
import { HealthConfig } from '../health/config';
import { CredentialSource } from './CredentialResolver';
import { ProbeConnections, ProbeExecutor } from './ProbeConnections';
import { ProbeWorker } from './ProbeWorker';
import { ProbeResult, ProbeTarget } from './types';

/** A probe target with what credential lookup may fall back on. */
export type ProberTarget = ProbeTarget & { apiServerUrl?: string };

/** What one round did. */
export interface ProbeRoundStats {
  targets: number;
  probed: number;
  /** Skipped because of backoff. */
  skipped: number;
  ok: number;
  failed: number;
  /** Clusters without usable credentials. */
  withoutCredentials: number;
  durationMs: number;
  /** Most probes in flight at once. */
  peakInFlight: number;
  /** Connections the probes opened (each a TLS handshake; a round over kept-alive connections opens few). */
  connectionsOpened: number;
  /**
   * Whether most recent probes had been late (half their deadline gone) at some point of the round (or at its start,
   * after a congested round), so that it held to `concurrency` probes in flight.
   */
  congested: boolean;
  /** How long the round held back starts because its probes' thread had used its CPU budget (ms). */
  pacedMs: number;
  /** Busy time of the probes' thread during the round (ms; undefined where probes share their thread). */
  busyMs?: number;
  /** Due clusters the round did not start because it was given up (its time was over); the next round starts with them. */
  givenUp: number;
}

/** The figures of a round that has probed nothing yet. */
export function emptyRoundStats(targets = 0): ProbeRoundStats {
  return {
    targets,
    probed: 0,
    skipped: 0,
    ok: 0,
    failed: 0,
    withoutCredentials: 0,
    durationMs: 0,
    peakInFlight: 0,
    connectionsOpened: 0,
    congested: false,
    pacedMs: 0,
    givenUp: 0,
  };
}

/**
 * A budget of busy time for the thread probes run on: a token bucket that fills at `budget` ms per ms, holds at most
 * `burstMs` (the prober gives it the budget's share of the probe interval: a round whose busy time fits that share
 * runs at full speed, and only a fleet whose rounds need more than the budget on average is held back), and is drawn
 * down by the thread's busy time since the last look. Probes start while it is not empty; when it is,
 * {@link BusyBudget.wait} says how long it takes to fill again. Busy time rather than CPU time: on a machine whose
 * cores are all taken, a thread is busy longer than it runs, so the budget holds it back more.
 */
export class BusyBudget {
  private credit: number;
  private lastAt?: number;
  private lastBusy?: number;

  constructor(
    private readonly budget: number,
    private readonly busyMs: () => number | undefined,
    private readonly now: () => number,
    private readonly burstMs: number,
  ) {
    this.credit = burstMs;
  }

  /** Milliseconds until the bucket holds busy time again (0: probes may start now). */
  wait(): number {
    if (this.budget >= 1) return 0;
    const busy = this.busyMs();
    if (busy === undefined) return 0;
    const at = this.now();
    if (this.lastAt !== undefined && this.lastBusy !== undefined) {
      this.credit = Math.min(
        this.burstMs,
        this.credit +
          (at - this.lastAt) * this.budget -
          Math.max(0, busy - this.lastBusy),
      );
    }
    this.lastAt = at;
    this.lastBusy = busy;
    return this.credit >= 0 ? 0 : Math.ceil(-this.credit / this.budget);
  }
}

/**
 * The share of late probes (half their deadline gone) among the round's probes that were late or finished before
 * (clusters known to fail are not in it: they are expected to be late). Congested while at least half of them were
 * late. Counted over the whole round, not its last few probes: late ones are judged after the on-time ones of the
 * same start, so a window of the most recent would take a fifth of dead clusters for most. A round after a congested
 * one starts congested, before its own probes say otherwise.
 */
export class LateShare {
  private outcomes = 0;
  private lates = 0;
  /** Whether the last round ended congested: the next one starts so until 8 of its own probes are judged. */
  private startCongested = false;
  /** Whether it was congested at any time since {@link LateShare.startRound}. */
  wasCongested = false;

  /** A round begins: its share is its own probes', judged from the last round's state until 8 are known. */
  startRound(): void {
    this.startCongested = this.congested();
    this.outcomes = 0;
    this.lates = 0;
    this.wasCongested = this.startCongested;
  }

  record(late: boolean): void {
    this.outcomes++;
    if (late) this.lates++;
    if (this.congested()) this.wasCongested = true;
  }

  /** At least half of the round's probes were late (judged once 8 are known; before, as the last round ended). */
  congested(): boolean {
    if (this.outcomes < 8) return this.startCongested;
    return this.lates * 2 >= this.outcomes;
  }
}

/** Options of {@link WorkloadProber}. */
export interface WorkloadProberOptions {
  config: Pick<
    HealthConfig,
    | 'concurrency'
    | 'timeoutMs'
    | 'stallAfterMs'
    | 'maxInFlight'
    | 'intervalMs'
    | 'maxBackoffMs'
    | 'keepAliveMs'
    | 'maxConnections'
    | 'cpuBudget'
    | 'maxNodes'
    | 'kubeSystemChecks'
    | 'probeWorker'
  >;
  credentials: CredentialSource;
  logger: LoggerService;
  now?: () => number;
  /** Where probes run (default: a {@link ProbeWorker}, or this thread with `probeWorker: false`). */
  executor?: ProbeExecutor;
  /** Busy time the probes may take at once before `cpuBudget` paces them (ms; default `cpuBudget × intervalMs`). */
  cpuBurstMs?: number;
}

interface ClusterState {
  last?: ProbeResult;
}

/** Shortest wait for the CPU budget (a timer per probe would cost more than it saves). */
const MIN_PACE_MS = 20;

const DISCOVERY_INTERVAL_MS = 6 * 60 * 60 * 1000;

/**
 * Runs probe rounds over many workload clusters.
 *
 * - At most `concurrency` probes make progress at once. A probe still running after `stallAfterMs` gives its slot
 *   to the next cluster and goes on in the background (up to `maxInFlight` probes in all), so slow and dead clusters
 *   cost at most one timeout each and never hold up the others.
 * - Clusters whose last probe failed or was slow start first, outside the slots, so their timeouts overlap the rest
 *   of the round.
 * - When most probes are late (the prober's machine or network is the bottleneck, see {@link LateShare}), the round
 *   holds to `concurrency` in flight and a slow server gets no more connections than its one kept-alive connection:
 *   opening more would cost each a handshake on the busy machine and answer no sooner.
 * - The probes' thread is kept within `cpuBudget` of a core (see {@link BusyBudget}): past it, the round starts its
 *   next probes later, so a fleet too large for the machine takes longer rounds instead of all of the machine.
 * - A cluster that keeps failing is probed less often: after the second failure in a row, every
 *   `interval × 2^(failures-1)` up to `maxBackoffMs`.
 * - One keep-alive agent per cluster, rebuilt only when its server, CA, client certificate or token change.
 * - The rounds, credentials, backoff and results are kept here; the connections, requests and the parsing of the
 *   answers run in a worker thread (`probeWorker`, the default) or in this thread (see {@link ProbeExecutor}).
 */
export class WorkloadProber {
  private readonly states = new Map<string, ClusterState>();
  /** Whether most recent probes were late (see {@link LateShare}), across rounds. */
  private readonly congestion = new LateShare();
  private readonly now: () => number;
  /** Where the network part of probes runs. */
  readonly executor: ProbeExecutor;
  /** The probes' thread's CPU budget, across rounds. */
  private readonly budget: BusyBudget;

  constructor(private readonly options: WorkloadProberOptions) {
    this.now = options.now ?? Date.now;
    const { keepAliveMs, maxConnections, probeWorker } = options.config;
    this.executor =
      options.executor ??
      (probeWorker
        ? new ProbeWorker({
            keepAliveMs,
            maxConnections,
            logger: options.logger,
          })
        : new ProbeConnections({ keepAliveMs, maxConnections, now: this.now }));
    const executor = this.executor;
    this.budget = new BusyBudget(
      options.config.cpuBudget,
      () => executor.busyMs?.(),
      this.now,
      options.cpuBurstMs ??
        options.config.cpuBudget * options.config.intervalMs,
    );
  }

  /** The last result of a cluster. */
  lastResult(key: string): ProbeResult | undefined {
    return this.states.get(key)?.last;
  }

  /** Seeds last results (from the database), so backoff and discovery survive restarts and hand-overs. */
  seed(results: Iterable<ProbeResult>): void {
    for (const r of results) {
      const state = this.states.get(r.key) ?? {};
      if (!state.last || state.last.at < r.at) state.last = r;
      this.states.set(r.key, state);
    }
  }

  /** Probes one cluster now, outside the rounds (credentials are resolved as a round does). */
  async probeNow(target: ProberTarget): Promise<ProbeResult> {
    await this.executor.ready();
    await this.options.credentials.refresh([target], this.now());
    return this.probeOne(target);
  }

  /** Closes every connection (and the worker thread). */
  async close(): Promise<void> {
    this.states.clear();
    await this.executor.close();
  }

  /**
   * Probes every due target, those probed longest ago (or never) first; `onResult` gets each result as soon as it is
   * known. Targets not given are forgotten (their connections closed). Once `signal` aborts (the round's time is
   * over), no more probes start and the round ends with those in flight: a round given up before the end leaves the
   * clusters it did not reach to be the first of the next one.
   */
  async runRound(
    targets: ProberTarget[],
    onResult: (result: ProbeResult) => void,
    signal?: AbortSignal,
  ): Promise<ProbeRoundStats> {
    // the probe worker's start (the first round) is not a probe's time
    await this.executor.ready();
    const started = this.now();
    const { config } = this.options;
    const keep = new Set(targets.map(t => t.key));
    const forgotten: string[] = [];
    for (const key of this.states.keys()) {
      if (!keep.has(key)) {
        forgotten.push(key);
        this.states.delete(key);
      }
    }
    if (forgotten.length > 0) this.executor.forget(forgotten);
    this.options.credentials.retain(targets);

    const stats = emptyRoundStats(targets.length);
    const due: Array<{ target: ProberTarget; lastAt: string }> = [];
    for (const t of targets) {
      const last = this.states.get(t.key)?.last;
      const next = last?.nextProbeAt;
      if (next && Date.parse(next) > started) stats.skipped++;
      else due.push({ target: t, lastAt: last?.at ?? '' });
    }
    // longest ago first (ISO times of one format order as strings; never probed: ''); a stable sort keeps the
    // targets' order among equals
    due.sort((a, b) => {
      if (a.lastAt === b.lastAt) return 0;
      return a.lastAt < b.lastAt ? -1 : 1;
    });
    await this.options.credentials.refresh(
      due.map(d => d.target),
      started,
    );

    const suspects: ProberTarget[] = [];
    const normal: ProberTarget[] = [];
    for (const { target: t } of due) {
      const last = this.states.get(t.key)?.last;
      const suspect =
        last !== undefined &&
        ((!last.ok &&
          last.failure !== 'no-credentials' &&
          last.failure !== 'bad-credentials') ||
          last.latencyMs > config.stallAfterMs);
      (suspect ? suspects : normal).push(t);
    }

    const concurrency = Math.max(1, config.concurrency);
    const maxInFlight = Math.max(concurrency, config.maxInFlight);
    const suspectLimit = Math.max(1, maxInFlight - concurrency);
    // Stalled probes let others start (up to maxInFlight) so that a few dead or slow clusters do not hold the round
    // up. When most probes are late (half their deadline gone), the clusters are not the exception: the prober's own
    // machine or network is the bottleneck, and more probes in flight would only lengthen every answer into a
    // timeout (each ending its connection, so that the next probe pays a handshake). Then the round holds to
    // `concurrency` in flight.
    const lateAfterMs = Math.max(config.stallAfterMs, config.timeoutMs / 2);
    const congestion = this.congestion;
    congestion.startRound();
    const budget = this.budget;
    const busyAtStart = this.executor.busyMs?.();
    /** While set, starts wait for the CPU budget; the timer pumps again. */
    let paced: ReturnType<typeof setTimeout> | undefined;
    let active = 0;
    let inFlight = 0;
    let suspectsInFlight = 0;
    let ni = 0;
    let si = 0;
    /** Ends the round's starts when `signal` aborts. */
    let onAbort: (() => void) | undefined;

    // eslint-disable-next-line consistent-this, @typescript-eslint/no-this-alias
    const self = this;
    await new Promise<void>(resolveRound => {
      const done = () =>
        (signal?.aborted || (ni >= normal.length && si >= suspects.length)) &&
        inFlight === 0;
      function start(t: ProberTarget, suspect: boolean) {
        inFlight++;
        stats.peakInFlight = Math.max(stats.peakInFlight, inFlight);
        let holding = !suspect;
        if (suspect) suspectsInFlight++;
        else active++;
        const stall = holding
          ? setTimeout(() => {
              if (!holding) return;
              holding = false;
              active--;
              pump();
            }, config.stallAfterMs)
          : undefined;
        // clusters known to fail are expected to be late: only the others say whether the round is congested
        let judged = suspect;
        const late = suspect
          ? undefined
          : setTimeout(() => {
              judged = true;
              congestion.record(true);
              pump();
            }, lateAfterMs);
        self
          .probeOne(t)
          .then(result => {
            stats.probed++;
            stats.connectionsOpened += result.connectionsOpened ?? 0;
            if (result.ok) stats.ok++;
            else if (
              result.failure === 'no-credentials' ||
              result.failure === 'bad-credentials'
            ) {
              stats.withoutCredentials++;
            } else stats.failed++;
            try {
              onResult(result);
            } catch (error) {
              self.options.logger.warn(
                `Shipyard: handling a probe result failed: ${error}`,
              );
            }
          })
          .finally(() => {
            if (stall) clearTimeout(stall);
            if (late) clearTimeout(late);
            if (!judged) congestion.record(false);
            if (holding) active--;
            holding = false;
            if (suspect) suspectsInFlight--;
            inFlight--;
            if (done()) resolveRound();
            else pump();
          });
      }
      /** Whether the CPU budget holds starts back now (a timer then pumps again when it has filled). */
      function held(): boolean {
        if (paced) return true;
        const wait = budget.wait();
        if (wait <= 0) return false;
        const heldAt = self.now();
        paced = setTimeout(() => {
          paced = undefined;
          stats.pacedMs += self.now() - heldAt;
          pump();
        }, Math.max(MIN_PACE_MS, wait));
        return true;
      }
      function pump() {
        if (signal?.aborted) {
          if (paced) clearTimeout(paced);
          paced = undefined;
          if (done()) resolveRound();
          return;
        }
        const limit = congestion.congested() ? concurrency : maxInFlight;
        while (
          si < suspects.length &&
          inFlight < limit &&
          suspectsInFlight < suspectLimit &&
          !held()
        ) {
          start(suspects[si++], true);
        }
        while (
          ni < normal.length &&
          active < concurrency &&
          inFlight < limit &&
          !held()
        ) {
          start(normal[ni++], false);
        }
        if (done()) resolveRound();
      }
      onAbort = pump;
      signal?.addEventListener('abort', onAbort, { once: true });
      pump();
    });
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    stats.givenUp = normal.length - ni + suspects.length - si;
    stats.durationMs = this.now() - started;
    stats.congested = congestion.wasCongested;
    const busyAtEnd = this.executor.busyMs?.();
    if (busyAtStart !== undefined && busyAtEnd !== undefined) {
      stats.busyMs = Math.round(busyAtEnd - busyAtStart);
    }
    return stats;
  }

  private async probeOne(target: ProberTarget): Promise<ProbeResult> {
    const { config, credentials } = this.options;
    let state = this.states.get(target.key);
    if (!state) {
      state = {};
      this.states.set(target.key, state);
    }
    const last = state.last;
    const startedAt = this.now();
    let result: ProbeResult;
    const lookup = await credentials.resolve(target, target.apiServerUrl);
    if ('missing' in lookup) {
      this.executor.forget([target.key]);
      result = {
        key: target.key,
        at: new Date(startedAt).toISOString(),
        ok: false,
        latencyMs: 0,
        failure: lookup.missing,
        error: lookup.message,
        consecutiveFailures: 0,
      };
      if (last?.lastSuccessAt) result.lastSuccessAt = last.lastSuccessAt;
      state.last = result;
      return result;
    }
    const discovery =
      !last?.apiGroupsAt ||
      startedAt - Date.parse(last.apiGroupsAt) > DISCOVERY_INTERVAL_MS;
    const probeTarget: ProbeTarget = {
      key: target.key,
      managementCluster: target.managementCluster,
      namespace: target.namespace,
      name: target.name,
    };
    if (target.provider) probeTarget.provider = target.provider;
    if (target.controlPlaneKind)
      probeTarget.controlPlaneKind = target.controlPlaneKind;
    if (target.infrastructureKind)
      probeTarget.infrastructureKind = target.infrastructureKind;
    try {
      result = await this.executor.probe({
        target: probeTarget,
        credentials: lookup.credentials,
        timeoutMs: config.timeoutMs,
        maxNodes: config.maxNodes,
        kubeSystemChecks: config.kubeSystemChecks,
        discovery,
        // while most probes are late, a slow answer is the prober's machine: no more connections for it
        hedge: !this.congestion.congested(),
        previous: last && {
          apiGroups: last.apiGroups,
          apiGroupsAt: last.apiGroupsAt,
        },
      });
    } catch (error) {
      // a probe that could not be made at all (unusable credentials)
      result = {
        key: target.key,
        at: new Date(startedAt).toISOString(),
        ok: false,
        latencyMs: this.now() - startedAt,
        failure: 'unreachable',
        error: (error as Error).message,
        consecutiveFailures: 0,
      };
    }
    if (result.ok) {
      result.consecutiveFailures = 0;
      result.lastSuccessAt = result.at;
    } else {
      result.consecutiveFailures = (last?.consecutiveFailures ?? 0) + 1;
      if (last?.lastSuccessAt) result.lastSuccessAt = last.lastSuccessAt;
      // what the last successful probe saw stays known
      if (last) {
        if (result.gitVersion === undefined && last.distribution) {
          result.distribution = last.distribution;
        }
        result.gitVersion ??= last.gitVersion;
        result.nodes ??= last.nodes;
        result.apiGroups ??= last.apiGroups;
        result.apiGroupsAt ??= last.apiGroupsAt;
      }
      if (result.consecutiveFailures >= 2) {
        const delay = Math.min(
          config.intervalMs * 2 ** (result.consecutiveFailures - 1),
          Math.max(config.maxBackoffMs, config.intervalMs),
        );
        if (delay > config.intervalMs) {
          result.nextProbeAt = new Date(
            startedAt + delay - config.intervalMs / 4,
          ).toISOString();
        }
      }
      if (result.failure === 'unauthorized') credentials.invalidate(target.key);
    }
    state.last = result;
    return result;
  }
}
