/*
 * Drives the running rollouts, one tick at a time (a `global` scheduler task: one replica drives, any replica
 * serves). Each tick reads a rollout from the database, decides (gates, pre-flight, concurrency, health, failure
 * budget, soak), writes the decisions before acting on them, then bumps the topology version of the clusters whose
 * turn it is and writes again. A cluster's step is recorded as bumped before the bump and the live object is read
 * before every bump, so a restart at any point resumes without bumping a cluster twice.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import {
  ProfileVersionNode,
  VersionSupportCalendar,
  parseClusterKey,
  rolloutProgress,
} from '@shipyard/plugin-shipyard-common';
import type { StoredClusterSummary } from '../index/FleetIndex';
import { DeprecatedApiUse } from './deprecatedApis';
import {
  Rollout,
  RolloutCluster,
  RolloutStage,
  RolloutStageState,
  RolloutStep,
  concurrencyOf,
} from './model';
import { chainFor, preflight } from './planner';
import { PendingAudit, RolloutAuditEntry, stepAudit } from './audit';
import { RolloutStore } from './RolloutStore';
import { windowState, windowsFor } from './windows';

/** The live topology of a cluster on its management cluster. */
export interface LiveTopology {
  version?: string;
  profileVersion?: string;
}

/** Writes the version bumps (server-side apply of `spec.topology.version`). */
export interface TopologyWriter {
  read(key: string): Promise<LiveTopology | undefined>;
  bump(key: string, step: RolloutStep): Promise<void>;
}

export interface RolloutExecutorOptions {
  store: RolloutStore;
  /** The cluster summaries, as the index holds them. */
  cluster(key: string): StoredClusterSummary | undefined;
  writer: TopologyWriter;
  /** The deprecated APIs a cluster's clients request now, or why they could not be read. */
  deprecatedApis(key: string): Promise<DeprecatedApiUse[] | string>;
  profiles(): Promise<ProfileVersionNode[]>;
  calendar(): VersionSupportCalendar;
  audit(entry: RolloutAuditEntry): Promise<void>;
  logger: LoggerService;
  now?: () => number;
  /** How long a cluster may stay `unhealthy` during its step before it counts as failed (ms; default 60 s). */
  unhealthyGraceMs?: number;
}

/** Who the executor's own decisions are audited as. */
export const ROLLOUT_EXECUTOR_ACTOR = 'plugin:default/shipyard-rollouts';

const TERMINAL = new Set(['succeeded', 'failed', 'skipped']);

/** The clusters of a rollout as one list (stages in order, then the excluded). */
export function rolloutClusters(r: Rollout): RolloutCluster[] {
  return [...r.stages.flatMap(s => s.clusters), ...r.excluded];
}

export class RolloutExecutor {
  private readonly now: () => number;
  private running?: Promise<void>;
  /** Clusters with an unhealthy reading during their step, since when (this replica's memory). */
  private readonly unhealthySince = new Map<string, number>();

  constructor(private readonly options: RolloutExecutorOptions) {
    this.now = options.now ?? Date.now;
  }

  /** One round over every running rollout; rounds never overlap in this process. */
  async tick(): Promise<void> {
    const previous = this.running;
    const round = (async () => {
      await previous?.catch(() => undefined);
      const running = await this.options.store.list({ states: ['running'] });
      for (const rollout of running) {
        try {
          await this.advance(rollout);
        } catch (error) {
          if (error instanceof ConflictError) continue; // another replica or an operator wrote it; next round
          this.options.logger.error(
            `Shipyard: rollout ${rollout.id} could not advance: ${error}`,
          );
        }
      }
    })();
    this.running = round;
    await round;
  }

  private async audit(entry: PendingAudit & { rollout: Rollout }) {
    try {
      await this.options.audit({ actor: ROLLOUT_EXECUTOR_ACTOR, ...entry });
    } catch (error) {
      this.options.logger.warn(
        `Shipyard: auditing rollout ${entry.rollout.id} failed: ${error}`,
      );
    }
  }

