import crypto from 'node:crypto';
import { ApiServer, DeleteOptions } from '../api/apiserver';
import { ApiError } from '../api/errors';
import { ResourceType } from '../api/registry';
import { labelSelectorString } from '../api/selectors';
import {
  Flavor,
  KindRef,
  controlPlaneVersion,
  flavorOfKinds,
  kubeVersionOf,
  zoneOf,
} from '../capi/distributions';
import { clusterStatus } from '../capi/cluster';
import { Counts, ZERO, addCounts } from '../capi/conditions';
import { controlPlaneObject, controlPlaneStatus } from '../capi/controlPlane';
import {
  defaultRegion,
  infraClusterObject,
  infraStatus,
} from '../capi/infrastructure';
import {
  CAPI_VERSION,
  FINALIZERS,
  LABELS,
  TYPE_IDS,
  clusterOwner,
  objectMeta,
  ownerRef,
  ts,
} from '../capi/kinds';
import {
  MachinePhase,
  bootstrapConfigKind,
  infraMachineKind,
  infraMachineObject,
  machineObject,
  machineStatus,
  nodeNameFor,
  providerId,
} from '../capi/machine';
import {
  machineDeploymentObject,
  machineSetObject,
  replicaStatus,
} from '../capi/workers';
import type { FaultRegistry } from '../sim/faults';
import { Entry, StoreEvent, objectKey } from '../store/store';
import {
  JsonObject,
  asArray,
  asObject,
  deepClone,
  deepEqual,
  isObject,
} from '../util/json';
import { Random } from '../util/random';

export interface ControllerOptions {
  management: string;
  stepMs: number;
  faults: FaultRegistry;
  random: Random;
  /** Called once a cluster's control plane is initialized: registers the workload cluster, returns its kubeconfig. */
  workloadReady(namespace: string, name: string, flavor: Flavor): string;
  workloadGone(namespace: string, name: string): void;
}

type Reconciler = (namespace: string, name: string) => void;

/** Where the simulator keeps the address it assigned to a machine it created. */
export const IP_ANNOTATION = 'fleet-sim.shipyard.io/ip';

const CONTROL_PLANE_KINDS = new Set([
  'KubeadmControlPlane',
  'KThreesControlPlane',
  'RKE2ControlPlane',
  'K0sControlPlane',
  'AWSManagedControlPlane',
  'ROSAControlPlane',
  'AzureManagedControlPlane',
  'GCPManagedControlPlane',
]);

const INFRA_CLUSTER_KINDS = new Set([
  'DevCluster',
  'DockerCluster',
  'AWSCluster',
  'AWSManagedCluster',
  'ROSACluster',
  'AzureManagedCluster',
  'GCPManagedCluster',
]);

function meta(obj: JsonObject): JsonObject {
  const m = asObject(obj.metadata);
  if (m) return m;
  const created: JsonObject = {};
  obj.metadata = created;
  return created;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function labelsOf(obj: JsonObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(asObject(meta(obj).labels) ?? {}))
    if (typeof v === 'string') out[k] = v;
  return out;
}

function finalizersOf(obj: JsonObject): string[] {
  const f = meta(obj).finalizers;
  return Array.isArray(f)
    ? f.filter((x): x is string => typeof x === 'string')
    : [];
}

function condTrue(obj: JsonObject | undefined, type: string): boolean {
  for (const c of asArray(asObject(obj?.status)?.conditions) ?? []) {
    if (isObject(c) && c.type === type) return c.status === 'True';
  }
  return false;
}

function num(v: unknown, fallback = 0): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

function creationMs(obj: JsonObject): number {
  const t = Date.parse(String(meta(obj).creationTimestamp ?? ''));
  return Number.isNaN(t) ? Date.now() : t;
}

function ownerName(obj: JsonObject, kind: string): string | undefined {
  for (const r of asArray(meta(obj).ownerReferences) ?? []) {
    if (isObject(r) && r.kind === kind && typeof r.name === 'string')
      return r.name;
  }
  return undefined;
}

function hashOf(value: unknown): string {
  const h = crypto.createHash('sha1').update(JSON.stringify(value)).digest();
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let out = '';
  for (let i = 0; i < 10; i++) out += alphabet[h[i] % alphabet.length];
  return out;
}

/**
 * Simulates the Cluster API controllers of one management cluster: topology, control planes,
 * MachineDeployments, MachineSets, Machines, MachinePools and infrastructure, level-triggered
 * over the object store, with each phase taking `stepMs`.
 */
/** Longest run of reconciles before the controller yields to the event loop. */
const SLICE_MS = 10;
/** Upper bound of the pause after a full slice. */
const REST_MAX_MS = 40;
/** Parsed objects kept for reading (Clusters, mostly). */
const READ_CACHE_SIZE = 512;

export class CapiController {
  private readonly api: ApiServer;
  private readonly queue = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private timerDue = Infinity;
  /** The controller does not drain before this time (it yields after a full slice). */
  private restUntil = 0;
  private readonly readCache = new Map<
    Entry,
    { rv: number; obj: JsonObject }
  >();
  private paused = false;
  private stopped = false;
  private draining = false;
  private readonly since = new Map<string, number>();
  private readonly reconcilers = new Map<string, Reconciler>();
  private readonly flavors = new Map<string, Flavor>();
  private readonly unhealthy = new Set<string>();
  private ipCounter = 0;
  private readonly unsubscribe: Array<() => void> = [];
  private idleWaiters: Array<() => void> = [];
  private eventCount = 0;
  reconciles = 0;

  constructor(api: ApiServer, private readonly options: ControllerOptions) {
    this.api = api;
    for (const t of api.registry.types) {
      if (t.kind === 'Cluster' && t.group === 'cluster.x-k8s.io')
        this.reconcilers.set(t.id, (ns, n) => this.reconcileCluster(ns, n));
      else if (t.kind === 'MachineDeployment')
        this.reconcilers.set(t.id, (ns, n) =>
          this.reconcileMachineDeployment(ns, n),
        );
      else if (t.kind === 'MachineSet')
        this.reconcilers.set(t.id, (ns, n) => this.reconcileMachineSet(ns, n));
      else if (t.kind === 'Machine')
        this.reconcilers.set(t.id, (ns, n) => this.reconcileMachine(ns, n));
      else if (t.kind === 'MachinePool')
        this.reconcilers.set(t.id, (ns, n) => this.reconcileMachinePool(ns, n));
      else if (CONTROL_PLANE_KINDS.has(t.kind))
        this.reconcilers.set(t.id, (ns, n) =>
          this.reconcileControlPlane(t, ns, n),
        );
      else if (INFRA_CLUSTER_KINDS.has(t.kind))
        this.reconcilers.set(t.id, (ns, n) =>
          this.reconcileInfraCluster(t, ns, n),
        );
    }
    this.unsubscribe.push(api.store.subscribe(e => this.onEvent(e)));
    this.unsubscribe.push(options.faults.onChange(id => this.onFault(id)));
  }

  get isPaused(): boolean {
    return this.paused;
  }

  get pending(): number {
    return this.queue.size;
  }

  pause(): void {
    this.paused = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = Infinity;
  }

  resume(): void {
    this.paused = false;
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    this.pause();
    this.unsubscribe.forEach(u => u());
    this.idleWaiters.forEach(w => w());
    this.idleWaiters = [];
  }

  /** Marks the Node of a machine unhealthy (or healthy again); used by the load driver. */
  setNodeHealth(namespace: string, machine: string, healthy: boolean): void {
    const key = objectKey(namespace, machine);
    if (healthy) this.unhealthy.delete(key);
    else this.unhealthy.add(key);
    this.enqueue(TYPE_IDS.machine, key, 0);
  }

  /** Resolves when the queue has nothing due within `horizonMs`. */
  whenIdle(): Promise<void> {
    if (this.queue.size === 0) return Promise.resolve();
    return new Promise(resolve => this.idleWaiters.push(resolve));
  }

  /** Reconciles a cluster and everything in it soon (after seeding or a fault change). */
  touchCluster(namespace: string, name: string): void {
    this.enqueue(TYPE_IDS.cluster, objectKey(namespace, name), 0);
    const machines = this.api.store.collection(TYPE_IDS.machine);
    for (const key of machines.keysWithLabel(
      LABELS.clusterName,
      namespace,
      name,
    ) ?? [])
      this.enqueue(TYPE_IDS.machine, key, 0);
    for (const id of [
      TYPE_IDS.machineDeployment,
      TYPE_IDS.machineSet,
      TYPE_IDS.machinePool,
    ]) {
      const c = this.api.store.collection(id);
      for (const key of c.keysWithLabel(LABELS.clusterName, namespace, name) ??
        [])
        this.enqueue(id, key, 0);
    }
    const cluster = this.peek(TYPE_IDS.cluster, namespace, name);
    const ref = asObject(asObject(cluster?.spec)?.controlPlaneRef);
    if (ref) {
      const t = this.api.registry.byKind(
        String(ref.apiGroup ?? ''),
        String(ref.kind ?? ''),
      );
      if (t) this.enqueue(t.id, objectKey(namespace, String(ref.name)), 0);
    }
  }

  private onFault(id: string): void {
    const parts = id.split('/');
    if (parts.length !== 3 || parts[0] !== this.options.management) return;
    this.touchCluster(parts[1], parts[2]);
  }

