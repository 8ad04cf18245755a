/**
 * Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`), as client-go's typed clients and
 * kubectl send them for built-in kinds: the magic prefix `k8s\0`, then a `runtime.Unknown` envelope whose `raw`
 * bytes hold the object message. The few message layouts the simulator accepts are described here from the field
 * numbers Kubernetes publishes for its API types; protobufjs does the wire decoding. Bodies are turned into the
 * same JSON objects a JSON request carries, so the rest of the request path does not know the difference.
 */
import protobuf from 'protobufjs';
import { errors } from './errors';
import { JsonObject, JsonValue } from '../util/json';

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

type FieldSpec = [
  name: string,
  id: number,
  type: string,
  rule?: 'repeated' | { map: string },
];

const root = new protobuf.Root();

function message(name: string, fields: FieldSpec[]): void {
  const type = new protobuf.Type(name);
  for (const [fieldName, id, fieldType, rule] of fields) {
    if (rule && typeof rule === 'object') {
      type.add(new protobuf.MapField(fieldName, id, rule.map, fieldType));
    } else {
      type.add(new protobuf.Field(fieldName, id, fieldType, rule));
    }
  }
  root.add(type);
}

const STRING_MAP = { map: 'string' } as const;

// k8s.io/apimachinery/pkg/runtime
message('TypeMeta', [
  ['apiVersion', 1, 'string'],
  ['kind', 2, 'string'],
]);
message('Unknown', [
  ['typeMeta', 1, 'TypeMeta'],
  ['raw', 2, 'bytes'],
  ['contentEncoding', 3, 'string'],
  ['contentType', 4, 'string'],
]);

// k8s.io/apimachinery/pkg/apis/meta/v1
message('Time', [
  ['seconds', 1, 'int64'],
  ['nanos', 2, 'int32'],
]);
message('FieldsV1', [['raw', 1, 'bytes']]);
message('ManagedFieldsEntry', [
  ['manager', 1, 'string'],
  ['operation', 2, 'string'],
  ['apiVersion', 3, 'string'],
  ['time', 4, 'Time'],
  ['fieldsType', 6, 'string'],
  ['fieldsV1', 7, 'FieldsV1'],
  ['subresource', 8, 'string'],
]);
message('OwnerReference', [
  ['kind', 1, 'string'],
  ['name', 3, 'string'],
  ['uid', 4, 'string'],
  ['apiVersion', 5, 'string'],
  ['controller', 6, 'bool'],
  ['blockOwnerDeletion', 7, 'bool'],
]);
message('ObjectMeta', [
  ['name', 1, 'string'],
  ['generateName', 2, 'string'],
  ['namespace', 3, 'string'],
  ['selfLink', 4, 'string'],
  ['uid', 5, 'string'],
  ['resourceVersion', 6, 'string'],
  ['generation', 7, 'int64'],
  ['creationTimestamp', 8, 'Time'],
  ['deletionTimestamp', 9, 'Time'],
  ['deletionGracePeriodSeconds', 10, 'int64'],
  ['labels', 11, 'string', STRING_MAP],
  ['annotations', 12, 'string', STRING_MAP],
  ['ownerReferences', 13, 'OwnerReference', 'repeated'],
  ['finalizers', 14, 'string', 'repeated'],
  ['managedFields', 17, 'ManagedFieldsEntry', 'repeated'],
]);

