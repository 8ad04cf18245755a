import Ajv, { ErrorObject } from 'ajv';
import type { ClusterClassVariableSummary } from './clusterClasses';
import type { ProfileJsonValue } from './profile';

/*
 * ClusterClass variables of a cluster request: the form the request template shows for them, and the check of the
 * values against the class's openAPIV3Schema. The request form (in the browser) and `shipyard:cluster:create` (in
 * the backend) check with this same code, so that a form the browser accepts is one the action accepts.
 */

/** A JSON Schema object as the request form reads it. */
export type JsonSchema = { [key: string]: ProfileJsonValue };

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

/** Values of ClusterClass variables after merging profile defaults and the request, and what is wrong with them. */
export interface ClusterVariablesCheck {
  /** Name → value, in the order the ClusterClass declares them. */
  values: Array<{ name: string; value: ProfileJsonValue }>;
  /** Profile defaults the ClusterClass does not declare (left out). */
  ignoredDefaults: string[];
  /** Unknown variables, missing required ones and invalid values, each naming the variable and what it accepts. */
  problems: string[];
}

/**
 * Merges the profile's variable defaults with the requested values and checks each against the ClusterClass's
 * `openAPIV3Schema`.
 */
export function checkClusterVariables(options: {
  declared: ClusterClassVariableSummary[];
  defaults: Record<string, ProfileJsonValue>;
  requested: Record<string, ProfileJsonValue>;
  clusterClass: string;
}): ClusterVariablesCheck {
  const { declared, defaults, requested, clusterClass } = options;
  const byName = new Map(declared.map(v => [v.name, v]));
  const problems: string[] = [];
  const unknown = Object.keys(requested).filter(n => !byName.has(n));
  if (unknown.length > 0) {
    problems.push(
      `Unknown variable${unknown.length > 1 ? 's' : ''} ${unknown
        .map(n => `"${n}"`)
        .join(', ')}: ClusterClass ${clusterClass} declares ${
        declared.map(v => v.name).join(', ') || 'no variables'
      }`,
    );
  }
  const ignoredDefaults = Object.keys(defaults).filter(n => !byName.has(n));
  const values: ClusterVariablesCheck['values'] = [];
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
  return { values, ignoredDefaults, problems: [...new Set(problems)] };
}

/**
 * The request form of a ClusterClass's variables: an object schema with one property per variable (its
 * openAPIV3Schema, with the class's description), `required` as the class declares it, and the profile's defaults as
 * the properties' defaults.
 */
export function clusterVariablesFormSchema(
  declared: ClusterClassVariableSummary[],
  defaults: Record<string, ProfileJsonValue> = {},
): JsonSchema {
  const properties: JsonSchema = {};
  const required: string[] = [];
  for (const v of declared) {
    const schema: JsonSchema = { ...v.schema };
    if (v.description && schema.description === undefined) {
      schema.description = v.description;
    }
    if (Object.prototype.hasOwnProperty.call(defaults, v.name)) {
      schema.default = defaults[v.name];
    }
    if (schema.title === undefined) schema.title = v.name;
    properties[v.name] = schema;
    if (v.required) required.push(v.name);
  }
  return {
    type: 'object',
    properties,
    ...(required.length ? { required } : {}),
  };
}
