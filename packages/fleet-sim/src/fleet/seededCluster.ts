/**
 * A seeded cluster's Cluster, infrastructure cluster, control plane, kubeconfig Secret and (for classic clusters)
 * templates, each in the state the controllers would leave it: converged, and showing the faults the cluster starts
 * with. They are built through the same spec and status builders (`capi/`) the controllers write with, from the
 * facts of the generated model instead of from the objects' parts; `seed.test.ts` checks that reconciling a seeded
 * fleet writes nothing.
 */
import { INSTANCE_TYPES } from '../capi/distributions';
import {
  clusterFailureDomains,
  clusterFaultMessages,
  clusterStatus,
} from '../capi/cluster';
import { ZERO, addCounts } from '../capi/conditions';
import {
  controlPlaneDownMessage,
  controlPlaneObject,
  controlPlaneSelector,
  controlPlaneStatus,
} from '../capi/controlPlane';
import { hostedEndpoint, hostedLayout, hostedSelector } from '../capi/hosted';
import { infraClusterObject, infraStatus } from '../capi/infrastructure';
import {
  CAPI_VERSION,
  FINALIZERS,
  LABELS,
  apiVersion,
  clusterOwner,
  objectMeta,
} from '../capi/kinds';
import { kubeconfigSecret, kubeconfigText } from '../capi/kubeconfig';
import { JsonObject } from '../util/json';
import { SeedCluster } from './model';
import {
  ClusterSeed,
  clusterUid,
  hexOf,
  readyAt,
  desiredSpecVersion,
  controlPlaneSpecVersion,
  DEV_MACHINE_TEMPLATE,
  cpMachineTemplate,
  notReadyWorkers,
  poolCounts,
  controlPlaneCounts,
} from './seedFacts';

// ---- Cluster, infrastructure, control plane -------------------------------------------------

function clusterSpec(c: SeedCluster): JsonObject {
  const fl = c.flavor;
  const spec: JsonObject = {
    clusterNetwork: {
      pods: { cidrBlocks: ['192.168.0.0/16'] },
      services: { cidrBlocks: ['10.128.0.0/12'] },
      serviceDomain: 'cluster.local',
    },
    controlPlaneEndpoint: fl.hosted
      ? hostedEndpoint(c.management, c.namespace, c.controlPlaneName, fl.hosted)
      : {
          host: `${c.name}.${c.namespace}.${c.region}.fleet.internal`,
          port: fl.provider === 'docker' ? 6443 : 443,
        },
    controlPlaneRef: {
      apiGroup: fl.controlPlane.group,
      kind: fl.controlPlane.kind,
      name: c.controlPlaneName,
    },
    infrastructureRef: {
      apiGroup: fl.infraCluster.group,
      kind: fl.infraCluster.kind,
      name: c.infraName,
    },
  };
  if (c.className) {
    spec.topology = {
      classRef: { name: c.className },
      version: desiredSpecVersion(c),
      controlPlane:
        fl.machineControlPlane || fl.hosted
          ? { replicas: c.controlPlaneReplicas }
          : {},
      workers: {
        machineDeployments: c.pools.map(p => ({
          class: p.workerClass,
          name: p.name,
          replicas: p.replicas,
        })),
      },
      variables: [
        { name: 'region', value: c.region },
        {
          name: 'instanceType',
          value: c.pools[0]?.instanceType ?? 'dev-small',
        },
        { name: 'cni', value: c.index % 3 === 0 ? 'calico' : 'cilium' },
        {
          name: 'podSecurityStandard',
          value: {
            enabled: true,
            enforce: c.environment === 'prod' ? 'restricted' : 'baseline',
            audit: 'restricted',
            warn: 'restricted',
          },
        },
      ],
    };
  }
  return spec;
}

/** The Cluster: a provisioning one as just created (the controllers take it from there), else Provisioned. */
export function seededCluster(s: ClusterSeed): JsonObject {
  const { c } = s;
  const spec = clusterSpec(c);
  if (c.state === 'provisioning') {
    delete spec.controlPlaneRef;
    delete spec.infrastructureRef;
    delete spec.controlPlaneEndpoint;
    return {
      apiVersion: CAPI_VERSION,
      kind: 'Cluster',
      metadata: objectMeta({
        namespace: c.namespace,
        name: c.name,
        labels: c.labels,
        createdAt: c.createdAt,
        generation: 1,
      }),
      spec,
    };
  }
  const at = readyAt(c);
  const cpDown = s.faults?.controlPlaneDown === true;
  const unreachable = s.faults?.unreachable !== undefined;
  const notReady = notReadyWorkers(s);
  return {
    apiVersion: CAPI_VERSION,
    kind: 'Cluster',
    metadata: objectMeta({
      namespace: c.namespace,
      name: c.name,
      labels: c.labels,
      finalizers: [FINALIZERS.cluster],
      createdAt: c.createdAt,
      generation: 1,
    }),
    spec,
    status: clusterStatus({
      phase: 'Provisioned',
      infraReady: true,
      cpInitialized: true,
      cpAvailable: !cpDown,
      remoteOk: !unreachable && !cpDown,
      ...clusterFaultMessages(unreachable, cpDown, s.ctx.probedAt ?? at),
      cp: controlPlaneCounts(s),
      workers: c.pools.reduce(
        (acc, p) => addCounts(acc, poolCounts(s, p, notReady)),
        ZERO,
      ),
      topology: Boolean(c.className),
      topologyOk: true,
      rollingOut: false,
      deleting: false,
      paused: false,
      generation: 1,
      at,
      failureDomains: clusterFailureDomains(c.flavor, c.region),
    }),
  };
}

