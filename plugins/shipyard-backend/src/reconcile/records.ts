import {
  ANNOTATION_AVAILABILITY_OBJECTIVE,
  ANNOTATION_PAUSE_EXPIRES_AT,
  ANNOTATION_PAUSE_REASON,
  ANNOTATION_PAUSED_AT,
  ANNOTATION_PAUSED_BY,
  CAPI_LABELS,
  CAPI_PAUSED_ANNOTATION,
  ClusterClassVariableSummary,
  ClusterPause,
  ClusterCondition,
  ConditionStatus,
  ReplicaCounters,
} from '@shipyard/plugin-shipyard-common';
import type { KubeObject } from '@shipyard/plugin-shipyard-node/kube';
import { intern, internRecent, internRecord } from '../index/intern';
import {
  ClusterClassRecord,
  ClusterRecord,
  ControlPlaneRecord,
  HostedControlPlaneRecord,
  MachineDeploymentRecord,
  MachineHealthCheckRecord,
  MachinePoolRecord,
  MachineRecord,
  MachineSetRecord,
  ReadinessRecord,
} from '../records/types';

/*
 * Projections: each CAPI object read into its trimmed record (`records/types.ts`). v1beta1 and v1beta2 objects
 * project to the same shape.
 */

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value)
    ? value
    : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function bool(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

/**
 * Copies an object without its undefined properties. Building a fresh object (instead of `delete`, which turns
 * objects into slow dictionary-mode ones several times their size) keeps records small: there are ~10 per cluster.
 * Repeated string values are interned.
 */
const UNIQUE_KEYS = new Set([
  'name',
  'uid',
  'nodeName',
  'createdAt',
  'apiServerUrl',
  'since',
  'lastTransitionTime',
  'deletingSince',
]);

function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) continue;
    out[key] = typeof v === 'string' && !UNIQUE_KEYS.has(key) ? intern(v) : v;
  }
  return out as T;
}

function toConditionStatus(value: unknown): ConditionStatus {
  if (value === 'True') return 'True';
  return value === 'False' ? 'False' : 'Unknown';
}

/*
 * The records of the kinds listed by the hundred thousand (conditions, readiness, replica counters, the Machines and
 * their MachineSets and MachineDeployments) are built field by field in the order {@link compact} would give them:
 * the same objects, without an intermediate object and key list per record. Each starts as an empty object literal,
 * as {@link compact}'s do: that has room for four properties in the object itself (a literal with fewer properties
 * has room for only those, and the ones added later go to a separate array, which cost ~0.5 KB per cluster).
 */
function emptyRecord<T>(): T {
  return {} as T;
}

function rawConditions(obj: KubeObject): unknown {
  const status = obj.status ?? {};
  const isV1beta1 = (obj.apiVersion ?? '').endsWith('/v1beta1');
  return isV1beta1 && Array.isArray(status.v1beta2?.conditions)
    ? status.v1beta2.conditions
    : status.conditions;
}

/** Normalised conditions of an object: v1beta2 conditions when present (also under `status.v1beta2` of v1beta1). */
export function readConditions(obj: KubeObject): ClusterCondition[] {
  const raw = rawConditions(obj);
  if (!Array.isArray(raw)) return [];
  const out: ClusterCondition[] = [];
  for (const c of raw) {
    if (!c || typeof c.type !== 'string') continue;
    const condition = emptyRecord<ClusterCondition>();
    condition.type = intern(c.type);
    condition.status = toConditionStatus(c.status);
    const reason = str(c.reason);
    if (reason !== undefined) condition.reason = intern(reason);
    const message = str(c.message);
    if (message !== undefined) condition.message = intern(message);
    const severity = str(c.severity);
    if (severity !== undefined) condition.severity = intern(severity);
    const since = internRecent(str(c.lastTransitionTime));
    if (since !== undefined) condition.lastTransitionTime = since;
    out.push(condition);
  }
  return out;
}

/**
 * The readiness of an object straight from its raw conditions (for kinds whose other conditions nobody reads:
 * Machines, MachineDeployments, MachinePools; cheaper than {@link readConditions} on ~10 objects per cluster).
 */
