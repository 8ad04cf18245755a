/**
 * Control planes hosted as pods in a management cluster, as their providers lay them out: k0smotron runs a
 * StatefulSet `kmc-<name>` with a Service of the same name, Kamaji a Deployment `<name>` with a Service of the same
 * name, both in the namespace of the control plane object. The pods' readiness is what the control plane object
 * reports as `readyReplicas`.
 */
import { Flavor, HostedControlPlaneProvider } from './distributions';
import { LABELS, objectMeta, ownerRef, ts } from './kinds';
import { JsonObject } from '../util/json';
import { Random } from '../util/random';

/** Resource type ids of the host's objects. */
export const HOSTED_TYPE_IDS = {
  statefulSet: 'apps/statefulsets',
  deployment: 'apps/deployments',
  service: 'core/services',
  pod: 'core/pods',
} as const;

/** Label of a host's objects naming the control plane object they run (the simulator's own). */
export const HOSTED_CONTROL_PLANE_LABEL = 'fleet-sim.shipyard.io/control-plane';

export interface HostedLayout {
  provider: HostedControlPlaneProvider;
  workloadKind: 'StatefulSet' | 'Deployment';
  workloadTypeId: string;
  /** Name of the StatefulSet or Deployment and of the Service. */
  workloadName: string;
  /** Labels of the pods (the workload's selector). */
  selector: Record<string, string>;
  /** Names of the pods, in order. */
  podNames: string[];
  apiPort: number;
}

/** Where a hosted control plane's pods run and how they are named. */
export function hostedLayout(
  provider: HostedControlPlaneProvider,
  controlPlaneName: string,
  replicas: number,
): HostedLayout {
  if (provider === 'k0smotron') {
    const name = `kmc-${controlPlaneName}`;
    return {
      provider,
      workloadKind: 'StatefulSet',
      workloadTypeId: HOSTED_TYPE_IDS.statefulSet,
      workloadName: name,
      selector: { app: 'k0smotron', cluster: controlPlaneName },
      podNames: Array.from({ length: replicas }, (_, i) => `${name}-${i}`),
      apiPort: 30443,
    };
  }
  const r = new Random(`kamaji:${controlPlaneName}`);
  const hash = r.hex(10);
  return {
    provider,
    workloadKind: 'Deployment',
    workloadTypeId: HOSTED_TYPE_IDS.deployment,
    workloadName: controlPlaneName,
    selector: { 'kamaji.clastix.io/name': controlPlaneName },
    podNames: Array.from(
      { length: replicas },
      () => `${controlPlaneName}-${hash}-${r.suffix()}`,
    ),
    apiPort: 6443,
  };
}

