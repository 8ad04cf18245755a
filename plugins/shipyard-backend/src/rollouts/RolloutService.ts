/*
 * The operations on rollouts, for the REST routes and the registered actions alike: plan, create, list, get,
 * approve, pause, resume, abort. Each checks its permission against every cluster it touches (a conditional
 * decision, such as "owner is one of my groups", must allow them all) and audits what was done or refused.
 */
import {
  BackstageCredentials,
  LoggerService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { PermissionRuleset } from '@backstage/plugin-permission-node';
import {
  ClusterAuditAction,
  ClusterSummary,
  ProfileVersionNode,
  RolloutOperationName,
  VersionSupportCalendar,
  shipyardRolloutApprovePermission,
  shipyardRolloutCreatePermission,
  shipyardRolloutOperatePermission,
} from '@shipyard/plugin-shipyard-common';
import {
  ClusterPermissionQuery,
  signedInUserRef,
} from '@shipyard/plugin-shipyard-node';
import { randomUUID } from 'node:crypto';
import { AuditStore } from '../stores/AuditStore';
import type { StoredClusterSummary } from '../index/FleetIndex';
import { DeprecatedApiUse } from './deprecatedApis';
import { Rollout, RolloutCluster, parseRolloutSpec } from './model';
import { RolloutPlan, planRollout } from './planner';
import { RolloutExecutor, rolloutClusters } from './RolloutExecutor';
import { RolloutAccess } from './access';
import { RolloutAuditEntry, auditRollout } from './audit';
import { RolloutStore } from './RolloutStore';

/** Options of {@link RolloutService}. */
export interface RolloutServiceOptions {
  store: RolloutStore;
  executor: RolloutExecutor;
  auditStore: AuditStore;
  permissions: PermissionsService;
  userInfo: UserInfoService;
  ruleset: PermissionRuleset<ClusterSummary, ClusterPermissionQuery>;
  /** Every cluster of the fleet, and one by key. */
  clusters(): Iterable<StoredClusterSummary>;
  cluster(key: string): StoredClusterSummary | undefined;
  profiles(): Promise<ProfileVersionNode[]>;
  calendar(): VersionSupportCalendar;
  /** The deprecated APIs in use on these clusters (read at plan time). */
  deprecatedApis(
    keys: string[],
  ): Promise<Map<string, DeprecatedApiUse[] | string>>;
  logger: LoggerService;
  now?: () => number;
}

export class RolloutService {
  private readonly now: () => number;
  private readonly access: RolloutAccess;

  constructor(private readonly options: RolloutServiceOptions) {
    this.now = options.now ?? Date.now;
    this.access = new RolloutAccess(options);
  }

  private async audit(
    entry: Omit<RolloutAuditEntry, 'rollout'> & {
      rollout: Pick<Rollout, 'id' | 'spec'>;
    },
  ) {
    try {
      await auditRollout(
        this.options.auditStore,
        entry as RolloutAuditEntry,
        new Date(this.now()),
      );
    } catch (error) {
      this.options.logger.warn(
        `Shipyard: auditing rollout ${entry.rollout.id} failed: ${error}`,
      );
    }
  }

  /**
   * The user who changes a rollout; a service acting by itself is refused, and the refusal audited with the service
   * as its actor.
   */
  private async actorOf(
    credentials: BackstageCredentials,
    action: ClusterAuditAction,
    rollout: Pick<Rollout, 'id' | 'spec'>,
  ) {
    try {
      return await this.access.userOf(credentials);
    } catch (error) {
      if (error instanceof NotAllowedError) {
        await this.audit({
          actor: principalName(credentials),
          action,
          outcome: 'refused',
          rollout,
          message: error.message,
        });
      }
      throw error;
    }
  }

  /** Plans a rollout without storing it. */
  async plan(
    input: unknown,
    credentials: BackstageCredentials,
  ): Promise<RolloutPlan> {
    const spec = parseRolloutSpec(input);
    const plan = await this.computePlan(spec);
    const keys = [...plan.stages.flatMap(s => s.clusters), ...plan.excluded];
    await this.access.requirePermission(
      shipyardRolloutCreatePermission,
      keys
        .filter(c => !c.problems?.some(p => p.check === 'selection'))
        .map(c => c.key),
      credentials,
      'plan this rollout',
    );
    return plan;
  }

  private async computePlan(spec: ReturnType<typeof parseRolloutSpec>) {
    const now = this.now();
    const profiles = await this.options.profiles();
    const calendar = this.options.calendar();
    const draft = planRollout(spec, {
      clusters: this.options.clusters(),
      profiles,
      calendar,
      now,
    });
    // the deprecated APIs of the clusters that would upgrade, then the plan with them
    const keys = draft.stages
      .flatMap(s => s.clusters)
      .filter(c => c.state === 'pending')
      .map(c => c.key);
    const uses = await this.options.deprecatedApis(keys);
    return planRollout(spec, {
      clusters: this.options.clusters(),
      profiles,
      calendar,
      now,
      deprecatedApis: key => uses.get(key),
    });
  }

  /** Plans, checks and stores a rollout; the executor starts it. */
  async create(
    input: unknown,
    credentials: BackstageCredentials,
  ): Promise<Rollout> {
    const spec = parseRolloutSpec(input);
    const id = randomUUID();
    const draft = { id, spec };
    const user = await this.actorOf(credentials, 'rollout.create', draft);
    const plan = await this.computePlan(spec);
    const clusters = plan.stages.flatMap(s => s.clusters);
    if (clusters.length === 0) {
      throw new InputError(
        `Rollout "${spec.name}" takes no cluster: the selection and its stages match none`,
      );
    }
    await this.access.requirePermission(
      shipyardRolloutCreatePermission,
      clusters.map(c => c.key),
      credentials,
      `start rollout "${spec.name}"`,
      message =>
        this.audit({
          actor: user.ref,
          action: 'rollout.create',
          outcome: 'refused',
          rollout: draft,
          message,
        }),
    );
    const at = new Date(this.now()).toISOString();
    const rollout: Rollout = {
      id,
      spec,
      state: 'running',
      createdBy: user.ref,
      createdAt: at,
      updatedAt: at,
      revision: 1,
      stages: plan.stages,
      excluded: plan.excluded,
    };
    await this.options.store.insert(rollout);
    await this.audit({
      actor: user.ref,
      action: 'rollout.create',
      outcome: 'succeeded',
      rollout,
      message: `rollout "${spec.name}" to ${
        'kubernetesVersion' in spec.target
          ? spec.target.kubernetesVersion
          : `${spec.target.profile} ${spec.target.profileVersion}`
      }: ${clusters.length} cluster(s) in ${plan.stages.length} stage(s)`,
      details: { clusters: clusters.length, stages: plan.stages.length },
    });
    this.kick();
    return rollout;
  }

  /** Runs the executor now (gates just satisfied start their stage without waiting for the next round). */
  private kick() {
    this.options.executor
      .tick()
      .catch(error =>
        this.options.logger.warn(`Shipyard: rollout round failed: ${error}`),
      );
  }

  async list(
    query: { state?: Rollout['state']; cluster?: string; limit?: number },
    credentials: BackstageCredentials,
  ): Promise<Rollout[]> {
    const visibility = await this.access.visibility(credentials);
    const reader = signedInUserRef(credentials);
    const rollouts = await this.options.store.list({
      ...(query.state ? { states: [query.state] } : {}),
    });
    const out: Rollout[] = [];
    for (const r of rollouts) {
      if (
        query.cluster &&
        !r.stages.some(s => s.clusters.some(c => c.key === query.cluster))
      ) {
        continue;
      }
      if (!this.access.visible(r, visibility, reader)) continue;
      out.push(r);
      if (out.length >= (query.limit ?? 50)) break;
    }
    return out;
  }

  async get(id: string, credentials: BackstageCredentials): Promise<Rollout> {
    const visibility = await this.access.visibility(credentials);
    const reader = signedInUserRef(credentials);
    const rollout = await this.options.store.get(id);
    if (!rollout || !this.access.visible(rollout, visibility, reader)) {
      throw new NotFoundError(`Rollout ${id} not found`);
    }
    return rollout;
  }

  /** Approves the gate of a stage (the one waiting, or a named one ahead of time). */
  async approve(
    id: string,
    body: { stage?: string; comment?: string },
    credentials: BackstageCredentials,
  ): Promise<Rollout> {
    const rollout = await this.get(id, credentials);
    const user = await this.actorOf(credentials, 'rollout.approve', rollout);
    const stage = body.stage
      ? rollout.stages.find(s => s.name === body.stage)
      : rollout.stages.find(s => s.state === 'waiting-approval');
    if (!stage) {
      throw new InputError(
        body.stage
          ? `Rollout ${id} has no stage "${body.stage}"`
          : `No stage of rollout ${id} waits for an approval`,
      );
    }
    const spec = rollout.spec.stages.find(s => s.name === stage.name)!;
    const refuse = async (message: string) => {
      await this.audit({
        actor: user.ref,
        action: 'rollout.approve',
        outcome: 'refused',
        rollout,
        stage: stage.name,
        message,
      });
    };
    await this.access.requirePermission(
      shipyardRolloutApprovePermission,
      stage.clusters.map(c => c.key),
      credentials,
      `approve stage ${stage.name} of rollout "${rollout.spec.name}"`,
      refuse,
    );
    if (!spec.approval) {
      throw new InputError(`Stage ${stage.name} has no approval gate`);
    }
    const groups = spec.approval.groups.map(g => g.toLocaleLowerCase('en-US'));
    if (!groups.some(g => user.groups.includes(g))) {
      const message = `Stage ${
        stage.name
      } is approved by members of ${spec.approval.groups.join(', ')}; ${
        user.ref
      } is in none of them`;
      await refuse(message);
      throw new NotAllowedError(message);
    }
    if (stage.approvedBy) {
      throw new ConflictError(
        `Stage ${stage.name} was already approved by ${stage.approvedBy}`,
      );
    }
    if (rollout.state === 'aborted' || rollout.state === 'completed') {
      throw new ConflictError(`Rollout ${id} is ${rollout.state}`);
    }
    stage.approvedBy = user.ref;
    stage.approvedAt = new Date(this.now()).toISOString();
    const written = await this.options.store.update({
      ...rollout,
      updatedAt: stage.approvedAt,
    });
    await this.audit({
      actor: user.ref,
      action: 'rollout.approve',
      outcome: 'succeeded',
      rollout,
      stage: stage.name,
      message: `stage ${stage.name} approved${
        body.comment ? `: ${body.comment}` : ''
      }`,
    });
    this.kick();
    return written;
  }

  /** Pauses, resumes or aborts a rollout. */
  async operate(
    id: string,
    operation: RolloutOperationName,
    body: { reason?: string },
    credentials: BackstageCredentials,
  ): Promise<Rollout> {
    const rollout = await this.get(id, credentials);
    const action = `rollout.${operation}` as const;
    const user = await this.actorOf(credentials, action, rollout);
    await this.access.requirePermission(
      shipyardRolloutOperatePermission,
      rolloutClusters(rollout).map(c => c.key),
      credentials,
      `${operation} rollout "${rollout.spec.name}"`,
      message =>
        this.audit({
          actor: user.ref,
          action,
          outcome: 'refused',
          rollout,
          message,
        }),
    );
    const allowedFrom: Record<typeof operation, Rollout['state'][]> = {
      pause: ['running'],
      resume: ['paused', 'halted'],
      abort: ['running', 'paused', 'halted'],
    };
    const past = { pause: 'paused', resume: 'resumed', abort: 'aborted' }[
      operation
    ];
    if (!allowedFrom[operation].includes(rollout.state)) {
      throw new ConflictError(
        `Rollout ${id} is ${rollout.state}; it cannot be ${past}`,
      );
    }
    const at = new Date(this.now()).toISOString();
    if (operation === 'pause') rollout.state = 'paused';
    if (operation === 'resume') {
      rollout.state = 'running';
      // a halted stage goes on: its failures stay counted, and the budget was raised or failures accepted
      for (const stage of rollout.stages) {
        if (stage.state === 'halted') {
          stage.state = 'running';
          delete stage.message;
          const spec = rollout.spec.stages.find(s => s.name === stage.name)!;
          spec.failureBudget = Math.max(
            spec.failureBudget,
            stage.clusters.filter(c => c.state === 'failed').length,
          );
        }
      }
      delete rollout.message;
    }
    if (operation === 'abort') {
      rollout.state = 'aborted';
      for (const c of rollout.stages.flatMap(s => s.clusters)) {
        if (c.state === 'pending') skipAborted(c, at);
      }
    }
    const reason = body.reason ? `: ${body.reason}` : '';
    if (operation !== 'resume')
      rollout.message = `${past} by ${user.ref}${reason}`;
    const written = await this.options.store.update({
      ...rollout,
      updatedAt: at,
    });
    await this.audit({
      actor: user.ref,
      action,
      outcome: 'succeeded',
      rollout,
      message: `rollout "${rollout.spec.name}" ${past}${reason}`,
    });
    if (operation === 'resume') this.kick();
    return written;
  }
}

function skipAborted(c: RolloutCluster, at: string) {
  c.state = 'skipped';
  c.message = 'the rollout was aborted before its turn';
  c.finishedAt = at;
}

/** Who sent a request, for the audit: the user, or the service by itself (`plugin:catalog`). */
function principalName(credentials: BackstageCredentials): string {
  const principal = credentials.principal as {
    type?: string;
    userEntityRef?: string;
    subject?: string;
  };
  return principal?.userEntityRef ?? principal?.subject ?? 'unknown';
}
