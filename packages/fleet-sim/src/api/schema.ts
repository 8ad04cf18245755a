import { StatusCause } from './errors';
import { ResourceType } from './registry';
import { PERMISSIVE_SCHEMA } from './crds';
import { JsonObject, JsonValue, isObject } from '../util/json';

const preserve: JsonObject = {
  type: 'object',
  'x-kubernetes-preserve-unknown-fields': true,
};
const stringMap: JsonObject = {
  type: 'object',
  additionalProperties: { type: 'string' },
};

/** Schemas of the built-in kinds, as far as the simulator checks them. */
const CORE_SCHEMAS: Record<string, JsonObject> = {
  Namespace: {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          finalizers: { type: 'array', items: { type: 'string' } },
        },
      },
      status: preserve,
    },
  },
  Secret: {
    type: 'object',
    properties: {
      data: {
        type: 'object',
        additionalProperties: { type: 'string', format: 'byte' },
      },
      stringData: stringMap,
      type: { type: 'string' },
      immutable: { type: 'boolean' },
    },
  },
  ConfigMap: {
    type: 'object',
    properties: {
      data: stringMap,
      binaryData: {
        type: 'object',
        additionalProperties: { type: 'string', format: 'byte' },
      },
      immutable: { type: 'boolean' },
    },
  },
  ServiceAccount: {
    type: 'object',
    properties: {
      secrets: { type: 'array', items: preserve },
      imagePullSecrets: { type: 'array', items: preserve },
      automountServiceAccountToken: { type: 'boolean' },
    },
  },
  Node: { type: 'object', properties: { spec: preserve, status: preserve } },
  Pod: { type: 'object', properties: { spec: preserve, status: preserve } },
  Event: {
    type: 'object',
    properties: {
      involvedObject: preserve,
      reason: { type: 'string' },
      message: { type: 'string' },
      source: preserve,
      firstTimestamp: { type: 'string', nullable: true },
      lastTimestamp: { type: 'string', nullable: true },
      count: { type: 'integer' },
      type: { type: 'string' },
      eventTime: { type: 'string', nullable: true },
      series: preserve,
      action: { type: 'string' },
      related: preserve,
      reportingComponent: { type: 'string' },
      reportingInstance: { type: 'string' },
    },
  },
};

/** The openAPIV3Schema for a type and version (never undefined). */
export function schemaFor(t: ResourceType, version: string): JsonObject {
  const v = t.versions.find(x => x.name === version);
  const base =
    v?.schema ??
    (t.custom ? PERMISSIVE_SCHEMA : CORE_SCHEMAS[t.kind] ?? PERMISSIVE_SCHEMA);
  const properties = isObject(base.properties) ? base.properties : {};
  return {
    ...base,
    properties: {
      ...properties,
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
    },
  };
}

const OBJECT_META_FIELDS = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]);