export function readReadiness(obj: KubeObject): ReadinessRecord {
  const c = rawReadiness(obj);
  if (!c) return { status: 'Unknown' };
  const out = emptyRecord<ReadinessRecord>();
  out.status = toConditionStatus(c.status);
  const reason = str(c.reason);
  if (reason !== undefined) out.reason = intern(reason);
  const message = str(c.message);
  if (message !== undefined) out.message = intern(message);
  const since = internRecent(str(c.lastTransitionTime));
  if (since !== undefined) out.since = since;
  return out;
}

/** The raw `Available` condition of an object, else its `Ready` one. */
function rawReadiness(obj: KubeObject): any {
  const raw = rawConditions(obj);
  if (!Array.isArray(raw)) return undefined;
  return (
    raw.find(x => x?.type === 'Available') ?? raw.find(x => x?.type === 'Ready')
  );
}

/** The readiness of an object: its `Available` condition, else `Ready`. */
export function readinessOf(conditions: ClusterCondition[]): ReadinessRecord {
  const c =
    conditions.find(x => x.type === 'Available') ??
    conditions.find(x => x.type === 'Ready');
  if (!c) return { status: 'Unknown' };
  const out = emptyRecord<ReadinessRecord>();
  out.status = intern(c.status);
  if (c.reason !== undefined) out.reason = intern(c.reason);
  if (c.message !== undefined) out.message = intern(c.message);
  if (c.lastTransitionTime !== undefined) out.since = c.lastTransitionTime;
  return out;
}

function refKind(ref: unknown): string | undefined {
  return ref && typeof ref === 'object' ? str((ref as any).kind) : undefined;
}

function controllerOwner(obj: KubeObject, kind?: (k: string) => boolean) {
  return (obj.metadata.ownerReferences ?? []).find(
    r => r.controller && (!kind || kind(r.kind)),
  );
}

/**
 * Whether an object's status was written before its controller observed the latest spec
 * (`status.observedGeneration` below `metadata.generation`): its counters then describe the previous spec.
 */
function statusBehindSpec(obj: KubeObject): true | undefined {
  const generation = num((obj.metadata as { generation?: unknown }).generation);
  const observed = num(obj.status?.observedGeneration);
  return generation !== undefined &&
    observed !== undefined &&
    observed < generation
    ? true
    : undefined;
}

/** Replica counters of an object that uses the v1beta2 names, with v1beta1 fallbacks. */
function readReplicas(obj: KubeObject, desired: unknown): ReplicaCounters {
  const status = obj.status ?? {};
  const v2 = status.v1beta2 ?? {};
  const isV1beta1 = (obj.apiVersion ?? '').endsWith('/v1beta1');
  const out: ReplicaCounters = {};
  if (statusBehindSpec(obj)) out.statusBehindSpec = true;
  const d = num(desired);
  if (d !== undefined) out.desired = d;
  const current = num(status.replicas);
  if (current !== undefined) out.current = current;
  const ready = num(
    isV1beta1 ? v2.readyReplicas ?? status.readyReplicas : status.readyReplicas,
  );
  if (ready !== undefined) out.ready = ready;
  const available = num(
    isV1beta1
      ? v2.availableReplicas ?? status.availableReplicas
      : status.availableReplicas,
  );
  if (available !== undefined) out.available = available;
  const upToDate = num(
    isV1beta1
      ? v2.upToDateReplicas ?? status.updatedReplicas
      : status.upToDateReplicas,
  );
  if (upToDate !== undefined) out.upToDate = upToDate;
  return out;
}

function readClusterCounters(raw: any): ReplicaCounters {
  if (!raw || typeof raw !== 'object') return {};
  const out: ReplicaCounters = {};
  const desired = num(raw.desiredReplicas);
  if (desired !== undefined) out.desired = desired;
  const current = num(raw.replicas);
  if (current !== undefined) out.current = current;
  const ready = num(raw.readyReplicas);
  if (ready !== undefined) out.ready = ready;
  const available = num(raw.availableReplicas);
  if (available !== undefined) out.available = available;
  const upToDate = num(raw.upToDateReplicas);
  if (upToDate !== undefined) out.upToDate = upToDate;
  return out;
}

