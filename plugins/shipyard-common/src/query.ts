import { z } from 'zod';
import type { ListClusters } from './schema/openapi';
import {
  CLUSTER_LIST_FIELDS,
  CLUSTER_SORT_FIELDS,
  HEALTH_STATUSES,
  HealthStatus,
  ListClustersRequest,
} from './types';
import { DRIFT_KINDS, DRIFT_NONE, DriftFacetValue } from './drift';
import { BUDGET_STATES, BudgetState } from './objectives';
import {
  VERSION_SUPPORT_STATUSES,
  VersionSupportStatus,
} from './versionSupport';

/** Default page size of `GET /clusters`. */
export const DEFAULT_CLUSTER_PAGE_SIZE = 50;
/** Largest page size of `GET /clusters`. */
export const MAX_CLUSTER_PAGE_SIZE = 500;

const stringList = z
  .union([z.string(), z.array(z.string())])
  .transform(v => (Array.isArray(v) ? v : [v]))
  .pipe(z.array(z.string().min(1).max(253)).max(100));

const healthList = stringList.pipe(
  z.array(z.enum(HEALTH_STATUSES as [HealthStatus, ...HealthStatus[]])),
);

const versionSupportList = stringList.pipe(
  z.array(
    z.enum(
      VERSION_SUPPORT_STATUSES as [
        VersionSupportStatus,
        ...VersionSupportStatus[],
      ],
    ),
  ),
);

const driftList = stringList.pipe(
  z.array(
    z.enum([...DRIFT_KINDS, DRIFT_NONE] as [
      DriftFacetValue,
      ...DriftFacetValue[],
    ]),
  ),
);

const labelList = stringList.pipe(
  z.array(
    z
      .string()
      .regex(
        /^[A-Za-z0-9./_-]+(=[A-Za-z0-9._-]*)?$/,
        'must be a label key or key=value',
      ),
  ),
);

/**
 * Owners as entity refs: a bare group name (`team-a`) or `namespace/name` means a group of that namespace
 * (`group:default/team-a`), as the backend resolves owner labels.
 */
const ownerList = stringList.transform(values =>
  values.map(v => {
    if (v.includes(':')) return v;
    return v.includes('/') ? `group:${v}` : `group:default/${v}`;
  }),
);

const booleanString = z.enum(['true', 'false']).transform(v => v === 'true');

/**
 * Schema of the query parameters of `GET /clusters` (as parsed by Express/`URLSearchParams`: each value a string or
 * an array of strings). Unknown parameters are rejected so that typos do not silently return the whole fleet.
 */
export const listClustersQuerySchema = z
  .object({
    owner: ownerList.optional(),
    profile: stringList.optional(),
    provider: stringList.optional(),
    distribution: stringList.optional(),
    kubernetesMinor: stringList.optional(),
    health: healthList.optional(),
    phase: stringList.optional(),
    managementCluster: stringList.optional(),
    label: labelList.optional(),
    versionSupport: versionSupportList.optional(),
    drift: driftList.optional(),
    budget: stringList
      .pipe(
        z.array(
          z.enum(BUDGET_STATES as unknown as [BudgetState, ...BudgetState[]]),
        ),
      )
      .optional(),
    q: z.string().max(200).optional(),
    sort: z.enum(CLUSTER_SORT_FIELDS).optional(),
    order: z.enum(['asc', 'desc']).optional(),
    limit: z.coerce.number().int().min(1).max(MAX_CLUSTER_PAGE_SIZE).optional(),
    cursor: z.string().max(2048).optional(),
    facets: booleanString.optional(),
    fields: z.enum(CLUSTER_LIST_FIELDS).optional(),
  })
  .strict();

/** Result of validating a query: the request, or the name of the first offending parameter and why. */
export type ParsedListClustersQuery =
  | { ok: true; request: ListClustersRequest }
  | { ok: false; field: string; message: string };

/** Validates the query parameters of `GET /clusters`. */
export function parseListClustersQuery(
  query: Record<string, unknown>,
): ParsedListClustersQuery {
  const result = listClustersQuerySchema.safeParse(query);
  if (result.success) {
    return { ok: true, request: result.data };
  }
  const issue = result.error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    return {
      ok: false,
      field: issue.keys[0],
      message: `unknown query parameter "${issue.keys[0]}"`,
    };
  }
  const field = String(issue.path[0] ?? 'query');
  return { ok: false, field, message: `${field}: ${issue.message}` };
}

/** Builds the query string of `GET /clusters` for a request (the inverse of {@link parseListClustersQuery}). */
export function toListClustersQueryString(
  request: ListClustersRequest,
): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(request)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      for (const v of value) params.append(key, String(v));
    } else {
      params.set(key, String(value));
    }
  }
  return params.toString();
}

/**
 * Checks that a request without query parameters has none (`GET /summary`, `GET /management-clusters`): an unknown
 * parameter is refused as on `GET /clusters`, so that a filter that is not supported does not silently read as "all".
 * Returns the first offending parameter, or undefined.
 */
export function unknownQueryParameter(
  query: Record<string, unknown>,
  allowed: readonly string[] = [],
): string | undefined {
  return Object.keys(query).find(key => !allowed.includes(key));
}

/**
 * The query of the generated client's `listClusters` for a request: the same parameters, with `facets` as the
 * spec's `'true'` or `'false'`.
 */
export function toListClustersQuery(
  request: ListClustersRequest,
): NonNullable<ListClusters['query']> {
  const { facets, ...rest } = request;
  return facets === undefined
    ? rest
    : { ...rest, facets: facets ? 'true' : 'false' };
}
