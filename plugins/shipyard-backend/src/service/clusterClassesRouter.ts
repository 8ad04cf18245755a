import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ClusterClassSummary,
  ListClusterClassesResponse,
  shipyardClusterReadPermission,
} from '@shipyard/plugin-shipyard-common';
import express from 'express';
import { z } from 'zod';
import { ClusterClassRecord } from '../records/types';
import { createApiRouter, ShipyardApiRouter } from './apiRouter';
import {
  distributionOf,
  providerOfInfrastructureKind,
} from '../reconcile/providers';

/** What the router reads: the ClusterClasses of the fleet's records, and the fleet revision. */
export interface ClusterClassesReader {
  clusterClasses(
    managementCluster?: string,
  ): Array<{ managementCluster: string; record: ClusterClassRecord }>;
  readonly index: { readonly revision: number };
}

/** Default and largest page size of `GET /cluster-classes`. */
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 500;

const querySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(MAX_LIMIT).optional(),
    cursor: z.string().max(1024).optional(),
    managementCluster: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a DNS label')
      .optional(),
  })
  .strict();

function keyOf(c: ClusterClassSummary): string {
  return `${c.managementCluster}/${c.namespace}/${c.name}`;
}

function compareByKey(a: ClusterClassSummary, b: ClusterClassSummary): number {
  const ka = keyOf(a);
  const kb = keyOf(b);
  if (ka === kb) return 0;
  return ka < kb ? -1 : 1;
}

function decodeCursor(cursor: string): string {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (key.split('/').length !== 3) {
    throw new InputError(
      'Invalid query parameter cursor: not a cursor of this endpoint',
    );
  }
  return key;
}

/** The API shape of a ClusterClass record. */
export function toClusterClassSummary(
  managementCluster: string,
  record: ClusterClassRecord,
): ClusterClassSummary {
  const summary: ClusterClassSummary = {
    managementCluster,
    namespace: record.namespace,
    name: record.name,
    machineDeploymentClasses: record.machineDeploymentClasses ?? [],
    machinePoolClasses: record.machinePoolClasses ?? [],
    variables: record.variables ?? [],
    labels: record.labels ?? {},
  };
  const provider = providerOfInfrastructureKind(
    record.infrastructureKind?.replace(/Template$/, ''),
  );
  const distribution = distributionOf(
    record.controlPlaneKind?.replace(/Template$/, ''),
    undefined,
    record.infrastructureKind?.replace(/Template$/, ''),
  );
  const optional: Partial<ClusterClassSummary> = {
    uid: record.uid,
    generation: record.generation,
    description: record.description,
    infrastructureKind: record.infrastructureKind,
    controlPlaneKind: record.controlPlaneKind,
    provider,
    distribution,
    kubernetesVersions: record.kubernetesVersions,
    createdAt: record.createdAt,
  };
  for (const [k, v] of Object.entries(optional)) {
    if (v !== undefined) (summary as unknown as Record<string, unknown>)[k] = v;
  }
  return summary;
}

/**
 * `GET /cluster-classes`: the ClusterClasses of the fleet with their variable schemas, sorted by management
 * cluster, namespace and name, cursor-paged. Served from the reconcilers' records; no request reaches a
 * management cluster. A caller needs `shipyard.cluster.read` for some clusters at least (allowed, or conditionally
 * allowed as a team is for its own): ClusterClasses are what clusters are requested from, owned by nobody.
 */
export function createClusterClassesRouter(options: {
  fleet: ClusterClassesReader;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  /** The router to add the route to (the plugin's one router of the spec); a new one by default. */
  router?: ShipyardApiRouter;
}): express.Router {
  const { fleet, httpAuth, permissions } = options;
  const router = options.router ?? createApiRouter();
  router.get('/cluster-classes', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const [decision] = await permissions.authorizeConditional(
      [{ permission: shipyardClusterReadPermission }],
      { credentials },
    );
    if (decision.result === AuthorizeResult.DENY) {
      throw new NotAllowedError('Not allowed to read clusters');
    }
    const parsed = querySchema.safeParse(req.query);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new InputError(
        `Invalid query parameter ${issue.path.join('.') || '(unknown)'}: ${
          issue.message
        }`,
      );
    }
    const { limit = DEFAULT_LIMIT, cursor, managementCluster } = parsed.data;
    const after = cursor ? decodeCursor(cursor) : undefined;
    const all = fleet
      .clusterClasses(managementCluster)
      .map(({ managementCluster: mc, record }) =>
        toClusterClassSummary(mc, record),
      )
      .sort(compareByKey);
    const start = after ? all.findIndex(c => keyOf(c) > after) : 0;
    const page = start < 0 ? [] : all.slice(start, start + limit);
    const body: ListClusterClassesResponse = {
      items: page,
      revision: fleet.index.revision,
    };
    if (start >= 0 && start + limit < all.length) {
      body.nextCursor = Buffer.from(keyOf(page[page.length - 1])).toString(
        'base64url',
      );
    }
    res.json(body);
  });
  return router;
}