  /** Decides, writes the decisions, bumps, writes again. */
  private async advance(read: Rollout): Promise<void> {
    let rollout: Rollout = structuredClone(read);
    const before = JSON.stringify(rollout);
    const audits: PendingAudit[] = [];
    await this.decide(rollout, audits);
    if (JSON.stringify(rollout) !== before) {
      rollout.updatedAt = new Date(this.now()).toISOString();
      rollout = await this.options.store.update(rollout);
    }
    for (const a of audits) await this.audit({ ...a, rollout });
    // the bumps decided (and written) above
    let bumped = false;
    for (const stage of rollout.stages) {
      for (const c of stage.clusters) {
        if (c.state !== 'upgrading' || c.applied === c.step) continue;
        await this.bump(rollout, stage, c);
        bumped = true;
      }
    }
    if (bumped) {
      rollout.updatedAt = new Date(this.now()).toISOString();
      await this.options.store.update(rollout);
    }
  }

  /** Applies a cluster's current step unless the live object already has it. */
  private async bump(rollout: Rollout, stage: RolloutStage, c: RolloutCluster) {
    const step = c.steps[c.step];
    const { writer } = this.options;
    try {
      const live = await writer.read(c.key);
      if (!live) throw new Error('the Cluster object is gone');
      const done =
        live.version === step.kubernetesVersion &&
        (!step.profileVersion || live.profileVersion === step.profileVersion);
      if (!done) await writer.bump(c.key, step);
      c.applied = c.step;
      delete c.message;
      await this.audit({
        rollout,
        action: 'rollout.step',
        outcome: 'succeeded',
        stage: stage.name,
        cluster: c.key,
        message: done
          ? `${c.key} already had ${step.kubernetesVersion} (step ${
              c.step + 1
            }/${c.steps.length}); not bumped again`
          : `${c.key}: topology version set to ${step.kubernetesVersion}${
              step.profileVersion
                ? `, profile version ${step.profileVersion}`
                : ''
            } (step ${c.step + 1}/${c.steps.length})`,
        details: { step: c.step + 1, version: step.kubernetesVersion },
      });
    } catch (error) {
      const message = `bumping to ${step.kubernetesVersion} failed: ${
        (error as Error).message
      }`;
      c.message = `${message}; retrying`;
      const started = Date.parse(c.stepStartedAt ?? rollout.updatedAt);
      const timeout = this.specOf(rollout, stage).stepTimeoutSeconds * 1000;
      if (this.now() - started >= timeout) {
        this.fail(c, message);
        await this.audit({
          rollout,
          action: 'rollout.step',
          outcome: 'failed',
          stage: stage.name,
          cluster: c.key,
          message: `${c.key}: ${message}`,
        });
      }
    }
  }

  private specOf(rollout: Rollout, stage: RolloutStage) {
    return rollout.spec.stages.find(s => s.name === stage.name)!;
  }

  private fail(c: RolloutCluster, message: string) {
    c.state = 'failed';
    c.message = message;
    c.finishedAt = new Date(this.now()).toISOString();
    this.unhealthySince.delete(c.key);
  }

