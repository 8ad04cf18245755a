/**
 * MachinePool: replicas follow the desired count and version one step later; NotReady nodes come from faults.
 */
import { KindRef } from '../capi/distributions';
import {
  CAPI_VERSION,
  FINALIZERS,
  LABELS,
  objectMeta,
  ownerRef,
  TYPE_IDS,
} from '../capi/kinds';
import { replicaStatus } from '../capi/workers';
import { objectKey } from '../store/store';
import { asObject } from '../util/json';
import { ControllerContext } from './context';
import { finalizersOf, meta, num } from './read';

export function reconcileMachinePool(
  ctx: ControllerContext,
  ns: string,
  name: string,
): void {
  const t = ctx.api.type(TYPE_IDS.machinePool);
  const mp = ctx.get(t.id, ns, name);
  if (!mp) return;
  const m = meta(mp);
  const uid = String(m.uid);
  const key = objectKey(ns, name);
  const spec = asObject(mp.spec) ?? {};
  const tspec = asObject(asObject(spec.template)?.spec) ?? {};
  const infraRef = asObject(tspec.infrastructureRef);
  const infraType = ctx.typeOfRef(infraRef);
  if (m.deletionTimestamp) {
    if (!finalizersOf(mp).includes(FINALIZERS.machinePool)) return;
    if (ctx.waitStep(t.id, key, ctx.elapsed(`${uid}:Deleting`))) return;
    if (
      infraType &&
      infraRef &&
      ctx.get(infraType.id, ns, String(infraRef.name))
    )
      ctx.remove(infraType, ns, String(infraRef.name));
    ctx.removeFinalizer(t, mp, FINALIZERS.machinePool);
    return;
  }
  if (ctx.ensureFinalizer(t, mp, FINALIZERS.machinePool)) return;
  const desired = num(spec.replicas, 1);
  const status = asObject(mp.status) ?? {};
  const version = String(tspec.version ?? '');
  let replicas = num(status.replicas);
  let upToDate = num(status.upToDateReplicas, replicas);
  const stateKey = `${uid}:scale:${desired}:${version}`;
  if (replicas !== desired || upToDate !== desired) {
    if (!ctx.waitStep(t.id, key, ctx.elapsed(stateKey))) {
      replicas = desired;
      upToDate = desired;
    }
  }
  const clusterName = String(spec.clusterName ?? '');
  const notReady =
    ctx.options.faults.get(ctx.workloadId(ns, clusterName))?.nodesNotReady ?? 0;
  const ready = Math.max(0, replicas - Math.min(notReady, replicas));
  ctx.writeStatus(
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
    const infra = ctx.get(infraType.id, ns, String(infraRef.name));
    if (infra) {
      const next = {
        ...(asObject(infra.status) ?? {}),
        ready: true,
        replicas,
      };
      ctx.writeStatus(infraType, infra, next);
    } else {
      const kind: KindRef = {
        group: infraType.group,
        version: infraType.versions[0].name,
        kind: infraType.kind,
      };
      ctx.create(infraType, {
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
