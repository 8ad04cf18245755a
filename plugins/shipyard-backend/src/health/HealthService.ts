import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import {
  HealthStatus,
  rolloutProgress,
} from '@shipyard/plugin-shipyard-common';
import {
  ManagementClusterConnection,
  WorkloadCredentialProvider,
} from '@shipyard/plugin-shipyard-node';
import { FleetIndex, StoredClusterSummary } from '../index/FleetIndex';
import { VersionLifecycle } from '../lifecycle/VersionLifecycle';
import {
  CredentialResolver,
  CredentialResolverOptions,
} from '../probes/CredentialResolver';
import { ProbeResult } from '../probes/types';
import {
  ProbeRoundStats,
  ProberTarget,
  WorkloadProber,
  emptyRoundStats,
} from '../probes/WorkloadProber';
import { HealthConfig } from './config';
import { firstEntry, maintenanceOf } from './history';
import {
  DEFAULT_OBJECTIVES_CONFIG,
  ObjectivesConfig,
} from '../objectives/config';
import { ObjectiveTracker } from '../objectives/ObjectiveTracker';
import { HealthAggregator } from './HealthAggregator';
import {
  HealthStore,
  HistoryPage,
  TransitionInput,
} from '../stores/HealthStore';
import { kubernetesMinorOfDistribution } from '../reconcile/versions';

/** Options of {@link HealthService}. */
export interface HealthServiceOptions {
  config: HealthConfig;
  logger: LoggerService;
  index: FleetIndex;
  /** Database access; without it results and history live in memory only (no history). */
  store?: HealthStore;
  /** The connection of a management cluster, to read kubeconfig Secrets with. */
  connectionOf(
    managementCluster: string,
  ): ManagementClusterConnection | undefined;
  /**
   * For a cluster read from an inventory source: where the kubeconfig Secret its access provider names is (the
   * connection of the management cluster that holds it, and the Secret).
   */
  inventorySecretOf?: CredentialResolverOptions['secretOf'];
  credentialProviders?: WorkloadCredentialProvider[];
  /** The support calendars (default: the data file, no overrides). */
  lifecycle?: VersionLifecycle;
  /** Availability objectives (default: `DEFAULT_OBJECTIVES_CONFIG`). */
  objectives?: ObjectivesConfig;
  now?: () => number;
}

/** What one scheduled round did. */
export interface HealthRoundStats extends ProbeRoundStats {
  /** Clusters whose summary changed. */
  changed: number;
}

/** Phases in which a cluster has no API server worth probing. */
const UNPROBED_PHASES = new Set(['Pending', 'Deleting']);

/** Re-read overlap when following results written by other replicas (clock skew between replicas). */
const REFRESH_OVERLAP_MS = 5_000;

/** Probes of a cluster outside the rounds after its rollout, while it still reports the old version: how many, how far apart. */
const VERSION_REFRESH_ATTEMPTS = 10;
const VERSION_REFRESH_PAUSE_MS = 2_000;

/**
 * How long health statuses wait to be appended to the history, so that the transitions of many changes go in one
 * write (a write is a read of the clusters' last entries, an insert and an update: a write per burst of changes cost
 * more of the backend's thread than the changes' own evaluation under a busy fleet). Rounds, `historyWritten` and
 * `stop` write at once.
 */
const HISTORY_BATCH_MS = 250;

/**
 * The health aggregation of the fleet: probe rounds (a `global` scheduled task, so one replica probes at a time),
 * the results in the database for every replica (others read them periodically), the aggregation into the index,
 * and health history.
 */
export class HealthService {
  readonly aggregator: HealthAggregator;
  /** Availability objectives from the health history. */
  readonly objectives: ObjectiveTracker;
  readonly prober: WorkloadProber;
  private readonly credentials: CredentialResolver;
  private readonly now: () => number;
  private refreshedUpTo?: number;
  private readonly unsubscribe: Array<() => void> = [];
  private round?: Promise<HealthRoundStats>;
  /** Health statuses waiting to be appended to the history, in the order they happened. */
  private historyQueue: TransitionInput[] = [];
  private historyWrite?: Promise<void>;
  private historyTimer?: NodeJS.Timeout;
  private housekeeping?: Promise<void>;
  /** When the history was last pruned and downsampled. */
  private housekeptAt?: number;
  /** Where the last downsampling pass ended (ms). */
  private downsampledBefore?: number;
  /** Clusters whose rollout was in progress at their last change. */
  private readonly rollingOut = new Set<string>();
  /** Clusters whose observed version is being refreshed after a rollout. */
  private readonly versionRefresh = new Map<
    string,
    {
      minor?: string;
      attempts: number;
      timer?: ReturnType<typeof setTimeout>;
      probing?: boolean;
    }
  >();
  private stopped = false;
  /** The refresh under way, if any. */
  private refreshing?: Promise<number>;

