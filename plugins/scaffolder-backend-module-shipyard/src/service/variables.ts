import { InputError } from '@backstage/errors';
import { JsonValue } from '@backstage/types';
import {
  ClusterVariablesCheck,
  ProfileJsonValue,
  checkClusterVariables,
} from '@shipyard/plugin-shipyard-common';

/** Values of ClusterClass variables after merging profile defaults and the request: a check without problems. */
export type ResolvedVariables = Omit<
  ClusterVariablesCheck,
  'values' | 'problems'
> & {
  values: Array<{ name: string; value: JsonValue }>;
};

/**
 * Merges the profile's variable defaults with the requested values and validates each against the ClusterClass's
 * `openAPIV3Schema` (`checkClusterVariables` of -common, the check the request form runs in the browser). Unknown
 * requested variables, missing required ones and invalid values are `InputError`s that name the variable and what
 * it accepts.
 */
export function resolveVariables(
  options: Omit<
    Parameters<typeof checkClusterVariables>[0],
    'defaults' | 'requested'
  > & {
    defaults: Record<string, JsonValue>;
    requested: Record<string, JsonValue>;
  },
): ResolvedVariables {
  const check = checkClusterVariables({
    ...options,
    defaults: options.defaults as Record<string, ProfileJsonValue>,
    requested: options.requested as Record<string, ProfileJsonValue>,
  });
  const unknown = check.problems.filter(p => p.startsWith('Unknown variable'));
  if (unknown.length > 0) throw new InputError(unknown[0]);
  if (check.problems.length > 0) {
    throw new InputError(`Invalid variables: ${check.problems.join('; ')}`);
  }
  return {
    values: check.values as ResolvedVariables['values'],
    ignoredDefaults: check.ignoredDefaults,
  };
}
