import { InputError } from '@backstage/errors';
import { listClustersQuerySchema } from '@shipyard/plugin-shipyard-common';
import { z } from 'zod';

/**
 * The filters of `GET /clusters` without its sort, page, facet and field choices: the query of the routes that
 * answer for a whole selection of the fleet (objectives, version debt), each extending it with its own parameters.
 */
export const selectionQuerySchema = listClustersQuerySchema.omit({
  sort: true,
  order: true,
  limit: true,
  cursor: true,
  facets: true,
  fields: true,
});

/** The first problem of a refused query, in the words of the routes' other checks. */
export function queryError(issue: z.ZodIssue): InputError {
  return new InputError(
    issue.code === 'unrecognized_keys'
      ? `unknown query parameter "${issue.keys[0]}"`
      : `Invalid query parameter ${issue.path[0]}: ${issue.message}`,
  );
}
