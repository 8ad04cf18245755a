/**
 * What every reconciler shares: the management cluster's API server and store, the work queue, the timers of
 * simulated steps, the flavors and addresses handed out, and the helpers that read and write objects as a
 * controller does (internal writes that own the fields they set).
 */
import { ApiServer, DeleteOptions } from '../api/apiserver';
import { ApiError } from '../api/errors';
import { ResourceType } from '../api/registry';
import { Flavor, KindRef, flavorOfKinds } from '../capi/distributions';
import { LABELS, TYPE_IDS, ts } from '../capi/kinds';
import { defaultRegion } from '../capi/infrastructure';
import type { FaultRegistry } from '../faults/faults';
import { Entry, objectKey } from '../store/store';
import {
  JsonObject,
  asArray,
  asObject,
  deepEqual,
  isObject,
} from '../util/json';
import { Random } from '../util/random';
import { WorkQueue } from './queue';
import { finalizersOf, labelsOf, meta, str } from './read';

export interface ControllerOptions {
  management: string;
  stepMs: number;
  faults: FaultRegistry;
  random: Random;
  /** Called once a cluster's control plane is initialized: registers the workload cluster, returns its kubeconfig. */
  workloadReady(namespace: string, name: string, flavor: Flavor): string;
  workloadGone(namespace: string, name: string): void;
}

/** Parsed objects kept for reading (Clusters, mostly). */
const READ_CACHE_SIZE = 512;

export class ControllerContext {
  private readonly readCache = new Map<
    Entry,
    { rv: number; obj: JsonObject }
  >();
  private readonly since = new Map<string, number>();
  /** Flavors of clusters by `namespace/name`, once both their kinds are known. */
  readonly flavors = new Map<string, Flavor>();
  /** Machines (`namespace/name`) whose Node the load driver marked unhealthy. */
  readonly unhealthy = new Set<string>();
  /** Addresses handed out so far. */
  ipCounter = 0;
  private eventCount = 0;

  constructor(
    readonly api: ApiServer,
    readonly options: ControllerOptions,
    private readonly queue: WorkQueue,
  ) {}

  /** Queues an object to be reconciled in `delayMs`. */
  enqueue(typeId: string, key: string, delayMs: number): void {
    this.queue.add(typeId, key, delayMs);
  }

  get stepMs(): number {
    return this.options.stepMs;
  }

  /** Milliseconds since `key` was first observed (or `fallback`). */
  elapsed(key: string, fallback?: number): number {
    let t = this.since.get(key);
    if (t === undefined) {
      t = fallback ?? Date.now();
      this.since.set(key, t);
    }
    return Date.now() - t;
  }

  /** Notes that `key` (a phase of an object) started at `at`. */
  mark(key: string, at = Date.now()): void {
    this.since.set(key, at);
  }

  /** Forgets the phase times of an object that is gone. */
  forget(uid: string): void {
    for (const k of this.since.keys())
      if (k.startsWith(uid)) this.since.delete(k);
  }

  /** True while `steps` steps have not passed yet; the object is then queued for when they have. */
  waitStep(typeId: string, key: string, elapsed: number, steps = 1): boolean {
    const remaining = steps * this.stepMs - elapsed;
    if (remaining > 0) {
      this.enqueue(typeId, key, remaining);
      return true;
    }
    return false;
  }

  private internal(extra: DeleteOptions = {}): DeleteOptions {
    return { internal: true, ...extra };
  }

  /**
   * The current object for reading only (callers must not change it): parsed once per resourceVersion and kept
   * in a small bounded cache, so reconciles of many Machines of one cluster do not re-parse the Cluster.
   */
  peek(typeId: string, ns: string, name: string): JsonObject | undefined {
    const entry = this.api.store.get(typeId, objectKey(ns, name));
    if (!entry) return undefined;
    const hit = this.readCache.get(entry);
    if (hit && hit.rv === entry.rv) return hit.obj;
    const obj = entry.object();
    if (hit) this.readCache.delete(entry);
    else if (this.readCache.size >= READ_CACHE_SIZE) {
      const oldest = this.readCache.keys().next();
      if (!oldest.done) this.readCache.delete(oldest.value);
    }
    this.readCache.set(entry, { rv: entry.rv, obj });
    return obj;
  }

