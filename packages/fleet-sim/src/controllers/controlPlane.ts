/**
 * Control planes: machine-based ones (kubeadm, k3s, RKE2, k0s) create their Machines one at a time and roll
 * outdated ones (surge one, then remove the oldest); managed ones (EKS, AKS, GKE, ROSA) initialize and upgrade in
 * three steps.
 */
import { ResourceType } from '../api/registry';
import { Flavor } from '../capi/distributions';
import { ZERO } from '../capi/conditions';
import {
  controlPlaneBootstrapKind,
  controlPlaneDownMessage,
  controlPlaneSelector,
  controlPlaneStatus,
} from '../capi/controlPlane';
import {
  FINALIZERS,
  IP_ANNOTATION,
  LABELS,
  ownerRef,
  TYPE_IDS,
} from '../capi/kinds';
import {
  machineFailureDomain,
  machineInfraKind,
  machineObject,
} from '../capi/machine';
import { objectKey } from '../store/store';
import { asObject, JsonObject } from '../util/json';
import { ControllerContext } from './context';
import {
  compareVersions,
  condTrue,
  creationMs,
  labelsOf,
  meta,
  num,
  ownerName,
  str,
} from './read';
import { createInfraMachine } from './infrastructure';
import { reconcileHostedControlPlane } from './hostedControlPlane';

export function reconcileControlPlane(
  ctx: ControllerContext,
  t: ResourceType,
  ns: string,
  name: string,
): void {
  const cp = ctx.get(t.id, ns, name);
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
  if (t.kind === 'K0smotronControlPlane' || t.kind === 'KamajiControlPlane') {
    reconcileHostedControlPlane(ctx, t, cp, ns, name, clusterName);
    return;
  }
  if (!machineBased) {
    reconcileManagedControlPlane(ctx, t, cp, ns, name, clusterName);
    return;
  }
  const machines = ctx.dependents(cp, TYPE_IDS.machine);
  const machineType = ctx.api.type(TYPE_IDS.machine);
  if (m.deletionTimestamp) {
    for (const mach of machines)
      if (!meta(mach).deletionTimestamp)
        ctx.remove(machineType, ns, String(meta(mach).name));
    if (machines.length === 0)
      ctx.removeFinalizer(t, cp, FINALIZERS.controlPlane);
    return;
  }
  if (ctx.ensureFinalizer(t, cp, FINALIZERS.controlPlane)) return;
  if (!clusterName) return;
  const cluster = ctx.get(TYPE_IDS.cluster, ns, clusterName);
  const flavor = ctx.clusterFlavor(ns, clusterName);
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
      true || infraReadyOf(ctx, cluster, ns);
  if (infraReady) {
    const byAge = [...active].sort(
      (a, b) =>
        creationMs(a) - creationMs(b) ||
        String(meta(a).name).localeCompare(String(meta(b).name)),
    );
    if (active.length === 0) {
      createControlPlaneMachine(
        ctx,
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
        createControlPlaneMachine(
          ctx,
          cp,
          t,
          ns,
          clusterName,
          flavor,
          version,
          cluster,
        );
      else
        ctx.remove(
          machineType,
          ns,
          String(
            meta(byAge.find(x => outdated.includes(x)) ?? outdated[0]).name,
          ),
        );
    } else if (active.length < desired) {
      createControlPlaneMachine(
        ctx,
        cp,
        t,
        ns,
        clusterName,
        flavor,
        version,
        cluster,
      );
    } else if (active.length > desired) {
      ctx.remove(machineType, ns, String(meta(byAge[0]).name));
    }
  }
  const current = ctx
    .dependents(cp, TYPE_IDS.machine)
    .filter(x => !meta(x).deletionTimestamp);
  const ready = current.filter(
    x => phaseOf(x) === 'Running' && condTrue(x, 'Ready'),
  ).length;
  const running = current.filter(x => phaseOf(x) === 'Running');
  const initialized = wasInitialized || running.length > 0;
  const cpDown = ctx.options.faults.isControlPlaneDown(
    ctx.workloadId(ns, clusterName),
  );
  const upToDate = current.filter(
    x => asObject(x.spec)?.version === version,
  ).length;
  const versions = running
    .map(x => String(asObject(x.spec)?.version ?? ''))
    .sort((a, b) => compareVersions(a, b));
  const fresh = ctx.get(t.id, ns, name);
  if (!fresh) return;
  ctx.writeStatus(
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
      availableMessage: cpDown ? controlPlaneDownMessage(true) : undefined,
      version: versions[0] ?? str(status.version),
      generation: num(meta(fresh).generation, 1),
      at: Date.now(),
      previous: asObject(fresh.status),
      selector: controlPlaneSelector(clusterName),
      rollingOut: outdated.length > 0,
    }),
  );
}

