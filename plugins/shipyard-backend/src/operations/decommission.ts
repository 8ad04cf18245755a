import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  ClusterKey,
  ClusterSummary,
  PendingDecommission,
  ShipyardOpenApi,
  shipyardClusterDeletePermission,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import crypto from 'node:crypto';
import {
  ClusterOperations,
  OperationActor,
  OperationAttempt,
  OperationPlan,
  clusterObjectPath,
} from './ClusterOperations';
import { TrackedOperation } from './OperationStore';
import { OperationServices } from './services';

/**
 * Body of `POST /clusters/:mc/:ns/:name/decommission`: the cluster's name typed again (nothing is deleted by a
 * slip), why (kept in the audit), and whether it is a dry run.
 */
export type DecommissionClusterRequest =
  ShipyardOpenApi.DecommissionClusterRequest;

/** Body of `POST /clusters/:mc/:ns/:name/decommission/approve` (the approver types the cluster's name too). */
export type ApproveDecommissionRequest =
  ShipyardOpenApi.ApproveDecommissionRequest;

/** Body of `POST /clusters/:mc/:ns/:name/decommission/cancel`. */
export type CancelDecommissionRequest =
  ShipyardOpenApi.CancelDecommissionRequest;

function isPlatform(deps: OperationServices, actor: OperationActor): boolean {
  const team = deps.platformTeam.toLocaleLowerCase('en-US');
  return actor.ownershipRefs.some(r => r.toLocaleLowerCase('en-US') === team);
}

function pendingOf(op: TrackedOperation): PendingDecommission {
  return {
    id: op.id,
    guard: op.target.guard === 'delay' ? 'delay' : 'approval',
    requestedBy: op.actor,
    requestedAt: op.startedAt,
    until: op.deadlineAt,
  };
}

/** What the pending request waits for, in words. */
function waitsFor(deps: OperationServices, pending: PendingDecommission) {
  return pending.guard === 'delay'
    ? `the deletion starts at ${pending.until} unless it is cancelled (a second member of ${deps.platformTeam} may approve it sooner)`
    : `it waits for a second member of ${deps.platformTeam} (not ${pending.requestedBy}) to approve it, until ${pending.until}`;
}

/**
 * One attempt at a decommission, run on the cluster ({@link ClusterOperations.runOnCluster}: `shipyard.cluster.delete`
 * on it), with the checks every decommission shares (the name typed again, not paused) before `plan`'s own.
 */
function runDecommission(
  ops: ClusterOperations,
  attempt: OperationAttempt,
  options: { dryRun: boolean; confirm: string | undefined },
  plan: (summary: ClusterSummary) => Promise<OperationPlan>,
) {
  return ops.runOnCluster(
    { ...attempt, permission: shipyardClusterDeletePermission },
    options.dryRun,
    async summary => {
      checkConfirmed(summary, attempt.key, options.confirm);
      return plan(summary);
    },
  );
}

/** What was asked, for the audit: the reason, when one was given. */
function reasonOf(request: { reason?: string }): Record<string, string> {
  return request.reason ? { reason: request.reason.slice(0, 500) } : {};
}

/** The name typed again, and a cluster that is not paused. */
function checkConfirmed(
  summary: ClusterSummary,
  key: ClusterKey,
  confirm: string | undefined,
): void {
  if (confirm !== key.name) {
    throw new InputError(
      `Type the cluster's name (${key.name}) in confirm to decommission it`,
    );
  }
  if (summary.paused) {
    throw new ConflictError(
      `Cluster ${stringifyClusterKey(
        key,
      )} is paused; resume it first, or Cluster API stops deleting it halfway`,
    );
  }
}

/** The deletion of a cluster as an operation plan (foreground: machines drain and go, then the infrastructure). */
function deletionPlan(summary: ClusterSummary, message: string): OperationPlan {
  const unchanged = Boolean(summary.deletingSince);
  return {
    summary,
    before: { phase: summary.phase, machines: summary.machineCount },
    after: { phase: 'Deleting', machines: 0 },
    unchanged,
    message: unchanged
      ? `${stringifyClusterKey(summary)} is already being deleted`
      : message,
    write: async (api, dryRun) => {
      await api.delete(clusterObjectPath(summary), {
        dryRun,
        propagationPolicy: 'Foreground',
      });
    },
  };
}

async function followDeletion(
  deps: OperationServices,
  summary: ClusterSummary,
  actor: string,
): Promise<string> {
  const op = await deps.tracker.follow({
    action: 'cluster.delete',
    summary,
    actor,
    target: {},
    deadlineMs: deps.config.deleteDeadlineMs,
  });
  return op.id;
}

