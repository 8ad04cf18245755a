import path from 'node:path';
import fs from 'node:fs/promises';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { InputError } from '@backstage/errors';
import { ClusterKey } from '@shipyard/plugin-shipyard-common';
import { ClusterAuditRecorder } from '../service/audit';
import {
  ClusterRequestService,
  MAX_CLUSTER_NAME_LENGTH,
} from '../service/ClusterRequestService';
import { applyAuditedCreate, planAuditedCreate } from './auditedCreate';
import { toYaml } from '../service/render';
import { examples } from './createCluster.examples';

/** What the cluster actions need besides the request service. */
export interface ClusterActionDeps {
  requests: ClusterRequestService;
  audit: ClusterAuditRecorder;
  /** Catalog entity ref of a cluster. */
  entityRefOf(key: ClusterKey): string;
  /** Portal page of a cluster, when the portal URL is known. */
  clusterUrlOf(key: ClusterKey): string | undefined;
}

/**
 * Path of a cluster's page in the portal (`/shipyard/clusters/<managementCluster>/<namespace>/<name>`): a link the
 * task page follows inside the portal, where the absolute `clusterUrl` would open a new window.
 */
export function clusterPagePath(key: ClusterKey): string {
  return `/shipyard/clusters/${[key.managementCluster, key.namespace, key.name]
    .map(encodeURIComponent)
    .join('/')}`;
}