  constructor(private readonly options: HealthServiceOptions) {
    this.now = options.now ?? Date.now;
    this.aggregator = new HealthAggregator(options.index, options.config, {
      now: this.now,
      lifecycle: options.lifecycle,
    });
    this.credentials = new CredentialResolver({
      logger: options.logger,
      connectionOf: options.connectionOf,
      secretOf: options.inventorySecretOf,
      providers: options.credentialProviders,
      refreshMs: options.config.credentialsRefreshMs,
    });
    this.prober = new WorkloadProber({
      config: options.config,
      credentials: this.credentials,
      logger: options.logger,
      now: this.now,
    });
    this.objectives = new ObjectiveTracker({
      config: options.objectives ?? DEFAULT_OBJECTIVES_CONFIG,
      store: options.store,
      logger: options.logger,
      retentionDays: options.config.history.retentionDays,
      now: this.now,
    });
    this.aggregator.setBudgets(s => this.objectives.budgetOf(s));
    this.aggregator.start();
  }

  /** Loads persisted probe results and follows the index. Call before the fleet starts. */
  async start(): Promise<void> {
    if (this.options.store) {
      const { results, newest } = await this.options.store.loadResults();
      this.aggregator.apply(results);
      this.prober.seed(results);
      this.refreshedUpTo = newest;
      await this.objectives.refresh();
    }
    // history: every transition as it happens
    this.unsubscribe.push(
      this.aggregator.onTransition((summary, previous) =>
        this.recordTransition(summary, previous),
      ),
    );
    this.unsubscribe.push(
      this.options.index.subscribe(event => {
        const mcs = new Set(event.changes.map(c => c.managementCluster));
        this.aggregator.reaggregateChangedSources(mcs);
        const deleted: string[] = [];
        for (const c of event.changes) {
          const key = `${c.managementCluster}/${c.namespace}/${c.name}`;
          if (c.type === 'deleted') {
            this.aggregator.forget(key);
            this.objectives.forget(key);
            this.rollingOut.delete(key);
            const refresh = this.versionRefresh.get(key);
            if (refresh?.timer) clearTimeout(refresh.timer);
            this.versionRefresh.delete(key);
            deleted.push(key);
          } else {
            this.afterChange(key);
          }
        }
        if (deleted.length > 0 && this.options.store) {
          this.options.store
            .dropStatuses(deleted)
            .catch(error =>
              this.options.logger.warn(
                `Shipyard: forgetting the health of deleted clusters failed: ${error}`,
              ),
            );
        }
      }),
    );
  }

  /** Queues a health status for the history (written in order, in batches). */
  private recordTransition(
    summary: StoredClusterSummary,
    previous: HealthStatus | undefined,
  ) {
    if (!this.options.store) return;
    const key = `${summary.managementCluster}/${summary.namespace}/${summary.name}`;
    const now = this.now();
    this.historyQueue.push(
      previous === undefined
        ? firstEntry(key, summary, now)
        : {
            key,
            status: summary.health,
            reasons: summary.healthReasons,
            at: new Date(now).toISOString(),
            maintenance: maintenanceOf(summary),
          },
    );
    this.scheduleHistory();
  }

  /** Writes the queued health statuses soon (see {@link HISTORY_BATCH_MS}); a write in progress takes them too. */
  private scheduleHistory() {
    if (this.historyTimer || this.historyWrite) return;
    this.historyTimer = setTimeout(() => {
      this.historyTimer = undefined;
      this.flushHistory().catch(() => undefined);
    }, HISTORY_BATCH_MS);
    this.historyTimer.unref?.();
  }

