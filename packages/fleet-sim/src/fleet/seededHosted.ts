/**
 * The host's objects of a seeded cluster whose control plane runs as pods in its management cluster (k0smotron,
 * Kamaji): the StatefulSet or Deployment, its Service and its pods, ready, as the hosted control plane controller
 * leaves them.
 */
import { apiVersion } from '../capi/kinds';
import {
  HOSTED_CONTROL_PLANE_LABEL,
  HostedObjectsInput,
  hostedLayout,
  hostedPod,
  hostedService,
  hostedWorkload,
} from '../capi/hosted';
import { LABELS } from '../capi/kinds';
import { JsonObject } from '../util/json';
import { SeedCluster } from './model';
import { ClusterSeed, controlPlaneUid, readyAt } from './seedFacts';

function inputOf(s: ClusterSeed): HostedObjectsInput {
  const { c } = s;
  return {
    flavor: c.flavor,
    management: c.management,
    namespace: c.namespace,
    clusterName: c.name,
    controlPlaneName: c.controlPlaneName,
    controlPlaneUid: controlPlaneUid(s),
    controlPlaneApiVersion: apiVersion(c.flavor.controlPlane),
    replicas: c.controlPlaneReplicas,
    ready: c.controlPlaneReplicas,
    version: c.targetKube,
    createdAt: c.createdAt + 60_000,
    at: readyAt(c),
  };
}

export function seededHostedWorkload(s: ClusterSeed): JsonObject {
  return hostedWorkload(inputOf(s));
}

export function seededHostedService(s: ClusterSeed): JsonObject {
  return hostedService(inputOf(s));
}

export function seededHostedPod(
  s: ClusterSeed,
  _pool: number,
  i: number,
): JsonObject {
  return hostedPod(inputOf(s), i, true);
}

/** What the store indexes of each host object of a cluster: type, name and labels. */
export function hostedSeedEntries(c: SeedCluster): {
  workload: { typeId: string; name: string };
  service: { typeId: string; name: string };
  pods: string[];
  labels: Record<string, string>;
} {
  const layout = hostedLayout(
    c.flavor.hosted!,
    c.controlPlaneName,
    c.controlPlaneReplicas,
  );
  return {
    workload: { typeId: layout.workloadTypeId, name: layout.workloadName },
    service: { typeId: 'core/services', name: layout.workloadName },
    pods: layout.podNames,
    labels: {
      ...layout.selector,
      [LABELS.clusterName]: c.name,
      [HOSTED_CONTROL_PLANE_LABEL]: c.controlPlaneName,
    },
  };
}
