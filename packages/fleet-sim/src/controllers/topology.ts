/**
 * Topology: what a topology Cluster's `spec.topology` asks for — the infrastructure cluster and control plane from
 * its ClusterClass, one MachineDeployment per worker topology, replicas and versions (workers keep the control
 * plane's version until it is upgraded).
 */
import {
  controlPlaneVersion,
  Flavor,
  KindRef,
  kubeVersionOf,
} from '../capi/distributions';
import { controlPlaneObject } from '../capi/controlPlane';
import { infraClusterObject } from '../capi/infrastructure';
import { clusterOwner, FINALIZERS, LABELS, TYPE_IDS } from '../capi/kinds';
import { machineDeploymentObject } from '../capi/workers';
import { asArray, asObject, isObject, JsonObject } from '../util/json';
import { ControllerContext } from './context';
import { condTrue, labelsOf, meta, num, str } from './read';

/** Returns 'ok', 'wrote' (the cluster changed, a new reconcile follows) or a problem message. */
export function reconcileTopology(
  ctx: ControllerContext,
  cluster: JsonObject,
  ns: string,
  name: string,
  topology: JsonObject,
): string {
  const t = ctx.api.type(TYPE_IDS.cluster);
  const spec = asObject(cluster.spec) ?? {};
  const classRef = asObject(topology.classRef) ?? {};
  const cc = ctx.get(
    TYPE_IDS.clusterClass,
    str(classRef.namespace) ?? ns,
    String(classRef.name ?? ''),
  );
  if (!cc) return `ClusterClass ${String(classRef.name ?? '')} not found`;
  const ccSpec = asObject(cc.spec) ?? {};
  const flavor = ctx.clusterFlavor(ns, name);
  const uid = String(meta(cluster).uid);
  const desiredVersion = String(topology.version ?? '');
  const region = ctx.region(cluster, flavor);
  const topoLabels = {
    [LABELS.clusterName]: name,
    [LABELS.topologyOwned]: '',
  };
  if (!asObject(spec.infrastructureRef)) {
    const infraName = `${name}-${ctx.options.random.suffix()}`;
    const infraType = ctx.typeOf(flavor.infraCluster);
    if (!infraType)
      return `unknown infrastructure kind ${flavor.infraCluster.kind}`;
    ctx.create(
      infraType,
      infraClusterObject(
        flavor,
        {
          namespace: ns,
          name: infraName,
          labels: topoLabels,
          owners: [clusterOwner(name, uid)],
        },
        name,
        region,
        false,
      ),
    );
    spec.infrastructureRef = {
      apiGroup: flavor.infraCluster.group,
      kind: flavor.infraCluster.kind,
      name: infraName,
    };
    cluster.spec = spec;
    ctx.writeMain(t, cluster);
    return 'wrote';
  }
  const cpRef = asObject(spec.controlPlaneRef);
  const cpType = ctx.typeOf(flavor.controlPlane);
  if (!cpType) return `unknown control plane kind ${flavor.controlPlane.kind}`;
  const cpTopology = asObject(topology.controlPlane) ?? {};
  let cpReplicas = 0;
  if (flavor.machineControlPlane) cpReplicas = num(cpTopology.replicas, 1);
  else if (flavor.hosted) cpReplicas = num(cpTopology.replicas, 2);
  const machineTemplateRef = asObject(
    asObject(asObject(ccSpec.controlPlane)?.machineInfrastructure)?.templateRef,
  );
  if (!cpRef) {
    const cpName = `${name}-${ctx.options.random.suffix()}`;
    ctx.create(
      cpType,
      controlPlaneObject(
        {
          namespace: ns,
          name: cpName,
          labels: topoLabels,
          owners: [clusterOwner(name, uid)],
        },
        {
          flavor,
          clusterName: name,
          replicas: cpReplicas,
          specVersion: controlPlaneVersion(
            flavor.distribution,
            kubeVersionOf(flavor.distribution, desiredVersion),
          ),
          region,
          management: ctx.options.management,
          machineTemplate: machineTemplateRef
            ? {
                kind: {
                  group: String(
                    str(machineTemplateRef.apiVersion)?.split('/')[0] ?? '',
                  ),
                  version: String(
                    str(machineTemplateRef.apiVersion)?.split('/')[1] ??
                      'v1beta2',
                  ),
                  kind: String(machineTemplateRef.kind),
                },
                name: String(machineTemplateRef.name),
              }
            : undefined,
        },
      ),
    );
    spec.controlPlaneRef = {
      apiGroup: flavor.controlPlane.group,
      kind: flavor.controlPlane.kind,
      name: cpName,
    };
    cluster.spec = spec;
    ctx.writeMain(t, cluster);
    return 'wrote';
  }
  const cpName = String(cpRef.name);
  const cp = ctx.get(cpType.id, ns, cpName);
  let cpVersion = desiredVersion;
  if (cp) {
    const cpSpec = asObject(cp.spec) ?? {};
    const versionField =
      flavor.controlPlane.kind === 'GCPManagedControlPlane'
        ? 'controlPlaneVersion'
        : 'version';
    const wantVersion = controlPlaneVersion(
      flavor.distribution,
      kubeVersionOf(flavor.distribution, desiredVersion),
    );
    let changed = false;
    if (cpSpec[versionField] !== wantVersion) {
      cpSpec[versionField] = wantVersion;
      changed = true;
    }
    // machines or pods: either way the topology's replicas are the control plane's
    if (
      (flavor.machineControlPlane || flavor.hosted) &&
      cpSpec.replicas !== cpReplicas
    ) {
      cpSpec.replicas = cpReplicas;
      changed = true;
    }
    if (changed) {
      cp.spec = cpSpec;
      ctx.writeMain(cpType, cp);
      ctx.recordEvent(
        cluster,
        'Normal',
        'TopologyUpdate',
        `Updated ${flavor.controlPlane.kind} ${ns}/${cpName}`,
      );
    }
    const cpStatus = asObject(cp.status) ?? {};
    const current = str(cpStatus.version) ?? str(cpStatus.currentVersion);
    const upgraded =
      current !== undefined &&
      kubeVersionOf(flavor.distribution, current) ===
        kubeVersionOf(flavor.distribution, desiredVersion) &&
      !condTrue(cp, 'RollingOut');
    cpVersion = desiredVersion;
    if (!upgraded && current) {
      cpVersion = machineVersionFor(flavor, current, desiredVersion);
    }
  }
  const workers = asObject(topology.workers) ?? {};
  const wanted = (asArray(workers.machineDeployments) ?? []).filter(isObject);
  const existing = ctx
    .listByCluster(TYPE_IDS.machineDeployment, ns, name)
    .filter(md => labelsOf(md)[LABELS.topologyOwned] !== undefined);
  const mdType = ctx.api.type(TYPE_IDS.machineDeployment);
  const classes = (
    asArray(asObject(ccSpec.workers)?.machineDeployments) ?? []
  ).filter(isObject);
  for (const w of wanted) {
    const mdTopologyName = String(w.name ?? '');
    const md = existing.find(
      x => labelsOf(x)[LABELS.topologyDeploymentName] === mdTopologyName,
    );
    const replicas = num(w.replicas, 1);
    if (!md) {
      const cls = classes.find(c => c.class === w.class);
      if (!cls)
        return `MachineDeployment class ${String(
          w.class,
        )} not found in ClusterClass`;
      const infraRef =
        asObject(asObject(cls.infrastructure)?.templateRef) ??
        asObject(asObject(asObject(cls.template)?.infrastructure)?.ref);
      const bootRef =
        asObject(asObject(cls.bootstrap)?.templateRef) ??
        asObject(asObject(asObject(cls.template)?.bootstrap)?.ref);
      const mdName = `${name}-${mdTopologyName}-${ctx.options.random.suffix()}`;
      const kindOf = (ref: JsonObject | undefined): KindRef | undefined =>
        ref
          ? {
              group: String(
                str(ref.apiVersion)?.split('/')[0] ?? ref.apiGroup ?? '',
              ),
              version: String(str(ref.apiVersion)?.split('/')[1] ?? 'v1beta2'),
              kind: String(ref.kind),
            }
          : undefined;
      const infraKind = kindOf(infraRef) ??
        flavor.machineTemplate ?? {
          group: 'infrastructure.cluster.x-k8s.io',
          version: 'v1beta2',
          kind: 'DevMachineTemplate',
        };
      const bootKind = kindOf(bootRef);
      const labels = {
        [LABELS.clusterName]: name,
        [LABELS.topologyOwned]: '',
        [LABELS.topologyDeploymentName]: mdTopologyName,
      };
      const selector = {
        [LABELS.clusterName]: name,
        [LABELS.deploymentName]: mdName,
      };
      ctx.create(
        mdType,
        machineDeploymentObject(
          {
            namespace: ns,
            name: mdName,
            labels,
            owners: [clusterOwner(name, uid, false)],
            finalizers: [FINALIZERS.machineDeployment],
          },
          replicas,
          selector,
          {
            ...selector,
            [LABELS.topologyOwned]: '',
            [LABELS.topologyDeploymentName]: mdTopologyName,
          },
          {
            clusterName: name,
            version: cpVersion,
            infraTemplate: {
              kind: infraKind,
              name: String(infraRef?.name ?? `${name}-${mdTopologyName}`),
            },
            bootstrapTemplate: bootKind
              ? { kind: bootKind, name: String(bootRef?.name) }
              : undefined,
          },
        ),
      );
      ctx.recordEvent(
        cluster,
        'Normal',
        'TopologyCreate',
        `Created MachineDeployment ${ns}/${mdName}`,
      );
      continue;
    }
    const mdSpec = asObject(md.spec) ?? {};
    const tspec = asObject(asObject(mdSpec.template)?.spec) ?? {};
    let changed = false;
    if (mdSpec.replicas !== replicas) {
      mdSpec.replicas = replicas;
      changed = true;
    }
    if (tspec.version !== cpVersion) {
      tspec.version = cpVersion;
      changed = true;
    }
    if (changed) ctx.writeMain(mdType, md);
  }
  for (const md of existing) {
    const topoName = labelsOf(md)[LABELS.topologyDeploymentName];
    if (!wanted.some(w => w.name === topoName) && !meta(md).deletionTimestamp) {
      ctx.remove(mdType, ns, String(meta(md).name));
      ctx.recordEvent(
        cluster,
        'Normal',
        'TopologyDelete',
        `Deleted MachineDeployment ${ns}/${String(meta(md).name)}`,
      );
    }
  }
  return 'ok';
}

/** During an upgrade, workers keep the version the control plane had. */
function machineVersionFor(
  flavor: Flavor,
  current: string,
  desired: string,
): string {
  if (flavor.machineControlPlane) return current;
  const kube = kubeVersionOf(flavor.distribution, current);
  return desired.replace(/^v?\d+\.\d+\.\d+/, kube);
}
