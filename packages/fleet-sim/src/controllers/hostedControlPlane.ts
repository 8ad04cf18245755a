/**
 * Control planes hosted as pods in this management cluster (k0smotron, Kamaji): the provider keeps a StatefulSet or
 * Deployment, its Service and its pods in the control plane object's namespace, and reports the pods' readiness on
 * the control plane object. The `hostedPodsNotReady` fault holds pods NotReady; when none is ready the workload
 * cluster's API server is down too.
 */
import { ResourceType } from '../api/registry';
import { counts } from '../capi/conditions';
import { controlPlaneStatus } from '../capi/controlPlane';
import { kubeVersionOf } from '../capi/distributions';
import {
  HOSTED_TYPE_IDS,
  HostedObjectsInput,
  hostedLayout,
  hostedNotReadyMessage,
  hostedPod,
  hostedSelector,
  hostedService,
  hostedWorkload,
} from '../capi/hosted';
import { objectKey } from '../store/store';
import { asObject, JsonObject } from '../util/json';
import { ControllerContext } from './context';
import { creationMs, meta, num, str } from './read';

function podReady(pod: JsonObject | undefined): boolean | undefined {
  const conds = asObject(pod?.status)?.conditions;
  if (!Array.isArray(conds)) return undefined;
  const ready = conds.find(c => asObject(c)?.type === 'Ready');
  return asObject(ready)?.status === 'True';
}

export function reconcileHostedControlPlane(
  ctx: ControllerContext,
  t: ResourceType,
  cp: JsonObject,
  ns: string,
  name: string,
  clusterName: string | undefined,
): void {
  // the host's objects are owned by the control plane object: deleting it collects them
  if (meta(cp).deletionTimestamp || !clusterName) return;
  const flavor = ctx.clusterFlavor(ns, clusterName);
  const provider = flavor.hosted;
  if (!provider) return;
  const spec = asObject(cp.spec) ?? {};
  const status = asObject(cp.status) ?? {};
  const desired = num(spec.replicas, 2);
  const version = String(spec.version ?? '');
  const uid = String(meta(cp).uid);
  const initialized = status.initialized === true;
  const starting =
    !initialized &&
    ctx.waitStep(
      t.id,
      objectKey(ns, name),
      ctx.elapsed(`${uid}:init`, creationMs(cp)),
      2,
    );
  const notReady = ctx.options.faults.hostedPodsNotReady(
    ctx.workloadId(ns, clusterName),
  );
  const ready = starting
    ? 0
    : Math.max(0, desired - Math.min(desired, notReady));
  const layout = hostedLayout(provider, name, desired);
  const input: HostedObjectsInput = {
    flavor,
    management: ctx.options.management,
    namespace: ns,
    clusterName,
    controlPlaneName: name,
    controlPlaneUid: uid,
    controlPlaneApiVersion: `${t.group}/${t.versions[0].name}`,
    replicas: desired,
    ready,
    version: kubeVersionOf(flavor.distribution, version),
    createdAt: Date.now(),
    at: Date.now(),
  };

  const workloadType = ctx.api.type(layout.workloadTypeId);
  const workload = ctx.get(layout.workloadTypeId, ns, layout.workloadName);
  const wanted = hostedWorkload(input);
  if (!workload) {
    ctx.create(workloadType, wanted);
    ctx.recordEvent(
      cp,
      'Normal',
      'SuccessfulCreate',
      `${layout.workloadKind} ${layout.workloadName} created`,
    );
  } else {
    const s = asObject(workload.status) ?? {};
    if (
      num(s.replicas) !== desired ||
      num(s.readyReplicas) !== ready ||
      num(asObject(workload.spec)?.replicas) !== desired
    ) {
      if (num(asObject(workload.spec)?.replicas) !== desired) {
        workload.spec = { ...asObject(workload.spec), replicas: desired };
        ctx.writeMain(workloadType, workload);
      }
      const fresh = ctx.get(layout.workloadTypeId, ns, layout.workloadName);
      if (fresh) ctx.writeStatus(workloadType, fresh, asObject(wanted.status)!);
    }
  }
  const serviceType = ctx.api.type(HOSTED_TYPE_IDS.service);
  if (!ctx.get(HOSTED_TYPE_IDS.service, ns, layout.workloadName))
    ctx.create(serviceType, hostedService(input));

  const podType = ctx.api.type(HOSTED_TYPE_IDS.pod);
  layout.podNames.forEach((podName, i) => {
    const shouldBeReady = i < ready;
    const pod = ctx.get(HOSTED_TYPE_IDS.pod, ns, podName);
    const built = hostedPod(input, i, shouldBeReady);
    if (!pod) ctx.create(podType, built);
    else if (podReady(pod) !== shouldBeReady)
      ctx.writeStatus(podType, pod, asObject(built.status)!);
  });
  for (const pod of ctx.dependents(cp, HOSTED_TYPE_IDS.pod)) {
    const podName = String(meta(pod).name);
    if (!layout.podNames.includes(podName)) ctx.remove(podType, ns, podName);
  }

  const fresh = ctx.get(t.id, ns, name);
  if (!fresh) return;
  const isInit = initialized || ready > 0;
  const previousVersion = str(status.version);
  ctx.writeStatus(
    t,
    fresh,
    controlPlaneStatus({
      flavor,
      counts: counts(desired, desired, ready, ready, desired),
      initialized: isInit,
      available: ready > 0,
      availableMessage:
        ready < desired
          ? hostedNotReadyMessage(layout, desired, ready)
          : undefined,
      version: ready > 0 ? version : previousVersion,
      generation: num(meta(fresh).generation, 1),
      at: Date.now(),
      previous: status,
      selector: hostedSelector(layout),
    }),
  );
}
