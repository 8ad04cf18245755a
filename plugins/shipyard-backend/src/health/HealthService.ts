import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import {
  HealthStatus,
  parseClusterKey,
} from '@shipyard/plugin-shipyard-common';
import {
  ManagementClusterConnection,
  WorkloadCredentialProvider,
} from '@shipyard/plugin-shipyard-node';
import { FleetIndex } from '../index/FleetIndex';
import { VersionLifecycle } from '../lifecycle/VersionLifecycle';
import { CredentialResolver } from '../probes/CredentialResolver';
import { ProbeResult } from '../probes/types';
import {
  ProbeRoundStats,
  ProberTarget,
  WorkloadProber,
} from '../probes/WorkloadProber';
import { HealthConfig } from './config';
import { HealthAggregator } from './HealthAggregator';
import { HealthStore, HistoryPage } from './HealthStore';

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
  credentialProviders?: WorkloadCredentialProvider[];
  /** The support calendars (default: the data file, no overrides). */
  lifecycle?: VersionLifecycle;
  now?: () => number;
}

/** What one scheduled round did. */
export interface HealthRoundStats extends ProbeRoundStats {
  /** Clusters whose summary changed. */
  changed: number;
  /** History transitions written. */
  transitions: number;
}

/** Phases in which a cluster has no API server worth probing. */
const UNPROBED_PHASES = new Set(['Pending', 'Deleting']);

/** Re-read overlap when following results written by other replicas (clock skew between replicas). */
const REFRESH_OVERLAP_MS = 5_000;

/**
 * The health aggregation of the fleet: probe rounds (a `global` scheduled task, so one replica probes at a time),
 * the results in the database for every replica (others read them periodically), the aggregation into the index,
 * and health history.
 */
export class HealthService {
  readonly aggregator: HealthAggregator;
  readonly prober: WorkloadProber;
  private readonly credentials: CredentialResolver;
  private readonly now: () => number;
  private refreshedUpTo?: number;
  private readonly statusSince = new Map<
    string,
    { status: HealthStatus; since: string }
  >();
  private unsubscribe?: () => void;
  private round?: Promise<HealthRoundStats>;

  constructor(private readonly options: HealthServiceOptions) {
    this.now = options.now ?? Date.now;
    this.aggregator = new HealthAggregator(options.index, options.config, {
      now: this.now,
      lifecycle: options.lifecycle,
    });
    this.credentials = new CredentialResolver({
      logger: options.logger,
      connectionOf: options.connectionOf,
      providers: options.credentialProviders,
      refreshMs: options.config.credentialsRefreshMs,
    });
    this.prober = new WorkloadProber({
      config: options.config,
      credentials: this.credentials,
      logger: options.logger,
      now: this.now,
    });
    this.aggregator.install();
  }

  /** Loads persisted probe results and follows the index. Call before the fleet starts. */
  async start(): Promise<void> {
    if (this.options.store) {
      const { results, newest } = await this.options.store.loadResults();
      this.aggregator.apply(results);
      this.prober.seed(results);
      this.refreshedUpTo = newest;
    }
    this.unsubscribe = this.options.index.subscribe(event => {
      const mcs = new Set(event.changes.map(c => c.managementCluster));
      this.aggregator.reaggregateChangedSources(mcs);
      for (const c of event.changes) {
        if (c.type === 'deleted')
          this.aggregator.forget(
            `${c.managementCluster}/${c.namespace}/${c.name}`,
          );
      }
    });
  }

