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
import {
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  createConditionTransformer,
  PermissionRuleset,
} from '@backstage/plugin-permission-node';
import {
  ClusterAuditAction,
  ClusterAuditRecordInput,
  ClusterKey,
  ClusterOperationResponse,
  ClusterSummary,
  SHIPYARD_CLUSTER_RESOURCE_TYPE,
  capiResource,
  resourcePath,
  shipyardClusterReadPermission,
  stringifyClusterKey,
  toStorableAuditRecord,
} from '@shipyard/plugin-shipyard-common';
import {
  ClusterPermissionQuery,
  ManagementClusterConnection,
  signedInUser,
} from '@shipyard/plugin-shipyard-node';
import { KubeApiError, KubeClient } from '@shipyard/plugin-shipyard-node/kube';
import { AuditStore } from '../stores/AuditStore';
import { FleetIndex } from '../index/FleetIndex';
import { criteriaToPredicate } from '../service/permissionFilter';

/** The field manager of Shipyard's day-2 writes on management clusters. */
export const OPERATIONS_FIELD_MANAGER = 'shipyard-operations';

/** Who asks for an operation. */
export interface OperationActor {
  /** Entity ref of the user, or `shipyard` for what the backend does by itself (an expired pause). */
  ref: string;
  ownershipRefs: string[];
  /** The user's credentials; absent for the backend's own actions, which are not permission-checked. */
  credentials?: BackstageCredentials;
}

/** Options of {@link ClusterOperations}. */
export interface ClusterOperationsOptions {
  index: FleetIndex;
  /** The connection of a management cluster the backend watches. */
  connectionOf(name: string): ManagementClusterConnection | undefined;
  permissions: PermissionsService;
  userInfo: UserInfoService;
  ruleset: PermissionRuleset<ClusterSummary, ClusterPermissionQuery>;
  audit: AuditStore;
  logger: LoggerService;
  /** Timeout of one write to a management cluster. */
  requestTimeoutMs?: number;
}

/** One attempt at an operation, as the audit records it. */
export interface OperationAttempt {
  action: ClusterAuditAction;
  actor: OperationActor;
  key: ClusterKey;
  /** What was asked, for the audit (`reason`, `replicas`, …). */
  requested?: Record<string, string | number | boolean | null>;
}

/** An attempt at an operation on one cluster: the actor must read the cluster and hold `permission` on it. */
export interface ClusterOperationAttempt extends OperationAttempt {
  permission: ResourcePermission<typeof SHIPYARD_CLUSTER_RESOURCE_TYPE>;
}

/** A checked operation: what it changes, and the write that does it. */
export interface OperationPlan {
  summary: ClusterSummary;
  before: ClusterOperationResponse['before'];
  after: ClusterOperationResponse['after'];
  /** Nothing to do: the cluster is already as asked. */
  unchanged: boolean;
  /** What is done (or would be, in a dry run): a sentence. */
  message: string;
  /** Writes the change; with `dryRun` the management cluster checks it and stores nothing. */
  write(api: KubeClient, dryRun: boolean): Promise<void>;
}

/** An error of a check (nothing written): audited as refused. */
function isRefusal(error: unknown): boolean {
  return (
    error instanceof InputError ||
    error instanceof NotAllowedError ||
    error instanceof NotFoundError ||
    error instanceof ConflictError
  );
}

/** A management cluster's refusal in the words of its API server. */
export function kubeRefusal(error: unknown, where: string): Error {
  if (!(error instanceof KubeApiError)) return error as Error;
  const causes = (error.status?.details?.causes ?? [])
    .map(c => `${c.field ? `${c.field}: ` : ''}${c.message ?? c.reason ?? ''}`)
    .filter(Boolean);
  const detail =
    causes.length > 0
      ? causes.join('; ')
      : error.status?.message ?? error.message;
  if (error.isNotFound) {
    return new NotFoundError(`Cluster ${where} no longer exists`);
  }
  if (error.statusCode === 409) {
    return new ConflictError(
      `Cluster ${where} changed meanwhile (${detail}); try again`,
    );
  }
  if (error.statusCode === 0 || error.statusCode >= 500) {
    return new ConflictError(
      `The management cluster of ${where} could not take the change (${detail}); try again later`,
    );
  }
  return new InputError(
    `The management cluster of ${where} refused the change: ${detail}`,
  );
}

/**
 * A change of a cluster's machines starts only from a cluster that is not being deleted, not paused and healthy;
 * `change` names it in the refusals (`resume it before <resuming>`, `<starting> only from a healthy cluster`).
 */
