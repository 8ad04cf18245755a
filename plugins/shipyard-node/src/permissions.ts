import {
  ClusterSummary,
  SHIPYARD_CLUSTER_RESOURCE_TYPE,
  SHIPYARD_PLUGIN_ID,
} from '@shipyard/plugin-shipyard-common';
import {
  createConditionExports,
  createPermissionResourceRef,
  createPermissionRule,
} from '@backstage/plugin-permission-node';
import { z } from 'zod/v3';

/** A filter over cluster summaries: what conditional decisions on clusters are turned into. */
export type ClusterPermissionQuery = (
  cluster: Pick<ClusterSummary, 'owner' | 'managementCluster' | 'labels'>,
) => boolean;

/** The permission resource of Shipyard clusters (resource type `shipyard-cluster`, resource: a cluster summary). */
export const clusterPermissionResourceRef = createPermissionResourceRef<
  ClusterSummary,
  ClusterPermissionQuery
>().with({
  pluginId: SHIPYARD_PLUGIN_ID,
  resourceType: SHIPYARD_CLUSTER_RESOURCE_TYPE,
});

/** Allow clusters owned by one of the given entity refs (typically the user's ownership refs). */
export const isClusterOwner = createPermissionRule<
  typeof clusterPermissionResourceRef,
  { claims: string[] }
>({
  name: 'IS_CLUSTER_OWNER',
  description: 'Allow clusters owned by one of the given groups or users',
  resourceRef: clusterPermissionResourceRef,
  paramsSchema: z.object({
    claims: z
      .array(z.string())
      .describe('Entity refs of owners, e.g. group:default/team-a'),
  }) as any,
  apply: (cluster, { claims }: { claims: string[] }) =>
    claims.includes(cluster.owner),
  toQuery:
    ({ claims }: { claims: string[] }) =>
    cluster =>
      claims.includes(cluster.owner),
});

/** Allow clusters of the given management clusters. */
export const isInManagementCluster = createPermissionRule<
  typeof clusterPermissionResourceRef,
  { managementClusters: string[] }
>({
  name: 'IS_IN_MANAGEMENT_CLUSTER',
  description:
    'Allow clusters that live on one of the given management clusters',
  resourceRef: clusterPermissionResourceRef,
  paramsSchema: z.object({
    managementClusters: z
      .array(z.string())
      .describe('Management cluster names'),
  }) as any,
  apply: (cluster, { managementClusters }: { managementClusters: string[] }) =>
    managementClusters.includes(cluster.managementCluster),
  toQuery:
    ({ managementClusters }: { managementClusters: string[] }) =>
    cluster =>
      managementClusters.includes(cluster.managementCluster),
});

/** Allow clusters that carry a label (with a value, when given). */
export const hasClusterLabel = createPermissionRule<
  typeof clusterPermissionResourceRef,
  { key: string; value?: string }
>({
  name: 'HAS_CLUSTER_LABEL',
  description:
    'Allow clusters that have a label, optionally with a given value',
  resourceRef: clusterPermissionResourceRef,
  paramsSchema: z.object({
    key: z.string().describe('Label key'),
    value: z.string().optional().describe('Label value'),
  }) as any,
  apply: (cluster, { key, value }: { key: string; value?: string }) =>
    key in cluster.labels &&
    (value === undefined || cluster.labels[key] === value),
  toQuery:
    ({ key, value }: { key: string; value?: string }) =>
    cluster =>
      key in cluster.labels &&
      (value === undefined || cluster.labels[key] === value),
});

/** Every built-in cluster permission rule. */
export const clusterPermissionRules = {
  isClusterOwner,
  isInManagementCluster,
  hasClusterLabel,
};

const conditionExports = createConditionExports({
  resourceRef: clusterPermissionResourceRef,
  rules: clusterPermissionRules,
});

/** Condition factories for permission policies, e.g. `shipyardClusterConditions.isClusterOwner({ claims })`. */
export const shipyardClusterConditions = conditionExports.conditions;

/** Wraps conditions into a conditional decision for a cluster permission. */
export const createShipyardClusterConditionalDecision =
  conditionExports.createConditionalDecision;