// k8s.io/api/core/v1
message('NamespaceSpec', [['finalizers', 1, 'string', 'repeated']]);
message('NamespaceCondition', [
  ['type', 1, 'string'],
  ['status', 2, 'string'],
  ['lastTransitionTime', 4, 'Time'],
  ['reason', 5, 'string'],
  ['message', 6, 'string'],
]);
message('NamespaceStatus', [
  ['phase', 1, 'string'],
  ['conditions', 2, 'NamespaceCondition', 'repeated'],
]);
message('Namespace', [
  ['metadata', 1, 'ObjectMeta'],
  ['spec', 2, 'NamespaceSpec'],
  ['status', 3, 'NamespaceStatus'],
]);
message('Secret', [
  ['metadata', 1, 'ObjectMeta'],
  ['data', 2, 'bytes', STRING_MAP],
  ['type', 3, 'string'],
  ['stringData', 4, 'string', STRING_MAP],
  ['immutable', 5, 'bool'],
]);
message('ConfigMap', [
  ['metadata', 1, 'ObjectMeta'],
  ['data', 2, 'string', STRING_MAP],
  ['binaryData', 3, 'bytes', STRING_MAP],
  ['immutable', 4, 'bool'],
]);
message('ObjectReference', [
  ['kind', 1, 'string'],
  ['namespace', 2, 'string'],
  ['name', 3, 'string'],
  ['uid', 4, 'string'],
  ['apiVersion', 5, 'string'],
  ['resourceVersion', 6, 'string'],
  ['fieldPath', 7, 'string'],
]);
message('LocalObjectReference', [['name', 1, 'string']]);
message('ServiceAccount', [
  ['metadata', 1, 'ObjectMeta'],
  ['secrets', 2, 'ObjectReference', 'repeated'],
  ['imagePullSecrets', 3, 'LocalObjectReference', 'repeated'],
  ['automountServiceAccountToken', 4, 'bool'],
]);

/** The kinds whose protobuf bodies are understood, by `apiVersion/kind`. */
const KINDS: Record<string, string> = {
  'v1/Namespace': 'Namespace',
  'v1/Secret': 'Secret',
  'v1/ConfigMap': 'ConfigMap',
  'v1/ServiceAccount': 'ServiceAccount',
};

/** Whether the simulator decodes protobuf bodies of this kind. */
export function acceptsProtobuf(apiVersion: string, kind: string): boolean {
  return `${apiVersion}/${kind}` in KINDS;
}

function timestamp(
  time: protobuf.Message & Record<string, unknown>,
): string | undefined {
  const seconds = Number(time.seconds ?? 0);
  if (!seconds) return undefined;
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function scalar(field: protobuf.Field, value: unknown): JsonValue | undefined {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (typeof value === 'object' && value !== null && 'low' in value)
    return Number(value as unknown as number | Long);
  if (typeof value === 'string' && value === '' && !field.map) return undefined;
  return value as JsonValue;
}

type Long = { low: number; high: number; toNumber(): number };

/** The JSON form of a decoded message: field names as in JSON, empty scalars left out as Kubernetes omits them. */
function toJson(type: protobuf.Type, msg: protobuf.Message): JsonObject {
  const out: JsonObject = {};
  const values = msg as unknown as Record<string, unknown>;
  for (const field of type.fieldsArray) {
    if (!Object.prototype.hasOwnProperty.call(values, field.name)) continue;
    const value = values[field.name];
    const resolved = field.resolve().resolvedType;
    const one = (v: unknown): JsonValue | undefined => {
      if (resolved instanceof protobuf.Type) {
        const m = v as protobuf.Message & Record<string, unknown>;
        if (resolved.name === 'Time') return timestamp(m);
        if (resolved.name === 'FieldsV1') {
          const raw = m.raw;
          return raw instanceof Uint8Array && raw.length
            ? JSON.parse(Buffer.from(raw).toString('utf8'))
            : {};
        }
        return toJson(resolved, m);
      }
      return scalar(field, v);
    };
    let json: JsonValue | undefined;
    if (field.map) {
      const map: JsonObject = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const converted = one(v);
        if (converted !== undefined) map[k] = converted;
      }
      json = Object.keys(map).length ? map : undefined;
    } else if (field.repeated) {
      const items = (value as unknown[])
        .map(one)
        .filter((v): v is JsonValue => v !== undefined);
      json = items.length ? items : undefined;
    } else {
      json = one(value);
    }
    if (json !== undefined) out[field.name] = json;
  }
  return out;
}