export function checkSteady(
  summary: ClusterSummary,
  where: string,
  change: { resuming: string; starting: string },
): void {
  if (summary.deletingSince) {
    throw new ConflictError(`Cluster ${where} is being deleted`);
  }
  if (summary.paused) {
    throw new ConflictError(
      `Cluster ${where} is paused (${
        summary.paused.reason ?? 'no reason given'
      }); resume it before ${change.resuming}`,
    );
  }
  if (summary.health !== 'healthy') {
    throw new ConflictError(
      `Cluster ${where} is ${summary.health}${
        summary.healthReasons[0] ? ` (${summary.healthReasons[0].message})` : ''
      }; ${change.starting} only from a healthy cluster`,
    );
  }
}

/** The path of a CAPI Cluster. */
export function clusterObjectPath(key: ClusterKey): string {
  return resourcePath(capiResource('Cluster'), {
    namespace: key.namespace,
    name: key.name,
  });
}

/**
 * Day-2 operations on one cluster: who asks and whether they may (each operation's permission on the cluster,
 * conditional decisions evaluated against its summary), the write to its management cluster, and an audit record
 * of every attempt with the values before and after and its outcome.
 */
export class ClusterOperations {
  private readonly clients = new Map<
    string,
    { connection: ManagementClusterConnection; client: KubeClient }
  >();
  private readonly transform: ReturnType<
    typeof createConditionTransformer<ClusterPermissionQuery>
  >;

  constructor(private readonly options: ClusterOperationsOptions) {
    this.transform = createConditionTransformer(options.ruleset);
  }

  get index(): FleetIndex {
    return this.options.index;
  }

  /** The signed-in user behind a request; a service may not act on clusters by itself. */
  async actorOf(credentials: BackstageCredentials): Promise<OperationActor> {
    const info = await signedInUser(
      credentials,
      this.options.userInfo,
      'Cluster operations must be made by a signed-in user (or a service on behalf of one)',
    );
    return {
      ref: info.userEntityRef,
      ownershipRefs: info.ownershipEntityRefs,
      credentials,
    };
  }

  /** Whether the actor holds a permission on a cluster (a conditional decision is evaluated against it). */
  async isAllowed(
    permission: ResourcePermission<typeof SHIPYARD_CLUSTER_RESOURCE_TYPE>,
    actor: OperationActor,
    summary: ClusterSummary,
  ): Promise<boolean> {
    if (!actor.credentials) return true;
    const [decision] = await this.options.permissions.authorizeConditional(
      [{ permission }],
      { credentials: actor.credentials },
    );
    if (decision.result === AuthorizeResult.ALLOW) return true;
    if (decision.result !== AuthorizeResult.CONDITIONAL) return false;
    return criteriaToPredicate(this.transform(decision.conditions))(summary);
  }

  /** The cluster as the index knows it; not found when it is not there or the actor may not read it. */
  async resolve(
    actor: OperationActor,
    key: ClusterKey,
  ): Promise<ClusterSummary> {
    const summary = this.options.index.get(stringifyClusterKey(key))?.summary;
    if (
      !summary ||
      !(await this.isAllowed(shipyardClusterReadPermission, actor, summary))
    ) {
      throw new NotFoundError(`Cluster ${stringifyClusterKey(key)} not found`);
    }
    return summary;
  }

  /** Refuses unless the actor holds the permission on the cluster. */
  async authorize(
    permission: ResourcePermission<typeof SHIPYARD_CLUSTER_RESOURCE_TYPE>,
    actor: OperationActor,
    summary: ClusterSummary,
  ): Promise<void> {
    if (!(await this.isAllowed(permission, actor, summary))) {
      throw new NotAllowedError(
        `${actor.ref} may not change cluster ${stringifyClusterKey(
          summary,
        )} (owned by ${summary.owner}; permission ${permission.name})`,
      );
    }
  }

  /** The write client of a management cluster the backend watches. */
  clientOf(managementCluster: string): KubeClient {
    const connection = this.options.connectionOf(managementCluster);
    if (!connection) {
      throw new ConflictError(
        `Management cluster ${managementCluster} is not connected to this backend`,
      );
    }
    const cached = this.clients.get(managementCluster);
    if (cached && cached.connection === connection) return cached.client;
    cached?.client.close();
    const client = new KubeClient(connection, {
      name: managementCluster,
      requestTimeoutMs: this.options.requestTimeoutMs ?? 30_000,
      maxSockets: 4,
    });
    this.clients.set(managementCluster, { connection, client });
    return client;
  }

