import { ApiServer } from './apiserver';
import { ApiError } from './errors';
import { StoreEvent } from '../store/store';
import { JsonObject, asObject, isObject } from '../util/json';

interface Ref {
  typeId: string;
  key: string;
}

function parseMeta(json: string): JsonObject {
  try {
    const obj: unknown = JSON.parse(json);
    return isObject(obj) && isObject(obj.metadata) ? obj.metadata : {};
  } catch {
    return {};
  }
}

function finalizersOf(m: JsonObject): string[] {
  return Array.isArray(m.finalizers)
    ? m.finalizers.filter((f): f is string => typeof f === 'string')
    : [];
}

function ownerUids(m: JsonObject): string[] {
  const refs = Array.isArray(m.ownerReferences) ? m.ownerReferences : [];
  return refs.flatMap(r =>
    isObject(r) && typeof r.uid === 'string' ? [r.uid] : [],
  );
}

/**
 * The controllers every API server has: the garbage collector (background, foreground and
 * orphan propagation through ownerReferences) and namespace termination.
 */
export class KubeControllers {
  private readonly work = new Map<string, () => void>();
  private scheduled = false;
  private readonly foreground = new Map<string, Ref>();
  private readonly terminating = new Set<string>();
  private stopped = false;
  private readonly unsubscribe: () => void;

  constructor(private readonly api: ApiServer) {
    this.unsubscribe = api.store.subscribe(e => this.onEvent(e));
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
  }

  private enqueue(key: string, fn: () => void): void {
    if (this.stopped) return;
    this.work.set(key, fn);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  }

  private drain(): void {
    this.scheduled = false;
    let budget = 2000;
    while (this.work.size && budget-- > 0 && !this.stopped) {
      const [key, fn] = this.work.entries().next().value as [
        string,
        () => void,
      ];
      this.work.delete(key);
      try {
        fn();
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
      }
    }
    if (this.work.size && !this.scheduled && !this.stopped) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  }

  private onEvent(e: StoreEvent): void {
    const typeId = e.collection.type.id;
    if (e.type === 'DELETED') {
      const m = parseMeta(e.json);
      const uid = typeof m.uid === 'string' ? m.uid : undefined;
      if (uid) {
        this.foreground.delete(uid);
        if (this.api.store.dependents(uid).length) {
          this.enqueue(`gc:${uid}`, () => this.collect(uid));
        }
      }
      for (const owner of ownerUids(m)) {
        const ref = this.foreground.get(owner);
        if (ref)
          this.enqueue(`fg:${ref.typeId}:${ref.key}`, () =>
            this.finishForeground(ref),
          );
      }
      const ns = e.key.includes('/')
        ? e.key.slice(0, e.key.indexOf('/'))
        : undefined;
      if (ns && this.terminating.has(ns))
        this.enqueue(`ns:${ns}`, () => this.finishNamespace(ns));
      if (typeId === 'core/namespaces') this.terminating.delete(e.key);
      return;
    }
    if (!e.json.includes('"deletionTimestamp"')) return;
    const m = parseMeta(e.json);
    if (!m.deletionTimestamp) return;
    const ref = { typeId, key: e.key };
    const finalizers = finalizersOf(m);
    if (typeId === 'core/namespaces') {
      this.terminating.add(e.key);
      this.enqueue(`ns:${e.key}`, () => this.finishNamespace(e.key));
    }
    if (
      finalizers.includes('foregroundDeletion') &&
      typeof m.uid === 'string'
    ) {
      this.foreground.set(m.uid, ref);
      this.enqueue(`fg:${typeId}:${e.key}`, () => this.finishForeground(ref));
    }
    if (finalizers.includes('orphan')) {
      this.enqueue(`orphan:${typeId}:${e.key}`, () => this.orphan(ref));
    }
  }

  private splitKey(key: string): { namespace?: string; name: string } {
    const slash = key.indexOf('/');
    return slash < 0
      ? { name: key }
      : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
  }