  private async decide(
    rollout: Rollout,
    audits: PendingAudit[],
  ): Promise<void> {
    const now = this.now();
    const iso = (t: number) => new Date(t).toISOString();
    for (const stage of rollout.stages) {
      if (stage.state === 'completed') continue;
      if (stage.state === 'halted') {
        rollout.state = 'halted';
        return;
      }
      const spec = this.specOf(rollout, stage);
      if (stage.state === 'pending' || stage.state === 'waiting-approval') {
        if (spec.approval && !stage.approvedBy) {
          if (stage.state !== 'waiting-approval') {
            stage.state = 'waiting-approval';
            audits.push({
              action: 'rollout.gate',
              outcome: 'succeeded',
              stage: stage.name,
              message: `stage ${
                stage.name
              } waits for an approval by ${spec.approval.groups.join(', ')}`,
            });
          }
          stage.waitingOn = {
            gate: 'approval',
            message: `an approval by a member of ${spec.approval.groups.join(
              ', ',
            )}`,
          };
          return;
        }
        stage.state = 'running';
        stage.startedAt = iso(now);
        delete stage.waitingOn;
        audits.push({
          action: 'rollout.stage',
          outcome: 'succeeded',
          stage: stage.name,
          message: `stage ${stage.name} started (${stage.clusters.length} cluster(s))`,
        });
      }
      if (stage.state === 'running') {
        await this.runStage(rollout, stage, audits);
        if ((stage.state as RolloutStageState) === 'halted') {
          rollout.state = 'halted';
          rollout.message = stage.message;
          return;
        }
      }
      if (stage.state === 'soaking') {
        if (now < Date.parse(stage.soakUntil!)) {
          stage.waitingOn = {
            gate: 'soak',
            until: stage.soakUntil,
            message: `soak time after the stage's last cluster`,
          };
          return;
        }
        stage.state = 'completed';
        stage.finishedAt = iso(now);
        delete stage.waitingOn;
        const counts = countStates(stage.clusters);
        audits.push({
          action: 'rollout.stage',
          outcome: 'succeeded',
          stage: stage.name,
          message: `stage ${stage.name} completed: ${counts}`,
        });
        continue; // the next stage may start in the same round
      }
      return;
    }
    rollout.state = 'completed';
    audits.push({
      action: 'rollout.complete',
      outcome: 'succeeded',
      message: `rollout ${rollout.spec.name} completed: ${countStates(
        rollout.stages.flatMap(s => s.clusters),
      )}`,
    });
  }

