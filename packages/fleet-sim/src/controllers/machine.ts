/**
 * Machine: `Pending → Provisioning → Provisioned → Running`, one step each, with its provider ID, addresses and
 * node; its Node's health follows faults and the load driver; deletion takes one step.
 */
import crypto from 'node:crypto';
import { Flavor, kubeVersionOf } from '../capi/distributions';
import { FINALIZERS, IP_ANNOTATION, LABELS, ts, TYPE_IDS } from '../capi/kinds';
import {
  MachinePhase,
  machineStatus,
  nodeNameFor,
  providerId,
} from '../capi/machine';
import { objectKey } from '../store/store';
import {
  asArray,
  asObject,
  deepClone,
  isObject,
  JsonObject,
} from '../util/json';
import { ControllerContext } from './context';
import { creationMs, finalizersOf, labelsOf, meta, num, str } from './read';

export function reconcileMachine(
  ctx: ControllerContext,
  ns: string,
  name: string,
): void {
  const t = ctx.api.type(TYPE_IDS.machine);
  const machine = ctx.get(t.id, ns, name);
  if (!machine) return;
  const m = meta(machine);
  const uid = String(m.uid);
  const key = objectKey(ns, name);
  const spec = asObject(machine.spec) ?? {};
  const status = asObject(machine.status) ?? {};
  const clusterName = String(spec.clusterName ?? '');
  const flavor = ctx.clusterFlavor(ns, clusterName);
  const labels = labelsOf(machine);
  const controlPlane = labels[LABELS.controlPlane] !== undefined;
  const phase = (str(status.phase) ?? 'Pending') as MachinePhase;
  const cluster = ctx.peek(TYPE_IDS.cluster, ns, clusterName);
  const readRv = ctx.api.store.get(t.id, key)?.rv;
  const region = ctx.region(cluster, flavor);
  if (m.deletionTimestamp) {
    if (!finalizersOf(machine).includes(FINALIZERS.machine)) return;
    if (phase !== 'Deleting') {
      ctx.mark(`${uid}:Deleting`);
      const next = computeMachineStatus(
        ctx,
        machine,
        flavor,
        'Deleting',
        controlPlane,
        region,
        Date.now(),
      );
      ctx.writeStatus(t, machine, next);
      ctx.enqueue(t.id, key, ctx.stepMs);
      return;
    }
    if (ctx.waitStep(t.id, key, ctx.elapsed(`${uid}:Deleting`))) return;
    if (
      !controlPlane &&
      ctx.options.faults.isDrainStalled(ctx.workloadId(ns, clusterName))
    ) {
      // the drain waits (a PodDisruptionBudget allows no eviction); the fault's change wakes it
      return;
    }
    const infraRef = asObject(spec.infrastructureRef);
    const infraType = ctx.typeOfRef(infraRef);
    if (
      infraType &&
      infraRef &&
      ctx.get(infraType.id, ns, String(infraRef.name))
    )
      ctx.remove(infraType, ns, String(infraRef.name));
    ctx.forget(uid);
    const fresh = ctx.get(t.id, ns, name);
    if (fresh) ctx.removeFinalizer(t, fresh, FINALIZERS.machine);
    return;
  }
  if (ctx.ensureFinalizer(t, machine, FINALIZERS.machine)) return;
  const lastUpdated = Date.parse(String(status.lastUpdated ?? ''));
  const phaseSince = ctx.elapsed(
    `${uid}:${phase}`,
    Number.isNaN(lastUpdated) ? creationMs(machine) : lastUpdated,
  );
  let next: MachinePhase = phase;
  if (phase === 'Pending') {
    const cpInitialized =
      asObject(asObject(cluster?.status)?.initialization)
        ?.controlPlaneInitialized === true;
    if (controlPlane || cpInitialized) {
      if (!ctx.waitStep(t.id, key, phaseSince)) next = 'Provisioning';
    } else {
      ctx.enqueue(t.id, key, ctx.stepMs);
    }
  } else if (phase === 'Provisioning') {
    if (
      !controlPlane &&
      ctx.options.faults.isProvisioningStalled(ctx.workloadId(ns, clusterName))
    ) {
      // no capacity: the machine waits for its instance; the fault's change wakes it
    } else if (!ctx.waitStep(t.id, key, phaseSince)) next = 'Provisioned';
  } else if (phase === 'Provisioned') {
    if (!ctx.waitStep(t.id, key, phaseSince)) next = 'Running';
  }
  if (next === 'Provisioned' && !spec.providerID) {
    const index = ctx.ipCounter;
    spec.providerID = providerId(
      flavor,
      region,
      name,
      index,
      crypto.createHash('sha1').update(name).digest('hex'),
    );
    machine.spec = spec;
    ctx.writeMain(t, machine);
    const infraRef = asObject(spec.infrastructureRef);
    const infraType = ctx.typeOfRef(infraRef);
    const infra =
      infraType && infraRef
        ? ctx.get(infraType.id, ns, String(infraRef.name))
        : undefined;
    if (infra && infraType) {
      const ispec = asObject(infra.spec) ?? {};
      ispec.providerID = spec.providerID;
      infra.spec = ispec;
      ctx.writeMain(infraType, infra);
      const again = ctx.get(infraType.id, ns, String(infraRef?.name));
      if (again) {
        const st = deepClone(asObject(again.status) ?? {});
        st.initialization = { provisioned: true };
        st.addresses = [{ type: 'InternalIP', address: ipFor(ctx, machine) }];
        st.conditions = [
          {
            type: 'Ready',
            status: 'True',
            reason: 'Ready',
            message: '',
            lastTransitionTime: ts(Date.now()),
          },
        ];
        ctx.writeStatus(infraType, again, st);
      }
    }
  }
  if (next !== phase) {
    ctx.mark(`${uid}:${next}`);
    if (next === 'Running') {
      ctx.recordEvent(
        machine,
        'Normal',
        'SuccessfulSetNodeRef',
        `Machine ${name} has node ${nodeNameOf(ctx, machine, flavor, region)}`,
      );
    }
    if (next !== 'Running') ctx.enqueue(t.id, key, ctx.stepMs);
  }
  const current = ctx.api.store.get(t.id, key);
  if (!current) return;
  const fresh =
    current.rv === readRv && next === phase ? machine : ctx.get(t.id, ns, name);
  if (!fresh) return;
  const at =
    next !== phase || Number.isNaN(lastUpdated) ? Date.now() : lastUpdated;
  ctx.writeStatus(
    t,
    fresh,
    computeMachineStatus(ctx, fresh, flavor, next, controlPlane, region, at),
  );
}