  /**
   * Whether the Cluster API controllers leave an object alone: it carries the `cluster.x-k8s.io/paused`
   * annotation, or its Cluster has `spec.paused` (or that annotation).
   */
  isPaused(typeId: string, ns: string, name: string): boolean {
    const entry = this.api.store.get(typeId, objectKey(ns, name));
    if (!entry) return false;
    // Most reconciles are of objects that are not paused: their stored text says so without parsing it.
    let clusterName = entry.labels?.[LABELS.clusterName];
    if (mayBePaused(entry, false) || clusterName === undefined) {
      const obj = this.peek(typeId, ns, name);
      if (!obj) return false;
      if (hasPausedAnnotation(obj)) return true;
      clusterName =
        labelsOf(obj)[LABELS.clusterName] ??
        str(asObject(obj.spec)?.clusterName);
    }
    if (!clusterName) return false;
    const clusterEntry = this.api.store.get(
      TYPE_IDS.cluster,
      objectKey(ns, clusterName),
    );
    if (!clusterEntry || !mayBePaused(clusterEntry, true)) return false;
    const cluster = this.peek(TYPE_IDS.cluster, ns, clusterName);
    return cluster !== undefined && isPausedCluster(cluster);
  }

  get(typeId: string, ns: string, name: string): JsonObject | undefined {
    return this.api.store.get(typeId, objectKey(ns, name))?.object();
  }

  typeOfRef(ref: JsonObject | undefined): ResourceType | undefined {
    if (!ref) return undefined;
    const group =
      str(ref.apiGroup) ??
      (str(ref.apiVersion)?.includes('/')
        ? str(ref.apiVersion)?.split('/')[0]
        : undefined) ??
      '';
    return this.api.registry.byKind(group, String(ref.kind ?? ''));
  }

  typeOf(kind: KindRef): ResourceType | undefined {
    return this.api.registry.byKind(kind.group, kind.kind);
  }

  /** Writes `status` (the object is the caller's fresh copy and is consumed). */
  writeStatus(t: ResourceType, obj: JsonObject, status: JsonObject): void {
    const m = meta(obj);
    if (deepEqual(obj.status, status)) return;
    obj.status = status;
    delete m.resourceVersion;
    this.api.update(
      t,
      str(m.namespace),
      String(m.name),
      obj,
      this.internal({ subresource: 'status', owned: true }),
    );
  }

  /** Writes the object's spec and metadata (the object is the caller's fresh copy and is consumed). */
  writeMain(t: ResourceType, obj: JsonObject): void {
    const m = meta(obj);
    delete m.resourceVersion;
    this.api.update(
      t,
      str(m.namespace),
      String(m.name),
      obj,
      this.internal({ owned: true }),
    );
  }

  create(t: ResourceType, obj: JsonObject): JsonObject | undefined {
    const m = meta(obj);
    try {
      return this.api.create(t, str(m.namespace), obj, this.internal());
    } catch (e) {
      if (e instanceof ApiError && e.code === 409) return undefined;
      throw e;
    }
  }