  private enqueue(typeId: string, key: string, delayMs: number): void {
    if (this.stopped || !this.reconcilers.has(typeId)) return;
    const qk = `${typeId}|${key}`;
    const due = Date.now() + delayMs;
    const existing = this.queue.get(qk);
    if (existing !== undefined && existing <= due) return;
    this.queue.set(qk, due);
    this.schedule(delayMs);
  }

  private schedule(delayMs: number): void {
    if (this.paused || this.stopped) return;
    const now = Date.now();
    const due = Math.max(now + delayMs, this.restUntil);
    if (this.timer && this.timerDue <= due) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerDue = Infinity;
      this.drain();
    }, Math.max(0, due - now));
  }

  private drain(): void {
    if (this.paused || this.stopped || this.draining) return;
    this.draining = true;
    const started = Date.now();
    try {
      let next = Infinity;
      let processed = 0;
      let restUntil = 0;
      // Map iteration visits entries added meanwhile; the time budget below ends the slice
      for (const [qk, due] of this.queue) {
        const now = Date.now();
        if (due > now) {
          next = Math.min(next, due);
          continue;
        }
        if (now - started > SLICE_MS && processed > 0) {
          // rest as long as the slice ran, so that API serving keeps at least half of the thread
          restUntil =
            now + Math.min(REST_MAX_MS, Math.max(SLICE_MS, now - started));
          break;
        }
        if (this.queue.get(qk) !== due) continue;
        this.queue.delete(qk);
        const bar = qk.indexOf('|');
        const typeId = qk.slice(0, bar);
        const key = qk.slice(bar + 1);
        const slash = key.indexOf('/');
        const ns = key.slice(0, slash);
        const name = key.slice(slash + 1);
        processed++;
        this.reconciles++;
        try {
          this.reconcilers.get(typeId)?.(ns, name);
        } catch (e) {
          if (e instanceof ApiError) {
            if (e.code !== 404)
              this.queue.set(qk, Date.now() + this.options.stepMs);
          } else {
            this.queue.set(qk, Date.now() + this.options.stepMs);
            process.emitWarning(
              `fleet-sim controller: ${
                e instanceof Error ? e.stack : String(e)
              }`,
            );
          }
        }
      }
      this.restUntil = restUntil;
      if (restUntil) next = restUntil;
      else for (const due of this.queue.values()) next = Math.min(next, due);
      if (next !== Infinity) this.schedule(Math.max(0, next - Date.now()));
      if (this.queue.size === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        waiters.forEach(w => w());
      }
    } finally {
      this.draining = false;
    }
  }

  private onEvent(e: StoreEvent): void {
    const t = e.collection.type;
    const ns = e.key.includes('/') ? e.key.slice(0, e.key.indexOf('/')) : '';
    if (!ns) return;
    const labels = e.labels ?? e.prevLabels ?? {};
    const clusterName = labels[LABELS.clusterName];
    const enqueueCluster = () => {
      if (clusterName)
        this.enqueue(TYPE_IDS.cluster, objectKey(ns, clusterName), 0);
    };
    switch (t.kind) {
      case 'Cluster':
        if (t.group !== 'cluster.x-k8s.io') return;
        this.enqueue(t.id, e.key, 0);
        if (e.type === 'DELETED') {
          this.flavors.delete(e.key);
          return;
        }
        {
          const ref = asObject(
            asObject(this.peek(t.id, ns, e.key.slice(ns.length + 1))?.spec)
              ?.controlPlaneRef,
          );
          const cpType = this.typeOfRef(ref);
          if (cpType && ref)
            this.enqueue(cpType.id, objectKey(ns, String(ref.name)), 0);
        }
        return;
      case 'ClusterClass':
        return;
      case 'Machine': {
        this.enqueue(t.id, e.key, 0);
        const set = labels[LABELS.setName];
        if (set) this.enqueue(TYPE_IDS.machineSet, objectKey(ns, set), 0);
        const deployment = labels[LABELS.deploymentName];
        if (deployment && e.type === 'DELETED')
          this.enqueue(
            TYPE_IDS.machineDeployment,
            objectKey(ns, deployment),
            0,
          );
        const cp = labels[LABELS.controlPlaneName];
        if (cp && clusterName) {
          const cluster = this.peek(TYPE_IDS.cluster, ns, clusterName);
          const ref = asObject(asObject(cluster?.spec)?.controlPlaneRef);
          const cpType = ref
            ? this.api.registry.byKind(
                String(ref.apiGroup ?? ''),
                String(ref.kind ?? ''),
              )
            : undefined;
          if (cpType) this.enqueue(cpType.id, objectKey(ns, cp), 0);
        }
        if (e.type !== 'MODIFIED') enqueueCluster();
        return;
      }
      case 'MachineSet': {
        this.enqueue(t.id, e.key, 0);
        const md = labels[LABELS.deploymentName];
        if (md) this.enqueue(TYPE_IDS.machineDeployment, objectKey(ns, md), 0);
        return;
      }
      case 'MachineDeployment':
      case 'MachinePool':
        this.enqueue(t.id, e.key, 0);
        enqueueCluster();
        return;
      default:
        if (
          CONTROL_PLANE_KINDS.has(t.kind) ||
          INFRA_CLUSTER_KINDS.has(t.kind)
        ) {
          this.enqueue(t.id, e.key, 0);
          enqueueCluster();
        } else if (t.kind.endsWith('MachinePool') && clusterName) {
          enqueueCluster();
        }
    }
  }

  // ---- helpers -----------------------------------------------------------------------------

  private get stepMs(): number {
    return this.options.stepMs;
  }

  /** Milliseconds since `key` was first observed (or `fallback`). */
  private elapsed(key: string, fallback?: number): number {
    let t = this.since.get(key);
    if (t === undefined) {
      t = fallback ?? Date.now();
      this.since.set(key, t);
    }
    return Date.now() - t;
  }

  private mark(key: string, at = Date.now()): void {
    this.since.set(key, at);
  }

  private forget(uid: string): void {
    for (const k of this.since.keys())
      if (k.startsWith(uid)) this.since.delete(k);
  }

  private waitStep(
    typeId: string,
    key: string,
    elapsed: number,
    steps = 1,
  ): boolean {
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
  private peek(
    typeId: string,
    ns: string,
    name: string,
  ): JsonObject | undefined {
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

  private get(
    typeId: string,
    ns: string,
    name: string,
  ): JsonObject | undefined {
    return this.api.store.get(typeId, objectKey(ns, name))?.object();
  }

  private typeOfRef(ref: JsonObject | undefined): ResourceType | undefined {
    if (!ref) return undefined;
    const group =
      str(ref.apiGroup) ??
      (str(ref.apiVersion)?.includes('/')
        ? str(ref.apiVersion)?.split('/')[0]
        : undefined) ??
      '';
    return this.api.registry.byKind(group, String(ref.kind ?? ''));
  }

  private typeOf(kind: KindRef): ResourceType | undefined {
    return this.api.registry.byKind(kind.group, kind.kind);
  }

  /** Writes `status` (the object is the caller's fresh copy and is consumed). */
  private writeStatus(
    t: ResourceType,
    obj: JsonObject,
    status: JsonObject,
  ): void {
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
  private writeMain(t: ResourceType, obj: JsonObject): void {
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

  private create(t: ResourceType, obj: JsonObject): JsonObject | undefined {
    const m = meta(obj);
    try {
      return this.api.create(t, str(m.namespace), obj, this.internal());
    } catch (e) {
      if (e instanceof ApiError && e.code === 409) return undefined;
      throw e;
    }
  }

  private remove(t: ResourceType, ns: string, name: string): void {
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
  private ensureFinalizer(
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

  private removeFinalizer(
    t: ResourceType,
    obj: JsonObject,
    finalizer: string,
  ): void {
    const f = finalizersOf(obj);
    if (!f.includes(finalizer)) return;
    meta(obj).finalizers = f.filter(x => x !== finalizer);
    this.writeMain(t, obj);
  }

  private dependents(obj: JsonObject, typeId: string): JsonObject[] {
    const uid = str(meta(obj).uid);
    if (!uid) return [];
    return this.api.store
      .dependents(uid)
      .filter(e => e.collection.type.id === typeId)
      .map(e => e.object());
  }

  private listByCluster(
    typeId: string,
    ns: string,
    cluster: string,
  ): JsonObject[] {
    const c = this.api.store.collection(typeId);
    const out: JsonObject[] = [];
    for (const key of c.keysWithLabel(LABELS.clusterName, ns, cluster) ?? []) {
      const e = c.entries.get(key);
      if (e) out.push(e.object());
    }
    return out;
  }

  private clusterFlavor(ns: string, name: string): Flavor {
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

  private workloadId(ns: string, name: string): string {
    return `${this.options.management}/${ns}/${name}`;
  }

  private nextIp(): string {
    this.ipCounter++;
    const n = this.ipCounter;
    return `10.${200 + ((n >> 16) & 31)}.${(n >> 8) & 255}.${n & 255}`;
  }

  private region(cluster: JsonObject | undefined, flavor: Flavor): string {
    const labels = cluster ? labelsOf(cluster) : {};
    const vars =
      asArray(asObject(asObject(cluster?.spec)?.topology)?.variables) ?? [];
    const v = vars.find(x => isObject(x) && x.name === 'region');
    const fromVar = isObject(v) ? str(v.value) : undefined;
    return fromVar ?? labels[LABELS.region] ?? defaultRegion(flavor);
  }

  // ---- Cluster -----------------------------------------------------------------------------

  private reconcileCluster(ns: string, name: string): void {
    const t = this.api.type(TYPE_IDS.cluster);
    const cluster = this.get(TYPE_IDS.cluster, ns, name);
    if (!cluster) {
      this.options.workloadGone(ns, name);
      return;
    }
    const m = meta(cluster);
    const spec = asObject(cluster.spec) ?? {};
    const status = asObject(cluster.status) ?? {};
    const generation = num(m.generation, 1);
    if (m.deletionTimestamp) {
      this.deleteCluster(t, cluster, ns, name);
      return;
    }
    if (this.ensureFinalizer(t, cluster, FINALIZERS.cluster)) return;
    if (status.phase === undefined) {
      this.writeStatus(t, cluster, {
        phase: 'Pending',
        observedGeneration: generation,
      });
      this.enqueue(t.id, objectKey(ns, name), 0);
      return;
    }
    if (spec.paused === true) {
      const next = deepClone(status);
      next.conditions = (asArray(status.conditions) ?? []).filter(
        c => !(isObject(c) && c.type === 'Paused'),
      );
      (next.conditions as JsonObject[]).push({
        type: 'Paused',
        status: 'True',
        reason: 'Paused',
        lastTransitionTime: ts(Date.now()),
        observedGeneration: generation,
      });
      this.writeStatus(t, cluster, next);
      return;
    }
    let topologyOk: boolean | undefined;
    let topologyReason: string | undefined;
    let topologyMessage: string | undefined;
    const topology = asObject(spec.topology);
    if (topology) {
      const result = this.reconcileTopology(cluster, ns, name, topology);
      if (result === 'wrote') return;
      topologyOk = result === 'ok';
      if (!topologyOk) {
        topologyReason = 'ClusterClassNotReconciled';
        topologyMessage = result;
      }
    } else {
      this.adoptClassic(cluster, ns, name);
    }
    const flavor = this.clusterFlavor(ns, name);
    const infraType = this.typeOfRef(asObject(spec.infrastructureRef));
    const infra = infraType
      ? this.get(
          infraType.id,
          ns,
          String(asObject(spec.infrastructureRef)?.name),
        )
      : undefined;
    const infraStatusObj = asObject(infra?.status);
    const infraReady =
      asObject(infraStatusObj?.initialization)?.provisioned === true ||
      infraStatusObj?.ready === true;
    const cpType = this.typeOfRef(asObject(spec.controlPlaneRef));
    const cp = cpType
      ? this.get(cpType.id, ns, String(asObject(spec.controlPlaneRef)?.name))
      : undefined;
    const cpStatus = asObject(cp?.status);
    const cpInitialized =
      asObject(cpStatus?.initialization)?.controlPlaneInitialized === true ||
      cpStatus?.initialized === true;
    const id = this.workloadId(ns, name);
    const cpDown = this.options.faults.isControlPlaneDown(id);
    const unreachable = this.options.faults.isUnreachable(id);
    const cpAvailable =
      cpInitialized &&
      !cpDown &&
      (condTrue(cp, 'Available') ||
        this.v1beta2Available(cp) ||
        cpStatus?.ready === true);
    const cpDesired = flavor.machineControlPlane
      ? num(asObject(cp?.spec)?.replicas, 1)
      : 0;
    const cpCounts: Counts = flavor.machineControlPlane
      ? {
          desired: cpDesired,
          replicas: num(cpStatus?.replicas),
          ready: num(cpStatus?.readyReplicas),
          available: num(
            cpStatus?.availableReplicas,
            num(cpStatus?.readyReplicas),
          ),
          upToDate: num(
            cpStatus?.upToDateReplicas,
            num(cpStatus?.updatedReplicas),
          ),
        }
      : ZERO;
    let workers = ZERO;
    let rollingOut = condTrue(cp, 'RollingOut');
    for (const md of this.listByCluster(TYPE_IDS.machineDeployment, ns, name)) {
      const s = asObject(md.status) ?? {};
      workers = addCounts(workers, {
        desired: num(asObject(md.spec)?.replicas, 1),
        replicas: num(s.replicas),
        ready: num(s.readyReplicas),
        available: num(s.availableReplicas),
        upToDate: num(s.upToDateReplicas),
      });
      if (condTrue(md, 'RollingOut')) rollingOut = true;
    }
    for (const mp of this.listByCluster(TYPE_IDS.machinePool, ns, name)) {
      const s = asObject(mp.status) ?? {};
      workers = addCounts(workers, {
        desired: num(asObject(mp.spec)?.replicas, 1),
        replicas: num(s.replicas),
        ready: num(s.readyReplicas),
        available: num(s.availableReplicas),
        upToDate: num(s.upToDateReplicas),
      });
    }
    let phase: 'Pending' | 'Provisioning' | 'Provisioned' = 'Pending';
    if (infra)
      phase = infraReady && cpInitialized ? 'Provisioned' : 'Provisioning';
    const remoteOk = cpInitialized && !unreachable && !cpDown;
    const next = clusterStatus({
      phase,
      infraReady,
      cpInitialized,
      cpAvailable,
      cpMessage: cpDown
        ? 'Control plane is not available: etcd is not healthy'
        : undefined,
      remoteOk,
      remoteMessage: this.remoteMessage(unreachable, cpDown),
      cp: cpCounts,
      workers,
      topology: Boolean(topology),
      topologyOk,
      topologyReason,
      topologyMessage,
      rollingOut,
      deleting: false,
      paused: false,
      generation,
      at: Date.now(),
      previous: status,
      failureDomains:
        flavor.provider === 'docker'
          ? ['fd1', 'fd2', 'fd3']
          : [0, 1, 2].map(i =>
              zoneOf(flavor.provider, this.region(cluster, flavor), i),
            ),
    });
    this.writeStatus(t, cluster, next);
    if (cpInitialized) {
      const secretName = `${name}-kubeconfig`;
      const kubeconfig = this.options.workloadReady(ns, name, flavor);
      if (!this.get(TYPE_IDS.secret, ns, secretName)) {
        this.create(this.api.type(TYPE_IDS.secret), {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: objectMeta({
            namespace: ns,
            name: secretName,
            labels: { [LABELS.clusterName]: name },
            owners: [clusterOwner(name, String(m.uid), false)],
          }),
          type: 'cluster.x-k8s.io/secret',
          data: { value: Buffer.from(kubeconfig).toString('base64') },
        });
        this.recordEvent(
          cluster,
          'Normal',
          'Provisioned',
          `Cluster ${name} is Provisioned`,
        );
      }
    }
  }

  private remoteMessage(
    unreachable: boolean,
    cpDown: boolean,
  ): string | undefined {
    if (unreachable) {
      return `Remote connection probe failed, probe last succeeded at ${ts(
        Date.now() - this.stepMs,
      )}`;
    }
    if (cpDown) {
      return 'Remote connection probe failed: the server is currently unable to handle the request';
    }
    return undefined;
  }

  private v1beta2Available(cp: JsonObject | undefined): boolean {
    for (const c of asArray(
      asObject(asObject(cp?.status)?.v1beta2)?.conditions,
    ) ?? []) {
      if (isObject(c) && c.type === 'Available') return c.status === 'True';
    }
    return false;
  }

  private adoptClassic(cluster: JsonObject, ns: string, name: string): void {
    const spec = asObject(cluster.spec) ?? {};
    const uid = String(meta(cluster).uid);
    for (const field of ['infrastructureRef', 'controlPlaneRef']) {
      const ref = asObject(spec[field]);
      const t = this.typeOfRef(ref);
      if (!t || !ref) continue;
      const obj = this.get(t.id, ns, String(ref.name));
      if (!obj) continue;
      const labels = labelsOf(obj);
      const owners = asArray(meta(obj).ownerReferences) ?? [];
      const owned = owners.some(o => isObject(o) && o.uid === uid);
      if (labels[LABELS.clusterName] === name && owned) continue;
      const om = meta(obj);
      om.labels = { ...labels, [LABELS.clusterName]: name };
      if (!owned) om.ownerReferences = [...owners, clusterOwner(name, uid)];
      this.writeMain(t, obj);
    }
    for (const md of this.listByCluster(TYPE_IDS.machineDeployment, ns, name)) {
      const owners = asArray(meta(md).ownerReferences) ?? [];
      if (!owners.some(o => isObject(o) && o.uid === uid)) {
        meta(md).ownerReferences = [...owners, clusterOwner(name, uid, false)];
        this.writeMain(this.api.type(TYPE_IDS.machineDeployment), md);
      }
    }
  }

  /** Returns 'ok', 'wrote' (the cluster changed, a new reconcile follows) or a problem message. */
  private reconcileTopology(
    cluster: JsonObject,
    ns: string,
    name: string,
    topology: JsonObject,
  ): string {
    const t = this.api.type(TYPE_IDS.cluster);
    const spec = asObject(cluster.spec) ?? {};
    const classRef = asObject(topology.classRef) ?? {};
    const cc = this.get(
      TYPE_IDS.clusterClass,
      str(classRef.namespace) ?? ns,
      String(classRef.name ?? ''),
    );
    if (!cc) return `ClusterClass ${String(classRef.name ?? '')} not found`;
    const ccSpec = asObject(cc.spec) ?? {};
    const flavor = this.clusterFlavor(ns, name);
    const uid = String(meta(cluster).uid);
    const desiredVersion = String(topology.version ?? '');
    const region = this.region(cluster, flavor);
    const topoLabels = {
      [LABELS.clusterName]: name,
      [LABELS.topologyOwned]: '',
    };
    if (!asObject(spec.infrastructureRef)) {
      const infraName = `${name}-${this.options.random.suffix()}`;
      const infraType = this.typeOf(flavor.infraCluster);
      if (!infraType)
        return `unknown infrastructure kind ${flavor.infraCluster.kind}`;
      this.create(
        infraType,
        infraClusterObject(
          flavor,
          {
            namespace: ns,
            name: infraName,
            labels: topoLabels,
            owners: [clusterOwner(name, uid)],
          },
          name,
          region,
          false,
        ),
      );
      spec.infrastructureRef = {
        apiGroup: flavor.infraCluster.group,
        kind: flavor.infraCluster.kind,
        name: infraName,
      };
      cluster.spec = spec;
      this.writeMain(t, cluster);
      return 'wrote';
    }
    const cpRef = asObject(spec.controlPlaneRef);
    const cpType = this.typeOf(flavor.controlPlane);
    if (!cpType)
      return `unknown control plane kind ${flavor.controlPlane.kind}`;
    const cpTopology = asObject(topology.controlPlane) ?? {};
    const cpReplicas = flavor.machineControlPlane
      ? num(cpTopology.replicas, 1)
      : 0;
    const machineTemplateRef = asObject(
      asObject(asObject(ccSpec.controlPlane)?.machineInfrastructure)
        ?.templateRef,
    );
    if (!cpRef) {
      const cpName = `${name}-${this.options.random.suffix()}`;
      this.create(
        cpType,
        controlPlaneObject(
          {
            namespace: ns,
            name: cpName,
            labels: topoLabels,
            owners: [clusterOwner(name, uid)],
          },
          {
            flavor,
            clusterName: name,
            replicas: cpReplicas,
            specVersion: controlPlaneVersion(
              flavor.distribution,
              kubeVersionOf(flavor.distribution, desiredVersion),
            ),
            region,
            machineTemplate: machineTemplateRef
              ? {
                  kind: {
                    group: String(
                      str(machineTemplateRef.apiVersion)?.split('/')[0] ?? '',
                    ),
                    version: String(
                      str(machineTemplateRef.apiVersion)?.split('/')[1] ??
                        'v1beta2',
                    ),
                    kind: String(machineTemplateRef.kind),
                  },
                  name: String(machineTemplateRef.name),
                }
              : undefined,
          },
        ),
      );
      spec.controlPlaneRef = {
        apiGroup: flavor.controlPlane.group,
        kind: flavor.controlPlane.kind,
        name: cpName,
      };
      cluster.spec = spec;
      this.writeMain(t, cluster);
      return 'wrote';
    }
    const cpName = String(cpRef.name);
    const cp = this.get(cpType.id, ns, cpName);
    let cpVersion = desiredVersion;
    if (cp) {
      const cpSpec = asObject(cp.spec) ?? {};
      const versionField =
        flavor.controlPlane.kind === 'GCPManagedControlPlane'
          ? 'controlPlaneVersion'
          : 'version';
      const wantVersion = controlPlaneVersion(
        flavor.distribution,
        kubeVersionOf(flavor.distribution, desiredVersion),
      );
      let changed = false;
      if (cpSpec[versionField] !== wantVersion) {
        cpSpec[versionField] = wantVersion;
        changed = true;
      }
      if (flavor.machineControlPlane && cpSpec.replicas !== cpReplicas) {
        cpSpec.replicas = cpReplicas;
        changed = true;
      }
      if (changed) {
        cp.spec = cpSpec;
        this.writeMain(cpType, cp);
        this.recordEvent(
          cluster,
          'Normal',
          'TopologyUpdate',
          `Updated ${flavor.controlPlane.kind} ${ns}/${cpName}`,
        );
      }
      const cpStatus = asObject(cp.status) ?? {};
      const current = str(cpStatus.version) ?? str(cpStatus.currentVersion);
      const upgraded =
        current !== undefined &&
        kubeVersionOf(flavor.distribution, current) ===
          kubeVersionOf(flavor.distribution, desiredVersion) &&
        !condTrue(cp, 'RollingOut');
      cpVersion = desiredVersion;
      if (!upgraded && current) {
        cpVersion = this.machineVersionFor(flavor, current, desiredVersion);
      }
    }
    const workers = asObject(topology.workers) ?? {};
    const wanted = (asArray(workers.machineDeployments) ?? []).filter(isObject);
    const existing = this.listByCluster(
      TYPE_IDS.machineDeployment,
      ns,
      name,
    ).filter(md => labelsOf(md)[LABELS.topologyOwned] !== undefined);
    const mdType = this.api.type(TYPE_IDS.machineDeployment);
    const classes = (
      asArray(asObject(ccSpec.workers)?.machineDeployments) ?? []
    ).filter(isObject);
    for (const w of wanted) {
      const mdTopologyName = String(w.name ?? '');
      const md = existing.find(
        x => labelsOf(x)[LABELS.topologyDeploymentName] === mdTopologyName,
      );
      const replicas = num(w.replicas, 1);
      if (!md) {
        const cls = classes.find(c => c.class === w.class);
        if (!cls)
          return `MachineDeployment class ${String(
            w.class,
          )} not found in ClusterClass`;
        const infraRef =
          asObject(asObject(cls.infrastructure)?.templateRef) ??
          asObject(asObject(asObject(cls.template)?.infrastructure)?.ref);
        const bootRef =
          asObject(asObject(cls.bootstrap)?.templateRef) ??
          asObject(asObject(asObject(cls.template)?.bootstrap)?.ref);
        const mdName = `${name}-${mdTopologyName}-${this.options.random.suffix()}`;
        const kindOf = (ref: JsonObject | undefined): KindRef | undefined =>
          ref
            ? {
                group: String(
                  str(ref.apiVersion)?.split('/')[0] ?? ref.apiGroup ?? '',
                ),
                version: String(
                  str(ref.apiVersion)?.split('/')[1] ?? 'v1beta2',
                ),
                kind: String(ref.kind),
              }
            : undefined;
        const infraKind = kindOf(infraRef) ??
          flavor.machineTemplate ?? {
            group: 'infrastructure.cluster.x-k8s.io',
            version: 'v1beta2',
            kind: 'DevMachineTemplate',
          };
        const bootKind = kindOf(bootRef);
        const labels = {
          [LABELS.clusterName]: name,
          [LABELS.topologyOwned]: '',
          [LABELS.topologyDeploymentName]: mdTopologyName,
        };
        const selector = {
          [LABELS.clusterName]: name,
          [LABELS.deploymentName]: mdName,
        };
        this.create(
          mdType,
          machineDeploymentObject(
            {
              namespace: ns,
              name: mdName,
              labels,
              owners: [clusterOwner(name, uid, false)],
              finalizers: [FINALIZERS.machineDeployment],
            },
            replicas,
            selector,
            {
              ...selector,
              [LABELS.topologyOwned]: '',
              [LABELS.topologyDeploymentName]: mdTopologyName,
            },
            {
              clusterName: name,
              version: cpVersion,
              infraTemplate: {
                kind: infraKind,
                name: String(infraRef?.name ?? `${name}-${mdTopologyName}`),
              },
              bootstrapTemplate: bootKind
                ? { kind: bootKind, name: String(bootRef?.name) }
                : undefined,
            },
          ),
        );
        this.recordEvent(
          cluster,
          'Normal',
          'TopologyCreate',
          `Created MachineDeployment ${ns}/${mdName}`,
        );
        continue;
      }
      const mdSpec = asObject(md.spec) ?? {};
      const tspec = asObject(asObject(mdSpec.template)?.spec) ?? {};
      let changed = false;
      if (mdSpec.replicas !== replicas) {
        mdSpec.replicas = replicas;
        changed = true;
      }
      if (tspec.version !== cpVersion) {
        tspec.version = cpVersion;
        changed = true;
      }
      if (changed) this.writeMain(mdType, md);
    }
    for (const md of existing) {
      const topoName = labelsOf(md)[LABELS.topologyDeploymentName];
      if (
        !wanted.some(w => w.name === topoName) &&
        !meta(md).deletionTimestamp
      ) {
        this.remove(mdType, ns, String(meta(md).name));
        this.recordEvent(
          cluster,
          'Normal',
          'TopologyDelete',
          `Deleted MachineDeployment ${ns}/${String(meta(md).name)}`,
        );
      }
    }
    return 'ok';
  }

  /** During an upgrade, workers keep the version the control plane had. */
  private machineVersionFor(
    flavor: Flavor,
    current: string,
    desired: string,
  ): string {
    if (flavor.machineControlPlane) return current;
    const kube = kubeVersionOf(flavor.distribution, current);
    return desired.replace(/^v?\d+\.\d+\.\d+/, kube);
  }

  private deleteCluster(
    t: ResourceType,
    cluster: JsonObject,
    ns: string,
    name: string,
  ): void {
    if (!finalizersOf(cluster).includes(FINALIZERS.cluster)) return;
    const status = asObject(cluster.status) ?? {};
    if (status.phase !== 'Deleting') {
      const next = deepClone(status);
      next.phase = 'Deleting';
      const conds = (asArray(next.conditions) ?? [])
        .filter(isObject)
        .filter(c => c.type !== 'Deleting' && c.type !== 'Available');
      conds.push({
        type: 'Deleting',
        status: 'True',
        reason: 'WaitingForWorkersDeletion',
        message: '* Control plane and worker machines are being deleted',
        lastTransitionTime: ts(Date.now()),
      });
      conds.push({
        type: 'Available',
        status: 'False',
        reason: 'NotAvailable',
        message: '* Deleting: Cluster is being deleted',
        lastTransitionTime: ts(Date.now()),
      });
      next.conditions = conds;
      this.writeStatus(t, cluster, next);
      this.recordEvent(
        cluster,
        'Normal',
        'Deleting',
        `Cluster ${name} is being deleted`,
      );
      return;
    }
    const spec = asObject(cluster.spec) ?? {};
    for (const typeId of [
      TYPE_IDS.machineDeployment,
      TYPE_IDS.machinePool,
      TYPE_IDS.machineHealthCheck,
    ]) {
      for (const obj of this.listByCluster(typeId, ns, name)) {
        if (!meta(obj).deletionTimestamp)
          this.remove(this.api.type(typeId), ns, String(meta(obj).name));
      }
    }
    const cpRef = asObject(spec.controlPlaneRef);
    const cpType = this.typeOfRef(cpRef);
    const cp =
      cpType && cpRef ? this.get(cpType.id, ns, String(cpRef.name)) : undefined;
    const workersLeft =
      this.listByCluster(TYPE_IDS.machineDeployment, ns, name).length +
      this.listByCluster(TYPE_IDS.machinePool, ns, name).length +
      this.listByCluster(TYPE_IDS.machine, ns, name).filter(
        m => labelsOf(m)[LABELS.controlPlane] === undefined,
      ).length;
    if (cp && cpType && workersLeft === 0 && !meta(cp).deletionTimestamp) {
      this.remove(cpType, ns, String(meta(cp).name));
    }
    const machinesLeft = this.listByCluster(TYPE_IDS.machine, ns, name).length;
    if (workersLeft > 0 || machinesLeft > 0 || cp) {
      this.enqueue(TYPE_IDS.cluster, objectKey(ns, name), this.stepMs);
      return;
    }
    const infraRef = asObject(spec.infrastructureRef);
    const infraType = this.typeOfRef(infraRef);
    const infra =
      infraType && infraRef
        ? this.get(infraType.id, ns, String(infraRef.name))
        : undefined;
    if (infra && infraType) {
      if (!meta(infra).deletionTimestamp)
        this.remove(infraType, ns, String(meta(infra).name));
      this.enqueue(TYPE_IDS.cluster, objectKey(ns, name), this.stepMs);
      return;
    }
    this.options.workloadGone(ns, name);
    this.forget(String(meta(cluster).uid));
    this.removeFinalizer(t, cluster, FINALIZERS.cluster);
  }

  // ---- infrastructure cluster ----------------------------------------------------------------

  private reconcileInfraCluster(
    t: ResourceType,
    ns: string,
    name: string,
  ): void {
    const obj = this.get(t.id, ns, name);
    if (!obj || meta(obj).deletionTimestamp) return;
    const status = asObject(obj.status) ?? {};
    const ready =
      asObject(status.initialization)?.provisioned === true ||
      status.ready === true;
    if (ready) return;
    const uid = String(meta(obj).uid);
    if (
      this.waitStep(
        t.id,
        objectKey(ns, name),
        this.elapsed(`${uid}:provision`, creationMs(obj)),
      )
    )
      return;
    const clusterName =
      labelsOf(obj)[LABELS.clusterName] ?? ownerName(obj, 'Cluster');
    if (!clusterName) {
      this.enqueue(t.id, objectKey(ns, name), this.stepMs);
      return;
    }
    const flavor = this.clusterFlavor(ns, clusterName);
    const cluster = this.get(TYPE_IDS.cluster, ns, clusterName);
    const region = this.region(cluster, flavor);
    const kindRef: KindRef = {
      group: t.group,
      version: t.versions[0].name,
      kind: t.kind,
    };
    const withEndpoint = infraClusterObject(
      flavor,
      { namespace: ns, name },
      clusterName,
      region,
      true,
    );
    const spec = asObject(obj.spec) ?? {};
    const endpoint = asObject(withEndpoint.spec)?.controlPlaneEndpoint;
    if (endpoint && !spec.controlPlaneEndpoint) {
      spec.controlPlaneEndpoint = endpoint;
      obj.spec = spec;
      this.writeMain(t, obj);
    }
    const fresh = this.get(t.id, ns, name);
    if (fresh)
      this.writeStatus(
        t,
        fresh,
        infraStatus(kindRef, true, Date.now(), asObject(fresh.status)),
      );
  }

  // ---- control planes ----------------------------------------------------------------------

  private reconcileControlPlane(
    t: ResourceType,
    ns: string,
    name: string,
  ): void {
    const cp = this.get(t.id, ns, name);
    if (!cp) return;
    const m = meta(cp);
    const clusterName =
      labelsOf(cp)[LABELS.clusterName] ?? ownerName(cp, 'Cluster');
    const machineBased = [
      'KubeadmControlPlane',
      'KThreesControlPlane',
      'RKE2ControlPlane',
      'K0sControlPlane',
    ].includes(t.kind);
    if (!machineBased) {
      this.reconcileManagedControlPlane(t, cp, ns, name, clusterName);
      return;
    }
    const machines = this.dependents(cp, TYPE_IDS.machine);
    const machineType = this.api.type(TYPE_IDS.machine);
    if (m.deletionTimestamp) {
      for (const mach of machines)
        if (!meta(mach).deletionTimestamp)
          this.remove(machineType, ns, String(meta(mach).name));
      if (machines.length === 0)
        this.removeFinalizer(t, cp, FINALIZERS.controlPlane);
      return;
    }
    if (this.ensureFinalizer(t, cp, FINALIZERS.controlPlane)) return;
    if (!clusterName) return;
    const cluster = this.get(TYPE_IDS.cluster, ns, clusterName);
    const flavor = this.clusterFlavor(ns, clusterName);
    const spec = asObject(cp.spec) ?? {};
    const desired = num(spec.replicas, 1);
    const version = String(spec.version ?? '');
    const active = machines.filter(x => !meta(x).deletionTimestamp);
    const phaseOf = (x: JsonObject) => str(asObject(x.status)?.phase);
    const outdated = active.filter(x => asObject(x.spec)?.version !== version);
    const notRunning = active.filter(x => phaseOf(x) !== 'Running');
    const status = asObject(cp.status) ?? {};
    const wasInitialized =
      asObject(status.initialization)?.controlPlaneInitialized === true ||
      status.initialized === true;
    const clusterStatusObj = asObject(cluster?.status);
    const infraReady =
      asObject(clusterStatusObj?.initialization)?.infrastructureProvisioned ===
        true || this.infraReadyOf(cluster, ns);
    if (infraReady) {
      const byAge = [...active].sort(
        (a, b) =>
          creationMs(a) - creationMs(b) ||
          String(meta(a).name).localeCompare(String(meta(b).name)),
      );
      if (active.length === 0) {
        this.createControlPlaneMachine(
          cp,
          t,
          ns,
          clusterName,
          flavor,
          version,
          cluster,
        );
      } else if (notRunning.length > 0) {
        // one machine at a time
      } else if (outdated.length > 0) {
        if (active.length < desired + 1)
          this.createControlPlaneMachine(
            cp,
            t,
            ns,
            clusterName,
            flavor,
            version,
            cluster,
          );
        else
          this.remove(
            machineType,
            ns,
            String(
              meta(byAge.find(x => outdated.includes(x)) ?? outdated[0]).name,
            ),
          );
      } else if (active.length < desired) {
        this.createControlPlaneMachine(
          cp,
          t,
          ns,
          clusterName,
          flavor,
          version,
          cluster,
        );
      } else if (active.length > desired) {
        this.remove(machineType, ns, String(meta(byAge[0]).name));
      }
    }
    const current = this.dependents(cp, TYPE_IDS.machine).filter(
      x => !meta(x).deletionTimestamp,
    );
    const ready = current.filter(
      x => phaseOf(x) === 'Running' && condTrue(x, 'Ready'),
    ).length;
    const running = current.filter(x => phaseOf(x) === 'Running');
    const initialized = wasInitialized || running.length > 0;
    const cpDown = this.options.faults.isControlPlaneDown(
      this.workloadId(ns, clusterName),
    );
    const upToDate = current.filter(
      x => asObject(x.spec)?.version === version,
    ).length;
    const versions = running
      .map(x => String(asObject(x.spec)?.version ?? ''))
      .sort((a, b) => compareVersions(a, b));
    const fresh = this.get(t.id, ns, name);
    if (!fresh) return;
    this.writeStatus(
      t,
      fresh,
      controlPlaneStatus({
        flavor,
        counts: {
          desired,
          replicas: current.length,
          ready,
          available: ready,
          upToDate,
        },
        initialized,
        available: initialized && ready > 0 && !cpDown,
        availableMessage: cpDown
          ? '* EtcdClusterHealthy: etcd members are not healthy'
          : undefined,
        version: versions[0] ?? str(status.version),
        generation: num(meta(fresh).generation, 1),
        at: Date.now(),
        previous: asObject(fresh.status),
        selector: `${LABELS.clusterName}=${clusterName},${LABELS.controlPlane}`,
        rollingOut: outdated.length > 0,
      }),
    );
  }

  private infraReadyOf(cluster: JsonObject | undefined, ns: string): boolean {
    const ref = asObject(asObject(cluster?.spec)?.infrastructureRef);
    const t = this.typeOfRef(ref);
    if (!t || !ref) return false;
    const infra = this.get(t.id, ns, String(ref.name));
    const s = asObject(infra?.status);
    return (
      asObject(s?.initialization)?.provisioned === true || s?.ready === true
    );
  }

  private createControlPlaneMachine(
    cp: JsonObject,
    t: ResourceType,
    ns: string,
    clusterName: string,
    flavor: Flavor,
    version: string,
    cluster: JsonObject | undefined,
  ): void {
    const cpName = String(meta(cp).name);
    const machineName = `${cpName}-${this.options.random.suffix()}`;
    const index = this.dependents(cp, TYPE_IDS.machine).length;
    const bootstrapKind =
      t.kind === 'KubeadmControlPlane'
        ? {
            group: 'bootstrap.cluster.x-k8s.io',
            version: 'v1beta2',
            kind: 'KubeadmConfig',
          }
        : undefined;
    const infraKind =
      infraMachineKind(flavor.machineTemplate) ?? flavor.infraMachine;
    const created = this.create(
      this.api.type(TYPE_IDS.machine),
      machineObject(
        {
          namespace: ns,
          name: machineName,
          labels: {
            [LABELS.clusterName]: clusterName,
            [LABELS.controlPlane]: '',
            [LABELS.controlPlaneName]: cpName,
          },
          annotations: { [IP_ANNOTATION]: this.nextIp() },
          owners: [
            ownerRef(
              `${t.group}/${t.versions[0].name}`,
              t.kind,
              cpName,
              String(meta(cp).uid),
            ),
          ],
          finalizers: [FINALIZERS.machine],
        },
        {
          clusterName,
          version,
          bootstrapKind,
          infraKind,
          failureDomain:
            flavor.provider === 'docker'
              ? `fd${(index % 3) + 1}`
              : zoneOf(flavor.provider, this.region(cluster, flavor), index),
        },
      ),
    );
    if (created) this.createInfraMachine(created, flavor, true);
    this.recordEvent(
      cp,
      'Normal',
      'SuccessfulCreate',
      `Machine ${machineName} created`,
    );
  }

  private createInfraMachine(
    machine: JsonObject,
    flavor: Flavor,
    controlPlane: boolean,
  ): void {
    const kind = flavor.infraMachine;
    if (!kind) return;
    const t = this.typeOf(kind);
    if (!t) return;
    const m = meta(machine);
    const spec = asObject(machine.spec) ?? {};
    this.create(
      t,
      infraMachineObject(
        kind,
        {
          namespace: String(m.namespace),
          name: String(m.name),
          labels: {
            [LABELS.clusterName]: String(spec.clusterName),
            ...(controlPlane ? { [LABELS.controlPlane]: '' } : {}),
          },
          owners: [
            ownerRef(CAPI_VERSION, 'Machine', String(m.name), String(m.uid)),
          ],
          createdAt: Date.now(),
        },
        undefined,
        false,
        '',
        str(spec.failureDomain),
      ),
    );
  }

  private reconcileManagedControlPlane(
    t: ResourceType,
    cp: JsonObject,
    ns: string,
    name: string,
    clusterName: string | undefined,
  ): void {
    if (meta(cp).deletionTimestamp || !clusterName) return;
    const flavor = this.clusterFlavor(ns, clusterName);
    const spec = asObject(cp.spec) ?? {};
    const status = asObject(cp.status) ?? {};
    const uid = String(meta(cp).uid);
    const wanted = String(spec.version ?? spec.controlPlaneVersion ?? '');
    const current = str(status.version) ?? str(status.currentVersion);
    const initialized =
      status.initialized === true ||
      asObject(status.initialization)?.controlPlaneInitialized === true;
    const key = objectKey(ns, name);
    let version = current;
    let isInit = initialized;
    if (!initialized) {
      if (
        this.waitStep(t.id, key, this.elapsed(`${uid}:init`, creationMs(cp)), 3)
      ) {
        version = undefined;
      } else {
        isInit = true;
        version = wanted;
      }
    } else if (current !== wanted) {
      if (
        !this.waitStep(t.id, key, this.elapsed(`${uid}:upgrade:${wanted}`), 3)
      )
        version = wanted;
    }
    const cpDown = this.options.faults.isControlPlaneDown(
      this.workloadId(ns, clusterName),
    );
    this.writeStatus(
      t,
      cp,
      controlPlaneStatus({
        flavor,
        counts: ZERO,
        initialized: isInit,
        available: isInit && !cpDown,
        availableMessage: cpDown
          ? 'control plane endpoint is not responding'
          : undefined,
        version,
        generation: num(meta(cp).generation, 1),
        at: Date.now(),
        previous: status,
        selector: '',
        rollingOut: isInit && version !== wanted,
      }),
    );
  }

  // ---- MachineDeployment / MachineSet --------------------------------------------------------

  private reconcileMachineDeployment(ns: string, name: string): void {
    const t = this.api.type(TYPE_IDS.machineDeployment);
    const md = this.get(t.id, ns, name);
    if (!md) return;
    const msType = this.api.type(TYPE_IDS.machineSet);
    const sets = this.dependents(md, TYPE_IDS.machineSet);
    if (meta(md).deletionTimestamp) {
      for (const s of sets)
        if (!meta(s).deletionTimestamp)
          this.remove(msType, ns, String(meta(s).name));
      if (sets.length === 0)
        this.removeFinalizer(t, md, FINALIZERS.machineDeployment);
      return;
    }
    if (this.ensureFinalizer(t, md, FINALIZERS.machineDeployment)) return;
    const spec = asObject(md.spec) ?? {};
    const clusterName = String(spec.clusterName ?? '');
    const desired = num(spec.replicas, 1);
    const template = asObject(spec.template) ?? {};
    const wantedTemplate = asObject(template.spec) ?? {};
    let current = sets.find(
      s =>
        !meta(s).deletionTimestamp &&
        deepEqual(
          asObject(asObject(asObject(s.spec)?.template)?.spec) ?? {},
          wantedTemplate,
        ),
    );
    const old = sets.filter(s => s !== current && !meta(s).deletionTimestamp);
    const oldReplicas = old.reduce(
      (n, s) => n + num(asObject(s.spec)?.replicas),
      0,
    );
    if (!current) {
      const hash = hashOf(asObject(template.spec) ?? {});
      const msName = `${name}-${this.options.random.suffix()}`;
      const mdLabels = labelsOf(md);
      const selector: Record<string, string> = {};
      for (const [k, v] of Object.entries(
        asObject(asObject(spec.selector)?.matchLabels) ?? {},
      ))
        if (typeof v === 'string') selector[k] = v;
      selector[LABELS.templateHash] = hash;
      const templateLabels: Record<string, string> = {};
      for (const [k, v] of Object.entries(
        asObject(asObject(template.metadata)?.labels) ?? {},
      ))
        if (typeof v === 'string') templateLabels[k] = v;
      templateLabels[LABELS.templateHash] = hash;
      templateLabels[LABELS.clusterName] = clusterName;
      templateLabels[LABELS.deploymentName] = name;
      const tspec = asObject(template.spec) ?? {};
      const created = this.create(
        msType,
        machineSetObject(
          {
            namespace: ns,
            name: msName,
            labels: {
              ...pick(mdLabels, [
                LABELS.topologyOwned,
                LABELS.topologyDeploymentName,
              ]),
              [LABELS.clusterName]: clusterName,
              [LABELS.deploymentName]: name,
              [LABELS.templateHash]: hash,
            },
            owners: [
              ownerRef(
                CAPI_VERSION,
                'MachineDeployment',
                name,
                String(meta(md).uid),
              ),
            ],
            finalizers: [FINALIZERS.machineSet],
          },
          oldReplicas === 0 ? desired : 0,
          selector,
          templateLabels,
          {
            clusterName,
            version: String(tspec.version ?? ''),
            infraTemplate: refTemplate(asObject(tspec.infrastructureRef)),
            bootstrapTemplate: asObject(asObject(tspec.bootstrap)?.configRef)
              ? refTemplate(asObject(asObject(tspec.bootstrap)?.configRef))
              : undefined,
            failureDomain: str(tspec.failureDomain),
          },
        ),
      );
      if (created) {
        this.recordEvent(
          md,
          'Normal',
          'SuccessfulCreate',
          `Created MachineSet ${ns}/${msName}`,
        );
        current = created;
      }
    }
    if (current) {
      const curSpec = asObject(current.spec) ?? {};
      const curReplicas = num(curSpec.replicas);
      if (oldReplicas === 0) {
        if (curReplicas !== desired) {
          curSpec.replicas = desired;
          this.writeMain(msType, current);
        }
      } else {
        const curAvailable = num(asObject(current.status)?.availableReplicas);
        if (curReplicas < desired && curReplicas + oldReplicas < desired + 1) {
          curSpec.replicas = curReplicas + 1;
          this.writeMain(msType, current);
        } else if (curAvailable >= curReplicas) {
          const victim = [...old]
            .filter(s => num(asObject(s.spec)?.replicas) > 0)
            .sort((a, b) => creationMs(a) - creationMs(b))[0];
          if (victim) {
            const vspec = asObject(victim.spec) ?? {};
            vspec.replicas = num(vspec.replicas) - 1;
            this.writeMain(msType, victim);
          }
        }
      }
    }
    for (const s of old) {
      if (
        num(asObject(s.spec)?.replicas) === 0 &&
        num(asObject(s.status)?.replicas) === 0 &&
        this.dependents(s, TYPE_IDS.machine).length === 0
      ) {
        this.remove(msType, ns, String(meta(s).name));
      }
    }
    let total = ZERO;
    const all = this.dependents(md, TYPE_IDS.machineSet).filter(
      s => !meta(s).deletionTimestamp,
    );
    const versions = new Map<string, number>();
    for (const s of all) {
      const st = asObject(s.status) ?? {};
      const isCurrent =
        s === current ||
        meta(s).name === (current ? meta(current).name : undefined);
      total = addCounts(total, {
        desired: 0,
        replicas: num(st.replicas),
        ready: num(st.readyReplicas),
        available: num(st.availableReplicas),
        upToDate: isCurrent ? num(st.replicas) : 0,
      });
      const v = String(
        asObject(asObject(asObject(s.spec)?.template)?.spec)?.version ?? '',
      );
      if (v && num(st.replicas) > 0)
        versions.set(v, (versions.get(v) ?? 0) + num(st.replicas));
    }
    total = { ...total, desired };
    const fresh = this.get(t.id, ns, name);
    if (!fresh) return;
    this.writeStatus(
      t,
      fresh,
      replicaStatus('MachineDeployment', {
        counts: total,
        generation: num(meta(fresh).generation, 1),
        at: Date.now(),
        previous: asObject(fresh.status),
        selector: labelSelectorString(asObject(spec.selector)),
        rollingOut: all.some(
          s =>
            meta(s).name !== (current ? meta(current).name : undefined) &&
            (num(asObject(s.spec)?.replicas) > 0 ||
              num(asObject(s.status)?.replicas) > 0),
        ),
        versions: [...versions]
          .map(([version, replicas]) => ({ version, replicas }))
          .sort((a, b) => compareVersions(a.version, b.version)),
      }),
    );
  }

  private reconcileMachineSet(ns: string, name: string): void {
    const t = this.api.type(TYPE_IDS.machineSet);
    const ms = this.get(t.id, ns, name);
    if (!ms) return;
    const machineType = this.api.type(TYPE_IDS.machine);
    const machines = this.dependents(ms, TYPE_IDS.machine);
    if (meta(ms).deletionTimestamp) {
      for (const x of machines)
        if (!meta(x).deletionTimestamp)
          this.remove(machineType, ns, String(meta(x).name));
      if (machines.length === 0)
        this.removeFinalizer(t, ms, FINALIZERS.machineSet);
      return;
    }
    if (this.ensureFinalizer(t, ms, FINALIZERS.machineSet)) return;
    const spec = asObject(ms.spec) ?? {};
    const desired = num(spec.replicas, 1);
    const clusterName = String(spec.clusterName ?? '');
    const active = machines.filter(x => !meta(x).deletionTimestamp);
    const template = asObject(spec.template) ?? {};
    const tspec = asObject(template.spec) ?? {};
    if (active.length < desired) {
      const flavor = this.clusterFlavor(ns, clusterName);
      const cluster = this.get(TYPE_IDS.cluster, ns, clusterName);
      const templateLabels: Record<string, string> = {};
      for (const [k, v] of Object.entries(
        asObject(asObject(template.metadata)?.labels) ?? {},
      ))
        if (typeof v === 'string') templateLabels[k] = v;
      templateLabels[LABELS.setName] = name;
      templateLabels[LABELS.clusterName] = clusterName;
      const bootTemplate = asObject(asObject(tspec.bootstrap)?.configRef);
      const infraTemplate = asObject(tspec.infrastructureRef);
      for (let i = active.length; i < desired; i++) {
        const machineName = `${name}-${this.options.random.suffix()}`;
        const created = this.create(
          machineType,
          machineObject(
            {
              namespace: ns,
              name: machineName,
              labels: templateLabels,
              annotations: { [IP_ANNOTATION]: this.nextIp() },
              owners: [
                ownerRef(
                  CAPI_VERSION,
                  'MachineSet',
                  name,
                  String(meta(ms).uid),
                ),
              ],
              finalizers: [FINALIZERS.machine],
            },
            {
              clusterName,
              version: String(tspec.version ?? ''),
              bootstrapKind: bootstrapConfigKind(kindRefOf(bootTemplate)),
              infraKind: infraMachineKind(kindRefOf(infraTemplate)),
              failureDomain:
                str(tspec.failureDomain) ??
                (flavor.provider === 'docker'
                  ? `fd${(i % 3) + 1}`
                  : zoneOf(flavor.provider, this.region(cluster, flavor), i)),
            },
          ),
        );
        if (created) this.createInfraMachine(created, flavor, false);
      }
      this.recordEvent(
        ms,
        'Normal',
        'SuccessfulCreate',
        `Created ${desired - active.length} Machines`,
      );
    } else if (active.length > desired) {
      const victims = [...active]
        .sort(
          (a, b) =>
            Number(condTrue(a, 'Ready')) - Number(condTrue(b, 'Ready')) ||
            creationMs(b) - creationMs(a),
        )
        .slice(0, active.length - desired);
      for (const v of victims)
        this.remove(machineType, ns, String(meta(v).name));
    }
    const current = this.dependents(ms, TYPE_IDS.machine).filter(
      x => !meta(x).deletionTimestamp,
    );
    const ready = current.filter(
      x => str(asObject(x.status)?.phase) === 'Running' && condTrue(x, 'Ready'),
    ).length;
    const mdName = labelsOf(ms)[LABELS.deploymentName];
    const md = mdName
      ? this.get(TYPE_IDS.machineDeployment, ns, mdName)
      : undefined;
    const mdVersion =
      str(asObject(asObject(asObject(md?.spec)?.template)?.spec)?.version) ??
      str(tspec.version);
    const upToDate = current.filter(
      x => asObject(x.spec)?.version === mdVersion,
    ).length;
    const fresh = this.get(t.id, ns, name);
    if (!fresh) return;
    this.writeStatus(
      t,
      fresh,
      replicaStatus('MachineSet', {
        counts: {
          desired,
          replicas: current.length,
          ready,
          available: ready,
          upToDate,
        },
        generation: num(meta(fresh).generation, 1),
        at: Date.now(),
        previous: asObject(fresh.status),
        selector: labelSelectorString(asObject(spec.selector)),
      }),
    );
  }

  // ---- Machine -----------------------------------------------------------------------------

  private reconcileMachine(ns: string, name: string): void {
    const t = this.api.type(TYPE_IDS.machine);
    const machine = this.get(t.id, ns, name);
    if (!machine) return;
    const m = meta(machine);
    const uid = String(m.uid);
    const key = objectKey(ns, name);
    const spec = asObject(machine.spec) ?? {};
    const status = asObject(machine.status) ?? {};
    const clusterName = String(spec.clusterName ?? '');
    const flavor = this.clusterFlavor(ns, clusterName);
    const labels = labelsOf(machine);
    const controlPlane = labels[LABELS.controlPlane] !== undefined;
    const phase = (str(status.phase) ?? 'Pending') as MachinePhase;
    const cluster = this.peek(TYPE_IDS.cluster, ns, clusterName);
    const readRv = this.api.store.get(t.id, key)?.rv;
    const region = this.region(cluster, flavor);
    if (m.deletionTimestamp) {
      if (!finalizersOf(machine).includes(FINALIZERS.machine)) return;
      if (phase !== 'Deleting') {
        this.mark(`${uid}:Deleting`);
        const next = this.computeMachineStatus(
          machine,
          flavor,
          'Deleting',
          controlPlane,
          region,
          Date.now(),
        );
        this.writeStatus(t, machine, next);
        this.enqueue(t.id, key, this.stepMs);
        return;
      }
      if (this.waitStep(t.id, key, this.elapsed(`${uid}:Deleting`))) return;
      const infraRef = asObject(spec.infrastructureRef);
      const infraType = this.typeOfRef(infraRef);
      if (
        infraType &&
        infraRef &&
        this.get(infraType.id, ns, String(infraRef.name))
      )
        this.remove(infraType, ns, String(infraRef.name));
      this.forget(uid);
      const fresh = this.get(t.id, ns, name);
      if (fresh) this.removeFinalizer(t, fresh, FINALIZERS.machine);
      return;
    }
    if (this.ensureFinalizer(t, machine, FINALIZERS.machine)) return;
    const lastUpdated = Date.parse(String(status.lastUpdated ?? ''));
    const phaseSince = this.elapsed(
      `${uid}:${phase}`,
      Number.isNaN(lastUpdated) ? creationMs(machine) : lastUpdated,
    );
    let next: MachinePhase = phase;
    if (phase === 'Pending') {
      const cpInitialized =
        asObject(asObject(cluster?.status)?.initialization)
          ?.controlPlaneInitialized === true;
      if (controlPlane || cpInitialized) {
        if (!this.waitStep(t.id, key, phaseSince)) next = 'Provisioning';
      } else {
        this.enqueue(t.id, key, this.stepMs);
      }
    } else if (phase === 'Provisioning') {
      if (!this.waitStep(t.id, key, phaseSince)) next = 'Provisioned';
    } else if (phase === 'Provisioned') {
      if (!this.waitStep(t.id, key, phaseSince)) next = 'Running';
    }
    if (next === 'Provisioned' && !spec.providerID) {
      const index = this.ipCounter;
      spec.providerID = providerId(
        flavor,
        region,
        name,
        index,
        crypto.createHash('sha1').update(name).digest('hex'),
      );
      machine.spec = spec;
      this.writeMain(t, machine);
      const infraRef = asObject(spec.infrastructureRef);
      const infraType = this.typeOfRef(infraRef);
      const infra =
        infraType && infraRef
          ? this.get(infraType.id, ns, String(infraRef.name))
          : undefined;
      if (infra && infraType) {
        const ispec = asObject(infra.spec) ?? {};
        ispec.providerID = spec.providerID;
        infra.spec = ispec;
        this.writeMain(infraType, infra);
        const again = this.get(infraType.id, ns, String(infraRef?.name));
        if (again) {
          const st = deepClone(asObject(again.status) ?? {});
          st.initialization = { provisioned: true };
          st.addresses = [{ type: 'InternalIP', address: this.ipFor(machine) }];
          st.conditions = [
            {
              type: 'Ready',
              status: 'True',
              reason: 'Ready',
              message: '',
              lastTransitionTime: ts(Date.now()),
            },
          ];
          this.writeStatus(infraType, again, st);
        }
      }
    }
    if (next !== phase) {
      this.mark(`${uid}:${next}`);
      if (next === 'Running') {
        this.recordEvent(
          machine,
          'Normal',
          'SuccessfulSetNodeRef',
          `Machine ${name} has node ${this.nodeName(machine, flavor, region)}`,
        );
      }
      if (next !== 'Running') this.enqueue(t.id, key, this.stepMs);
    }
    const current = this.api.store.get(t.id, key);
    if (!current) return;
    const fresh =
      current.rv === readRv && next === phase
        ? machine
        : this.get(t.id, ns, name);
    if (!fresh) return;
    const at =
      next !== phase || Number.isNaN(lastUpdated) ? Date.now() : lastUpdated;
    this.writeStatus(
      t,
      fresh,
      this.computeMachineStatus(fresh, flavor, next, controlPlane, region, at),
    );
  }

  private ipFor(machine: JsonObject): string {
    for (const a of asArray(asObject(machine.status)?.addresses) ?? []) {
      if (
        isObject(a) &&
        a.type === 'InternalIP' &&
        typeof a.address === 'string'
      )
        return a.address;
    }
    const annotations = asObject(meta(machine).annotations) ?? {};
    const fromAnnotation = str(annotations[IP_ANNOTATION]);
    return fromAnnotation ?? this.nextIp();
  }

  private nodeName(
    machine: JsonObject,
    flavor: Flavor,
    region: string,
  ): string {
    const existing = str(asObject(asObject(machine.status)?.nodeRef)?.name);
    if (existing) return existing;
    for (const a of asArray(asObject(machine.status)?.addresses) ?? []) {
      if (isObject(a) && a.type === 'Hostname' && typeof a.address === 'string')
        return a.address;
    }
    return nodeNameFor(
      flavor,
      region,
      String(meta(machine).name),
      this.ipFor(machine),
    );
  }

  private computeMachineStatus(
    machine: JsonObject,
    flavor: Flavor,
    phase: MachinePhase,
    controlPlane: boolean,
    region: string,
    at: number,
  ): JsonObject {
    const m = meta(machine);
    const spec = asObject(machine.spec) ?? {};
    const ns = String(m.namespace);
    const clusterName = String(spec.clusterName ?? '');
    const ip = this.ipFor(machine);
    const nodeName = this.nodeName(machine, flavor, region);
    let nodeReady = true;
    let nodeMessage: string | undefined;
    const id = this.workloadId(ns, clusterName);
    if (
      !controlPlane &&
      phase === 'Running' &&
      this.options.faults.get(id)?.nodesNotReady
    ) {
      const workers = this.listByCluster(TYPE_IDS.machine, ns, clusterName)
        .filter(
          x =>
            labelsOf(x)[LABELS.controlPlane] === undefined &&
            str(asObject(x.status)?.phase) === 'Running',
        )
        .map(x => this.nodeName(x, flavor, region))
        .sort();
      if (this.options.faults.notReadyNodes(id, workers).has(nodeName))
        nodeReady = false;
    }
    if (controlPlane && this.options.faults.isControlPlaneDown(id))
      nodeReady = false;
    if (this.unhealthy.has(objectKey(ns, String(m.name)))) nodeReady = false;
    if (!nodeReady)
      nodeMessage = '* Node.Ready: kubelet stopped posting node status';
    let desiredVersion = str(spec.version);
    if (controlPlane) {
      const cpName = labelsOf(machine)[LABELS.controlPlaneName];
      const cluster = this.peek(TYPE_IDS.cluster, ns, clusterName);
      const cpType = this.typeOfRef(
        asObject(asObject(cluster?.spec)?.controlPlaneRef),
      );
      const cp =
        cpType && cpName ? this.peek(cpType.id, ns, cpName) : undefined;
      desiredVersion = str(asObject(cp?.spec)?.version) ?? desiredVersion;
    } else {
      const md = labelsOf(machine)[LABELS.deploymentName];
      const mdObj = md
        ? this.peek(TYPE_IDS.machineDeployment, ns, md)
        : undefined;
      desiredVersion =
        str(
          asObject(asObject(asObject(mdObj?.spec)?.template)?.spec)?.version,
        ) ?? desiredVersion;
    }
    const status = machineStatus({
      phase,
      nodeName,
      ip,
      providerID: str(spec.providerID),
      failureDomain: str(spec.failureDomain),
      flavor,
      kube: kubeVersionOf(flavor.distribution, String(spec.version ?? '')),
      nodeReady,
      nodeMessage,
      upToDate: desiredVersion === spec.version,
      generation: num(m.generation, 1),
      at,
      previous: asObject(machine.status),
      controlPlane,
    });
    const previous = asObject(machine.status);
    if (
      previous &&
      typeof previous.lastUpdated === 'string' &&
      phase === previous.phase
    )
      status.lastUpdated = previous.lastUpdated;
    return status;
  }

  // ---- MachinePool -------------------------------------------------------------------------

  private reconcileMachinePool(ns: string, name: string): void {
    const t = this.api.type(TYPE_IDS.machinePool);
    const mp = this.get(t.id, ns, name);
    if (!mp) return;
    const m = meta(mp);
    const uid = String(m.uid);
    const key = objectKey(ns, name);
    const spec = asObject(mp.spec) ?? {};
    const tspec = asObject(asObject(spec.template)?.spec) ?? {};
    const infraRef = asObject(tspec.infrastructureRef);
    const infraType = this.typeOfRef(infraRef);
    if (m.deletionTimestamp) {
      if (!finalizersOf(mp).includes(FINALIZERS.machinePool)) return;
      if (this.waitStep(t.id, key, this.elapsed(`${uid}:Deleting`))) return;
      if (
        infraType &&
        infraRef &&
        this.get(infraType.id, ns, String(infraRef.name))
      )
        this.remove(infraType, ns, String(infraRef.name));
      this.removeFinalizer(t, mp, FINALIZERS.machinePool);
      return;
    }
    if (this.ensureFinalizer(t, mp, FINALIZERS.machinePool)) return;
    const desired = num(spec.replicas, 1);
    const status = asObject(mp.status) ?? {};
    const version = String(tspec.version ?? '');
    let replicas = num(status.replicas);
    let upToDate = num(status.upToDateReplicas, replicas);
    const stateKey = `${uid}:scale:${desired}:${version}`;
    if (replicas !== desired || upToDate !== desired) {
      if (!this.waitStep(t.id, key, this.elapsed(stateKey))) {
        replicas = desired;
        upToDate = desired;
      }
    }
    const clusterName = String(spec.clusterName ?? '');
    const notReady =
      this.options.faults.get(this.workloadId(ns, clusterName))
        ?.nodesNotReady ?? 0;
    const ready = Math.max(0, replicas - Math.min(notReady, replicas));
    this.writeStatus(
      t,
      mp,
      replicaStatus('MachinePool', {
        counts: { desired, replicas, ready, available: ready, upToDate },
        generation: num(m.generation, 1),
        at: Date.now(),
        previous: status,
        selector: '',
      }),
    );
    if (infraType && infraRef) {
      const infra = this.get(infraType.id, ns, String(infraRef.name));
      if (infra) {
        const next = {
          ...(asObject(infra.status) ?? {}),
          ready: true,
          replicas,
        };
        this.writeStatus(infraType, infra, next);
      } else {
        const kind: KindRef = {
          group: infraType.group,
          version: infraType.versions[0].name,
          kind: infraType.kind,
        };
        this.create(infraType, {
          apiVersion: `${kind.group}/${kind.version}`,
          kind: kind.kind,
          metadata: objectMeta({
            namespace: ns,
            name: String(infraRef.name),
            labels: { [LABELS.clusterName]: clusterName },
            owners: [ownerRef(CAPI_VERSION, 'MachinePool', name, uid)],
          }),
          spec: {},
          status: { ready: false, replicas: 0 },
        });
      }
    }
  }

  // ---- events ------------------------------------------------------------------------------

  private recordEvent(
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

function pick(
  labels: Record<string, string>,
  keys: string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) if (labels[k] !== undefined) out[k] = labels[k];
  return out;
}

function kindRefOf(ref: JsonObject | undefined): KindRef | undefined {
  if (!ref) return undefined;
  return {
    group: String(ref.apiGroup ?? String(ref.apiVersion ?? '').split('/')[0]),
    version: 'v1beta2',
    kind: String(ref.kind ?? ''),
  };
}

function refTemplate(ref: JsonObject | undefined): {
  kind: KindRef;
  name: string;
} {
  return {
    kind: kindRefOf(ref) ?? {
      group: 'infrastructure.cluster.x-k8s.io',
      version: 'v1beta2',
      kind: 'DevMachineTemplate',
    },
    name: String(ref?.name ?? ''),
  };
}

export function compareVersions(a: string, b: string): number {
  const pa = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(a);
  const pb = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(b);
  if (!pa || !pb) return a.localeCompare(b);
  for (let i = 1; i <= 3; i++) {
    const d = Number(pa[i] ?? 0) - Number(pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