/** `shipyard:cluster:create`: requests a Cluster API cluster from a cluster profile. */
export function createClusterCreateAction(deps: ClusterActionDeps) {
  return createTemplateAction({
    id: 'shipyard:cluster:create',
    description:
      'Requests a Kubernetes cluster from a cluster profile: checks name, profile access, quota, version, size and ClusterClass variables, runs a server-side dry run, then creates a topology Cluster on the management cluster (or writes the manifests into the workspace for a GitOps pull request, whose outcome shipyard:cluster:record-pull-request records).',
    examples,
    schema: {
      input: {
        profile: z =>
          z
            .string()
            .min(1)
            .describe(
              'Entity ref of the ClusterProfile (clusterprofile:default/kubeadm-standard)',
            ),
        name: z =>
          z
            .string()
            .min(1)
            .max(MAX_CLUSTER_NAME_LENGTH)
            .describe('Name of the cluster (a DNS-1123 label)'),
        owner: z =>
          z.string().min(1).describe('Entity ref of the owning group'),
        managementCluster: z =>
          z
            .string()
            .optional()
            .describe('Management cluster; defaults to the profile’s default'),
        namespace: z =>
          z
            .string()
            .optional()
            .describe(
              'Namespace on the management cluster; derived from the owner by default (shipyard.requests.namespaceTemplate)',
            ),
        size: z =>
          z.string().optional().describe('A named size of the profile'),
        controlPlaneReplicas: z =>
          z
            .number()
            .int()
            .min(0)
            .max(7)
            .optional()
            .describe('Overrides the size’s control plane replicas'),
        workerReplicas: z =>
          z
            .number()
            .int()
            .min(0)
            .optional()
            .describe('Overrides the size’s worker replicas'),
        kubernetesVersion: z =>
          z
            .string()
            .optional()
            .describe(
              'One of the profile’s Kubernetes versions; defaults to its default',
            ),
        variables: z =>
          z
            .record(z.any())
            .optional()
            .describe(
              'ClusterClass variables, validated against their schemas',
            ),
        labels: z =>
          z
            .record(z.string())
            .optional()
            .describe('Extra labels on the Cluster'),
        mode: z =>
          z
            .enum(['apply', 'manifests'])
            .default('apply')
            .describe(
              'apply: create on the management cluster; manifests: write YAML into the workspace',
            ),
        manifestPath: z =>
          z
            .string()
            .optional()
            .describe(
              'Workspace path of the YAML in manifests mode (default clusters/<mc>/<namespace>/<name>.yaml)',
            ),
      },
      output: {
        entityRef: z =>
          z.string().describe('Catalog entity ref of the cluster'),
        managementCluster: z => z.string(),
        namespace: z => z.string(),
        profile: z =>
          z.string().describe('Entity ref of the cluster profile, as resolved'),
        owner: z =>
          z.string().describe('Entity ref of the owning group, as resolved'),
        name: z => z.string(),
        manifest: z => z.string().describe('The YAML of the objects'),
        clusterUrl: z =>
          z
            .string()
            .optional()
            .describe('The cluster’s page in the portal (absolute URL)'),
        clusterPath: z =>
          z
            .string()
            .describe(
              'The cluster’s page in the portal (path, for links in the portal)',
            ),
        manifestPath: z =>
          z
            .string()
            .optional()
            .describe('Where the YAML was written (manifests mode)'),
      },
    },
    async handler(ctx) {
      const { audit } = deps;
      const input = ctx.input;
      const mode = input.mode ?? 'apply';
      const planned = await planAuditedCreate(
        deps,
        { ...input, mode },
        {
          credentials: await ctx.getInitiatorCredentials(),
          taskId: ctx.task.id,
          actor: ctx.user?.ref ?? 'unknown',
        },
      );
      const { plan } = planned;
      const { key } = plan;
      for (const ignored of plan.ignoredDefaults) {
        ctx.logger.info(
          `Profile default for variable "${ignored}" is not declared by the ClusterClass and is left out`,
        );
      }
      const record = {
        ...planned.record,
        details: { ...planned.record.details, resumed: plan.resumed },
      };

      let manifestPath: string | undefined;
      let manifest: string;
      if (mode === 'manifests') {
        manifest = toYaml([plan.namespaceObject, withoutTask(plan.cluster)]);
        manifestPath =
          input.manifestPath ??
          `clusters/${key.managementCluster}/${key.namespace}/${key.name}.yaml`;
        const target = path.resolve(ctx.workspacePath, manifestPath);
        if (!target.startsWith(path.resolve(ctx.workspacePath) + path.sep)) {
          const error = new InputError(
            `manifestPath "${manifestPath}" must stay inside the workspace`,
          );
          await audit.record(
            { ...record, outcome: 'refused', message: error.message },
            error,
          );
          throw error;
        }
        await fs.mkdir(path.dirname(target), { recursive: true });
        await fs.writeFile(target, manifest, 'utf8');
        // rendered, not yet requested: the request's outcome is its pull request's, recorded after the step
        // that opens it (shipyard:cluster:record-pull-request)
        ctx.logger.info(
          `Wrote ${manifestPath} for ${key.managementCluster}/${key.namespace}/${key.name}`,
        );
      } else {
        manifest = toYaml(
          plan.createNamespace
            ? [plan.namespaceObject, plan.cluster]
            : [plan.cluster],
        );
        if (plan.resumed) {
          ctx.logger.info(
            `Cluster ${key.name} was already created by this task; not creating it again`,
          );
        }
        const result = await applyAuditedCreate(
          audit,
          record,
          () =>
            ctx.checkpoint({
              key: `shipyard.cluster.create.${key.managementCluster}.${key.namespace}.${key.name}`,
              fn: async () => {
                if (plan.resumed) return { uid: '' };
                return deps.requests.applyCreate(plan, ctx.task.id);
              },
            }),
          plan.resumed ? 'already created by this task' : 'created',
        );
        ctx.logger.info(
          `Created cluster ${key.name} in namespace ${key.namespace} on ${
            key.managementCluster
          }${result.uid ? ` (uid ${result.uid})` : ''}`,
        );
      }

      ctx.output('entityRef', deps.entityRefOf(key));
      ctx.output('managementCluster', key.managementCluster);
      ctx.output('namespace', key.namespace);
      ctx.output('name', key.name);
      ctx.output('profile', plan.profileRef);
      ctx.output('owner', plan.owner);
      ctx.output('manifest', manifest);
      const url = deps.clusterUrlOf(key);
      if (url) ctx.output('clusterUrl', url);
      ctx.output('clusterPath', clusterPagePath(key));
      if (manifestPath) ctx.output('manifestPath', manifestPath);
    },
  });
}

/** The GitOps copy carries no scaffolder task id: the controller that applies it is not this task. */
function withoutTask(cluster: Record<string, any>): Record<string, any> {
  const copy = JSON.parse(JSON.stringify(cluster));
  delete copy.metadata?.annotations?.['shipyard.io/request-task'];
  return copy;
}
