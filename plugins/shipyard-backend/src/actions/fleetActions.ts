import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { InputError, NotFoundError } from '@backstage/errors';
import { PermissionRuleset } from '@backstage/plugin-permission-node';
import {
  CLUSTER_LIST_FIELDS,
  CLUSTER_SORT_FIELDS,
  ClusterSummary,
  DRIFT_KINDS,
  DRIFT_NONE,
  HEALTH_STATUSES,
  MAX_CLUSTER_PAGE_SIZE,
  VERSION_SUPPORT_STATUSES,
  parseListClustersQuery,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import { ClusterPermissionQuery } from '@shipyard/plugin-shipyard-node';
import { describeClusterLifecycle } from '../lifecycle/lifecycleRouter';
import { ProfileVersions } from '../lifecycle/ProfileVersions';
import { VersionLifecycle } from '../lifecycle/VersionLifecycle';
import {
  ClusterReadDecider,
  visibleCluster,
} from '../service/clusterReadAccess';
import { FleetService } from '../service/FleetService';
import { Zod } from './zod';

/** What the fleet's read actions need. */
export interface FleetActionsOptions {
  fleet: FleetService;
  permissions: PermissionsService;
  ruleset: PermissionRuleset<ClusterSummary, ClusterPermissionQuery>;
  lifecycle: VersionLifecycle;
  profiles?: ProfileVersions;
}

const READ_ONLY = { readOnly: true, destructive: false, idempotent: true };

/**
 * The fleet's read operations as Backstage actions (the actions registry), for agents: `cluster-list`,
 * `cluster-describe`, `fleet-summary` and `cluster-lifecycle` answer what `GET /clusters`, `GET /clusters/{key}`,
 * `GET /summary` and `GET /clusters/{key}/lifecycle` answer, with the same validation and the caller's read
 * permission (a team limited to its own clusters sees only those, in items, facets and counts alike).
 */
export function registerFleetActions(
  actionsRegistry: ActionsRegistryService,
  options: FleetActionsOptions,
): void {
  const { fleet, permissions, lifecycle } = options;

  const reads = new ClusterReadDecider(permissions, options.ruleset);
  const visibilityOf = (credentials: BackstageCredentials) =>
    reads.require(credentials);

  const readableCluster = async (
    input: { managementCluster: string; namespace: string; name: string },
    credentials: BackstageCredentials,
  ) => visibleCluster(fleet.index, await visibilityOf(credentials), input);

  const clusterKey = (z: Zod) =>
    z.object({
      managementCluster: z
        .string()
        .min(1)
        .describe('The management cluster that holds the Cluster object'),
      namespace: z
        .string()
        .min(1)
        .describe('Namespace of the Cluster object on it'),
      name: z.string().min(1).describe('Name of the cluster'),
    });
  const anyObject = (z: Zod) => z.object({}).passthrough();
  const filterList = (z: Zod, what: string) =>
    z.array(z.string()).optional().describe(what);

  actionsRegistry.register({
    name: 'cluster-list',
    title: 'List clusters of the fleet',
    description:
      'Lists the clusters the caller may read, filtered like the fleet page (values of one filter are ORed, filters ANDed), with facet counts of every filter over the selection, sorted and paged (pass nextCursor back as cursor for the next page).',
    attributes: READ_ONLY,
    schema: {
      input: z =>
        z.object({
          owner: filterList(
            z,
            'Owning groups (team-a or group:default/team-a)',
          ),
          profile: filterList(z, 'Cluster profile names'),
          provider: filterList(z, 'Infrastructure providers (aws, azure, …)'),
          distribution: filterList(z, 'Distributions (eks, k3s, kubeadm, …)'),
          kubernetesMinor: filterList(z, 'Kubernetes minors (1.34)'),
          health: z
            .array(z.enum(HEALTH_STATUSES as [string, ...string[]]))
            .optional()
            .describe('Health statuses'),
          phase: filterList(z, 'Cluster API phases (Provisioned, …)'),
          managementCluster: filterList(z, 'Management clusters'),
          label: filterList(z, 'Labels, as key or key=value'),
          versionSupport: z
            .array(z.enum(VERSION_SUPPORT_STATUSES as [string, ...string[]]))
            .optional()
            .describe('Version support statuses'),
          drift: z
            .array(
              z.enum([...DRIFT_KINDS, DRIFT_NONE] as [string, ...string[]]),
            )
            .optional()
            .describe('Drift from the cluster profile'),
          q: z.string().max(200).optional().describe('Free text'),
          sort: z.enum(CLUSTER_SORT_FIELDS).optional(),
          order: z.enum(['asc', 'desc']).optional(),
          limit: z
            .number()
            .int()
            .min(1)
            .max(MAX_CLUSTER_PAGE_SIZE)
            .optional()
            .describe('Page size (default 50)'),
          cursor: z.string().max(2048).optional(),
          facets: z
            .boolean()
            .optional()
            .describe('Include facet counts (default true)'),
          fields: z
            .enum(CLUSTER_LIST_FIELDS)
            .optional()
            .describe('list: the fields of the fleet table only'),
        }),
      output: z =>
        z.object({
          items: z.array(anyObject(z)),
          totalCount: z.number(),
          revision: z.number(),
          nextCursor: z.string().optional(),
          facets: anyObject(z).optional(),
        }),
    },
    action: async ({ input, credentials }) => {
      const query: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(input)) {
        if (value === undefined) continue;
        query[key] =
          typeof value === 'number' || typeof value === 'boolean'
            ? String(value)
            : value;
      }
      const parsed = parseListClustersQuery(query);
      if (!parsed.ok) {
        throw new InputError(`Invalid ${parsed.field}: ${parsed.message}`);
      }
      const { visibility, fingerprint } = await visibilityOf(credentials);
      const { body } = fleet.index.queryJson(parsed.request, {
        visibility,
        visibilityKey: fingerprint,
      });
      return { output: JSON.parse(body.toString('utf8')) };
    },
  });

  actionsRegistry.register({
    name: 'cluster-describe',
    title: 'Describe a cluster',
    description:
      'One cluster the caller may read: its summary (owner, profile, distribution, versions, phase, health, conditions, replicas, machines) and its Cluster API object tree, as clusterctl describe shows it.',
    attributes: READ_ONLY,
    schema: {
      input: clusterKey,
      output: z =>
        z.object({
          summary: anyObject(z),
          tree: anyObject(z),
          revision: z.number(),
        }),
    },
    action: async ({ input, credentials }) => {
      await readableCluster(input, credentials);
      const details = fleet.describe(input);
      if (!details) {
        throw new NotFoundError(
          `Cluster ${stringifyClusterKey(input)} not found`,
        );
      }
      return { output: JSON.parse(JSON.stringify(details)) };
    },
  });

  actionsRegistry.register({
    name: 'fleet-summary',
    title: 'Summarise the fleet',
    description:
      'Counts over the clusters the caller may read: by health, phase, owner, profile, provider, distribution, Kubernetes minor and management cluster.',
    attributes: READ_ONLY,
    schema: {
      input: z => z.object({}),
      output: anyObject,
    },
    action: async ({ credentials }) => {
      const { visibility } = await visibilityOf(credentials);
      return {
        output: JSON.parse(JSON.stringify(fleet.index.summary({ visibility }))),
      };
    },
  });

  actionsRegistry.register({
    name: 'cluster-lifecycle',
    title: 'Version support and upgrade path of a cluster',
    description:
      'One cluster’s support calendar, support status on today’s date, days to its next boundary (end of standard or extended support), the upgrades its profile allows and the path of upgrades back into support.',
    attributes: READ_ONLY,
    schema: {
      input: clusterKey,
      output: z =>
        z.object({
          cluster: anyObject(z),
          evaluatedAt: z.string(),
          support: anyObject(z),
          calendar: anyObject(z),
          upgrades: anyObject(z),
          profilesAvailable: z.boolean(),
        }),
    },
    action: async ({ input, credentials }) => {
      const stored = await readableCluster(input, credentials);
      const body = await describeClusterLifecycle(
        lifecycle,
        stored,
        options.profiles,
      );
      return { output: JSON.parse(JSON.stringify(body)) };
    },
  });
}