function computeMachineStatus(
  ctx: ControllerContext,
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
  const ip = ipFor(ctx, machine);
  const nodeName = nodeNameOf(ctx, machine, flavor, region);
  let nodeReady = true;
  const id = ctx.workloadId(ns, clusterName);
  if (
    !controlPlane &&
    phase === 'Running' &&
    ctx.options.faults.get(id)?.nodesNotReady
  ) {
    const workers = ctx
      .listByCluster(TYPE_IDS.machine, ns, clusterName)
      .filter(
        x =>
          labelsOf(x)[LABELS.controlPlane] === undefined &&
          str(asObject(x.status)?.phase) === 'Running',
      )
      .map(x => nodeNameOf(ctx, x, flavor, region))
      .sort();
    if (ctx.options.faults.notReadyNodes(id, workers).has(nodeName))
      nodeReady = false;
  }
  if (controlPlane && ctx.options.faults.isControlPlaneDown(id))
    nodeReady = false;
  if (ctx.unhealthy.has(objectKey(ns, String(m.name)))) nodeReady = false;
  let desiredVersion = str(spec.version);
  if (controlPlane) {
    const cpName = labelsOf(machine)[LABELS.controlPlaneName];
    const cluster = ctx.peek(TYPE_IDS.cluster, ns, clusterName);
    const cpType = ctx.typeOfRef(
      asObject(asObject(cluster?.spec)?.controlPlaneRef),
    );
    const cp = cpType && cpName ? ctx.peek(cpType.id, ns, cpName) : undefined;
    desiredVersion = str(asObject(cp?.spec)?.version) ?? desiredVersion;
  } else {
    const md = labelsOf(machine)[LABELS.deploymentName];
    const mdObj = md ? ctx.peek(TYPE_IDS.machineDeployment, ns, md) : undefined;
    desiredVersion =
      str(asObject(asObject(asObject(mdObj?.spec)?.template)?.spec)?.version) ??
      desiredVersion;
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

export function ipFor(ctx: ControllerContext, machine: JsonObject): string {
  for (const a of asArray(asObject(machine.status)?.addresses) ?? []) {
    if (isObject(a) && a.type === 'InternalIP' && typeof a.address === 'string')
      return a.address;
  }
  const annotations = asObject(meta(machine).annotations) ?? {};
  const fromAnnotation = str(annotations[IP_ANNOTATION]);
  return fromAnnotation ?? ctx.nextIp();
}

function nodeNameOf(
  ctx: ControllerContext,
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
    ipFor(ctx, machine),
  );
}