export function clusterNameOf(obj: KubeObject): string | undefined {
  return (
    str(obj.spec?.clusterName) ?? obj.metadata.labels?.[CAPI_LABELS.clusterName]
  );
}

/** The pause of a Cluster (`spec.paused` or the Cluster API paused annotation), with Shipyard's annotations about it. */
function pauseOf(obj: KubeObject): ClusterPause | undefined {
  const annotations = obj.metadata.annotations ?? {};
  if (obj.spec?.paused !== true && !(CAPI_PAUSED_ANNOTATION in annotations)) {
    return undefined;
  }
  return compact({
    reason: str(annotations[ANNOTATION_PAUSE_REASON]),
    by: str(annotations[ANNOTATION_PAUSED_BY]),
    since: str(annotations[ANNOTATION_PAUSED_AT]),
    expiresAt: str(annotations[ANNOTATION_PAUSE_EXPIRES_AT]),
  });
}

/** Projects a CAPI Cluster (v1beta1 or v1beta2). */
export function projectCluster(
  obj: KubeObject,
  keepAnnotations: ReadonlySet<string>,
): ClusterRecord {
  const spec = obj.spec ?? {};
  const status = obj.status ?? {};
  const isV1beta1 = (obj.apiVersion ?? '').endsWith('/v1beta1');
  const topology = spec.topology ?? undefined;
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj.metadata.annotations ?? {})) {
    if (keepAnnotations.has(k)) annotations[intern(k)] = intern(v);
  }
  const host = str(spec.controlPlaneEndpoint?.host);
  const port = num(spec.controlPlaneEndpoint?.port);
  let topologyWorkerClasses: Record<string, string> | undefined;
  const mds = topology?.workers?.machineDeployments;
  if (Array.isArray(mds)) {
    topologyWorkerClasses = {};
    for (const md of mds) {
      if (typeof md?.name === 'string' && typeof md?.class === 'string') {
        topologyWorkerClasses[md.name] = md.class;
      }
    }
  }
  let variables: Record<string, unknown> | undefined;
  if (Array.isArray(topology?.variables)) {
    variables = {};
    for (const v of topology.variables) {
      if (typeof v?.name === 'string') variables[intern(v.name)] = v.value;
    }
  }
  const countersSource = isV1beta1 ? status.v1beta2 ?? {} : status;
  const pause = pauseOf(obj);
  const initialization = status.initialization ?? {};
  return compact({
    uid: obj.metadata.uid ?? '',
    namespace: obj.metadata.namespace ?? 'default',
    name: obj.metadata.name,
    apiVersion: obj.apiVersion ?? '',
    createdAt: str(obj.metadata.creationTimestamp),
    deletingSince: str(obj.metadata.deletionTimestamp),
    labels: internRecord(obj.metadata.labels ?? {}),
    annotations,
    pause,
    availabilityObjective: str(
      obj.metadata.annotations?.[ANNOTATION_AVAILABILITY_OBJECTIVE],
    )?.slice(0, 64),
    phase: str(status.phase),
    conditions: readConditions(obj),
    controlPlaneCounters: readClusterCounters(countersSource.controlPlane),
    workerCounters: readClusterCounters(countersSource.workers),
    clusterClass: str(topology?.classRef?.name) ?? str(topology?.class),
    version: str(topology?.version),
    infrastructureKind: refKind(spec.infrastructureRef),
    controlPlaneKind: refKind(spec.controlPlaneRef),
    controlPlaneName: str(spec.controlPlaneRef?.name),
    apiServerUrl: host ? `https://${host}:${port ?? 6443}` : undefined,
    infrastructureProvisioned: bool(
      isV1beta1
        ? status.infrastructureReady
        : initialization.infrastructureProvisioned,
    ),
    controlPlaneInitialized: bool(
      isV1beta1
        ? status.controlPlaneReady
        : initialization.controlPlaneInitialized,
    ),
    topologyWorkerClasses,
    variables,
  });
}

