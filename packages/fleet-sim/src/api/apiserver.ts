import crypto from 'node:crypto';
import {
  applyDefaults,
  hasFinalizers,
  isNamespaceTerminating,
  namespaceSpecFinalizers,
  validateObject,
} from './admission';
import { Shape, serverSideApply, trackUpdate } from './apply';
import { Converter } from './conversion';
import { ApiError, StatusCause, errors } from './errors';
import { customResourceDefinition } from './crds';
import {
  CRD_TYPE_ID,
  ResourceRegistry,
  ResourceType,
  apiVersionOf,
  storageVersion,
} from './registry';
import { schemaFor, validateAndPrune } from './schema';
import {
  FieldSelector,
  LabelSelector,
  validateLabelValue,
  validateQualifiedName,
} from './selectors';
import {
  Entry,
  ObjectStore,
  StoreEvent,
  lowerBound,
  objectKey,
  snapshotText,
} from '../store/store';
import {
  JsonObject,
  PatchError,
  asArray,
  asObject,
  deepClone,
  deepEqual,
  isObject,
  jsonMergePatch,
  jsonPatch,
} from '../util/json';
import { strategicMergePatch } from '../util/strategicMergePatch';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface WriteOptions {
  /** API version of the request and response bodies; defaults to the storage version. */
  version?: string;
  subresource?: string;
  dryRun?: boolean;
  /** Records managedFields for this manager (API requests); internal writes leave it unset. */
  fieldManager?: string;
  fieldValidation?: FieldValidation;
  /** Internal writes (controllers) skip schema validation and keep status on create. */
  internal?: boolean;
  /** Receives `Warning` header texts. */
  warnings?: string[];
  force?: boolean;
  /** managedFields to store on create (server-side apply creating an object). */
  managedFields?: JsonObject[];
  /** The caller hands over the body (no defensive copy); internal callers only. */
  owned?: boolean;
}

export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground';

