/** Checks of request bodies: URL agreement, object metadata, the schema (with pruning), Secret data. */
import { StatusCause, errors } from './errors';
import { ResourceType, apiVersionOf } from './registry';
import { schemaFor, validateAndPrune } from './schema';
import { validateLabelValue, validateQualifiedName } from './selectors';
import type { WriteOptions } from './writeOptions';
import { JsonObject, asObject, isObject } from '../util/json';

const DNS_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function meta(obj: JsonObject): JsonObject {
  const m = asObject(obj.metadata);
  if (m) return m;
  const created: JsonObject = {};
  obj.metadata = created;
  return created;
}

export function nameOf(obj: JsonObject): string {
  const n = asObject(obj.metadata)?.name;
  return typeof n === 'string' ? n : '';
}

/** Checks apiVersion/kind/namespace/name of a request body against the URL. */
export function checkBody(
  t: ResourceType,
  body: JsonObject,
  version: string,
  namespace: string | undefined,
  urlName: string | undefined,
): void {
  const expectedApiVersion = apiVersionOf(t, version);
  if (body.kind === undefined || body.kind === '') {
    if (t.custom)
      throw errors.badRequest(
        `Object 'Kind' is missing in '${JSON.stringify(body).slice(0, 200)}'`,
      );
    body.kind = t.kind;
  }
  if (body.apiVersion === undefined || body.apiVersion === '') {
    if (t.custom)
      throw errors.badRequest(
        `Object 'apiVersion' is missing in '${JSON.stringify(body).slice(
          0,
          200,
        )}'`,
      );
    body.apiVersion = expectedApiVersion;
  }
  if (body.kind !== t.kind) {
    throw errors.badRequest(
      `the kind in the data (${String(
        body.kind,
      )}) does not match the expected kind (${t.kind})`,
    );
  }
  if (body.apiVersion !== expectedApiVersion) {
    throw errors.badRequest(
      `the API version in the data (${String(
        body.apiVersion,
      )}) does not match the expected API version (${expectedApiVersion})`,
    );
  }
  const m = meta(body);
  if (t.namespaced) {
    if (
      m.namespace !== undefined &&
      m.namespace !== '' &&
      m.namespace !== namespace
    ) {
      throw errors.badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    m.namespace = namespace;
  } else {
    delete m.namespace;
  }
  if (urlName !== undefined) {
    if (m.name === undefined || m.name === '') m.name = urlName;
    if (m.name !== urlName) {
      throw errors.badRequest(
        `the name of the object (${String(
          m.name,
        )}) does not match the name on the URL (${urlName})`,
      );
    }
  }
}

export function validateMeta(t: ResourceType, obj: JsonObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const m = meta(obj);
  const name = typeof m.name === 'string' ? m.name : '';
  const dnsLabel = t.kind === 'Namespace';
  if (!name) {
    causes.push({
      reason: 'FieldValueRequired',
      field: 'metadata.name',
      message: 'Required value: name or generateName is required',
    });
  } else if (
    dnsLabel
      ? name.length > 63 || !DNS_LABEL.test(name)
      : name.length > 253 || !DNS_SUBDOMAIN.test(name)
  ) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'metadata.name',
      message: `Invalid value: "${name}": a lowercase RFC 1123 ${
        dnsLabel ? 'label' : 'subdomain'
      } must consist of lower case alphanumeric characters, '-'${
        dnsLabel ? '' : " or '.'"
      }, and must start and end with an alphanumeric character`,
    });
  }
  for (const [field, validateValue] of [
    ['labels', true],
    ['annotations', false],
  ] as const) {
    const map = m[field];
    if (map === undefined || map === null) continue;
    if (!isObject(map)) {
      causes.push({
        reason: 'FieldValueInvalid',
        field: `metadata.${field}`,
        message: 'Invalid value: must be a map of strings',
      });
      continue;
    }
    for (const [k, v] of Object.entries(map)) {
      const keyProblem = validateQualifiedName(k);
      if (keyProblem) {
        causes.push({
          reason: 'FieldValueInvalid',
          field: `metadata.${field}`,
          message: `Invalid value: "${k}": ${keyProblem}`,
        });
      }
      if (typeof v !== 'string') {
        causes.push({
          reason: 'FieldValueInvalid',
          field: `metadata.${field}.${k}`,
          message: 'Invalid value: must be a string',
        });
      } else if (validateValue) {
        const valueProblem = validateLabelValue(v);
        if (valueProblem) {
          causes.push({
            reason: 'FieldValueInvalid',
            field: `metadata.labels`,
            message: `Invalid value: "${v}": ${valueProblem}`,
          });
        }
      }
    }
  }
  const finalizers = m.finalizers;
  if (
    finalizers !== undefined &&
    finalizers !== null &&
    (!Array.isArray(finalizers) || finalizers.some(f => typeof f !== 'string'))
  ) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'metadata.finalizers',
      message: 'Invalid value: must be a list of strings',
    });
  }
  return causes;
}

/** Schema validation of a versioned body; unknown fields handled per fieldValidation. */
export function validateSchema(
  t: ResourceType,
  body: JsonObject,
  version: string,
  opts: WriteOptions,
  /** A part of an object (an apply configuration of an existing object): fields it lacks may be required. */
  partial = false,
): void {
  if (opts.internal) return;
  const mode = opts.fieldValidation ?? 'Warn';
  const result = validateAndPrune(body, schemaFor(t, version));
  if (partial) {
    result.causes = result.causes.filter(
      c => c.reason !== 'FieldValueRequired',
    );
  }
  if (result.unknown.length) {
    if (mode === 'Strict') {
      const detail = result.unknown.map(u => `unknown field "${u}"`).join(', ');
      throw errors.badRequest(
        `${t.kind} in version "${version}" cannot be handled as a ${t.kind}: strict decoding error: ${detail}`,
      );
    }
    if (mode === 'Warn') {
      for (const u of result.unknown)
        opts.warnings?.push(`unknown field "${u}"`);
    }
  }
  if (result.causes.length) {
    throw errors.invalid(t, nameOf(body), result.causes);
  }
}

export function prepareSecret(t: ResourceType, obj: JsonObject): void {
  if (t.kind !== 'Secret') return;
  const stringData = asObject(obj.stringData);
  if (stringData) {
    const data = asObject(obj.data) ?? {};
    for (const [k, v] of Object.entries(stringData)) {
      if (typeof v === 'string')
        data[k] = Buffer.from(v, 'utf8').toString('base64');
    }
    obj.data = data;
    delete obj.stringData;
  }
  const data = asObject(obj.data);
  for (const [k, v] of Object.entries(data ?? {})) {
    if (
      typeof v !== 'string' ||
      !/^[A-Za-z0-9+/]*={0,2}$/.test(v) ||
      v.length % 4 !== 0
    ) {
      throw errors.badRequest(
        `Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 0 (key "${k}")`,
      );
    }
  }
  if (obj.type === undefined) obj.type = 'Opaque';
}