export function seededInfraCluster(s: ClusterSeed): JsonObject {
  const { c } = s;
  const obj = infraClusterObject(
    c.flavor,
    {
      namespace: c.namespace,
      name: c.infraName,
      labels: {
        [LABELS.clusterName]: c.name,
        ...(c.className ? { [LABELS.topologyOwned]: '' } : {}),
      },
      owners: [clusterOwner(c.name, clusterUid(s))],
      createdAt: c.createdAt,
      generation: 1,
    },
    c.name,
    c.region,
    true,
  );
  obj.status = infraStatus(c.flavor.infraCluster, true, c.createdAt + 60_000);
  return obj;
}

export function seededControlPlane(s: ClusterSeed): JsonObject {
  const { c } = s;
  const fl = c.flavor;
  const cpDown = s.faults?.controlPlaneDown === true;
  const obj = controlPlaneObject(
    {
      namespace: c.namespace,
      name: c.controlPlaneName,
      labels: {
        [LABELS.clusterName]: c.name,
        ...(c.className ? { [LABELS.topologyOwned]: '' } : {}),
      },
      owners: [clusterOwner(c.name, clusterUid(s))],
      finalizers: fl.machineControlPlane ? [FINALIZERS.controlPlane] : [],
      createdAt: c.createdAt,
      generation: 1,
    },
    {
      flavor: fl,
      clusterName: c.name,
      replicas: c.controlPlaneReplicas,
      specVersion: controlPlaneSpecVersion(c),
      region: c.region,
      machineTemplate: cpMachineTemplate(c),
      management: c.management,
    },
  );
  obj.status = controlPlaneStatus({
    flavor: fl,
    counts: controlPlaneCounts(s),
    initialized: true,
    available: !cpDown,
    availableMessage: cpDown
      ? controlPlaneDownMessage(fl.machineControlPlane)
      : undefined,
    version: controlPlaneSpecVersion(c),
    generation: 1,
    at: readyAt(c),
    selector: fl.hosted
      ? hostedSelector(
          hostedLayout(fl.hosted, c.controlPlaneName, c.controlPlaneReplicas),
        )
      : controlPlaneSelector(c.name),
  });
  return obj;
}

// ---- kubeconfig and the templates of classic clusters --------------------------------------

export function seededKubeconfigSecret(s: ClusterSeed): JsonObject {
  const { c, ctx } = s;
  return kubeconfigSecret(
    {
      namespace: c.namespace,
      name: `${c.name}-kubeconfig`,
      labels: { [LABELS.clusterName]: c.name },
      owners: [clusterOwner(c.name, clusterUid(s), false)],
      createdAt: c.createdAt + 5 * 60_000,
    },
    kubeconfigText(
      c.name,
      ctx.workloadUrl(c),
      ctx.caData,
      ctx.workloadToken(c),
    ),
  );
}

function machineTemplateOf(
  s: ClusterSeed,
  name: string,
  instanceType: string,
): JsonObject {
  const { c } = s;
  const kind = c.flavor.machineTemplate ?? DEV_MACHINE_TEMPLATE;
  return {
    apiVersion: apiVersion(kind),
    kind: kind.kind,
    metadata: objectMeta({
      namespace: c.namespace,
      name,
      owners: [clusterOwner(c.name, clusterUid(s), false)],
      createdAt: c.createdAt,
      generation: 1,
    }),
    spec: {
      template: {
        spec: kind.kind.startsWith('AWS')
          ? {
              instanceType,
              ami: { id: `ami-0${hexOf(name).slice(0, 16)}` },
            }
          : { backend: { docker: { extraMounts: [] } } },
      },
    },
  };
}

/** The control plane's machine template of a classic (non-topology) cluster. */
export function seededControlPlaneTemplate(s: ClusterSeed): JsonObject {
  const { c } = s;
  return machineTemplateOf(
    s,
    `${c.name}-control-plane`,
    c.pools[0]?.instanceType ?? INSTANCE_TYPES[c.flavor.provider][0],
  );
}

/** A worker pool's machine template of a classic cluster. */
export function seededWorkerInfraTemplate(
  s: ClusterSeed,
  pool: number,
): JsonObject {
  const { c } = s;
  return machineTemplateOf(
    s,
    `${c.name}-${c.pools[pool].name}`,
    c.pools[pool]?.instanceType ?? INSTANCE_TYPES[c.flavor.provider][0],
  );
}

/** A worker pool's bootstrap config template of a classic cluster. */
export function seededWorkerBootstrapTemplate(
  s: ClusterSeed,
  pool: number,
): JsonObject {
  const { c } = s;
  const kind = c.flavor.bootstrapTemplate ?? {
    group: 'bootstrap.cluster.x-k8s.io',
    version: 'v1beta2',
    kind: 'KubeadmConfigTemplate',
  };
  return {
    apiVersion: apiVersion(kind),
    kind: kind.kind,
    metadata: objectMeta({
      namespace: c.namespace,
      name: `${c.name}-${c.pools[pool].name}`,
      owners: [clusterOwner(c.name, clusterUid(s), false)],
      createdAt: c.createdAt,
      generation: 1,
    }),
    spec: { template: { spec: {} } },
  };
}
