/**
 * Seeding: puts a generated cluster's objects into a management cluster's store as lazily built entries (an object
 * is built when first read), with the labels and owners the store indexes. What each object looks like is in
 * `seededCluster.ts` and `seededWorkers.ts`.
 */
import { LABELS, TYPE_IDS, typeIdFor } from '../capi/kinds';
import { LazySource, ObjectStore, objectKey } from '../store/store';
import { JsonObject } from '../util/json';
import { SeedCluster } from './model';
import {
  ClusterSeed,
  controlPlaneMachineLabels,
  deploymentLabels,
  machineSetLabels,
  SeedContext,
  seededUid,
  workerLabels,
} from './seedFacts';
import {
  seededCluster,
  seededControlPlane,
  seededControlPlaneTemplate,
  seededInfraCluster,
  seededKubeconfigSecret,
  seededWorkerBootstrapTemplate,
  seededWorkerInfraTemplate,
} from './seededCluster';
import {
  seededControlPlaneInfraMachine,
  seededControlPlaneMachine,
  seededInfraMachinePool,
  seededMachineDeployment,
  seededMachineHealthCheck,
  seededMachinePool,
  seededMachineSet,
  seededWorkerInfraMachine,
  seededWorkerMachine,
} from './seededWorkers';

import {
  hostedSeedEntries,
  seededHostedPod,
  seededHostedService,
  seededHostedWorkload,
} from './seededHosted';
import {
  ADDON_TYPE_IDS,
  addonDeviation,
  addonsOfCluster,
  chartProxyName,
  releaseProxyName,
  resourceSetName,
  seededChartProxy,
  seededReleaseProxy,
  seededResourceSet,
  seededResourceSetBinding,
} from './seededAddons';

export type { SeedContext, SeededFaults } from './seedFacts';

/** The shared add-on objects (resource sets, chart proxies) already seeded into each store, by ns/name. */
const seededShared = new WeakMap<ObjectStore, Set<string>>();
/** The seeded clusters each chart proxy selects, by its ns/name (read when the chart proxy is first built). */
const seededMatches = new WeakMap<ObjectStore, Map<string, string[]>>();

/** Builds one seeded object of a cluster; `pool` and `machine` pick it among its kind (unused by single ones). */
type Build = (s: ClusterSeed, pool: number, machine: number) => JsonObject;

/** A seeded object, built when first read (a small record per object, so that a large fleet stays small). */
class Seeded implements LazySource {
  constructor(
    private readonly seed: ClusterSeed,
    private readonly make: Build,
    private readonly pool = 0,
    private readonly machine = 0,
  ) {}

  build(): JsonObject {
    return this.make(this.seed, this.pool, this.machine);
  }
}