export interface DeleteOptions extends WriteOptions {
  propagationPolicy?: PropagationPolicy;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: LabelSelector;
  fieldSelector?: FieldSelector;
  limit?: number;
  continueToken?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface ListResult {
  /** Storage-version JSON texts. */
  texts: string[];
  resourceVersion: string;
  continueToken?: string;
  remainingItemCount?: number;
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export interface DeleteResult {
  /** The object (storage version), as it is after the delete call. */
  object: JsonObject;
  /** Whether it is gone (false: waiting for finalizers). */
  deleted: boolean;
}

const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const DNS_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function timestamp(ms = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function randomSuffix(length = 5): string {
  const bytes = crypto.randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++)
    out += NAME_ALPHABET[bytes[i] % NAME_ALPHABET.length];
  return out;
}

function meta(obj: JsonObject): JsonObject {
  const m = asObject(obj.metadata);
  if (m) return m;
  const created: JsonObject = {};
  obj.metadata = created;
  return created;
}

function nameOf(obj: JsonObject): string {
  const n = asObject(obj.metadata)?.name;
  return typeof n === 'string' ? n : '';
}

/** Whether two stored states are equal apart from resourceVersion and managedFields timestamps. */
function sameState(a: JsonObject, b: JsonObject): boolean {
  const strip = (o: JsonObject): JsonObject => {
    const copy = { ...o };
    const m = { ...(asObject(o.metadata) ?? {}) };
    delete m.resourceVersion;
    if (Array.isArray(m.managedFields)) {
      m.managedFields = m.managedFields.map(e =>
        isObject(e) ? { ...e, time: undefined } : e,
      );
    }
    copy.metadata = m;
    return copy;
  };
  return deepEqual(strip(a), strip(b));
}

function specPart(obj: JsonObject): JsonObject {
  const copy: JsonObject = { ...obj };
  delete copy.metadata;
  delete copy.status;
  delete copy.apiVersion;
  delete copy.kind;
  return copy;
}

export interface ContinueToken {
  rv: number;
  start: string;
}

export function encodeContinue(token: ContinueToken): string {
  return Buffer.from(
    JSON.stringify({ v: 'meta.k8s.io/v1', rv: token.rv, start: token.start }),
  ).toString('base64');
}

export function decodeContinue(text: string): ContinueToken {
  try {
    const parsed: unknown = JSON.parse(
      Buffer.from(text, 'base64').toString('utf8'),
    );
    if (
      isObject(parsed) &&
      parsed.v === 'meta.k8s.io/v1' &&
      typeof parsed.rv === 'number' &&
      typeof parsed.start === 'string'
    ) {
      return { rv: parsed.rv, start: parsed.start };
    }
  } catch {
    // fall through
  }
  throw errors.badRequest(
    `continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)`,
  );
}

/** Parses a resourceVersion sent by a client. */
export function parseResourceVersion(rv: string): number {
  if (!/^\d{1,15}$/.test(rv)) {
    throw errors.badRequest(
      `invalid resource version "${rv}": resourceVersion must be a value returned by the server`,
    );
  }
  return Number(rv);
}

/**
 * The request semantics of one simulated kube-apiserver over its object store:
 * validation, defaulting, versions, generations, finalizers, patches, apply and lists.
 */
export class ApiServer {
  readonly converter: Converter;

  constructor(
    readonly name: string,
    readonly registry: ResourceRegistry,
    readonly store: ObjectStore,
  ) {
    this.converter = new Converter(registry);
  }

  /** Stores the CustomResourceDefinition of every custom resource type served. */
  installCustomResourceDefinitions(): void {
    const crdType = this.registry.get(CRD_TYPE_ID);
    for (const t of this.registry.types) {
      if (!t.custom) continue;
      this.create(crdType, undefined, customResourceDefinition(t), {
        internal: true,
      });
    }
  }

  type(typeId: string): ResourceType {
    return this.registry.get(typeId);
  }

  /** Converts a storage-version object to `version`. */
  toVersion(t: ResourceType, obj: JsonObject, version: string): JsonObject {
    const storage = storageVersion(t);
    if (version === storage) {
      if (!obj.apiVersion) obj.apiVersion = apiVersionOf(t, storage);
      return obj;
    }
    return this.converter.convert(obj, t.group, t.kind, storage, version);
  }

  fromVersion(t: ResourceType, obj: JsonObject, version: string): JsonObject {
    const storage = storageVersion(t);
    if (version === storage) return obj;
    return this.converter.convert(obj, t.group, t.kind, version, storage);
  }

  get(
    t: ResourceType,
    namespace: string | undefined,
    name: string,
  ): JsonObject {
    const entry = this.store.get(
      t.id,
      objectKey(t.namespaced ? namespace : undefined, name),
    );
    if (!entry) throw errors.notFound(t, name);
    return entry.object();
  }

  tryGet(
    t: ResourceType,
    namespace: string | undefined,
    name: string,
  ): JsonObject | undefined {
    return this.store
      .get(t.id, objectKey(t.namespaced ? namespace : undefined, name))
      ?.object();
  }

  private checkNamespace(t: ResourceType, namespace: string | undefined): void {
    if (!t.namespaced) return;
    if (!namespace)
      throw errors.badRequest('the namespace of the object is required');
    const ns = this.store.get('core/namespaces', namespace);
    if (!ns) {
      throw errors.notFound(this.type('core/namespaces'), namespace);
    }
    if (isNamespaceTerminating(ns.object())) {
      throw new ApiError(
        403,
        'Forbidden',
        `${t.plural}${
          t.group ? `.${t.group}` : ''
        } "${''}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
        {
          causes: [
            {
              reason: 'NamespaceTerminating',
              message: `namespace ${namespace} is being terminated`,
              field: 'metadata.namespace',
            },
          ],
        },
      );
    }
  }

  /** Checks apiVersion/kind/namespace/name of a request body against the URL. */
  private checkBody(
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

  private validateMeta(t: ResourceType, obj: JsonObject): StatusCause[] {
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
      (!Array.isArray(finalizers) ||
        finalizers.some(f => typeof f !== 'string'))
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
  private validateSchema(
    t: ResourceType,
    body: JsonObject,
    version: string,
    opts: WriteOptions,
  ): void {
    if (opts.internal) return;
    const mode = opts.fieldValidation ?? 'Warn';
    const result = validateAndPrune(body, schemaFor(t, version));
    if (result.unknown.length) {
      if (mode === 'Strict') {
        const detail = result.unknown
          .map(u => `unknown field "${u}"`)
          .join(', ');
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

  private prepareSecret(t: ResourceType, obj: JsonObject): void {
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

  /** Creates an object. `body` is in `opts.version` (default storage); the result is in storage version. */
  create(
    t: ResourceType,
    namespace: string | undefined,
    body: JsonObject,
    opts: WriteOptions = {},
  ): JsonObject {
    const version = opts.version ?? storageVersion(t);
    const obj = deepClone(body);
    this.checkBody(t, obj, version, namespace, undefined);
    const m = meta(obj);
    if (
      m.resourceVersion !== undefined &&
      m.resourceVersion !== '' &&
      !opts.internal
    ) {
      throw errors.badRequest(
        'resourceVersion should not be set on objects to be created',
      );
    }
    if (
      (m.name === undefined || m.name === '') &&
      typeof m.generateName === 'string' &&
      m.generateName
    ) {
      m.name = `${m.generateName}${randomSuffix()}`;
    }
    this.validateSchema(t, obj, version, opts);
    const metaCauses = this.validateMeta(t, obj);
    if (metaCauses.length) throw errors.invalid(t, nameOf(obj), metaCauses);
    let stored = this.fromVersion(t, obj, version);
    stored.apiVersion = apiVersionOf(t, storageVersion(t));
    this.checkNamespace(t, namespace);
    const sm = meta(stored);
    const key = objectKey(
      t.namespaced ? namespace : undefined,
      String(sm.name),
    );
    if (this.store.get(t.id, key))
      throw errors.alreadyExists(t, String(sm.name));
    sm.uid = crypto.randomUUID();
    // Internal writers (seeding) may back-date objects.
    if (!opts.internal || typeof sm.creationTimestamp !== 'string') {
      sm.creationTimestamp = timestamp();
    }
    delete sm.deletionTimestamp;
    delete sm.deletionGracePeriodSeconds;
    delete sm.selfLink;
    delete sm.resourceVersion;
    if (!opts.internal) delete sm.managedFields;
    if (opts.managedFields) sm.managedFields = opts.managedFields;
    if (t.custom) sm.generation = 1;
    else delete sm.generation;
    if (t.status && !opts.internal && t.custom) delete stored.status;
    if (t.kind === 'Namespace') {
      const labels = asObject(sm.labels) ?? {};
      labels['kubernetes.io/metadata.name'] = String(sm.name);
      sm.labels = labels;
      stored.spec = { finalizers: ['kubernetes'] };
      stored.status = { phase: 'Active' };
    }
    this.prepareSecret(t, stored);
    applyDefaults(t, stored);
    const causes = validateObject(t, stored, undefined);
    if (causes.length) throw errors.invalid(t, String(sm.name), causes);
    if (opts.fieldManager) {
      trackUpdate(
        undefined,
        stored,
        opts.fieldManager,
        this.shape(t),
        apiVersionOf(t, version),
        'main',
      );
    }
    if (opts.dryRun) return stored;
    this.store.put(t.id, key, stored);
    stored = this.store.get(t.id, key)?.object() ?? stored;
    return stored;
  }

  shape(t: ResourceType, version = storageVersion(t)): Shape {
    return new Shape(schemaFor(t, version));
  }

  /**
   * Replaces an object (PUT). `body` is in `opts.version`; `subresource` `status` only changes status.
   */
  update(
    t: ResourceType,
    namespace: string | undefined,
    name: string,
    body: JsonObject,
    opts: WriteOptions = {},
  ): JsonObject {
    const version = opts.version ?? storageVersion(t);
    const incoming = opts.owned ? body : deepClone(body);
    this.checkBody(t, incoming, version, namespace, name);
    const key = objectKey(t.namespaced ? namespace : undefined, name);
    const entry = this.store.get(t.id, key);
    if (!entry) throw errors.notFound(t, name);
    const rv = meta(incoming).resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== null) {
      if (rv !== String(entry.rv)) throw errors.staleUpdate(t, name);
    } else if (t.custom && !opts.internal) {
      throw errors.invalid(t, name, [
        {
          reason: 'FieldValueInvalid',
          field: 'metadata.resourceVersion',
          message: 'Invalid value: 0x0: must be specified for an update',
        },
      ]);
    }
    this.validateSchema(t, incoming, version, opts);
    return this.replace(t, entry, incoming, version, opts);
  }

  /** Common tail of update, patch and apply: `incoming` is a full versioned object. */
  private replace(
    t: ResourceType,
    entry: Entry,
    incoming: JsonObject,
    version: string,
    opts: WriteOptions,
  ): JsonObject {
    const old = entry.object();
    const oldMeta = meta(old);
    const name = String(oldMeta.name);
    let next = this.fromVersion(t, incoming, version);
    next.apiVersion = apiVersionOf(t, storageVersion(t));
    const status = opts.subresource === 'status';
    if (status) {
      const merged = entry.object();
      merged.status = next.status;
      if (t.kind === 'Namespace') merged.status = next.status ?? old.status;
      next = merged;
    } else {
      const nm = meta(next);
      const metaCauses = this.validateMeta(t, next);
      if (metaCauses.length) throw errors.invalid(t, name, metaCauses);
      for (const f of [
        'uid',
        'creationTimestamp',
        'deletionTimestamp',
        'deletionGracePeriodSeconds',
        'generation',
        'namespace',
      ]) {
        if (oldMeta[f] === undefined) delete nm[f];
        else nm[f] = oldMeta[f];
      }
      if (
        opts.internal &&
        !opts.fieldManager &&
        oldMeta.managedFields !== undefined &&
        nm.managedFields === undefined
      ) {
        nm.managedFields = oldMeta.managedFields;
      }
      if (t.status && !opts.internal) {
        if (old.status === undefined) delete next.status;
        else next.status = old.status;
      }
      if (t.kind === 'Namespace') {
        next.status = old.status;
        if (!opts.internal) next.spec = old.spec;
      }
      this.prepareSecret(t, next);
      applyDefaults(t, next);
      const causes = validateObject(t, next, old);
      if (causes.length) throw errors.invalid(t, name, causes);
      if (oldMeta.deletionTimestamp) {
        const oldFinalizers = Array.isArray(oldMeta.finalizers)
          ? oldMeta.finalizers
          : [];
        const newFinalizers = Array.isArray(nm.finalizers) ? nm.finalizers : [];
        if (newFinalizers.some(f => !oldFinalizers.includes(f))) {
          throw errors.invalid(t, name, [
            {
              reason: 'FieldValueForbidden',
              field: 'metadata.finalizers',
              message:
                'Forbidden: no new finalizers can be added if the object is being deleted',
            },
          ]);
        }
      }
      if (t.custom && !deepEqual(specPart(old), specPart(next))) {
        nm.generation =
          (typeof oldMeta.generation === 'number' ? oldMeta.generation : 1) + 1;
      }
    }
    if (opts.fieldManager) {
      trackUpdate(
        old,
        next,
        opts.fieldManager,
        this.shape(t),
        apiVersionOf(t, version),
        status ? 'status' : 'main',
      );
    }
    return this.commit(t, entry, old, next, opts);
  }

  private commit(
    t: ResourceType,
    entry: Entry,
    old: JsonObject,
    next: JsonObject,
    opts: WriteOptions,
  ): JsonObject {
    const nm = meta(next);
    nm.resourceVersion = String(entry.rv);
    if (sameState(old, next)) return old;
    const finalizersDone =
      nm.deletionTimestamp !== undefined &&
      !hasFinalizers(next) &&
      (t.kind !== 'Namespace' || namespaceSpecFinalizers(next).length === 0);
    if (opts.dryRun) return next;
    if (finalizersDone) {
      return this.store.remove(t.id, entry.key) ?? next;
    }
    this.store.put(t.id, entry.key, next);
    return next;
  }

  /** Applies a patch to the object in `opts.version`. */
  patch(
    t: ResourceType,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patchBody: unknown,
    opts: WriteOptions = {},
  ): JsonObject {
    const version = opts.version ?? storageVersion(t);
    const key = objectKey(t.namespaced ? namespace : undefined, name);
    const entry = this.store.get(t.id, key);
    if (type === 'strategic' && t.custom) {
      throw errors.unsupportedMediaType(
        'application/strategic-merge-patch+json',
        [
          'application/json-patch+json',
          'application/merge-patch+json',
          'application/apply-patch+yaml',
        ],
      );
    }
    if (type === 'apply') {
      return this.apply(t, namespace, name, patchBody, entry, opts);
    }
    if (!entry) throw errors.notFound(t, name);
    const current = this.toVersion(t, entry.object(), version);
    let patched: unknown;
    try {
      if (type === 'json') patched = jsonPatch(current, patchBody);
      else if (type === 'merge') {
        if (!isObject(patchBody))
          throw new PatchError('a merge patch must be a JSON object', true);
        patched = jsonMergePatch(current, patchBody);
      } else {
        if (!isObject(patchBody))
          throw new PatchError(
            'a strategic merge patch must be a JSON object',
            true,
          );
        patched = strategicMergePatch(current, patchBody);
      }
    } catch (e) {
      if (e instanceof PatchError) {
        if (e.malformed) throw errors.badRequest(e.message);
        throw new ApiError(
          422,
          'Invalid',
          `the server rejected our request due to an error in our request: ${e.message}`,
        );
      }
      throw e;
    }
    if (!isObject(patched))
      throw errors.badRequest('the patch did not produce an object');
    const pm = meta(patched);
    const requestedRv = pm.resourceVersion;
    if (
      requestedRv !== undefined &&
      requestedRv !== null &&
      requestedRv !== String(entry.rv)
    ) {
      throw errors.staleUpdate(t, name);
    }
    if (pm.name !== name) {
      throw errors.badRequest(
        `metadata.name: Invalid value: "${String(
          pm.name,
        )}": field is immutable`,
      );
    }
    this.checkBody(t, patched, version, namespace, name);
    this.validateSchema(t, patched, version, opts);
    return this.replace(t, entry, patched, version, opts);
  }