/**
 * `POST /clusters/:mc/:ns/:name/decommission`: deletes the Cluster API `Cluster` (foreground: Cluster API drains
 * and deletes the machines, then releases the infrastructure, then the Cluster goes). Pre-flight:
 * `shipyard.cluster.delete` on the cluster, the name typed again, not paused (a paused cluster would stop deleting
 * halfway). A `lifecycle: production` cluster is not deleted on the spot: the request is stored (after a server-side
 * dry run of the deletion) and waits for its guard (`shipyard.operations.productionDecommission`): a second person
 * of the platform team who approves it, or a delay during which anyone who may delete the cluster can cancel it.
 * The deletion is followed until Cluster API confirms it (the fleet drops the cluster: audited as completed) or its
 * deadline passes (stalled, with what holds it).
 */
export async function decommissionCluster(
  deps: OperationServices,
  actor: OperationActor,
  key: ClusterKey,
  request: DecommissionClusterRequest,
) {
  const { operations: ops } = deps;
  const where = stringifyClusterKey(key);
  const dryRun = request.dryRun === true;
  const guard = deps.config.productionDecommission;
  let requestOf: PendingDecommission | undefined;
  const result = await runDecommission(
    ops,
    { action: 'cluster.delete', actor, key, requested: reasonOf(request) },
    { dryRun, confirm: request.confirm },
    async summary => {
      if (summary.lifecycle !== 'production' || summary.deletingSince) {
        return deletionPlan(
          summary,
          `${where} is being decommissioned: machines drain and go, then the infrastructure is released`,
        );
      }
      const waiting = await deps.tracker.store.pendingOf(key);
      if (waiting) {
        throw new ConflictError(
          `The decommission of ${where} was already requested by ${
            waiting.actor
          } at ${waiting.startedAt}: ${waitsFor(deps, pendingOf(waiting))}`,
        );
      }
      const now = new Date();
      const until = new Date(
        now.getTime() +
          (guard.guard === 'delay' ? guard.delayMs : guard.approvalTimeoutMs),
      );
      requestOf = {
        id: crypto.randomUUID(),
        guard: guard.guard,
        requestedBy: actor.ref,
        requestedAt: now.toISOString(),
        until: until.toISOString(),
      };
      const deletion = deletionPlan(summary, '');
      return {
        ...deletion,
        after: {
          phase: summary.phase,
          decommission:
            guard.guard === 'delay' ? 'scheduled' : 'awaiting approval',
        },
        message: `${where} is a production cluster: its decommission is requested; ${waitsFor(
          deps,
          requestOf,
        )}`,
        // the deletion is checked by the management cluster (a server-side dry run), and done only later
        write: api => deletion.write(api, true),
      };
    },
  );
  if (requestOf) {
    if (!dryRun) {
      await deps.tracker.store.insert({
        id: requestOf.id,
        action: 'cluster.delete',
        key,
        actor: actor.ref,
        ...(result.summary.owner ? { owner: result.summary.owner } : {}),
        ...(result.summary.profile ? { profile: result.summary.profile } : {}),
        state: 'pending',
        target: {
          guard: requestOf.guard,
          ...reasonOf(request),
        },
        startedAt: requestOf.requestedAt,
        deadlineAt: requestOf.until,
        updatedAt: requestOf.requestedAt,
        message: waitsFor(deps, requestOf),
      });
    }
    return {
      ...result,
      ...(dryRun ? {} : { pending: requestOf }),
    };
  }
  let operationId: string | undefined;
  if (!result.dryRun && !result.unchanged) {
    operationId = await followDeletion(deps, result.summary, actor.ref);
  }
  return { ...result, ...(operationId ? { operationId } : {}) };
}

/**
 * `POST /clusters/:mc/:ns/:name/decommission/approve`: a second person approves a production cluster's pending
 * decommission, and the deletion starts. The approver holds `shipyard.cluster.delete` on the cluster, is a member
 * of the platform team, is not the one who asked, and types the cluster's name again.
 */