  private flushHistory(): Promise<void> {
    const store = this.options.store;
    if (!store) return Promise.resolve();
    clearTimeout(this.historyTimer);
    this.historyTimer = undefined;
    if (!this.historyWrite) {
      this.historyWrite = (async () => {
        // let the transitions of one burst of changes go in one write
        await new Promise(resolve => setImmediate(resolve));
        while (this.historyQueue.length > 0) {
          const batch = this.historyQueue.splice(0, this.historyQueue.length);
          try {
            await store.appendTransitions(batch, {
              maxEntriesPerCluster:
                this.options.config.history.maxEntriesPerCluster,
            });
          } catch (error) {
            this.options.logger.warn(
              `Shipyard: recording health history failed: ${error}`,
            );
          }
        }
      })().finally(() => {
        this.historyWrite = undefined;
        if (this.historyQueue.length > 0) this.scheduleHistory();
      });
    }
    return this.historyWrite;
  }

  /**
   * When a cluster's rollout completes, or Cluster API declares a Kubernetes minor the workload cluster has not
   * reported yet once nothing rolls out, its API server is probed at once (again after a short pause while it still
   * reports the old version, a few times): the observed version and its support follow the rollout, not the next
   * round.
   */
  private afterChange(key: string) {
    const s = this.options.index.getStored(key);
    if (!s) return;
    const rolling = !rolloutProgress(s).complete;
    const wasRolling = this.rollingOut.has(key);
    if (rolling) this.rollingOut.add(key);
    else this.rollingOut.delete(key);
    if (rolling || !this.options.config.enabled) return;
    const declared = s.kubernetesMinor;
    const last = this.aggregator.result(key);
    const observed = kubernetesMinorOfDistribution(
      s.distribution,
      last?.gitVersion,
    );
    const behind =
      declared !== undefined &&
      last?.gitVersion !== undefined &&
      observed !== declared;
    let state = this.versionRefresh.get(key);
    if (!wasRolling && !behind) {
      if (state?.timer) clearTimeout(state.timer);
      this.versionRefresh.delete(key);
      return;
    }
    if (!state || wasRolling || state.minor !== declared) {
      if (state?.timer) clearTimeout(state.timer);
      state = { minor: declared, attempts: 0 };
      this.versionRefresh.set(key, state);
    }
    if (
      state.timer ||
      state.probing ||
      state.attempts >= VERSION_REFRESH_ATTEMPTS
    )
      return;
    const target = this.targetOf(s);
    if (!target) return;
    const current = state;
    const delay = current.attempts === 0 ? 0 : VERSION_REFRESH_PAUSE_MS;
    current.timer = setTimeout(() => {
      current.timer = undefined;
      current.attempts++;
      current.probing = true;
      this.prober
        .probeNow(target)
        .then(async result => {
          if (this.aggregator.apply([result]) > 0) this.options.index.touch();
          await this.options.store?.saveResults([result], this.now());
        })
        .catch(error =>
          this.options.logger.warn(
            `Shipyard: probing ${key} after its rollout failed: ${error}`,
          ),
        )
        .finally(() => {
          current.probing = false;
          if (this.versionRefresh.get(key) === current && !this.stopped) {
            this.afterChange(key);
          }
        });
    }, delay);
    current.timer.unref?.();
  }

  /** Schedules the probe rounds (global) and the reading of other replicas' results (local). */
  async schedule(scheduler: SchedulerService): Promise<void> {
    const { config } = this.options;
    await scheduler.scheduleTask({
      id: 'shipyard:health:round',
      scope: 'global',
      frequency: { milliseconds: config.intervalMs },
      timeout: { milliseconds: config.roundTimeoutMs },
      initialDelay: { milliseconds: config.initialDelayMs },
      fn: async signal => {
        await this.runRound(signal);
      },
    });
    await scheduler.scheduleTask({
      id: 'shipyard:health:refresh',
      scope: 'local',
      frequency: { milliseconds: config.refreshIntervalMs },
      timeout: { milliseconds: Math.max(config.refreshIntervalMs * 4, 30_000) },
      initialDelay: { milliseconds: config.refreshIntervalMs },
      fn: async () => {
        await this.refresh();
      },
    });
  }

