/**
 * The Cluster reconciler: phases, conditions and counters from the cluster's parts, the kubeconfig Secret once
 * the control plane is initialized, adoption of classic clusters' parts, and deletion of everything in a cluster.
 */
import { ResourceType } from '../api/registry';
import {
  clusterFailureDomains,
  clusterFaultMessages,
  clusterStatus,
} from '../capi/cluster';
import { addCounts, Counts, ZERO } from '../capi/conditions';
import {
  clusterOwner,
  FINALIZERS,
  LABELS,
  objectMeta,
  ts,
  TYPE_IDS,
} from '../capi/kinds';
import { objectKey } from '../store/store';
import {
  asArray,
  asObject,
  deepClone,
  isObject,
  JsonObject,
} from '../util/json';
import { ControllerContext, isPausedCluster } from './context';
import { condTrue, finalizersOf, labelsOf, meta, num, str } from './read';
import { reconcileTopology } from './topology';

export function reconcileCluster(
  ctx: ControllerContext,
  ns: string,
  name: string,
): void {
  const t = ctx.api.type(TYPE_IDS.cluster);
  const cluster = ctx.get(TYPE_IDS.cluster, ns, name);
  if (!cluster) {
    ctx.options.workloadGone(ns, name);
    return;
  }
  const m = meta(cluster);
  const spec = asObject(cluster.spec) ?? {};
  const status = asObject(cluster.status) ?? {};
  const generation = num(m.generation, 1);
  if (m.deletionTimestamp) {
    deleteCluster(ctx, t, cluster, ns, name);
    return;
  }
  if (ctx.ensureFinalizer(t, cluster, FINALIZERS.cluster)) return;
  if (status.phase === undefined) {
    ctx.writeStatus(t, cluster, {
      phase: 'Pending',
      observedGeneration: generation,
    });
    ctx.enqueue(t.id, objectKey(ns, name), 0);
    return;
  }
  if (isPausedCluster(cluster)) {
    const next = deepClone(status);
    const conditions = asArray(status.conditions) ?? [];
    const was = conditions.find(
      c => isObject(c) && c.type === 'Paused' && c.status === 'True',
    ) as JsonObject | undefined;
    next.conditions = conditions.filter(
      c => !(isObject(c) && c.type === 'Paused'),
    );
    // the transition time stays while it stays paused (a new one each time would be a write per reconcile)
    (next.conditions as JsonObject[]).push({
      type: 'Paused',
      status: 'True',
      reason: 'Paused',
      message: 'Reconciliation is paused',
      lastTransitionTime: was?.lastTransitionTime ?? ts(Date.now()),
      observedGeneration: generation,
    });
    ctx.writeStatus(t, cluster, next);
    return;
  }
  let topologyOk: boolean | undefined;
  let topologyReason: string | undefined;
  let topologyMessage: string | undefined;
  const topology = asObject(spec.topology);
  if (topology) {
    const result = reconcileTopology(ctx, cluster, ns, name, topology);
    if (result === 'wrote') return;
    topologyOk = result === 'ok';
    if (!topologyOk) {
      topologyReason = 'ClusterClassNotReconciled';
      topologyMessage = result;
    }
  } else {
    adoptClassic(ctx, cluster, ns, name);
  }
  const flavor = ctx.clusterFlavor(ns, name);
  const infraType = ctx.typeOfRef(asObject(spec.infrastructureRef));
  const infra = infraType
    ? ctx.get(infraType.id, ns, String(asObject(spec.infrastructureRef)?.name))
    : undefined;
  const infraStatusObj = asObject(infra?.status);
  const infraReady =
    asObject(infraStatusObj?.initialization)?.provisioned === true ||
    infraStatusObj?.ready === true;
  const cpType = ctx.typeOfRef(asObject(spec.controlPlaneRef));
  const cp = cpType
    ? ctx.get(cpType.id, ns, String(asObject(spec.controlPlaneRef)?.name))
    : undefined;
  const cpStatus = asObject(cp?.status);
  const cpInitialized =
    asObject(cpStatus?.initialization)?.controlPlaneInitialized === true ||
    cpStatus?.initialized === true;
  const id = ctx.workloadId(ns, name);
  const cpDown = ctx.options.faults.isControlPlaneDown(id);
  const unreachable = ctx.options.faults.isUnreachable(id);
  const cpAvailable =
    cpInitialized &&
    !cpDown &&
    (condTrue(cp, 'Available') ||
      v1beta2Available(cp) ||
      cpStatus?.ready === true);
  const countsControlPlane = flavor.machineControlPlane || flavor.hosted;
  const cpDesired = countsControlPlane
    ? num(asObject(cp?.spec)?.replicas, 1)
    : 0;
  const cpCounts: Counts = countsControlPlane
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
  for (const md of ctx.listByCluster(TYPE_IDS.machineDeployment, ns, name)) {
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
  for (const mp of ctx.listByCluster(TYPE_IDS.machinePool, ns, name)) {
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
    remoteOk,
    ...clusterFaultMessages(unreachable, cpDown, Date.now() - ctx.stepMs),
    ...(flavor.hosted && !cpAvailable && cpInitialized
      ? { cpMessage: `Control plane is not available: ${hostedMessage(cp)}` }
      : {}),
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
    failureDomains: clusterFailureDomains(flavor, ctx.region(cluster, flavor)),
  });
  ctx.writeStatus(t, cluster, next);
  if (cpInitialized) {
    const secretName = `${name}-kubeconfig`;
    const kubeconfig = ctx.options.workloadReady(ns, name, flavor);
    if (!ctx.get(TYPE_IDS.secret, ns, secretName)) {
      ctx.create(ctx.api.type(TYPE_IDS.secret), {
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
      ctx.recordEvent(
        cluster,
        'Normal',
        'Provisioned',
        `Cluster ${name} is Provisioned`,
      );
    }
  }
}

function v1beta2Available(cp: JsonObject | undefined): boolean {
  for (const c of asArray(
    asObject(asObject(cp?.status)?.v1beta2)?.conditions,
  ) ?? []) {
    if (isObject(c) && c.type === 'Available') return c.status === 'True';
  }
  return false;
}

function adoptClassic(
  ctx: ControllerContext,
  cluster: JsonObject,
  ns: string,
  name: string,
): void {
  const spec = asObject(cluster.spec) ?? {};
  const uid = String(meta(cluster).uid);
  for (const field of ['infrastructureRef', 'controlPlaneRef']) {
    const ref = asObject(spec[field]);
    const t = ctx.typeOfRef(ref);
    if (!t || !ref) continue;
    const obj = ctx.get(t.id, ns, String(ref.name));
    if (!obj) continue;
    const labels = labelsOf(obj);
    const owners = asArray(meta(obj).ownerReferences) ?? [];
    const owned = owners.some(o => isObject(o) && o.uid === uid);
    if (labels[LABELS.clusterName] === name && owned) continue;
    const om = meta(obj);
    om.labels = { ...labels, [LABELS.clusterName]: name };
    if (!owned) om.ownerReferences = [...owners, clusterOwner(name, uid)];
    ctx.writeMain(t, obj);
  }
  for (const md of ctx.listByCluster(TYPE_IDS.machineDeployment, ns, name)) {
    const owners = asArray(meta(md).ownerReferences) ?? [];
    if (!owners.some(o => isObject(o) && o.uid === uid)) {
      meta(md).ownerReferences = [...owners, clusterOwner(name, uid, false)];
      ctx.writeMain(ctx.api.type(TYPE_IDS.machineDeployment), md);
    }
  }
}

function deleteCluster(
  ctx: ControllerContext,
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
    ctx.writeStatus(t, cluster, next);
    ctx.recordEvent(
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
    for (const obj of ctx.listByCluster(typeId, ns, name)) {
      if (!meta(obj).deletionTimestamp)
        ctx.remove(ctx.api.type(typeId), ns, String(meta(obj).name));
    }
  }
  const cpRef = asObject(spec.controlPlaneRef);
  const cpType = ctx.typeOfRef(cpRef);
  const cp =
    cpType && cpRef ? ctx.get(cpType.id, ns, String(cpRef.name)) : undefined;
  const workersLeft =
    ctx.listByCluster(TYPE_IDS.machineDeployment, ns, name).length +
    ctx.listByCluster(TYPE_IDS.machinePool, ns, name).length +
    ctx
      .listByCluster(TYPE_IDS.machine, ns, name)
      .filter(m => labelsOf(m)[LABELS.controlPlane] === undefined).length;
  if (cp && cpType && workersLeft === 0 && !meta(cp).deletionTimestamp) {
    ctx.remove(cpType, ns, String(meta(cp).name));
  }
  const machinesLeft = ctx.listByCluster(TYPE_IDS.machine, ns, name).length;
  if (workersLeft > 0 || machinesLeft > 0 || cp) {
    ctx.enqueue(TYPE_IDS.cluster, objectKey(ns, name), ctx.stepMs);
    return;
  }
  const infraRef = asObject(spec.infrastructureRef);
  const infraType = ctx.typeOfRef(infraRef);
  const infra =
    infraType && infraRef
      ? ctx.get(infraType.id, ns, String(infraRef.name))
      : undefined;
  if (infra && infraType) {
    if (!meta(infra).deletionTimestamp)
      ctx.remove(infraType, ns, String(meta(infra).name));
    ctx.enqueue(TYPE_IDS.cluster, objectKey(ns, name), ctx.stepMs);
    return;
  }
  ctx.options.workloadGone(ns, name);
  ctx.forget(String(meta(cluster).uid));
  ctx.removeFinalizer(t, cluster, FINALIZERS.cluster);
}

/** The Available message of a hosted control plane object (its pods' readiness). */
function hostedMessage(cp: JsonObject | undefined): string {
  const conds = asObject(asObject(cp?.status)?.v1beta2)?.conditions;
  const available = Array.isArray(conds)
    ? conds.map(asObject).find(c => c?.type === 'Available')
    : undefined;
  return str(available?.message) ?? 'control plane pods are not ready';
}