export async function approveDecommission(
  deps: OperationServices,
  actor: OperationActor,
  key: ClusterKey,
  request: ApproveDecommissionRequest,
) {
  const { operations: ops } = deps;
  const where = stringifyClusterKey(key);
  let waiting: TrackedOperation | undefined;
  const result = await runDecommission(
    ops,
    {
      action: 'cluster.delete',
      actor,
      key,
      requested: { approve: true, ...reasonOf(request) },
    },
    { dryRun: false, confirm: request.confirm },
    async summary => {
      waiting = await deps.tracker.store.pendingOf(key);
      if (!waiting) {
        throw new NotFoundError(
          `No decommission of ${where} waits for an approval`,
        );
      }
      if (!isPlatform(deps, actor)) {
        throw new NotAllowedError(
          `Only a member of ${deps.platformTeam} approves the decommission of production cluster ${where}`,
        );
      }
      if (waiting.actor === actor.ref) {
        throw new NotAllowedError(
          `${actor.ref} requested the decommission of ${where}: a second person of ${deps.platformTeam} approves it`,
        );
      }
      return deletionPlan(
        summary,
        `${where} is being decommissioned (requested by ${waiting.actor}, approved by ${actor.ref}): machines drain and go, then the infrastructure is released`,
      );
    },
  );
  await deps.tracker.store.update(
    waiting!,
    'pending',
    'approved',
    `approved by ${actor.ref}`,
  );
  const operationId = result.unchanged
    ? undefined
    : await followDeletion(deps, result.summary, actor.ref);
  return { ...result, ...(operationId ? { operationId } : {}) };
}

/**
 * `POST /clusters/:mc/:ns/:name/decommission/cancel`: withdraws a production cluster's pending decommission. Who
 * asked may, and anyone who holds `shipyard.cluster.delete` on the cluster.
 */
export async function cancelDecommission(
  deps: OperationServices,
  actor: OperationActor,
  key: ClusterKey,
  request: CancelDecommissionRequest,
) {
  const { operations: ops } = deps;
  const where = stringifyClusterKey(key);
  return ops.run(
    {
      action: 'cluster.delete',
      actor,
      key,
      requested: { cancel: true, ...reasonOf(request) },
    },
    false,
    async () => {
      const summary = await ops.resolve(actor, key);
      const waiting = await deps.tracker.store.pendingOf(key);
      if (!waiting) {
        throw new NotFoundError(`No decommission of ${where} is pending`);
      }
      if (waiting.actor !== actor.ref) {
        await ops.authorize(shipyardClusterDeletePermission, actor, summary);
      }
      return {
        summary,
        before: { decommission: 'requested' },
        after: { decommission: 'cancelled' },
        unchanged: false,
        message: `The decommission of ${where} requested by ${waiting.actor} is cancelled`,
        write: async (_api, dryRun) => {
          if (dryRun) return;
          if (
            !(await deps.tracker.store.update(
              waiting,
              'pending',
              'cancelled',
              `cancelled by ${actor.ref}`,
            ))
          ) {
            throw new ConflictError(
              `The decommission of ${where} is no longer pending`,
            );
          }
        },
      };
    },
  );
}

/**
 * Moves the pending production decommissions on, from the scheduled task: a request whose delay passed is carried
 * out (as the one who asked, whose permission was checked then; a cluster paused meanwhile is refused and the
 * request fails), a request not approved in time lapses. Each is audited. Answers how many moved.
 */
export async function runPendingDecommissions(
  deps: OperationServices,
  now = new Date(),
): Promise<number> {
  const { operations: ops, tracker } = deps;
  let moved = 0;
  for (const op of await tracker.store.pending()) {
    if (now.getTime() < Date.parse(op.deadlineAt)) continue;
    const where = stringifyClusterKey(op.key);
    const attempt = {
      action: 'cluster.delete' as const,
      actor: { ref: op.actor, ownershipRefs: [] },
      key: op.key,
    };
    if (op.target.guard !== 'delay') {
      if (
        await tracker.store.update(
          op,
          'pending',
          'lapsed',
          `not approved by ${op.deadlineAt}`,
          now,
        )
      ) {
        await ops.record(
          attempt,
          'refused',
          `The decommission of ${where} requested by ${op.actor} lapsed: no second member of ${deps.platformTeam} approved it by ${op.deadlineAt}`,
          {
            summary: { owner: op.owner, profile: op.profile } as ClusterSummary,
          },
        );
        moved += 1;
      }
      continue;
    }
    // claim the request first, so that one replica deletes
    if (
      !(await tracker.store.update(
        op,
        'pending',
        'approved',
        `its delay passed at ${op.deadlineAt}`,
        now,
      ))
    ) {
      continue;
    }
    moved += 1;
    try {
      const result = await runDecommission(
        ops,
        { ...attempt, requested: { delayed: true, requestedAt: op.startedAt } },
        { dryRun: false, confirm: op.key.name },
        async summary =>
          deletionPlan(
            summary,
            `${where} is being decommissioned (requested by ${op.actor} at ${op.startedAt}; its delay passed): machines drain and go, then the infrastructure is released`,
          ),
      );
      if (!result.unchanged) {
        await followDeletion(deps, result.summary, op.actor);
      }
    } catch (error) {
      await tracker.store.update(
        { ...op, state: 'approved' },
        'approved',
        'failed',
        (error as Error).message,
        now,
      );
    }
  }
  return moved;
}