  /** Background collection of the dependents of a deleted owner. */
  private collect(uid: string): void {
    for (const dep of this.api.store.dependents(uid)) {
      const t = this.api.type(dep.collection.type.id);
      const { namespace, name } = this.splitKey(dep.key);
      const obj = dep.object();
      const m = asObject(obj.metadata) ?? {};
      const refs = Array.isArray(m.ownerReferences) ? m.ownerReferences : [];
      const remaining = refs.filter(r => !(isObject(r) && r.uid === uid));
      if (remaining.length === 0) {
        if (!m.deletionTimestamp)
          this.api.delete(t, namespace, name, {
            propagationPolicy: 'Background',
            internal: true,
          });
      } else {
        m.ownerReferences = remaining;
        this.api.update(t, namespace, name, obj, {
          internal: true,
          version: undefined,
        });
      }
    }
  }

  private finishForeground(ref: Ref): void {
    const entry = this.api.store.get(ref.typeId, ref.key);
    if (!entry) return;
    const t = this.api.type(entry.collection.type.id);
    const obj = entry.object();
    const m = asObject(obj.metadata) ?? {};
    if (!m.deletionTimestamp || !finalizersOf(m).includes('foregroundDeletion'))
      return;
    const uid = String(m.uid);
    let blocking = 0;
    for (const dep of this.api.store.dependents(uid)) {
      const depObj = dep.object();
      const dm = asObject(depObj.metadata) ?? {};
      const refs = Array.isArray(dm.ownerReferences) ? dm.ownerReferences : [];
      const blocks = refs.some(
        r => isObject(r) && r.uid === uid && r.blockOwnerDeletion === true,
      );
      if (blocks) blocking++;
      if (!dm.deletionTimestamp) {
        const { namespace, name } = this.splitKey(dep.key);
        this.api.delete(
          this.api.type(dep.collection.type.id),
          namespace,
          name,
          {
            propagationPolicy: 'Foreground',
            internal: true,
          },
        );
      }
    }
    if (blocking === 0) {
      m.finalizers = finalizersOf(m).filter(f => f !== 'foregroundDeletion');
      const { namespace, name } = this.splitKey(ref.key);
      this.api.update(t, namespace, name, obj, { internal: true });
    }
  }

  private orphan(ref: Ref): void {
    const entry = this.api.store.get(ref.typeId, ref.key);
    if (!entry) return;
    const obj = entry.object();
    const m = asObject(obj.metadata) ?? {};
    if (!finalizersOf(m).includes('orphan')) return;
    const uid = String(m.uid);
    for (const dep of this.api.store.dependents(uid)) {
      const depObj = dep.object();
      const dm = asObject(depObj.metadata) ?? {};
      const refs = Array.isArray(dm.ownerReferences) ? dm.ownerReferences : [];
      dm.ownerReferences = refs.filter(r => !(isObject(r) && r.uid === uid));
      if (Array.isArray(dm.ownerReferences) && dm.ownerReferences.length === 0)
        delete dm.ownerReferences;
      const { namespace, name } = this.splitKey(dep.key);
      this.api.update(
        this.api.type(dep.collection.type.id),
        namespace,
        name,
        depObj,
        {
          internal: true,
        },
      );
    }
    m.finalizers = finalizersOf(m).filter(f => f !== 'orphan');
    const { namespace, name } = this.splitKey(ref.key);
    this.api.update(
      this.api.type(entry.collection.type.id),
      namespace,
      name,
      obj,
      {
        internal: true,
      },
    );
  }

  private finishNamespace(ns: string): void {
    const nsEntry = this.api.store.get('core/namespaces', ns);
    if (!nsEntry) {
      this.terminating.delete(ns);
      return;
    }
    let remaining = 0;
    const prefix = `${ns}/`;
    for (const collection of this.api.store.allCollections()) {
      if (!collection.type.namespaced) continue;
      for (const [key, entry] of collection.entries) {
        if (!key.startsWith(prefix)) continue;
        remaining++;
        const obj = entry.object();
        if (!asObject(obj.metadata)?.deletionTimestamp) {
          this.api.delete(
            this.api.type(collection.type.id),
            ns,
            key.slice(prefix.length),
            {
              propagationPolicy: 'Background',
              internal: true,
            },
          );
        }
      }
    }
    if (remaining === 0) {
      const obj = nsEntry.object();
      obj.spec = { ...(asObject(obj.spec) ?? {}), finalizers: [] };
      this.api.update(
        this.api.type(nsEntry.collection.type.id),
        undefined,
        ns,
        obj,
        {
          internal: true,
        },
      );
    }
  }
}
