/**
 * MachineDeployment: one MachineSet per template; a rollout surges the new set by one Machine and scales the oldest
 * old set down once the new Machines are available, then deletes the emptied old sets.
 */
import { labelSelectorString } from '../api/selectors';
import { addCounts, ZERO } from '../capi/conditions';
import {
  CAPI_VERSION,
  FINALIZERS,
  LABELS,
  ownerRef,
  TYPE_IDS,
} from '../capi/kinds';
import { machineSetObject, replicaStatus } from '../capi/workers';
import { asObject, deepEqual } from '../util/json';
import { ControllerContext } from './context';
import {
  compareVersions,
  creationMs,
  hashOf,
  labelsOf,
  meta,
  num,
  pick,
  refTemplate,
  str,
} from './read';

export function reconcileMachineDeployment(
  ctx: ControllerContext,
  ns: string,
  name: string,
): void {
  const t = ctx.api.type(TYPE_IDS.machineDeployment);
  const md = ctx.get(t.id, ns, name);
  if (!md) return;
  const msType = ctx.api.type(TYPE_IDS.machineSet);
  const sets = ctx.dependents(md, TYPE_IDS.machineSet);
  if (meta(md).deletionTimestamp) {
    for (const s of sets)
      if (!meta(s).deletionTimestamp)
        ctx.remove(msType, ns, String(meta(s).name));
    if (sets.length === 0)
      ctx.removeFinalizer(t, md, FINALIZERS.machineDeployment);
    return;
  }
  if (ctx.ensureFinalizer(t, md, FINALIZERS.machineDeployment)) return;
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
    const msName = `${name}-${ctx.options.random.suffix()}`;
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
    const created = ctx.create(
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
      ctx.recordEvent(
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
        ctx.writeMain(msType, current);
      }
    } else {
      const curAvailable = num(asObject(current.status)?.availableReplicas);
      if (curReplicas < desired && curReplicas + oldReplicas < desired + 1) {
        curSpec.replicas = curReplicas + 1;
        ctx.writeMain(msType, current);
      } else if (curAvailable >= curReplicas) {
        const victim = [...old]
          .filter(s => num(asObject(s.spec)?.replicas) > 0)
          .sort((a, b) => creationMs(a) - creationMs(b))[0];
        if (victim) {
          const vspec = asObject(victim.spec) ?? {};
          vspec.replicas = num(vspec.replicas) - 1;
          ctx.writeMain(msType, victim);
        }
      }
    }
  }
  for (const s of old) {
    if (
      num(asObject(s.spec)?.replicas) === 0 &&
      num(asObject(s.status)?.replicas) === 0 &&
      ctx.dependents(s, TYPE_IDS.machine).length === 0
    ) {
      ctx.remove(msType, ns, String(meta(s).name));
    }
  }
  let total = ZERO;
  const all = ctx
    .dependents(md, TYPE_IDS.machineSet)
    .filter(s => !meta(s).deletionTimestamp);
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
  const fresh = ctx.get(t.id, ns, name);
  if (!fresh) return;
  ctx.writeStatus(
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
