import { LoggerService } from '@backstage/backend-plugin-api';
import {
  BudgetState,
  ClusterSummary,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import { HealthStore } from '../stores/HealthStore';
import {
  computeObjective,
  CountingRules,
  HistoryStep,
  ObjectiveComputation,
} from './compute';
import {
  DAY,
  MAX_WINDOW_DAYS,
  Objective,
  objectiveOf,
  ObjectivesConfig,
} from './config';

/** What a cluster's objective is chosen by. */
export type ObjectiveSummary = Pick<
  ClusterSummary,
  | 'managementCluster'
  | 'namespace'
  | 'name'
  | 'lifecycle'
  | 'profile'
  | 'availabilityObjective'
>;

/** Options of {@link ObjectiveTracker}. */
export interface ObjectiveTrackerOptions {
  config: ObjectivesConfig;
  store?: HealthStore;
  logger: LoggerService;
  /** Days of history the health store keeps (a longer window is computed on what is kept, with a warning). */
  retentionDays?: number;
  now?: () => number;
}

/** A cluster's objective computed, with the objective's source. */
export interface ClusterObjective extends ObjectiveComputation {
  /** Why the cluster's objective annotation was not used, when it was set and is not an objective. */
  overrideError?: string;
}

/**
 * The health history of every cluster over the longest window, in memory, followed from the health store (so every
 * replica computes from what every replica recorded): the objectives of the health stage. Reads the history, never
 * the index; the health aggregator asks it for each cluster's budget state on its way into the index.
 */
export class ObjectiveTracker {
  private readonly steps = new Map<string, HistoryStep[]>();
  private lastId?: number;
  private readonly now: () => number;
  private readonly rules: CountingRules;
  private loaded = false;
  private reading?: Promise<void>;
  private readonly fastBurnListeners = new Set<
    (key: string, result: ClusterObjective) => void
  >();
  private readonly fastBurning = new Set<string>();

  constructor(private readonly options: ObjectiveTrackerOptions) {
    this.now = options.now ?? Date.now;
    this.rules = {
      badStates: new Set(options.config.badStates),
      excludeMaintenance: options.config.excludeMaintenance,
    };
    const longest = Math.max(
      0,
      ...options.config.classes.map(c => c.windowDays),
      options.config.default?.windowDays ?? 0,
    );
    if (
      options.config.enabled &&
      options.retentionDays !== undefined &&
      options.retentionDays < longest
    ) {
      options.logger.warn(
        `Shipyard: an availability objective's window (${longest} days) is longer than the health history kept ` +
          `(shipyard.health.history.retentionDays: ${options.retentionDays}); it is computed on what is kept`,
      );
    }
  }

  get enabled(): boolean {
    return this.options.config.enabled;
  }

  /** The counting rules in force. */
  get countingRules(): CountingRules {
    return this.rules;
  }

  /** Reads what the store recorded since the last read (everything over the longest window the first time). */
  refresh(): Promise<void> {
    const store = this.options.store;
    if (!store || !this.enabled) return Promise.resolve();
    if (!this.reading) {
      this.reading = (async () => {
        const horizon = this.now() - MAX_WINDOW_DAYS * DAY;
        const rows = await store.steps(
          this.loaded ? { afterId: this.lastId ?? 0 } : { sinceMs: horizon },
        );
        for (const row of rows) {
          this.lastId = Math.max(this.lastId ?? 0, row.id);
          let list = this.steps.get(row.key);
          if (!list) {
            list = [];
            this.steps.set(row.key, list);
          }
          const step: HistoryStep = { atMs: row.atMs, status: row.status };
          if (row.maintenance) step.maintenance = true;
          // rows come in id order, which is time order per cluster; keep it if a row is older
          if (list.length > 0 && list[list.length - 1].atMs > step.atMs) {
            list.push(step);
            list.sort((a, b) => a.atMs - b.atMs);
          } else {
            list.push(step);
          }
        }
        this.loaded = true;
        this.trim(horizon);
      })().finally(() => {
        this.reading = undefined;
      });
    }
    return this.reading;
  }

  /** Drops steps that ended before `horizon` (the one in force at the horizon stays). */
  private trim(horizon: number) {
    for (const list of this.steps.values()) {
      let first = 0;
      while (first + 1 < list.length && list[first + 1].atMs <= horizon) {
        first++;
      }
      if (first > 0) list.splice(0, first);
    }
  }

  /** Forgets a deleted cluster. */
  forget(key: string): void {
    this.steps.delete(key);
    this.fastBurning.delete(key);
  }

  /** The objective of a cluster, when it has one. */
  objectiveOf(summary: ObjectiveSummary): {
    objective?: Objective;
    overrideError?: string;
  } {
    return objectiveOf(this.options.config, {
      lifecycle: summary.lifecycle,
      profile: summary.profile,
      objectiveAnnotation: summary.availabilityObjective,
    });
  }

  /** A cluster's objective now, from its history; undefined when objectives are off or it has none. */
  compute(summary: ObjectiveSummary): ClusterObjective | undefined {
    if (!this.enabled) return undefined;
    const { objective, overrideError } = this.objectiveOf(summary);
    if (!objective) return undefined;
    const key = stringifyClusterKey(summary);
    const result: ClusterObjective = computeObjective(
      this.steps.get(key) ?? [],
      objective,
      this.rules,
      this.now(),
      this.options.config.burnRateAlerts,
    );
    if (overrideError) result.overrideError = overrideError;
    this.noteFastBurn(key, result);
    return result;
  }

  /** The budget state of a cluster (the `budget` facet), undefined without an objective. */
  budgetOf(summary: ObjectiveSummary): BudgetState | undefined {
    return this.compute(summary)?.state;
  }

  /** The recorded steps of a cluster over the longest window (for charts). */
  stepsOf(key: string): readonly HistoryStep[] {
    return this.steps.get(key) ?? [];
  }

  /** Calls `listener` when a cluster's fast-burn condition starts (once until it stops). */
  onFastBurn(
    listener: (key: string, result: ClusterObjective) => void,
  ): () => void {
    this.fastBurnListeners.add(listener);
    return () => {
      this.fastBurnListeners.delete(listener);
    };
  }

  /** Whether a cluster's fast-burn condition held when it was last computed. */
  isFastBurning(key: string): boolean {
    return this.fastBurning.has(key);
  }

  private noteFastBurn(key: string, result: ClusterObjective) {
    if (!result.fastBurn) {
      this.fastBurning.delete(key);
      return;
    }
    if (this.fastBurning.has(key)) return;
    this.fastBurning.add(key);
    for (const listener of this.fastBurnListeners) {
      try {
        listener(key, result);
      } catch (error) {
        this.options.logger.warn(
          `Shipyard: a fast-burn listener failed: ${error}`,
        );
      }
    }
  }
}