/** Projects any control plane kind (KubeadmControlPlane, RKE2ControlPlane, …). */
export function projectControlPlane(obj: KubeObject): ControlPlaneRecord {
  const conditions = readConditions(obj);
  const ownerCluster = (obj.metadata.ownerReferences ?? []).find(
    r => r.kind === 'Cluster',
  );
  return compact({
    namespace: obj.metadata.namespace ?? 'default',
    name: obj.metadata.name,
    kind: obj.kind ?? 'ControlPlane',
    clusterName:
      obj.metadata.labels?.[CAPI_LABELS.clusterName] ?? ownerCluster?.name,
    // where control plane providers declare the version: spec.version (kubeadm, k3s, k0s, RKE2, EKS, AKS, ROSA),
    // spec.controlPlaneVersion (GKE), spec.kubernetesVersion (others)
    version:
      str(obj.spec?.version) ??
      str(obj.spec?.controlPlaneVersion) ??
      str(obj.spec?.kubernetesVersion),
    observedVersion:
      str(obj.status?.version) ?? str(obj.status?.currentVersion),
    replicas: readReplicas(obj, obj.spec?.replicas),
    readiness: readinessOf(conditions),
    conditions,
    hosted: projectHosted(obj),
  });
}

function endpointOf(host: unknown, port: unknown): string | undefined {
  const h = str(host);
  if (!h) return undefined;
  const p = num(port);
  return `https://${h}${p ? `:${p}` : ''}`;
}

/**
 * Where a control plane hosted as pods runs, as its provider lays it out: k0smotron a StatefulSet `kmc-<name>`,
 * Kamaji a Deployment `<name>` (in the namespace of the object, unless Kamaji deploys to another cluster's
 * namespace), and its datastore and endpoint as the spec names them.
 */
function projectHosted(obj: KubeObject): HostedControlPlaneRecord | undefined {
  const namespace = obj.metadata.namespace ?? 'default';
  const spec = obj.spec ?? {};
  if (obj.kind === 'K0smotronControlPlane') {
    let datastore = 'etcd';
    const kine = str(spec.kineDataSourceURL);
    if (kine) datastore = `kine: ${kine.split(':')[0]}`;
    else if (str(spec.kineDataSourceSecretName)) datastore = 'kine';
    return compact({
      provider: 'k0smotron' as const,
      namespace,
      workloadKind: 'StatefulSet' as const,
      workloadName: `kmc-${obj.metadata.name}`,
      datastore,
      endpoint: endpointOf(spec.externalAddress, spec.service?.apiPort),
    });
  }
  if (obj.kind === 'KamajiControlPlane') {
    const external = spec.deployment?.externalClusterReference;
    return compact({
      provider: 'kamaji' as const,
      namespace: str(external?.deploymentNamespace) ?? namespace,
      workloadKind: 'Deployment' as const,
      workloadName: obj.metadata.name,
      datastore: `DataStore ${str(spec.dataStoreName) ?? 'default'}`,
      endpoint: endpointOf(
        spec.controlPlaneEndpoint?.host,
        spec.controlPlaneEndpoint?.port,
      ),
    });
  }
  return undefined;
}

/** A record of a workers' kind begun with its name and, when labelled, its cluster's name. */
function namedRecord<T extends { name: string; clusterName?: string }>(
  obj: KubeObject,
): T {
  const out = emptyRecord<T>();
  out.name = obj.metadata.name;
  const clusterName = clusterNameOf(obj);
  if (clusterName !== undefined) out.clusterName = intern(clusterName);
  return out;
}

/** What a MachineDeployment and a MachinePool both report: version, phase, replica counters and readiness. */
function withWorkerState<
  T extends {
    version?: string;
    phase?: string;
    replicas: ReplicaCounters;
    readiness: ReadinessRecord;
  },
