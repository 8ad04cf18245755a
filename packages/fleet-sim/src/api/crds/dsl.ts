/**
 * Building blocks of structural OpenAPI v3 schemas, as CustomResourceDefinitions carry them
 * (`openAPIV3Schema`), for the kinds the simulator defines itself.
 */
import { JsonObject } from '../../util/json';

export type Schema = JsonObject;

export const str = (extra: Schema = {}): Schema => ({
  type: 'string',
  ...extra,
});

/** A name-like string with the bounds Cluster API puts on it. */
export const name = (maxLength = 253): Schema =>
  str({ minLength: 1, maxLength });

export const strEnum = (...values: string[]): Schema => ({
  type: 'string',
  enum: values,
});

export const int32 = (extra: Schema = {}): Schema => ({
  type: 'integer',
  format: 'int32',
  ...extra,
});

export const int64 = (extra: Schema = {}): Schema => ({
  type: 'integer',
  format: 'int64',
  ...extra,
});

export const bool = (): Schema => ({ type: 'boolean' });

export const time = (): Schema => ({ type: 'string', format: 'date-time' });

export const intOrString = (): Schema => ({
  'x-kubernetes-int-or-string': true,
});

/** An object whose content is not described: kept as given. */
export const freeObject = (): Schema => ({
  type: 'object',
  'x-kubernetes-preserve-unknown-fields': true,
});

/** Any JSON value, kept as given. */
export const anyValue = (): Schema => ({
  'x-kubernetes-preserve-unknown-fields': true,
});

export function obj(
  properties: Record<string, Schema>,
  required?: string[],
  extra: Schema = {},
): Schema {
  const schema: Schema = { type: 'object', properties };
  if (required?.length) schema.required = required;
  return { ...schema, ...extra };
}

export const stringMap = (): Schema => ({
  type: 'object',
  additionalProperties: { type: 'string' },
});

export const mapOf = (values: Schema): Schema => ({
  type: 'object',
  additionalProperties: values,
});

export const list = (items: Schema, extra: Schema = {}): Schema => ({
  type: 'array',
  items,
  ...extra,
});

/** A list replaced as a whole by server-side apply. */
export const atomicList = (items: Schema, extra: Schema = {}): Schema =>
  list(items, { 'x-kubernetes-list-type': 'atomic', ...extra });

/** A list merged by server-side apply item by item, keyed by `keys`. */
export const mapList = (
  keys: string[],
  items: Schema,
  extra: Schema = {},
): Schema =>
  list(items, {
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': keys,
    ...extra,
  });

/** `metadata` of an embedded template: labels and annotations only. */
export const templateMeta = (): Schema =>
  obj({ annotations: stringMap(), labels: stringMap() });

/** A `metav1.LabelSelector`, replaced as a whole. */
export const labelSelector = (): Schema =>
  obj(
    {
      matchExpressions: atomicList(
        obj(
          {
            key: str(),
            operator: str(),
            values: atomicList(str()),
          },
          ['key', 'operator'],
        ),
      ),
      matchLabels: stringMap(),
    },
    undefined,
    { 'x-kubernetes-map-type': 'atomic' },
  );

/** `metav1.Condition` list (v1beta2 `status.conditions`), keyed by type. */
export const conditions = (): Schema =>
  mapList(
    ['type'],
    obj(
      {
        lastTransitionTime: time(),
        message: str({ maxLength: 32768 }),
        observedGeneration: int64({ minimum: 0 }),
        reason: str({ minLength: 1, maxLength: 1024 }),
        status: strEnum('True', 'False', 'Unknown'),
        type: str({ maxLength: 316 }),
      },
      ['lastTransitionTime', 'message', 'reason', 'status', 'type'],
    ),
    { maxItems: 32 },
  );

/** The deprecated v1beta1 condition list kept under `status.deprecated.v1beta1`. */
export const v1beta1Conditions = (): Schema =>
  list(
    obj(
      {
        lastTransitionTime: time(),
        message: str({ minLength: 1, maxLength: 10240 }),
        reason: str({ minLength: 1, maxLength: 256 }),
        severity: str({ maxLength: 32 }),
        status: str(),
        type: str({ minLength: 1, maxLength: 256 }),
      },
      ['lastTransitionTime', 'status', 'type'],
    ),
  );

/** `status.deprecated.v1beta1` with the given extra fields. */
export const deprecatedStatus = (fields: Record<string, Schema> = {}): Schema =>
  obj({
    v1beta1: obj({ conditions: v1beta1Conditions(), ...fields }),
  });

/** A reference to an object of the Cluster API contract (`apiGroup`, `kind`, `name`). */
export const contractRef = (): Schema =>
  obj({ apiGroup: name(), kind: name(63), name: name() }, [
    'apiGroup',
    'kind',
    'name',
  ]);

/** A reference to a template (`apiVersion`, `kind`, `name`). */
export const templateRef = (): Schema =>
  obj({ apiVersion: name(317), kind: name(63), name: name() }, [
    'apiVersion',
    'kind',
    'name',
  ]);

/** The schema of a whole object with the given spec and status. */
export function kindSchema(
  spec: Schema | undefined,
  status: Schema | undefined,
  required: string[] = ['spec'],
): Schema {
  const properties: Record<string, Schema> = {
    apiVersion: str(),
    kind: str(),
    metadata: { type: 'object' },
  };
  if (spec) properties.spec = spec;
  if (status) properties.status = status;
  return obj(properties, required);
}
