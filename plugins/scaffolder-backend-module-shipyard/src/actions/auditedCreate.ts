import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { JsonValue } from '@backstage/types';
import { ClusterAuditRecordInput } from '@shipyard/plugin-shipyard-common';
import { ClusterAuditRecorder } from '../service/audit';
import {
  ClusterRequestService,
  CreateClusterPlan,
  CreateClusterRequest,
} from '../service/ClusterRequestService';

/** The audit record of a create request, outcome and message aside. */
export type CreateAuditRecord = Omit<
  ClusterAuditRecordInput,
  'outcome' | 'message'
>;

/** A create request planned as the one who asks, and the audit record of what it asks. */
export interface PlannedCreate {
  plan: CreateClusterPlan;
  record: CreateAuditRecord;
}

/**
 * Plans a create request as the one who asks (`shipyard:cluster:create` and the actions registry's
 * `shipyard-cluster-request`): every check of {@link ClusterRequestService.planCreate} and its server-side dry run,
 * nothing written. A refusal is audited, with what was asked, before it is thrown.
 */
export async function planAuditedCreate(
  deps: { requests: ClusterRequestService; audit: ClusterAuditRecorder },
  request: Omit<CreateClusterRequest, 'variables' | 'mode'> & {
    variables?: Record<string, unknown>;
    mode: 'apply' | 'manifests';
  },
  context: {
    credentials: BackstageCredentials;
    /** The scaffolder task, or the request's own id. */
    taskId: string;
    /** Who asks, as far as known before the credentials are resolved. */
    actor: string;
  },
): Promise<PlannedCreate> {
  const { requests, audit } = deps;
  const base = {
    action: 'cluster.create' as const,
    profile: request.profile,
    owner: request.owner,
    cluster: request.name,
    mode: request.mode,
    taskId: context.taskId,
  };
  let actor = context.actor;
  let plan: CreateClusterPlan;
  try {
    const requester = await requests.requester(context.credentials);
    actor = requester.userEntityRef;
    plan = await requests.planCreate(
      {
        ...request,
        variables: request.variables as Record<string, JsonValue> | undefined,
      },
      requester,
      context.taskId,
    );
  } catch (error) {
    await audit.record(
      {
        ...base,
        actor,
        outcome: 'refused',
        managementCluster: request.managementCluster,
        namespace: request.namespace,
        message: String((error as Error).message),
      },
      error as Error,
    );
    throw error;
  }
  return {
    plan,
    record: {
      ...base,
      actor,
      profile: plan.profileRef,
      owner: plan.owner,
      managementCluster: plan.key.managementCluster,
      namespace: plan.key.namespace,
      details: {
        kubernetesVersion: plan.kubernetesVersion,
        size: plan.size ?? null,
      },
    },
  };
}

/** Runs the creation of a planned cluster, audited as failed (and thrown) or as succeeded with `message`. */
export async function applyAuditedCreate<T>(
  audit: ClusterAuditRecorder,
  record: CreateAuditRecord,
  apply: () => Promise<T>,
  message: string,
): Promise<T> {
  let result: T;
  try {
    result = await apply();
  } catch (error) {
    await audit.recordFailure(record, error);
    throw error;
  }
  await audit.record({ ...record, outcome: 'succeeded', message });
  return result;
}
