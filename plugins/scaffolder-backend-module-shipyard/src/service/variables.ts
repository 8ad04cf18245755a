import { InputError } from '@backstage/errors';
import { JsonValue } from '@backstage/types';
import { ClusterClassVariableSummary } from '@shipyard/plugin-shipyard-common';
import Ajv, { ErrorObject } from 'ajv';

const ajv = new Ajv({
  strict: false,
  allErrors: true,
  validateFormats: false,
  useDefaults: false,
});

function describe(name: string, error: ErrorObject): string {
  const where = `variables.${name}${error.instancePath.replace(/\//g, '.')}`;
  if (error.keyword === 'enum') {
    const allowed =
      (error.params as { allowedValues?: unknown[] }).allowedValues ?? [];
    return `${where} must be one of ${allowed
      .map(v => JSON.stringify(v))
      .join(', ')}`;
  }
  if (error.keyword === 'additionalProperties') {
    const extra = (error.params as { additionalProperty?: string })
      .additionalProperty;
    return `${where} has an unknown field "${extra}"`;
  }
  return `${where} ${error.message ?? 'is invalid'}`;
}

/** Values of ClusterClass variables after merging profile defaults and the request. */
export interface ResolvedVariables {
  /** Name → value, in the order the ClusterClass declares them. */
  values: Array<{ name: string; value: JsonValue }>;
  /** Profile defaults the ClusterClass does not declare (left out). */
  ignoredDefaults: string[];
}

/**
 * Merges the profile's variable defaults with the requested values and validates each against the ClusterClass's
 * `openAPIV3Schema`. Unknown requested variables, missing required ones and invalid values are `InputError`s that
 * name the variable and what it accepts.
 */
export function resolveVariables(options: {
  declared: ClusterClassVariableSummary[];
  defaults: Record<string, JsonValue>;
  requested: Record<string, JsonValue>;
  clusterClass: string;
}): ResolvedVariables {
  const { declared, defaults, requested, clusterClass } = options;
  const byName = new Map(declared.map(v => [v.name, v]));
  const unknown = Object.keys(requested).filter(n => !byName.has(n));
  if (unknown.length > 0) {
    throw new InputError(
      `Unknown variable${unknown.length > 1 ? 's' : ''} ${unknown
        .map(n => `"${n}"`)
        .join(', ')}: ClusterClass ${clusterClass} declares ${
        declared.map(v => v.name).join(', ') || 'no variables'
      }`,
    );
  }
  const ignoredDefaults = Object.keys(defaults).filter(n => !byName.has(n));
  const problems: string[] = [];
  const values: ResolvedVariables['values'] = [];
  for (const variable of declared) {
    const hasRequested = Object.prototype.hasOwnProperty.call(
      requested,
      variable.name,
    );
    const hasDefault = Object.prototype.hasOwnProperty.call(
      defaults,
      variable.name,
    );
    if (!hasRequested && !hasDefault) {
      if (variable.required && variable.schema.default === undefined) {
        problems.push(
          `variables.${variable.name} is required by ClusterClass ${clusterClass}`,
        );
      }
      continue;
    }
    const value = hasRequested
      ? requested[variable.name]
      : defaults[variable.name];
    const validate = ajv.compile(variable.schema as object);
    if (!validate(value)) {
      for (const error of validate.errors ?? []) {
        problems.push(describe(variable.name, error));
      }
      continue;
    }
    values.push({ name: variable.name, value });
  }
  if (problems.length > 0) {
    throw new InputError(
      `Invalid variables: ${[...new Set(problems)].join('; ')}`,
    );
  }
  return { values, ignoredDefaults };
}