  /** Closes the write clients. */
  close(): void {
    for (const { client } of this.clients.values()) client.close();
    this.clients.clear();
  }

  /** Stores an audit record; a failure to store it is logged, never thrown over the operation's answer. */
  async record(
    attempt: OperationAttempt,
    outcome: ClusterAuditRecordInput['outcome'],
    message: string,
    extra: {
      summary?: ClusterSummary;
      details?: Record<string, string | number | boolean | null>;
    } = {},
  ): Promise<void> {
    const { key, actor } = attempt;
    try {
      await this.options.audit.add(
        toStorableAuditRecord({
          actor: actor.ref,
          action: attempt.action,
          outcome,
          managementCluster: key.managementCluster,
          namespace: key.namespace,
          cluster: key.name,
          ...(extra.summary?.owner ? { owner: extra.summary.owner } : {}),
          ...(extra.summary?.profile ? { profile: extra.summary.profile } : {}),
          message,
          details: { ...attempt.requested, ...extra.details },
        }),
      );
    } catch (error) {
      this.options.logger.error(
        `Shipyard: could not store the audit record of ${
          attempt.action
        } of ${stringifyClusterKey(key)} by ${
          actor.ref
        } (${outcome}): ${error}`,
      );
    }
  }

  /**
   * Runs one attempt on a cluster ({@link ClusterOperations.run}): the cluster as the actor may read it, refused
   * unless the actor holds the attempt's permission on it; then `plan` checks the rest and says what changes.
   */
  async runOnCluster(
    attempt: ClusterOperationAttempt,
    dryRun: boolean,
    plan: (summary: ClusterSummary) => Promise<OperationPlan>,
  ): Promise<ClusterOperationResponse & { summary: ClusterSummary }> {
    const { permission, ...audited } = attempt;
    return this.run(audited, dryRun, async () => {
      const summary = await this.resolve(attempt.actor, attempt.key);
      await this.authorize(permission, attempt.actor, summary);
      return plan(summary);
    });
  }

  /**
   * Runs one attempt: `plan` resolves and checks (permission, state, bounds) and says what changes; then the write,
   * a server-side dry run when asked. Every attempt is audited: refused (a check said no; nothing written), failed
   * (the write failed) or succeeded, with the values before and after.
   */
  async run(
    attempt: OperationAttempt,
    dryRun: boolean,
    plan: () => Promise<OperationPlan>,
  ): Promise<ClusterOperationResponse & { summary: ClusterSummary }> {
    const where = stringifyClusterKey(attempt.key);
    let checked: OperationPlan;
    try {
      checked = await plan();
      if (!checked.unchanged) {
        const api = this.clientOf(attempt.key.managementCluster);
        if (dryRun) {
          await checked.write(api, true).catch(error => {
            throw kubeRefusal(error, where);
          });
        }
      }
    } catch (error) {
      await this.record(attempt, 'refused', (error as Error).message, {
        details: dryRun ? { dryRun: true } : {},
      });
      throw error;
    }
    const details = {
      ...prefixed('before', checked.before),
      ...prefixed('after', checked.after),
      ...(dryRun ? { dryRun: true } : {}),
    };
    if (!dryRun && !checked.unchanged) {
      try {
        await checked.write(
          this.clientOf(attempt.key.managementCluster),
          false,
        );
      } catch (error) {
        const failure = kubeRefusal(error, where);
        await this.record(
          attempt,
          isRefusal(failure) && !(error instanceof KubeApiError)
            ? 'refused'
            : 'failed',
          failure.message,
          { summary: checked.summary, details },
        );
        throw failure;
      }
    }
    let message = checked.message;
    if (dryRun) message = `Dry run: ${checked.message}`;
    else if (checked.unchanged) message = `Nothing to do: ${checked.message}`;
    await this.record(attempt, 'succeeded', message, {
      summary: checked.summary,
      details,
    });
    return {
      operation: attempt.action.slice(
        'cluster.'.length,
      ) as ClusterOperationResponse['operation'],
      managementCluster: attempt.key.managementCluster,
      namespace: attempt.key.namespace,
      name: attempt.key.name,
      dryRun,
      unchanged: checked.unchanged,
      before: checked.before,
      after: checked.after,
      message,
      summary: checked.summary,
    };
  }
}

function prefixed(
  prefix: string,
  values: Record<string, string | number | boolean | null>,
): Record<string, string | number | boolean | null> {
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => [`${prefix}.${k}`, v]),
  );
}