  /** Schedules the probe rounds (global) and the reading of other replicas' results (local). */
  async schedule(scheduler: SchedulerService): Promise<void> {
    const { config } = this.options;
    await scheduler.scheduleTask({
      id: 'shipyard:health:round',
      scope: 'global',
      frequency: { milliseconds: config.intervalMs },
      timeout: {
        milliseconds: Math.max(
          config.intervalMs * 2,
          config.timeoutMs * 10,
          60_000,
        ),
      },
      initialDelay: { milliseconds: config.initialDelayMs },
      fn: async () => {
        await this.runRound();
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
    this.unsubscribe?.();
    this.aggregator.uninstall();
    await this.round?.catch(() => undefined);
    this.prober.close();
    this.credentials.close();
  }

  /** The clusters a round probes. */
  targets(): ProberTarget[] {
    const out: ProberTarget[] = [];
    for (const s of this.options.index.all()) {
      if (UNPROBED_PHASES.has(s.phase) || s.deletingSince) continue;
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
      out.push(t);
    }
    return out;
  }

  /** Runs one round now: probes, aggregation, persistence and history. Concurrent calls share one round. */
  runRound(): Promise<HealthRoundStats> {
    if (!this.round) {
      this.round = this.doRound().finally(() => {
        this.round = undefined;
      });
    }
    return this.round;
  }

  private async doRound(): Promise<HealthRoundStats> {
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
    let stats: ProbeRoundStats = {
      targets: 0,
      probed: 0,
      skipped: 0,
      ok: 0,
      failed: 0,
      withoutCredentials: 0,
      durationMs: 0,
      peakInFlight: 0,
    };
    if (config.enabled) {
      stats = await this.prober.runRound(this.targets(), result => {
        changed += this.aggregator.apply([result]);
        pending.push(result);
        if (pending.length >= 500) flush();
      });
      flush();
      await writes;
    }
    changed += this.aggregator.reaggregateAll();
    index.touch();
    this.trackStatusSince();
    let transitions = 0;
    if (store) {
      try {
        transitions = await this.recordHistory(store);
        const now = this.now();
        await store.pruneHistory(
          now - config.history.retentionDays * 86_400_000,
        );
        await store.pruneResults(
          now - Math.max(config.resultsStaleAfterMs * 4, 86_400_000),
        );
      } catch (error) {
        logger.warn(`Shipyard: recording health history failed: ${error}`);
      }
    }
    if (config.enabled) {
      logger.info(
        `Shipyard health round: probed ${stats.probed} of ${stats.targets} clusters in ${stats.durationMs} ms ` +
          `(${stats.ok} ok, ${stats.failed} failed, ${stats.withoutCredentials} without credentials, ${stats.skipped} backing off), ` +
          `${changed} changed, ${transitions} transitions`,
      );
    }
    return { ...stats, changed, transitions };
  }

  /** Reads probe results other replicas wrote, and re-aggregates what time has changed. */
  async refresh(): Promise<number> {
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
    if (changed > 0) index.touch();
    this.trackStatusSince();
    return changed;
  }

  /** Health history of a cluster, newest first. */
  async history(
    key: string,
    options: { limit: number; before?: number },
  ): Promise<HistoryPage> {
    if (!this.options.store) return { items: [] };
    return this.options.store.history(key, options);
  }

  private trackStatusSince() {
    const now = new Date(this.now()).toISOString();
    const seen = new Set<string>();
    for (const s of this.options.index.all()) {
      const key = `${s.managementCluster}/${s.namespace}/${s.name}`;
      seen.add(key);
      const known = this.statusSince.get(key);
      if (!known || known.status !== s.health) {
        this.statusSince.set(key, {
          status: s.health,
          since: known ? now : s.lastChangedAt || now,
        });
      }
    }
    for (const key of this.statusSince.keys()) {
      if (!seen.has(key)) this.statusSince.delete(key);
    }
  }

  private async recordHistory(store: HealthStore): Promise<number> {
    const { index, config } = this.options;
    const current = [];
    for (const s of index.all()) {
      current.push({
        key: `${s.managementCluster}/${s.namespace}/${s.name}`,
        status: s.health,
        reasons: s.healthReasons,
      });
    }
    return store.recordTransitions(current, {
      now: this.now(),
      at: key => this.statusSince.get(key)?.since,
      mayDrop: key => {
        if (index.getStored(key)) return false;
        const mc = parseClusterKey(key).managementCluster;
        return index.sourceState(mc)?.state !== 'stale';
      },
      maxEntriesPerCluster: config.history.maxEntriesPerCluster,
    });
  }
}