  private apply(
    t: ResourceType,
    namespace: string | undefined,
    name: string,
    config: unknown,
    entry: Entry | undefined,
    opts: WriteOptions,
  ): JsonObject {
    const version = opts.version ?? storageVersion(t);
    if (!isObject(config))
      throw errors.badRequest('the apply configuration must be an object');
    if (!opts.fieldManager)
      throw errors.badRequest(
        'PATCH /apply: fieldManager must be set for apply requests',
      );
    const applied = deepClone(config);
    this.checkBody(t, applied, version, namespace, name);
    const am = meta(applied);
    delete am.managedFields;
    this.validateSchema(t, applied, version, opts);
    const part = opts.subresource === 'status' ? 'status' : 'main';
    const shape = this.shape(t, version);
    if (!entry) {
      if (part === 'status') throw errors.notFound(t, name);
      const created = serverSideApply(
        undefined,
        applied,
        opts.fieldManager,
        true,
        shape,
        apiVersionOf(t, version),
        part,
      );
      const managed = asArray(meta(created).managedFields)?.filter(isObject);
      return this.create(t, namespace, created, {
        ...opts,
        fieldManager: undefined,
        fieldValidation: 'Ignore',
        managedFields: managed,
      });
    }
    const requestedRv = am.resourceVersion;
    if (
      requestedRv !== undefined &&
      requestedRv !== null &&
      requestedRv !== String(entry.rv)
    ) {
      throw errors.staleUpdate(t, name);
    }
    const live = this.toVersion(t, entry.object(), version);
    const merged = serverSideApply(
      live,
      applied,
      opts.fieldManager,
      Boolean(opts.force),
      shape,
      apiVersionOf(t, version),
      part,
    );
    return this.replace(t, entry, merged, version, {
      ...opts,
      fieldManager: undefined,
    });
  }