>(out: T, obj: KubeObject): T {
  const version = str(obj.spec?.template?.spec?.version);
  if (version !== undefined) out.version = intern(version);
  const phase = str(obj.status?.phase);
  if (phase !== undefined) out.phase = intern(phase);
  out.replicas = readReplicas(obj, obj.spec?.replicas);
  out.readiness = readReadiness(obj);
  return out;
}

export function projectMachineDeployment(
  obj: KubeObject,
): MachineDeploymentRecord {
  const out = namedRecord<MachineDeploymentRecord>(obj);
  const cls = obj.metadata.labels?.[CAPI_LABELS.topologyDeploymentName];
  if (cls !== undefined) out.class = intern(cls);
  return withWorkerState(out, obj);
}

export function projectMachineSet(obj: KubeObject): MachineSetRecord {
  const owner = controllerOwner(obj, k => k === 'MachineDeployment');
  const out = namedRecord<MachineSetRecord>(obj);
  const deploymentName =
    owner?.name ?? obj.metadata.labels?.[CAPI_LABELS.deploymentName];
  if (deploymentName !== undefined) {
    out.deploymentName = intern(deploymentName);
  }
  out.replicas = readReplicas(obj, obj.spec?.replicas);
  return out;
}

export function projectMachine(obj: KubeObject): MachineRecord {
  const labels = obj.metadata.labels ?? {};
  const owner = controllerOwner(obj);
  const name = obj.metadata.name;
  const nodeName = str(obj.status?.nodeRef?.name);
  const readiness = rawReadiness(obj);
  const ownerName = intern(owner?.name);
  return {
    name,
    clusterName: intern(clusterNameOf(obj)),
    phase: intern(str(obj.status?.phase) ?? 'Unknown'),
    version: intern(str(obj.spec?.version)),
    // a Node is often named after its Machine: one string for both
    nodeName: nodeName === name ? name : nodeName,
    machineSetName: owner?.kind === 'MachineSet' ? ownerName : undefined,
    machinePoolName: owner?.kind === 'MachinePool' ? ownerName : undefined,
    deploymentName: intern(labels[CAPI_LABELS.deploymentName]),
    controlPlane:
      CAPI_LABELS.controlPlane in labels ||
      (owner?.kind ?? '').endsWith('ControlPlane'),
    ready: readiness ? toConditionStatus(readiness.status) : 'Unknown',
    readyReason: intern(str(readiness?.reason)),
    readyMessage: intern(str(readiness?.message)),
    readySince: internRecent(str(readiness?.lastTransitionTime)),
  };
}

export function projectMachinePool(obj: KubeObject): MachinePoolRecord {
  return withWorkerState(namedRecord<MachinePoolRecord>(obj), obj);
}

export function projectMachineHealthCheck(
  obj: KubeObject,
): MachineHealthCheckRecord {
  const status = obj.status ?? {};
  const out = namedRecord<MachineHealthCheckRecord>(obj);
  const expected = num(status.expectedMachines);
  if (expected !== undefined) out.expectedMachines = expected;
  const healthy = num(status.currentHealthy);
  if (healthy !== undefined) out.currentHealthy = healthy;
  const allowed = num(status.remediationsAllowed);
  if (allowed !== undefined) out.remediationsAllowed = allowed;
  return out;
}

export function projectClusterClass(obj: KubeObject): ClusterClassRecord {
  const spec = obj.spec ?? {};
  const annotations = obj.metadata.annotations ?? {};
  const versions = str(annotations['shipyard.io/kubernetes-versions']);
  const classesOf = (list: unknown) =>
    Array.isArray(list)
      ? list.map(c => str(c?.class)).filter((c): c is string => !!c)
      : [];
  return compact({
    namespace: obj.metadata.namespace ?? 'default',
    name: obj.metadata.name,
    infrastructureKind:
      refKind(spec.infrastructure?.templateRef) ??
      refKind(spec.infrastructure?.ref),
    controlPlaneKind:
      refKind(spec.controlPlane?.templateRef) ??
      refKind(spec.controlPlane?.ref),
    uid: obj.metadata.uid,
    generation: num((obj.metadata as { generation?: unknown }).generation),
    description:
      str(annotations.description) ??
      str(annotations['shipyard.io/description']),
    kubernetesVersions: versions
      ?.split(',')
      .map(v => v.trim())
      .filter(v => v.length > 0),
    machineDeploymentClasses: classesOf(spec.workers?.machineDeployments),
    machinePoolClasses: classesOf(spec.workers?.machinePools),
    variables: clusterClassVariables(obj),
    labels: { ...(obj.metadata.labels ?? {}) },
    createdAt: obj.metadata.creationTimestamp,
  });
}

