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
import { ApiError, errors } from './errors';
import { customResourceDefinition } from './crds';
import {
  CRD_TYPE_ID,
  ResourceRegistry,
  ResourceType,
  apiVersionOf,
  storageVersion,
} from './registry';
import { schemaFor } from './schema';
import { Entry, ObjectStore, objectKey } from '../store/store';
import {
  JsonObject,
  asArray,
  asObject,
  deepClone,
  deepEqual,
  isObject,
} from '../util/json';
import { applyPatch } from './patches';
import {
  DeleteOptions,
  DeleteResult,
  PatchType,
  WriteOptions,
} from './writeOptions';
import { randomSuffix, sameState, specPart, timestamp } from './objectState';

export { randomSuffix, timestamp } from './objectState';
import { ListOptions, ListResult, listStored } from './list';
import {
  checkBody,
  meta,
  nameOf,
  prepareSecret,
  validateMeta,
  validateSchema,
} from './validation';

export type { ContinueToken, ListOptions, ListResult } from './list';
export { decodeContinue, encodeContinue, parseResourceVersion } from './list';

export type {
  DeleteOptions,
  DeleteResult,
  FieldValidation,
  PatchType,
  PropagationPolicy,
  WriteOptions,
} from './writeOptions';

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

  /** Creates an object. `body` is in `opts.version` (default storage); the result is in storage version. */
  create(
    t: ResourceType,
    namespace: string | undefined,
    body: JsonObject,
    opts: WriteOptions = {},
  ): JsonObject {
    const version = opts.version ?? storageVersion(t);
    const obj = deepClone(body);
    checkBody(t, obj, version, namespace, undefined);
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
    validateSchema(t, obj, version, opts);
    const metaCauses = validateMeta(t, obj);
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
    prepareSecret(t, stored);
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
    checkBody(t, incoming, version, namespace, name);
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
    validateSchema(t, incoming, version, opts);
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
      const metaCauses = validateMeta(t, next);
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
      prepareSecret(t, next);
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
    const patched = applyPatch(current, type, patchBody);
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
    checkBody(t, patched, version, namespace, name);
    validateSchema(t, patched, version, opts);
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
    checkBody(t, applied, version, namespace, name);
    const am = meta(applied);
    delete am.managedFields;
    // typed and pruned as given; fields it lacks may be required of the object it makes, checked below
    validateSchema(t, applied, version, opts, entry !== undefined);
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
    // a configuration may name a part of the object (the status alone): the object it makes has every required field
    validateSchema(t, merged, version, { ...opts, fieldValidation: 'Ignore' });
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
    return listStored(this.store, t, opts);
  }
}