function reconcileManagedControlPlane(
  ctx: ControllerContext,
  t: ResourceType,
  cp: JsonObject,
  ns: string,
  name: string,
  clusterName: string | undefined,
): void {
  if (meta(cp).deletionTimestamp || !clusterName) return;
  const flavor = ctx.clusterFlavor(ns, clusterName);
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
      ctx.waitStep(t.id, key, ctx.elapsed(`${uid}:init`, creationMs(cp)), 3)
    ) {
      version = undefined;
    } else {
      isInit = true;
      version = wanted;
    }
  } else if (current !== wanted) {
    if (!ctx.waitStep(t.id, key, ctx.elapsed(`${uid}:upgrade:${wanted}`), 3))
      version = wanted;
  }
  const cpDown = ctx.options.faults.isControlPlaneDown(
    ctx.workloadId(ns, clusterName),
  );
  ctx.writeStatus(
    t,
    cp,
    controlPlaneStatus({
      flavor,
      counts: ZERO,
      initialized: isInit,
      available: isInit && !cpDown,
      availableMessage: cpDown ? controlPlaneDownMessage(false) : undefined,
      version,
      generation: num(meta(cp).generation, 1),
      at: Date.now(),
      previous: status,
      selector: '',
      rollingOut: isInit && version !== wanted,
    }),
  );
}

function infraReadyOf(
  ctx: ControllerContext,
  cluster: JsonObject | undefined,
  ns: string,
): boolean {
  const ref = asObject(asObject(cluster?.spec)?.infrastructureRef);
  const t = ctx.typeOfRef(ref);
  if (!t || !ref) return false;
  const infra = ctx.get(t.id, ns, String(ref.name));
  const s = asObject(infra?.status);
  return asObject(s?.initialization)?.provisioned === true || s?.ready === true;
}

function createControlPlaneMachine(
  ctx: ControllerContext,
  cp: JsonObject,
  t: ResourceType,
  ns: string,
  clusterName: string,
  flavor: Flavor,
  version: string,
  cluster: JsonObject | undefined,
): void {
  const cpName = String(meta(cp).name);
  const machineName = `${cpName}-${ctx.options.random.suffix()}`;
  const index = ctx.dependents(cp, TYPE_IDS.machine).length;
  const created = ctx.create(
    ctx.api.type(TYPE_IDS.machine),
    machineObject(
      {
        namespace: ns,
        name: machineName,
        labels: {
          [LABELS.clusterName]: clusterName,
          [LABELS.controlPlane]: '',
          [LABELS.controlPlaneName]: cpName,
        },
        annotations: { [IP_ANNOTATION]: ctx.nextIp() },
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
        bootstrapKind: controlPlaneBootstrapKind(t.kind),
        infraKind: machineInfraKind(flavor),
        failureDomain: machineFailureDomain(
          flavor,
          ctx.region(cluster, flavor),
          index,
        ),
      },
    ),
  );
  if (created) createInfraMachine(ctx, created, flavor, true);
  ctx.recordEvent(
    cp,
    'Normal',
    'SuccessfulCreate',
    `Machine ${machineName} created`,
  );
}