  /** Stops probing and closes every connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe();
    this.aggregator.stop();
    for (const refresh of this.versionRefresh.values()) {
      if (refresh.timer) clearTimeout(refresh.timer);
    }
    this.versionRefresh.clear();
    await this.round?.catch(() => undefined);
    await this.refreshing?.catch(() => undefined);
    await this.housekeeping;
    await this.flushHistory();
    await this.prober.close();
    this.credentials.close();
  }

  /** The clusters a round probes. */
  targets(): ProberTarget[] {
    const out: ProberTarget[] = [];
    for (const s of this.options.index.all()) {
      const t = this.targetOf(s);
      if (t) out.push(t);
    }
    return out;
  }

  private targetOf(s: StoredClusterSummary): ProberTarget | undefined {
    if (UNPROBED_PHASES.has(s.phase) || s.deletingSince) return undefined;
    const t: ProberTarget = {
      key: `${s.managementCluster}/${s.namespace}/${s.name}`,
      managementCluster: s.managementCluster,
      namespace: s.namespace,
      name: s.name,
    };
    if (s.provider) t.provider = s.provider;
    if (s.controlPlaneKind) t.controlPlaneKind = s.controlPlaneKind;
    if (s.infrastructureKind) t.infrastructureKind = s.infrastructureKind;
    if (s.apiServerUrl) t.apiServerUrl = s.apiServerUrl;
    return t;
  }

  /**
   * Runs one round now: probes, aggregation, persistence and history. Concurrent calls share one round. Once `signal`
   * aborts (the scheduler ends a round at its time limit), the round starts no more probes and completes with what it
   * has.
   */
  runRound(signal?: AbortSignal): Promise<HealthRoundStats> {
    if (!this.round) {
      this.round = this.doRound(signal).finally(() => {
        this.round = undefined;
      });
    }
    return this.round;
  }

  private async doRound(signal?: AbortSignal): Promise<HealthRoundStats> {
    const { config, store, logger, index } = this.options;
    if (config.enabled) logger.debug('Shipyard health round: started');
    let changed = 0;
    const pending: ProbeResult[] = [];
    let writes = Promise.resolve();
    const flush = () => {
      if (!store || pending.length === 0) return;
      const batch = pending.splice(0, pending.length);
      writes = writes.then(() =>
        store
          .saveResults(batch, this.now())
          .catch(error =>
            logger.warn(`Shipyard: saving probe results failed: ${error}`),
          ),
      );
    };
    let stats = emptyRoundStats();
    if (config.enabled) {
      stats = await this.prober.runRound(
        this.targets(),
        result => {
          changed += this.aggregator.apply([result]);
          pending.push(result);
          if (pending.length >= 500) flush();
        },
        signal,
      );
      flush();
      await writes;
    }
    changed += this.aggregator.reaggregateAll();
    index.touch();
    await this.flushHistory();
    changed += await this.refreshObjectives();
    if (store) {
      // in the background: a first pass over a long history must not hold up the round
      this.housekeeping ??= this.historyHousekeeping().finally(() => {
        this.housekeeping = undefined;
      });
      try {
        const now = this.now();
        await store.pruneResults(
          now - Math.max(config.resultsStaleAfterMs * 4, 86_400_000),
        );
      } catch (error) {
        logger.warn(`Shipyard: pruning probe results failed: ${error}`);
      }
    }
    if (config.enabled && stats.givenUp > 0) {
      logger.warn(
        `Shipyard health round: given up at its time limit of ${config.roundTimeoutMs} ms after starting ` +
          `${stats.probed} of ${
            stats.probed + stats.givenUp
          } probes; the next round begins with the ${stats.givenUp} ` +
          `not reached (${stats.durationMs} ms, the probe thread busy ${
            stats.busyMs ?? 'n/a'
          } ms, starts held back ` +
          `${stats.pacedMs} ms for its CPU budget; shipyard.health.roundTimeoutMs, cpuBudget)`,
      );
    } else if (config.enabled) {
      logger.info(
        `Shipyard health round: probed ${stats.probed} of ${stats.targets} clusters in ${stats.durationMs} ms ` +
          `(${stats.ok} ok, ${stats.failed} failed, ${stats.withoutCredentials} without credentials, ${stats.skipped} backing off), ` +
          `${stats.connectionsOpened} connections opened, ${changed} changed${
            stats.busyMs === undefined
              ? ''
              : `; the probe thread busy ${stats.busyMs} ms`
          }${
            stats.pacedMs > 0
              ? `, starts held back ${stats.pacedMs} ms for its CPU budget`
              : ''
          }${
            stats.congested
              ? '; most probes were late, so the round held to its concurrency'
              : ''
          }`,
      );
    }
    return { ...stats, changed };
  }