  remove(t: ResourceType, ns: string, name: string): void {
    try {
      this.api.delete(
        t,
        ns,
        name,
        this.internal({ propagationPolicy: 'Background' }),
      );
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 404)) throw e;
    }
  }

  /** Adds a finalizer; returns true when it wrote (the object changes). */
  ensureFinalizer(
    t: ResourceType,
    obj: JsonObject,
    finalizer: string,
  ): boolean {
    const f = finalizersOf(obj);
    if (f.includes(finalizer)) return false;
    meta(obj).finalizers = [...f, finalizer];
    this.writeMain(t, obj);
    return true;
  }

  removeFinalizer(t: ResourceType, obj: JsonObject, finalizer: string): void {
    const f = finalizersOf(obj);
    if (!f.includes(finalizer)) return;
    meta(obj).finalizers = f.filter(x => x !== finalizer);
    this.writeMain(t, obj);
  }

  dependents(obj: JsonObject, typeId: string): JsonObject[] {
    const uid = str(meta(obj).uid);
    if (!uid) return [];
    return this.api.store
      .dependents(uid)
      .filter(e => e.collection.type.id === typeId)
      .map(e => e.object());
  }

  listByCluster(typeId: string, ns: string, cluster: string): JsonObject[] {
    const c = this.api.store.collection(typeId);
    const out: JsonObject[] = [];
    for (const key of c.keysWithLabel(LABELS.clusterName, ns, cluster) ?? []) {
      const e = c.entries.get(key);
      if (e) out.push(e.object());
    }
    return out;
  }

  clusterFlavor(ns: string, name: string): Flavor {
    const key = objectKey(ns, name);
    const cached = this.flavors.get(key);
    if (cached) return cached;
    const cluster = this.peek(TYPE_IDS.cluster, ns, name);
    const spec = asObject(cluster?.spec);
    let cpKind = str(asObject(spec?.controlPlaneRef)?.kind);
    let infraKind = str(asObject(spec?.infrastructureRef)?.kind);
    const classRef = asObject(asObject(spec?.topology)?.classRef);
    if ((!cpKind || !infraKind) && classRef) {
      const cc = this.get(
        TYPE_IDS.clusterClass,
        str(classRef.namespace) ?? ns,
        String(classRef.name),
      );
      const ccSpec = asObject(cc?.spec);
      cpKind ??= str(
        asObject(asObject(ccSpec?.controlPlane)?.templateRef)?.kind,
      )?.replace(/Template$/, '');
      infraKind ??= str(
        asObject(asObject(ccSpec?.infrastructure)?.templateRef)?.kind,
      )?.replace(/Template$/, '');
    }
    const f = flavorOfKinds(cpKind, infraKind);
    if (cpKind && infraKind) this.flavors.set(key, f);
    return f;
  }

  workloadId(ns: string, name: string): string {
    return `${this.options.management}/${ns}/${name}`;
  }

  nextIp(): string {
    this.ipCounter++;
    const n = this.ipCounter;
    return `10.${200 + ((n >> 16) & 31)}.${(n >> 8) & 255}.${n & 255}`;
  }

  region(cluster: JsonObject | undefined, flavor: Flavor): string {
    const labels = cluster ? labelsOf(cluster) : {};
    const vars =
      asArray(asObject(asObject(cluster?.spec)?.topology)?.variables) ?? [];
    const v = vars.find(x => isObject(x) && x.name === 'region');
    const fromVar = isObject(v) ? str(v.value) : undefined;
    return fromVar ?? labels[LABELS.region] ?? defaultRegion(flavor);
  }
  recordEvent(
    involved: JsonObject,
    type: string,
    reason: string,
    message: string,
  ): void {
    const m = meta(involved);
    const ns = str(m.namespace);
    if (!ns) return;
    const eventType = this.api.type(TYPE_IDS.event);
    const now = ts(Date.now());
    this.eventCount++;
    const name = `${String(m.name)}.${(
      Date.now() * 1000 +
      (this.eventCount % 1000)
    ).toString(16)}`;
    this.create(eventType, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: ns },
      involvedObject: {
        apiVersion: str(involved.apiVersion),
        kind: str(involved.kind),
        name: str(m.name),
        namespace: ns,
        uid: str(m.uid),
      },
      reason,
      message,
      type,
      source: { component: 'capi-controller-manager' },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      reportingComponent: 'capi-controller-manager',
      reportingInstance: 'capi-controller-manager-0',
    });
    const events = this.api.store.collection(TYPE_IDS.event);
    if (events.entries.size > 2000) {
      let oldest: string | undefined;
      let oldestRv = Infinity;
      for (const [k, e] of events.entries) {
        if (e.rv < oldestRv) {
          oldestRv = e.rv;
          oldest = k;
        }
      }
      if (oldest) this.api.store.remove(TYPE_IDS.event, oldest);
    }
  }
}

/** The annotation that pauses one object for the Cluster API controllers. */
export const PAUSED_ANNOTATION = 'cluster.x-k8s.io/paused';

function hasPausedAnnotation(obj: JsonObject): boolean {
  const annotations = asObject(asObject(obj.metadata)?.annotations);
  return annotations !== undefined && PAUSED_ANNOTATION in annotations;
}

/**
 * False when the stored text of an object shows it carries neither the paused annotation nor (for a Cluster)
 * `"paused":true`; true when it may (or when the object has not been built yet), and must then be read.
 */
function mayBePaused(entry: Entry, cluster: boolean): boolean {
  const text = entry.json;
  if (text === undefined) return true;
  return (
    text.includes(PAUSED_ANNOTATION) ||
    (cluster && text.includes('"paused":true'))
  );
}

/** Whether a Cluster is paused: `spec.paused`, or the paused annotation. */
export function isPausedCluster(cluster: JsonObject): boolean {
  return (
    asObject(cluster.spec)?.paused === true || hasPausedAnnotation(cluster)
  );
}
