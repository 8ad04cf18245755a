/**
 * Infrastructure: infrastructure clusters become provisioned (with their control plane endpoint) one step after they
 * are created; infrastructure machines are created beside the Machines that need them.
 */
import { ResourceType } from '../api/registry';
import { Flavor, KindRef } from '../capi/distributions';
import { infraClusterObject, infraStatus } from '../capi/infrastructure';
import { CAPI_VERSION, LABELS, ownerRef, TYPE_IDS } from '../capi/kinds';
import { infraMachineObject } from '../capi/machine';
import { objectKey } from '../store/store';
import { asObject, JsonObject } from '../util/json';
import { ControllerContext } from './context';
import { creationMs, labelsOf, meta, ownerName, str } from './read';

export function reconcileInfraCluster(
  ctx: ControllerContext,
  t: ResourceType,
  ns: string,
  name: string,
): void {
  const obj = ctx.get(t.id, ns, name);
  if (!obj || meta(obj).deletionTimestamp) return;
  const status = asObject(obj.status) ?? {};
  const ready =
    asObject(status.initialization)?.provisioned === true ||
    status.ready === true;
  if (ready) return;
  const uid = String(meta(obj).uid);
  if (
    ctx.waitStep(
      t.id,
      objectKey(ns, name),
      ctx.elapsed(`${uid}:provision`, creationMs(obj)),
    )
  )
    return;
  const clusterName =
    labelsOf(obj)[LABELS.clusterName] ?? ownerName(obj, 'Cluster');
  if (!clusterName) {
    ctx.enqueue(t.id, objectKey(ns, name), ctx.stepMs);
    return;
  }
  const flavor = ctx.clusterFlavor(ns, clusterName);
  const cluster = ctx.get(TYPE_IDS.cluster, ns, clusterName);
  const region = ctx.region(cluster, flavor);
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
    ctx.writeMain(t, obj);
  }
  const fresh = ctx.get(t.id, ns, name);
  if (fresh)
    ctx.writeStatus(
      t,
      fresh,
      infraStatus(kindRef, true, Date.now(), asObject(fresh.status)),
    );
}

export function createInfraMachine(
  ctx: ControllerContext,
  machine: JsonObject,
  flavor: Flavor,
  controlPlane: boolean,
): void {
  const kind = flavor.infraMachine;
  if (!kind) return;
  const t = ctx.typeOf(kind);
  if (!t) return;
  const m = meta(machine);
  const spec = asObject(machine.spec) ?? {};
  ctx.create(
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