  /** Deletes an object, honouring finalizers and the propagation policy. */
  delete(
    t: ResourceType,
    namespace: string | undefined,
    name: string,
    opts: DeleteOptions = {},
  ): DeleteResult {
    const key = objectKey(t.namespaced ? namespace : undefined, name);
    const entry = this.store.get(t.id, key);
    if (!entry) throw errors.notFound(t, name);
    const obj = entry.object();
    const m = meta(obj);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== m.uid) {
      throw errors.conflict(
        t,
        name,
        `Precondition failed: UID in precondition: ${
          pre.uid
        }, UID in object meta: ${String(m.uid)}`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== m.resourceVersion) {
      throw errors.conflict(
        t,
        name,
        `Precondition failed: ResourceVersion in precondition: ${
          pre.resourceVersion
        }, ResourceVersion in object meta: ${String(m.resourceVersion)}`,
      );
    }
    const policy = opts.propagationPolicy ?? 'Background';
    const finalizers = Array.isArray(m.finalizers)
      ? m.finalizers.filter((f): f is string => typeof f === 'string')
      : [];
    const next = deepClone(obj);
    const nm = meta(next);
    const nextFinalizers = [...finalizers];
    if (
      policy === 'Foreground' &&
      !nextFinalizers.includes('foregroundDeletion')
    ) {
      if (this.store.dependents(String(m.uid)).length > 0)
        nextFinalizers.push('foregroundDeletion');
    }
    if (policy === 'Orphan' && !nextFinalizers.includes('orphan')) {
      if (this.store.dependents(String(m.uid)).length > 0)
        nextFinalizers.push('orphan');
    }
    const isNamespace = t.kind === 'Namespace';
    if (
      nextFinalizers.length === 0 &&
      !(isNamespace && namespaceSpecFinalizers(obj).length > 0)
    ) {
      if (opts.dryRun) return { object: obj, deleted: true };
      const last = this.store.remove(t.id, key) ?? obj;
      return { object: last, deleted: true };
    }
    if (m.deletionTimestamp) {
      if (!deepEqual(finalizers, nextFinalizers)) {
        nm.finalizers = nextFinalizers;
        return {
          object: this.commit(t, entry, obj, next, opts),
          deleted: false,
        };
      }
      return { object: obj, deleted: false };
    }
    nm.deletionTimestamp = timestamp();
    nm.deletionGracePeriodSeconds = 0;
    if (nextFinalizers.length) nm.finalizers = nextFinalizers;
    if (t.custom)
      nm.generation = (typeof m.generation === 'number' ? m.generation : 1) + 1;
    if (isNamespace)
      next.status = { ...(asObject(next.status) ?? {}), phase: 'Terminating' };
    return { object: this.commit(t, entry, obj, next, opts), deleted: false };
  }

