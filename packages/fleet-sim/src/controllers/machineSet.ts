/**
 * MachineSet: creates Machines (with their infrastructure machines) up to its replicas, and deletes the least ready,
 * newest ones beyond them.
 */
import { labelSelectorString } from '../api/selectors';
import {
  CAPI_VERSION,
  FINALIZERS,
  IP_ANNOTATION,
  LABELS,
  ownerRef,
  TYPE_IDS,
} from '../capi/kinds';
import {
  bootstrapConfigKind,
  infraMachineKind,
  machineFailureDomain,
  machineObject,
} from '../capi/machine';
import { replicaStatus } from '../capi/workers';
import { asObject } from '../util/json';
import { ControllerContext } from './context';
import {
  condTrue,
  creationMs,
  kindRefOf,
  labelsOf,
  meta,
  num,
  str,
} from './read';
import { createInfraMachine } from './infrastructure';

export function reconcileMachineSet(
  ctx: ControllerContext,
  ns: string,
  name: string,
): void {
  const t = ctx.api.type(TYPE_IDS.machineSet);
  const ms = ctx.get(t.id, ns, name);
  if (!ms) return;
  const machineType = ctx.api.type(TYPE_IDS.machine);
  const machines = ctx.dependents(ms, TYPE_IDS.machine);
  if (meta(ms).deletionTimestamp) {
    for (const x of machines)
      if (!meta(x).deletionTimestamp)
        ctx.remove(machineType, ns, String(meta(x).name));
    if (machines.length === 0)
      ctx.removeFinalizer(t, ms, FINALIZERS.machineSet);
    return;
  }
  if (ctx.ensureFinalizer(t, ms, FINALIZERS.machineSet)) return;
  const spec = asObject(ms.spec) ?? {};
  const desired = num(spec.replicas, 1);
  const clusterName = String(spec.clusterName ?? '');
  const active = machines.filter(x => !meta(x).deletionTimestamp);
  const template = asObject(spec.template) ?? {};
  const tspec = asObject(template.spec) ?? {};
  if (active.length < desired) {
    const flavor = ctx.clusterFlavor(ns, clusterName);
    const cluster = ctx.get(TYPE_IDS.cluster, ns, clusterName);
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
      const machineName = `${name}-${ctx.options.random.suffix()}`;
      const created = ctx.create(
        machineType,
        machineObject(
          {
            namespace: ns,
            name: machineName,
            labels: templateLabels,
            annotations: { [IP_ANNOTATION]: ctx.nextIp() },
            owners: [
              ownerRef(CAPI_VERSION, 'MachineSet', name, String(meta(ms).uid)),
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
              machineFailureDomain(flavor, ctx.region(cluster, flavor), i),
          },
        ),
      );
      if (created) createInfraMachine(ctx, created, flavor, false);
    }
    ctx.recordEvent(
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
    for (const v of victims) ctx.remove(machineType, ns, String(meta(v).name));
  }
  const current = ctx
    .dependents(ms, TYPE_IDS.machine)
    .filter(x => !meta(x).deletionTimestamp);
  const ready = current.filter(
    x => str(asObject(x.status)?.phase) === 'Running' && condTrue(x, 'Ready'),
  ).length;
  const mdName = labelsOf(ms)[LABELS.deploymentName];
  const md = mdName
    ? ctx.get(TYPE_IDS.machineDeployment, ns, mdName)
    : undefined;
  const mdVersion =
    str(asObject(asObject(asObject(md?.spec)?.template)?.spec)?.version) ??
    str(tspec.version);
  const upToDate = current.filter(
    x => asObject(x.spec)?.version === mdVersion,
  ).length;
  const fresh = ctx.get(t.id, ns, name);
  if (!fresh) return;
  ctx.writeStatus(
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
