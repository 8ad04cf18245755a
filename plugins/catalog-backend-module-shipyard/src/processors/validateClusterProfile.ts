import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import {
  ClusterProfileProblem,
  ClusterProfileSpec,
  checkClusterProfileSpec,
  clusterProfileEntitySchema,
} from '@shipyard/plugin-shipyard-common';

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
    compiled = ajv.compile(clusterProfileEntitySchema);
  }
  return compiled;
}

function pathOf(instancePath: string, extra?: string): string {
  const parts = instancePath
    .split('/')
    .slice(1)
    .map(p => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  return parts.reduce((acc, part) => {
    if (/^\d+$/.test(part)) return `${acc}[${part}]`;
    if (/^[A-Za-z_$][\w$-]*$/.test(part)) return acc ? `${acc}.${part}` : part;
    return `${acc}[${JSON.stringify(part)}]`;
  }, '');
}

function titleOf(schema: unknown): string | undefined {
  if (schema && typeof schema === 'object' && 'title' in schema) {
    const title = (schema as { title?: unknown }).title;
    return typeof title === 'string' ? title : undefined;
  }
  return undefined;
}

function toProblem(error: ErrorObject): ClusterProfileProblem | undefined {
  const params = error.params as Record<string, unknown>;
  if (error.propertyName !== undefined && error.keyword !== 'propertyNames') {
    // a failing property name (propertyNames): name the property itself
    return {
      path: pathOf(error.instancePath, error.propertyName),
      message: `is not ${titleOf(error.parentSchema) ?? 'a valid name'}`,
    };
  }
  switch (error.keyword) {
    case 'required':
      return {
        path: pathOf(error.instancePath, String(params.missingProperty)),
        message: 'is required',
      };
    case 'additionalProperties':
      return {
        path: pathOf(error.instancePath, String(params.additionalProperty)),
        message: 'is not an allowed field',
      };
    case 'pattern': {
      const title = titleOf(error.parentSchema);
      return {
        path: pathOf(error.instancePath),
        message: title
          ? `must be ${title}, got ${JSON.stringify(error.data)}`
          : `must match pattern ${String(params.pattern)}`,
      };
    }
    case 'propertyNames':
      // reported together with the failing name's own error (pattern/maxLength on the name)
      return undefined;
    case 'const':
      return {
        path: pathOf(error.instancePath),
        message: `must be ${JSON.stringify(params.allowedValue)}`,
      };
    case 'enum':
      return {
        path: pathOf(error.instancePath),
        message: `must be one of ${(params.allowedValues as unknown[])
          .map(v => JSON.stringify(v))
          .join(', ')}`,
      };
    default:
      return {
        path: pathOf(error.instancePath),
        message: error.message ?? 'is invalid',
      };
  }
}

/**
 * Validates a ClusterProfile entity against the schema in `-common` plus the cross-field rules. Every problem names
 * its field, e.g. `spec.sizes.small.workerReplicas must be integer`.
 */
export function validateClusterProfile(
  entity: unknown,
): ClusterProfileProblem[] {
  const validate = validator();
  if (!validate(entity)) {
    const seen = new Set<string>();
    const problems: ClusterProfileProblem[] = [];
    for (const error of validate.errors ?? []) {
      const problem = toProblem(error);
      if (!problem) continue;
      const text = `${problem.path} ${problem.message}`;
      if (seen.has(text)) continue;
      seen.add(text);
      problems.push(problem);
    }
    return problems;
  }
  const spec = (entity as { spec: ClusterProfileSpec }).spec;
  return checkClusterProfileSpec(spec);
}