  /** Lists objects (storage-version texts) with selectors, paging and resourceVersion semantics. */
  list(t: ResourceType, opts: ListOptions = {}): ListResult {
    const collection = this.store.collection(t.id);
    const current = this.store.currentRv;
    let listRv = current;
    let start = '';
    if (opts.continueToken) {
      if (opts.resourceVersion && opts.resourceVersion !== '0') {
        throw errors.badRequest(
          'specifying resource version is not allowed when using continue',
        );
      }
      const token = decodeContinue(opts.continueToken);
      if (token.rv < this.store.compactedRv || token.rv > current) {
        throw errors.gone(
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
        );
      }
      listRv = token.rv;
      start = token.start;
    } else if (opts.resourceVersion && opts.resourceVersion !== '0') {
      const rv = parseResourceVersion(opts.resourceVersion);
      if (rv > current) {
        throw new ApiError(
          504,
          'Timeout',
          `Timeout: Too large resource version: ${rv}, current: ${current}`,
          {
            causes: [
              {
                reason: 'ResourceVersionTooLarge',
                message: 'Too large resource version',
              },
            ],
            retryAfterSeconds: 1,
          },
        );
      }
      if (opts.resourceVersionMatch === 'Exact') {
        if (rv < this.store.compactedRv)
          throw errors.gone(
            `The resourceVersion for the provided list is too old.`,
          );
        listRv = rv;
      }
    } else if (
      opts.resourceVersionMatch &&
      opts.resourceVersionMatch !== 'NotOlderThan'
    ) {
      throw errors.badRequest(
        `resourceVersionMatch "${opts.resourceVersionMatch}" is forbidden for resourceVersion ""`,
      );
    }

    const namespace = t.namespaced ? opts.namespace : undefined;
    const prefix = namespace ? `${namespace}/` : '';
    const labelSelector = opts.labelSelector ?? LabelSelector.everything;
    const fieldSelector = opts.fieldSelector ?? FieldSelector.everything;
    const limit = opts.limit && opts.limit > 0 ? opts.limit : undefined;

    let changes: Map<string, StoreEvent> | undefined;
    if (listRv < current) {
      const events = this.store.eventsSince(listRv);
      if (!events) {
        throw errors.gone(
          'The provided continue parameter is too old to display a consistent list result.',
        );
      }
      for (const e of events) {
        if (e.collection !== collection) continue;
        changes ??= new Map();
        if (!changes.has(e.key)) changes.set(e.key, e);
      }
    }

    let keys: string[];
    const nameEq = fieldSelector.equalityValue('metadata.name');
    const indexed = changes
      ? undefined
      : labelSelector.requirements
          .filter(
            r => r.op === 'eq' || (r.op === 'in' && r.values.length === 1),
          )
          .map(r => collection.keysWithLabel(r.key, namespace, r.values[0]))
          .find(k => k !== undefined);
    if (nameEq !== undefined && (namespace !== undefined || !t.namespaced)) {
      keys = [objectKey(namespace, nameEq)];
    } else if (indexed) {
      keys = indexed;
    } else {
      keys = collection.sortedKeys();
    }
    const gone: string[] = [];
    if (changes) {
      for (const [k, e] of changes) {
        if (
          e.type !== 'ADDED' &&
          !collection.entries.has(k) &&
          (nameEq === undefined || k === objectKey(namespace, nameEq))
        )
          gone.push(k);
      }
      gone.sort();
    }
    const from = start > prefix ? start : prefix;
    let i = lowerBound(keys, from);
    let j = lowerBound(gone, from);
    const texts: string[] = [];
    let lastKey: string | undefined;
    let more = false;
    const needsObjectFields = fieldSelector.requirements.some(
      r => r.field !== 'metadata.name' && r.field !== 'metadata.namespace',
    );
    for (;;) {
      let key: string;
      if (i < keys.length && (j >= gone.length || keys[i] <= gone[j])) {
        key = keys[i++];
        if (j < gone.length && gone[j] === key) j++;
      } else if (j < gone.length) {
        key = gone[j++];
      } else {
        break;
      }
      if (prefix && !key.startsWith(prefix)) break;
      if (limit !== undefined && texts.length >= limit) {
        more = true;
        break;
      }
      let text: string | undefined;
      let labels;
      const change = changes?.get(key);
      if (change) {
        if (change.type === 'ADDED' || !change.prev) continue;
        labels = change.prevLabels;
        if (!labelSelector.matches(labels)) continue;
        text = snapshotText(change.prev);
      } else {
        const entry = collection.entries.get(key);
        if (!entry) continue;
        labels = entry.labels;
        if (!labelSelector.matches(labels)) continue;
      }
      const slash = key.indexOf('/');
      const ns = slash < 0 ? '' : key.slice(0, slash);
      const nm = slash < 0 ? key : key.slice(slash + 1);
      if (!fieldSelector.empty) {
        let parsed: JsonObject | undefined;
        const ok = fieldSelector.matches(field => {
          if (field === 'metadata.name') return nm;
          if (field === 'metadata.namespace') return ns;
          if (!needsObjectFields) return undefined;
          if (!parsed) {
            parsed = text
              ? JSON.parse(text)
              : collection.entries.get(key)?.object();
          }
          return parsed ? t.fields?.[field]?.(parsed) : undefined;
        });
        if (!ok) continue;
      }
      texts.push(text ?? collection.entries.get(key)?.text() ?? '{}');
      lastKey = key;
    }
    const result: ListResult = { texts, resourceVersion: String(listRv) };
    if (more && lastKey !== undefined) {
      result.continueToken = encodeContinue({
        rv: listRv,
        start: `${lastKey}\u0000`,
      });
      if (labelSelector.empty && fieldSelector.empty) {
        let remaining = gone.length - j;
        const end = prefix
          ? lowerBound(keys, `${prefix.slice(0, -1)}0`)
          : keys.length;
        remaining += Math.max(0, end - i) + 1;
        result.remainingItemCount = remaining;
      }
    }
    return result;
  }
}