  private async runStage(
    rollout: Rollout,
    stage: RolloutStage,
    audits: PendingAudit[],
  ): Promise<void> {
    const now = this.now();
    const iso = (t: number) => new Date(t).toISOString();
    const spec = this.specOf(rollout, stage);
    const grace = this.options.unhealthyGraceMs ?? 60_000;
    // the clusters under way: rolled out and healthy, next step, or failed
    for (const c of stage.clusters) {
      if (c.state !== 'upgrading' || c.applied !== c.step) continue;
      const step = c.steps[c.step];
      const summary = this.options.cluster(c.key);
      if (!summary) {
        this.fail(c, 'the cluster left the fleet during its upgrade');
        audits.push(stepAudit(stage, c, 'failed'));
        continue;
      }
      const progress = rolloutProgress(summary, step.kubernetesVersion);
      const available = summary.conditions.find(x => x.type === 'Available');
      const healthy =
        summary.health === 'healthy' && available?.status !== 'False';
      if (progress.complete && healthy) {
        this.unhealthySince.delete(c.key);
        if (c.step + 1 < c.steps.length) {
          c.step += 1;
          c.bumped.push(c.step);
          c.stepStartedAt = iso(now);
          c.message = `step ${c.step + 1}/${c.steps.length}: ${
            c.steps[c.step].kubernetesVersion
          }`;
        } else {
          c.state = 'succeeded';
          c.finishedAt = iso(now);
          c.message = `on ${step.kubernetesVersion}`;
          audits.push(stepAudit(stage, c, 'succeeded'));
        }
        continue;
      }
      if (summary.health === 'unhealthy') {
        const since = this.unhealthySince.get(c.key) ?? now;
        this.unhealthySince.set(c.key, since);
        if (now - since >= grace) {
          this.fail(
            c,
            `unhealthy during the upgrade to ${step.kubernetesVersion}${
              summary.healthReasons[0]
                ? `: ${summary.healthReasons[0].message}`
                : ''
            }`,
          );
          audits.push(stepAudit(stage, c, 'failed'));
          continue;
        }
      } else {
        this.unhealthySince.delete(c.key);
      }
      const started = Date.parse(c.stepStartedAt ?? iso(now));
      if (now - started >= spec.stepTimeoutSeconds * 1000) {
        this.fail(
          c,
          `not rolled out to ${step.kubernetesVersion} after ${
            spec.stepTimeoutSeconds
          } s (${progress.pending.join(', ') || summary.health})`,
        );
        audits.push(stepAudit(stage, c, 'failed'));
        continue;
      }
      c.message = `rolling out ${step.kubernetesVersion}${
        progress.pending.length ? `: ${progress.pending.join(', ')}` : ''
      }`;
    }

    const failed = stage.clusters.filter(c => c.state === 'failed');
    if (failed.length > spec.failureBudget) {
      stage.state = 'halted';
      stage.finishedAt = iso(now);
      stage.message = `halted: ${
        failed.length
      } cluster(s) failed, more than the failure budget of ${
        spec.failureBudget
      } (${failed.map(c => `${c.key}: ${c.message}`).join('; ')})`;
      delete stage.waitingOn;
      audits.push({
        action: 'rollout.halt',
        outcome: 'failed',
        stage: stage.name,
        message: stage.message,
      });
      return;
    }

    // new clusters, within the concurrency, the windows and pre-flight
    const limit = concurrencyOf(spec, stage.clusters.length);
    let active = stage.clusters.filter(c => c.state === 'upgrading').length;
    let closedUntil: number | undefined;
    let waitingForSlot = false;
    const profiles = await this.options.profiles();
    for (const c of stage.clusters) {
      if (c.state !== 'pending') continue;
      if (active >= limit) {
        waitingForSlot = true;
        break;
      }
      const windows = windowsFor(spec.maintenanceWindows, c);
      const w = windowState(windows, now);
      if (!w.open) {
        c.message = `waits for its maintenance window${
          w.nextOpen ? ` (opens ${iso(w.nextOpen)})` : ''
        }`;
        if (w.nextOpen)
          closedUntil = Math.min(closedUntil ?? Infinity, w.nextOpen);
        continue;
      }
      const summary = this.options.cluster(c.key);
      if (!summary) {
        this.skip(c, 'the cluster is no longer in the fleet');
        audits.push(stepAudit(stage, c, 'refused'));
        continue;
      }
      const chain = chainFor(summary, rollout.spec.target, {
        profiles,
        calendar: this.options.calendar(),
        now,
      });
      if ('problem' in chain) {
        this.skip(c, chain.problem.message, [chain.problem]);
        audits.push(stepAudit(stage, c, 'refused'));
        continue;
      }
      if (chain.alreadyOnTarget) {
        c.state = 'succeeded';
        c.finishedAt = iso(now);
        c.message = `already on ${summary.kubernetesVersion}`;
        continue;
      }
      const problems = preflight(
        summary,
        chain.steps,
        await this.options.deprecatedApis(c.key),
      );
      if (problems.length > 0) {
        this.skip(
          c,
          `pre-flight: ${problems.map(p => p.message).join('; ')}`,
          problems,
        );
        audits.push(stepAudit(stage, c, 'refused'));
        continue;
      }
      c.steps = chain.steps;
      c.state = 'upgrading';
      c.step = 0;
      c.bumped.push(0);
      c.stepStartedAt = iso(now);
      delete c.problems;
      c.message = `step 1/${c.steps.length}: ${c.steps[0].kubernetesVersion}`;
      active++;
    }

    if (stage.clusters.every(c => TERMINAL.has(c.state))) {
      stage.state = 'soaking';
      stage.soakUntil = iso(now + spec.soakSeconds * 1000);
      return;
    }
    if (active === 0 && closedUntil !== undefined) {
      stage.waitingOn = {
        gate: 'maintenance-window',
        until: iso(closedUntil),
        message: 'no maintenance window is open',
      };
    } else if (waitingForSlot) {
      stage.waitingOn = {
        gate: 'concurrency',
        message: `${active} of at most ${limit} cluster(s) upgrading`,
      };
    } else {
      delete stage.waitingOn;
    }
  }

  private skip(
    c: RolloutCluster,
    message: string,
    problems?: RolloutCluster['problems'],
  ) {
    c.state = 'skipped';
    c.message = message;
    c.finishedAt = new Date(this.now()).toISOString();
    if (problems) c.problems = problems;
  }
}

function countStates(clusters: RolloutCluster[]): string {
  const counts = new Map<string, number>();
  for (const c of clusters) counts.set(c.state, (counts.get(c.state) ?? 0) + 1);
  return (
    [...counts.entries()].map(([s, n]) => `${n} ${s}`).join(', ') ||
    'no clusters'
  );
}

/** The management cluster, namespace and name of a cluster key. */
export function keyParts(key: string) {
  return parseClusterKey(key);
}