/** Adds a seeded cluster's objects to the store as lazily generated entries. */
export function populateCluster(
  store: ObjectStore,
  ctx: SeedContext,
  c: SeedCluster,
): void {
  const fl = c.flavor;
  const current = ctx.faults?.(c);
  const seed: ClusterSeed = {
    ctx,
    c,
    faults: current
      ? {
          unreachable: current.unreachable,
          nodesNotReady: current.nodesNotReady,
          controlPlaneDown: current.controlPlaneDown,
        }
      : undefined,
  };
  const uid = (typeId: string, name: string) =>
    seededUid(ctx, typeId, c.namespace, name);
  const add = (
    typeId: string,
    name: string,
    build: Build,
    labels: Record<string, string> | undefined,
    owners: string[] | undefined,
    pool = 0,
    machine = 0,
  ) => {
    store.seed(
      typeId,
      objectKey(c.namespace, name),
      uid(typeId, name),
      new Seeded(seed, build, pool, machine),
      labels,
      owners,
    );
  };
  add(TYPE_IDS.cluster, c.name, seededCluster, c.labels, undefined);
  if (c.state === 'provisioning') return;
  const clusterUid = uid(TYPE_IDS.cluster, c.name);
  const clusterLabel = { [LABELS.clusterName]: c.name };
  add(
    typeIdFor(fl.infraCluster),
    c.infraName,
    seededInfraCluster,
    clusterLabel,
    [clusterUid],
  );
  const cpTypeId = typeIdFor(fl.controlPlane);
  add(cpTypeId, c.controlPlaneName, seededControlPlane, clusterLabel, [
    clusterUid,
  ]);
  const cpUid = uid(cpTypeId, c.controlPlaneName);
  if (fl.hosted) {
    const host = hostedSeedEntries(c);
    add(
      host.workload.typeId,
      host.workload.name,
      seededHostedWorkload,
      host.labels,
      [cpUid],
    );
    add(
      host.service.typeId,
      host.service.name,
      seededHostedService,
      host.labels,
      [cpUid],
    );
    host.pods.forEach((pod, i) =>
      add(TYPE_IDS.pod, pod, seededHostedPod, host.labels, [cpUid], 0, i),
    );
  }
  const cpLabels = controlPlaneMachineLabels(c);
  c.controlPlaneMachines.forEach((m, i) => {
    add(TYPE_IDS.machine, m, seededControlPlaneMachine, cpLabels, [cpUid], i);
    if (fl.infraMachine) {
      add(
        typeIdFor(fl.infraMachine),
        m,
        seededControlPlaneInfraMachine,
        { [LABELS.clusterName]: c.name, [LABELS.controlPlane]: '' },
        [uid(TYPE_IDS.machine, m)],
        i,
      );
    }
  });
  if (!c.className && fl.machineControlPlane) {
    add(
      typeIdFor(fl.machineTemplate ?? fl.infraCluster),
      `${c.name}-control-plane`,
      seededControlPlaneTemplate,
      undefined,
      [clusterUid],
    );
  }
  c.pools.forEach((pool, i) => {
    if (fl.workers === 'MachinePool') {
      add(
        TYPE_IDS.machinePool,
        pool.objectName,
        seededMachinePool,
        clusterLabel,
        [clusterUid],
        i,
      );
      if (fl.machinePoolInfra)
        add(
          typeIdFor(fl.machinePoolInfra),
          pool.objectName,
          seededInfraMachinePool,
          clusterLabel,
          [uid(TYPE_IDS.machinePool, pool.objectName)],
          i,
        );
      return;
    }
    add(
      TYPE_IDS.machineDeployment,
      pool.objectName,
      seededMachineDeployment,
      deploymentLabels(c, pool),
      [clusterUid],
      i,
    );
    add(
      TYPE_IDS.machineSet,
      pool.setName,
      seededMachineSet,
      machineSetLabels(c, pool),
      [uid(TYPE_IDS.machineDeployment, pool.objectName)],
      i,
    );
    const msUid = uid(TYPE_IDS.machineSet, pool.setName);
    const labels = workerLabels(c, pool);
    pool.machines.forEach((m, j) => {
      add(TYPE_IDS.machine, m, seededWorkerMachine, labels, [msUid], i, j);
      if (fl.infraMachine) {
        add(
          typeIdFor(fl.infraMachine),
          m,
          seededWorkerInfraMachine,
          clusterLabel,
          [uid(TYPE_IDS.machine, m)],
          i,
          j,
        );
      }
    });
    if (!c.className) {
      add(
        typeIdFor(fl.machineTemplate ?? fl.infraCluster),
        `${c.name}-${pool.name}`,
        seededWorkerInfraTemplate,
        undefined,
        [clusterUid],
        i,
      );
      if (fl.bootstrapTemplate)
        add(
          typeIdFor(fl.bootstrapTemplate),
          `${c.name}-${pool.name}`,
          seededWorkerBootstrapTemplate,
          undefined,
          [clusterUid],
          i,
        );
    }
  });
  add(
    TYPE_IDS.secret,
    `${c.name}-kubeconfig`,
    seededKubeconfigSecret,
    clusterLabel,
    [clusterUid],
  );
  const addons = addonsOfCluster(c);
  if (addons) {
    const profile = c.labels[LABELS.profile];
    let shared = seededShared.get(store);
    if (!shared) {
      shared = new Set();
      seededShared.set(store, shared);
    }
    const once = (typeId: string, name: string, build: Build) => {
      const id = `${typeId}/${c.namespace}/${name}`;
      if (shared!.has(id)) return;
      shared!.add(id);
      add(typeId, name, build, undefined, undefined);
    };
    const createdAt = c.createdAt;
    once(ADDON_TYPE_IDS.clusterResourceSet, resourceSetName(profile), () =>
      seededResourceSet(c.namespace, profile, addons.cni, createdAt),
    );
    add(
      ADDON_TYPE_IDS.clusterResourceSetBinding,
      c.name,
      seededResourceSetBinding,
      clusterLabel,
      [clusterUid],
    );
    const deviation = addonDeviation(c, addons);
    let matches = seededMatches.get(store);
    if (!matches) {
      matches = new Map();
      seededMatches.set(store, matches);
    }
    addons.helm.forEach((layer, i) => {
      const proxyId = `${c.namespace}/${chartProxyName(profile, layer.name)}`;
      let matching = matches!.get(proxyId);
      if (!matching) {
        matching = [];
        matches!.set(proxyId, matching);
      }
      // the chart proxy selects every cluster of the profile, also one whose release is missing
      matching.push(c.name);
      const selected = matching;
      once(
        ADDON_TYPE_IDS.helmChartProxy,
        chartProxyName(profile, layer.name),
        () =>
          seededChartProxy(c.namespace, profile, layer, createdAt, selected),
      );
      if (deviation.missing === layer.name) return;
      add(
        ADDON_TYPE_IDS.helmReleaseProxy,
        releaseProxyName(c.name, layer.name),
        seededReleaseProxy,
        {
          ...clusterLabel,
          'helmreleaseproxy.addons.cluster.x-k8s.io/helmchartproxy-name':
            chartProxyName(profile, layer.name),
        },
        [clusterUid],
        i,
      );
    });
  }
  if (c.environment === 'prod' && fl.workers === 'MachineDeployment') {
    add(
      TYPE_IDS.machineHealthCheck,
      `${c.name}-workers`,
      seededMachineHealthCheck,
      clusterLabel,
      [clusterUid],
    );
  }
}