/** The pods' label selector as the control plane object's status shows it. */
export function hostedSelector(layout: HostedLayout): string {
  return Object.entries(layout.selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** The endpoint a hosted control plane is reached at (its Service, published by the host). */
export function hostedEndpoint(
  management: string,
  namespace: string,
  controlPlaneName: string,
  provider: HostedControlPlaneProvider,
): { host: string; port: number } {
  return {
    host: `${controlPlaneName}.${namespace}.${management}.hcp.fleet.internal`,
    port: provider === 'k0smotron' ? 30443 : 6443,
  };
}

/** The datastore of a hosted control plane, as its spec names it: kine on PostgreSQL for some, etcd for the rest. */
export function hostedDatastore(
  provider: HostedControlPlaneProvider,
  controlPlaneName: string,
  namespace: string,
): JsonObject {
  const kine = new Random(`datastore:${namespace}/${controlPlaneName}`).chance(
    0.5,
  );
  if (provider === 'k0smotron') {
    return kine
      ? {
          kineDataSourceURL: `postgres://k0smotron@postgres.${namespace}.svc:5432/${controlPlaneName.replace(
            /-/g,
            '_',
          )}?sslmode=disable`,
        }
      : { etcd: { persistence: { size: '1Gi' } } };
  }
  return kine
    ? { dataStoreName: 'postgresql-shared', dataStoreSchema: namespace }
    : { dataStoreName: 'default' };
}

/** Facts from which the host's objects of one hosted control plane are built. */
export interface HostedObjectsInput {
  flavor: Flavor;
  management: string;
  namespace: string;
  clusterName: string;
  controlPlaneName: string;
  controlPlaneUid: string;
  controlPlaneApiVersion: string;
  replicas: number;
  /** How many pods are ready. */
  ready: number;
  /** The Kubernetes version the pods run (`v1.35.5`). */
  version: string;
  createdAt: number;
  /** When the pods' readiness last changed. */
  at: number;
}

function hostedMeta(
  input: HostedObjectsInput,
  name: string,
  labels: Record<string, string>,
  generation?: number,
): JsonObject {
  return objectMeta({
    namespace: input.namespace,
    name,
    labels: {
      ...labels,
      [LABELS.clusterName]: input.clusterName,
      [HOSTED_CONTROL_PLANE_LABEL]: input.controlPlaneName,
    },
    owners: [
      ownerRef(
        input.controlPlaneApiVersion,
        input.flavor.controlPlane.kind,
        input.controlPlaneName,
        input.controlPlaneUid,
      ),
    ],
    createdAt: input.createdAt,
    generation,
  });
}

function images(
  provider: HostedControlPlaneProvider,
  version: string,
): JsonObject[] {
  if (provider === 'k0smotron')
    return [
      {
        name: 'controller',
        image: `quay.io/k0sproject/k0s:${version}-k0s.0`,
        ports: [{ name: 'api', containerPort: 30443 }],
      },
    ];
  return ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'].map(
    component => ({
      name: component,
      image: `registry.k8s.io/${component}:${version}`,
    }),
  );
}

/** The StatefulSet (k0smotron) or Deployment (Kamaji) running the control plane's pods. */
export function hostedWorkload(input: HostedObjectsInput): JsonObject {
  const provider = input.flavor.hosted!;
  const layout = hostedLayout(provider, input.controlPlaneName, input.replicas);
  const template = {
    metadata: { labels: layout.selector },
    spec: { containers: images(provider, input.version) },
  };
  const spec: JsonObject = {
    replicas: input.replicas,
    selector: { matchLabels: layout.selector },
    template,
  };
  if (layout.workloadKind === 'StatefulSet') {
    spec.serviceName = layout.workloadName;
    spec.podManagementPolicy = 'OrderedReady';
  }
  const status: JsonObject = {
    observedGeneration: 1,
    replicas: input.replicas,
    readyReplicas: input.ready,
    availableReplicas: input.ready,
    updatedReplicas: input.replicas,
  };
  if (layout.workloadKind === 'Deployment') {
    status.unavailableReplicas = input.replicas - input.ready;
    status.conditions = [
      {
        type: 'Available',
        status: input.ready >= 1 ? 'True' : 'False',
        reason:
          input.ready >= 1
            ? 'MinimumReplicasAvailable'
            : 'MinimumReplicasUnavailable',
        lastTransitionTime: ts(input.at),
        lastUpdateTime: ts(input.at),
      },
    ];
  }
  return {
    apiVersion: 'apps/v1',
    kind: layout.workloadKind,
    metadata: hostedMeta(input, layout.workloadName, layout.selector, 1),
    spec,
    status,
  };
}

/** The Service exposing the control plane's API server. */
export function hostedService(input: HostedObjectsInput): JsonObject {
  const provider = input.flavor.hosted!;
  const layout = hostedLayout(provider, input.controlPlaneName, input.replicas);
  const endpoint = hostedEndpoint(
    input.management,
    input.namespace,
    input.controlPlaneName,
    provider,
  );
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: hostedMeta(input, layout.workloadName, layout.selector),
    spec: {
      type: provider === 'k0smotron' ? 'NodePort' : 'LoadBalancer',
      selector: layout.selector,
      ports: [
        {
          name: 'api',
          port: layout.apiPort,
          targetPort: layout.apiPort,
          protocol: 'TCP',
          ...(provider === 'k0smotron' ? { nodePort: layout.apiPort } : {}),
        },
      ],
    },
    status:
      provider === 'kamaji'
        ? { loadBalancer: { ingress: [{ hostname: endpoint.host }] } }
        : { loadBalancer: {} },
  };
}

/** One pod of the control plane (`index` among them), ready or not. */
export function hostedPod(
  input: HostedObjectsInput,
  index: number,
  ready: boolean,
): JsonObject {
  const provider = input.flavor.hosted!;
  const layout = hostedLayout(provider, input.controlPlaneName, input.replicas);
  const containers = images(provider, input.version);
  const readyStatus = ready ? 'True' : 'False';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: hostedMeta(input, layout.podNames[index], layout.selector),
    spec: { containers },
    status: {
      phase: 'Running',
      conditions: [
        { type: 'PodScheduled', status: 'True' },
        { type: 'Initialized', status: 'True' },
        {
          type: 'ContainersReady',
          status: readyStatus,
          lastTransitionTime: ts(input.at),
        },
        {
          type: 'Ready',
          status: readyStatus,
          lastTransitionTime: ts(input.at),
        },
      ],
      containerStatuses: containers.map(c => ({
        name: c.name,
        image: c.image,
        ready,
        started: true,
        restartCount: ready ? 0 : 3,
        state: ready
          ? { running: { startedAt: ts(input.createdAt) } }
          : {
              waiting: {
                reason: 'CrashLoopBackOff',
                message: 'back-off restarting failed container',
              },
            },
      })),
    },
  };
}

/** The Available message of a hosted control plane whose pods are not all ready. */
export function hostedNotReadyMessage(
  layout: HostedLayout,
  replicas: number,
  ready: number,
): string {
  return `${ready} of ${replicas} control plane pods ready (${layout.workloadKind} ${layout.workloadName})`;
}