  /**
   * Reads probe results other replicas wrote, and re-aggregates what time has changed. After {@link stop} it reads
   * nothing; a refresh under way when it is called finishes before the stop does (its database may close after).
   */
  refresh(): Promise<number> {
    if (this.stopped) return Promise.resolve(0);
    const refreshing = this.refreshOnce();
    this.refreshing = refreshing;
    return refreshing.finally(() => {
      if (this.refreshing === refreshing) this.refreshing = undefined;
    });
  }

  private async refreshOnce(): Promise<number> {
    const { store, index } = this.options;
    let changed = 0;
    if (store) {
      const since =
        this.refreshedUpTo === undefined
          ? undefined
          : this.refreshedUpTo - REFRESH_OVERLAP_MS;
      const { results, newest } = await store.loadResults(since);
      if (newest !== undefined)
        this.refreshedUpTo = Math.max(this.refreshedUpTo ?? 0, newest);
      const newer = results.filter(r => {
        const known = this.aggregator.result(r.key);
        return !known || known.at < r.at;
      });
      if (newer.length > 0) {
        this.prober.seed(newer);
        changed += this.aggregator.apply(newer);
      }
    }
    changed += this.aggregator.reaggregateChangedSources(
      Object.keys(index.summary().byManagementCluster),
    );
    changed += await this.refreshObjectives();
    if (changed > 0) index.touch();
    return changed;
  }

  /**
   * Reads the history recorded since the last read (by any replica) and writes the budget states that changed (time
   * passes, history grows). Returns the number of clusters whose summary changed.
   */
  async refreshObjectives(): Promise<number> {
    try {
      await this.objectives.refresh();
    } catch (error) {
      this.options.logger.warn(
        `Shipyard: reading the health history for objectives failed: ${error}`,
      );
    }
    return this.aggregator.refreshBudgets();
  }

  /**
   * Prunes the history past its retention and downsamples what is older than `downsampleAfterDays`, at most once per
   * `housekeepingIntervalMinutes` (the first time over the whole history, then from where the last pass ended).
   */
  async historyHousekeeping(options: { force?: boolean } = {}): Promise<void> {
    const store = this.options.store;
    const { history } = this.options.config;
    if (!store) return;
    const now = this.now();
    if (
      !options.force &&
      this.housekeptAt !== undefined &&
      now - this.housekeptAt < history.housekeepingIntervalMinutes * 60_000
    ) {
      return;
    }
    this.housekeptAt = now;
    const started = Date.now();
    try {
      const pruned = await store.pruneHistory(
        now - history.retentionDays * 86_400_000,
      );
      let merged = 0;
      if (history.downsampleMinutes > 0) {
        const bucketMs = history.downsampleMinutes * 60_000;
        const beforeMs = now - history.downsampleAfterDays * 86_400_000;
        const r = await store.downsampleHistory({
          beforeMs,
          bucketMs,
          // the last bucket of the previous pass again: it may have been written to since
          sinceMs:
            this.downsampledBefore === undefined
              ? undefined
              : this.downsampledBefore - bucketMs,
        });
        this.downsampledBefore = beforeMs;
        merged = r.deleted;
      }
      if (pruned > 0 || merged > 0) {
        this.options.logger.info(
          `Shipyard: health history housekeeping deleted ${pruned} transitions past the retention and merged ${merged} ` +
            `by downsampling in ${Date.now() - started} ms`,
        );
      }
    } catch (error) {
      this.options.logger.warn(
        `Shipyard: pruning or downsampling the health history failed: ${error}`,
      );
    }
  }

  /** Resolves when every health status queued so far is written to the history. */
  async historyWritten(): Promise<void> {
    await this.flushHistory();
  }

  /** Health history of a cluster, newest first. */
  async history(
    key: string,
    options: { limit: number; before?: number },
  ): Promise<HistoryPage> {
    if (!this.options.store) return { items: [] };
    return this.options.store.history(key, options);
  }
}