const unsupported = (what: string) =>
  errors.unsupportedMediaType(
    PROTOBUF_CONTENT_TYPE,
    ['application/json', 'application/yaml'],
    `no protobuf serialization of ${what} here`,
  );

/**
 * Decodes a protobuf request body into the JSON object it stands for. A body that is not a Kubernetes protobuf
 * envelope is a 400; a kind the simulator has no layout for is a 415, as a server without a protobuf serializer
 * for it answers.
 */
export function decodeProtobufBody(body: Buffer): JsonObject {
  if (body.length < MAGIC.length || !body.subarray(0, 4).equals(MAGIC)) {
    throw errors.badRequest(
      'the body of the request is not a Kubernetes protobuf message (no "k8s\\x00" prefix)',
    );
  }
  let envelope: Record<string, any>;
  try {
    envelope = root
      .lookupType('Unknown')
      .decode(body.subarray(4)) as unknown as Record<string, any>;
  } catch (e) {
    throw errors.badRequest(
      `the protobuf envelope could not be decoded: ${
        e instanceof Error ? e.message : String(e)
      }`,
    );
  }
  const apiVersion = String(envelope.typeMeta?.apiVersion ?? '');
  const kind = String(envelope.typeMeta?.kind ?? '');
  if (envelope.contentEncoding)
    throw unsupported(`content encoding ${envelope.contentEncoding}`);
  const typeName = KINDS[`${apiVersion}/${kind}`];
  if (!typeName)
    throw unsupported(`${apiVersion || '<none>'} ${kind || '<none>'}`);
  const type = root.lookupType(typeName);
  let decoded: protobuf.Message;
  try {
    decoded = type.decode(envelope.raw ?? new Uint8Array());
  } catch (e) {
    throw errors.badRequest(
      `the ${kind} in the protobuf body could not be decoded: ${
        e instanceof Error ? e.message : String(e)
      }`,
    );
  }
  return { apiVersion, kind, ...toJson(type, decoded) };
}

/** Encodes an object as a protobuf body (for tests: what a typed client sends). */
export function encodeProtobufBody(obj: JsonObject): Buffer {
  const apiVersion = String(obj.apiVersion);
  const kind = String(obj.kind);
  const typeName = KINDS[`${apiVersion}/${kind}`];
  if (!typeName)
    throw new Error(`no protobuf layout for ${apiVersion} ${kind}`);
  const type = root.lookupType(typeName);
  const fromJson = (t: protobuf.Type, value: JsonObject): JsonObject => {
    const out: JsonObject = {};
    for (const field of t.fieldsArray) {
      const v = value[field.name];
      if (v === undefined || v === null) continue;
      const resolved = field.resolve().resolvedType;
      const one = (x: JsonValue): JsonValue => {
        if (resolved instanceof protobuf.Type) {
          if (resolved.name === 'Time')
            return { seconds: Math.floor(Date.parse(String(x)) / 1000) };
          if (resolved.name === 'FieldsV1')
            return {
              raw: Buffer.from(JSON.stringify(x)) as unknown as JsonValue,
            };
          return fromJson(resolved, x as JsonObject);
        }
        if (field.type === 'bytes')
          return Buffer.from(String(x), 'base64') as unknown as JsonValue;
        return x;
      };
      if (field.map)
        out[field.name] = Object.fromEntries(
          Object.entries(v as JsonObject).map(([k, x]) => [
            k,
            one(x as JsonValue),
          ]),
        );
      else if (field.repeated) out[field.name] = (v as JsonValue[]).map(one);
      else out[field.name] = one(v);
    }
    return out;
  };
  const raw = type.encode(type.fromObject(fromJson(type, obj))).finish();
  const envelope = root.lookupType('Unknown');
  const wire = envelope
    .encode(envelope.fromObject({ typeMeta: { apiVersion, kind }, raw }))
    .finish();
  return Buffer.concat([MAGIC, Buffer.from(wire)]);
}