/** Variables of a ClusterClass: `spec.variables`, else the definitions the topology controller reports in status. */
function clusterClassVariables(obj: KubeObject): ClusterClassVariableSummary[] {
  const fromSpec: unknown[] = Array.isArray(obj.spec?.variables)
    ? obj.spec.variables
    : [];
  const fromStatus: unknown[] = Array.isArray(obj.status?.variables)
    ? obj.status.variables.map((v: any) => ({
        name: v?.name,
        ...(Array.isArray(v?.definitions) ? v.definitions[0] : {}),
      }))
    : [];
  const out: ClusterClassVariableSummary[] = [];
  for (const raw of fromSpec.length > 0 ? fromSpec : fromStatus) {
    const v = raw as any;
    const name = str(v?.name);
    if (!name) continue;
    const schema = v?.schema?.openAPIV3Schema;
    const variable: ClusterClassVariableSummary = {
      name,
      required: v?.required === true,
      schema: schema && typeof schema === 'object' ? schema : {},
    };
    const description =
      str(v?.metadata?.annotations?.description) ?? str(schema?.description);
    if (description) variable.description = description;
    out.push(variable);
  }
  return out;
}

/*
 * Records projected in another thread (a list worker, see `ListWorkers`) arrive as structured clones: every string
 * a fresh copy. Adopting one shares its strings as the projections above share them: a record's own per-object
 * fields (names, uids, creation times, addresses: `UNIQUE_KEYS`) kept, timestamps through the recent cache, every
 * other short string interned. Free-form values (topology variables, variable schemas) are kept as they are, as the projections
 * keep them.
 */
const RECENT_KEYS = new Set(['lastTransitionTime', 'since', 'readySince']);
const FREE_FORM_KEYS = new Set(['variables', 'schema']);

function adoptValue(value: unknown, key: string, own: boolean): unknown {
  if (typeof value === 'string') {
    if (RECENT_KEYS.has(key)) return internRecent(value);
    return own && UNIQUE_KEYS.has(key) ? value : intern(value);
  }
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      value[i] = adoptValue(value[i], key, false);
    }
    return value;
  }
  const record = value as Record<string, unknown>;
  for (const k of Object.keys(record)) {
    if (FREE_FORM_KEYS.has(k)) continue;
    // written back whatever it is: the shared copy of a string is `===` to the copy it replaces
    record[k] = adoptValue(record[k], k, own && key === '');
  }
  return record;
}

/** A Machine's record rebuilt as {@link projectMachine} builds it (one flat object of that shape). */
function adoptMachine(m: MachineRecord): MachineRecord {
  const name = m.name;
  return {
    name,
    clusterName: intern(m.clusterName),
    phase: intern(m.phase),
    version: intern(m.version),
    nodeName: m.nodeName === name ? name : m.nodeName,
    machineSetName: intern(m.machineSetName),
    machinePoolName: intern(m.machinePoolName),
    deploymentName: intern(m.deploymentName),
    controlPlane: m.controlPlane,
    ready: intern(m.ready),
    readyReason: intern(m.readyReason),
    readyMessage: intern(m.readyMessage),
    readySince: internRecent(m.readySince),
  };
}

/** A record of `kind` projected in another thread, its strings shared with this thread's records. */
export function adoptRecord<T>(kind: string, record: T): T {
  if (kind === 'Machine') {
    return adoptMachine(record as unknown as MachineRecord) as unknown as T;
  }
  return adoptValue(record, '', true) as T;
}