export interface ValidationResult {
  /** Fields not declared in the schema (dotted paths). They have been pruned. */
  unknown: string[];
  /** Schema violations. */
  causes: StatusCause[];
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number')
    return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function render(value: unknown): string {
  if (typeof value === 'string') return `"${value}"`;
  return JSON.stringify(value);
}

/**
 * Validates `obj` against `schema`: prunes and reports unknown fields, checks types, enums,
 * required fields and simple bounds, and applies defaults. Mutates `obj`.
 */
export function validateAndPrune(
  obj: JsonObject,
  schema: JsonObject,
): ValidationResult {
  const result: ValidationResult = { unknown: [], causes: [] };
  const metadata = obj.metadata;
  if (isObject(metadata)) {
    for (const key of Object.keys(metadata)) {
      if (!OBJECT_META_FIELDS.has(key)) {
        result.unknown.push(`metadata.${key}`);
        delete metadata[key];
      }
    }
  }
  walk(obj, schema, '', result, true);
  return result;
}

function walk(
  value: JsonValue,
  schema: JsonObject,
  at: string,
  result: ValidationResult,
  top = false,
): void {
  if (value === null) {
    if (schema.nullable !== true && schema.type !== undefined && at !== '') {
      // A null for a non-nullable field is dropped, as the API server's decoder does.
    }
    return;
  }
  if (schema['x-kubernetes-int-or-string'] === true) {
    if (
      typeof value !== 'string' &&
      !(typeof value === 'number' && Number.isInteger(value))
    ) {
      result.causes.push({
        reason: 'FieldValueInvalid',
        field: at,
        message: `Invalid value: ${render(
          value,
        )}: ${at} in body must be of type integer-or-string: ${render(
          typeName(value),
        )}`,
      });
    }
    return;
  }
  const expected = typeof schema.type === 'string' ? schema.type : undefined;
  if (expected) {
    const actual = typeName(value);
    const ok =
      actual === expected || (expected === 'number' && actual === 'integer');
    if (!ok) {
      result.causes.push({
        reason: 'FieldValueTypeInvalid',
        field: at,
        message: `Invalid value: ${render(
          typeName(value),
        )}: ${at} in body must be of type ${expected}: ${render(actual)}`,
      });
      return;
    }
  }
  if (Array.isArray(schema.enum) && !schema.enum.some(e => e === value)) {
    result.causes.push({
      reason: 'FieldValueNotSupported',
      field: at,
      message: `Unsupported value: ${render(
        value,
      )}: supported values: ${schema.enum.map(render).join(', ')}`,
    });
  }
  if (typeof value === 'string') {
    if (
      typeof schema.maxLength === 'number' &&
      value.length > schema.maxLength
    ) {
      result.causes.push({
        reason: 'FieldValueTooLong',
        field: at,
        message: `Too long: may not be more than ${schema.maxLength} bytes`,
      });
    }
    if (
      typeof schema.minLength === 'number' &&
      value.length < schema.minLength
    ) {
      result.causes.push({
        reason: 'FieldValueInvalid',
        field: at,
        message: `Invalid value: ${render(
          value,
        )}: ${at} in body should be at least ${schema.minLength} chars long`,
      });
    }
    return;
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) {
      result.causes.push({
        reason: 'FieldValueInvalid',
        field: at,
        message: `Invalid value: ${value}: ${at} in body should be greater than or equal to ${schema.minimum}`,
      });
    }
    if (typeof schema.maximum === 'number' && value > schema.maximum) {
      result.causes.push({
        reason: 'FieldValueInvalid',
        field: at,
        message: `Invalid value: ${value}: ${at} in body should be less than or equal to ${schema.maximum}`,
      });
    }
    return;
  }
  if (Array.isArray(value)) {
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) {
      result.causes.push({
        reason: 'FieldValueTooMany',
        field: at,
        message: `Too many: ${value.length}: must have at most ${schema.maxItems} items`,
      });
    }
    const items = isObject(schema.items) ? schema.items : undefined;
    if (items) {
      value.forEach((item, i) => walk(item, items, `${at}[${i}]`, result));
    }
    return;
  }
  if (!isObject(value)) return;
  const properties = isObject(schema.properties)
    ? schema.properties
    : undefined;
  const additional = schema.additionalProperties;
  const preserveUnknown =
    schema['x-kubernetes-preserve-unknown-fields'] === true;
  if (properties) {
    for (const [key, propSchema] of Object.entries(properties)) {
      if (!isObject(propSchema)) continue;
      if (value[key] === undefined && propSchema.default !== undefined) {
        value[key] = JSON.parse(JSON.stringify(propSchema.default));
      }
    }
  }
  if (Array.isArray(schema.required)) {
    for (const req of schema.required) {
      if (typeof req === 'string' && value[req] === undefined) {
        result.causes.push({
          reason: 'FieldValueRequired',
          field: at ? `${at}.${req}` : req,
          message: 'Required value',
        });
      }
    }
  }
  for (const key of Object.keys(value)) {
    const child = value[key];
    if (child === undefined) continue;
    const childPath = at ? `${at}.${key}` : key;
    if (top && key === 'metadata') continue;
    const propSchema =
      properties && isObject(properties[key]) ? properties[key] : undefined;
    if (propSchema) {
      if (child === null && propSchema.nullable !== true) {
        delete value[key];
        continue;
      }
      walk(child, propSchema, childPath, result);
    } else if (isObject(additional)) {
      walk(child, additional, childPath, result);
    } else if (
      additional === true ||
      preserveUnknown ||
      (!properties && !expected)
    ) {
      // free-form
    } else if (
      !properties &&
      expected === 'object' &&
      additional === undefined
    ) {
      // an object without declared properties keeps what it is given only if preserving
      result.unknown.push(childPath);
      delete value[key];
    } else {
      result.unknown.push(childPath);
      delete value[key];
    }
  }
}

/** The list semantics of the schema node at a path, for server-side apply. */
export function schemaAt(
  schema: JsonObject | undefined,
  segments: string[],
): JsonObject | undefined {
  let current: JsonObject | undefined = schema;
  for (const segment of segments) {
    if (!current) return undefined;
    if (segment === '[]') {
      current = isObject(current.items) ? current.items : undefined;
      continue;
    }
    const properties = isObject(current.properties)
      ? current.properties
      : undefined;
    const prop = properties?.[segment];
    if (isObject(prop)) {
      current = prop;
    } else if (isObject(current.additionalProperties)) {
      current = current.additionalProperties;
    } else {
      return undefined;
    }
  }
  return current;
}
