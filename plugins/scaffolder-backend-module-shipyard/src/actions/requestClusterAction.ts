import crypto from 'node:crypto';
import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { ClusterAuditRecorder } from '../service/audit';
import {
  ClusterRequestService,
  MAX_CLUSTER_NAME_LENGTH,
} from '../service/ClusterRequestService';
import { applyAuditedCreate, planAuditedCreate } from './auditedCreate';
import { clusterPagePath } from './createCluster';

/** What the registry's request action needs. */
export interface RequestClusterActionDeps {
  requests: ClusterRequestService;
  audit: ClusterAuditRecorder;
  /** Catalog entity ref of a cluster. */
  entityRefOf(key: {
    managementCluster: string;
    namespace: string;
    name: string;
  }): string;
}

/**
 * `shipyard-cluster-request` in Backstage's actions registry (for agents, through the MCP actions backend): the
 * request of `shipyard:cluster:create` in apply mode, with the same checks (name, permission, profile groups,
 * quota, version, size, ClusterClass variables, the management cluster's connection, a server-side dry run) run as
 * the caller before anything is written, and the same audit records, refusals included. `dryRun` runs every check and
 * writes nothing. Each call is its own request (`requestId`, recorded as the audit's task id).
 */
export function registerRequestClusterAction(
  actionsRegistry: ActionsRegistryService,
  deps: RequestClusterActionDeps,
): void {
  actionsRegistry.register({
    name: 'shipyard-cluster-request',
    title: 'Request a Kubernetes cluster',
    description:
      'Requests a Kubernetes cluster from a cluster profile, as the caller: checks name, permission, profile access, quota, version, size and ClusterClass variables and runs a server-side dry run before creating the topology Cluster on the management cluster; every problem is reported at once. With dryRun the checks run and nothing is created.',
    attributes: { readOnly: false, destructive: false, idempotent: false },
    schema: {
      input: z =>
        z.object({
          profile: z
            .string()
            .min(1)
            .describe(
              'Entity ref of the cluster profile (clusterprofile:default/kubeadm-standard)',
            ),
          name: z
            .string()
            .min(1)
            .max(MAX_CLUSTER_NAME_LENGTH)
            .describe('Name of the cluster (a DNS-1123 label)'),
          owner: z.string().min(1).describe('Entity ref of the owning group'),
          managementCluster: z
            .string()
            .optional()
            .describe('Management cluster; defaults to the profile’s default'),
          namespace: z
            .string()
            .optional()
            .describe(
              'Namespace on the management cluster; derived from the owner by default',
            ),
          size: z.string().optional().describe('A named size of the profile'),
          controlPlaneReplicas: z.number().int().min(0).max(7).optional(),
          workerReplicas: z.number().int().min(0).optional(),
          kubernetesVersion: z
            .string()
            .optional()
            .describe(
              'One of the profile’s Kubernetes versions; defaults to its default',
            ),
          variables: z
            .record(z.any())
            .optional()
            .describe(
              'ClusterClass variables, validated against their schemas',
            ),
          labels: z.record(z.string()).optional(),
          dryRun: z
            .boolean()
            .optional()
            .describe('Run every check and create nothing'),
        }),
      output: z =>
        z.object({
          requestId: z.string(),
          created: z.boolean(),
          entityRef: z.string(),
          managementCluster: z.string(),
          namespace: z.string(),
          name: z.string(),
          profile: z.string(),
          owner: z.string(),
          kubernetesVersion: z.string(),
          clusterPath: z.string(),
        }),
    },
    action: async ({ input, credentials }) => {
      const { dryRun, ...request } = input;
      const requestId = `action-${crypto.randomUUID()}`;
      const { plan, record } = await planAuditedCreate(
        deps,
        { ...request, mode: 'apply' },
        { credentials, taskId: requestId, actor: 'unknown' },
      );
      const { key } = plan;
      const output = {
        requestId,
        created: false,
        entityRef: deps.entityRefOf(key),
        managementCluster: key.managementCluster,
        namespace: key.namespace,
        name: key.name,
        profile: plan.profileRef,
        owner: plan.owner,
        kubernetesVersion: plan.kubernetesVersion,
        clusterPath: clusterPagePath(key),
      };
      if (dryRun) return { output };
      await applyAuditedCreate(
        deps.audit,
        { ...record, details: { ...record.details, via: 'actions' } },
        () => deps.requests.applyCreate(plan, requestId),
        'created',
      );
      return { output: { ...output, created: true } };
    },
  });
}
