/**
 * Seeding the management clusters at start: their namespaces, their own nodes and controller pods, the
 * ClusterClasses (in `fleet-shared` and every namespace with topology clusters), the faults the generated model
 * gives its degraded, control-plane-down and unreachable clusters, and every workload cluster's objects.
 */
import { TYPE_IDS, ts } from '../capi/kinds';
import { FaultRegistry } from '../faults/faults';
import { clusterClassObjects } from '../fleet/clusterClasses';
import { FleetModel, SeedManagement } from '../fleet/model';
import { SeedContext, populateCluster } from '../fleet/seed';
import { ManagementCluster } from '../server/managementCluster';
import { JsonObject } from '../util/json';
import { Random } from '../util/random';

/**
 * Injects the faults of the model's degraded, control-plane-down and unreachable clusters. They are in place before
 * the controllers subscribe, and the seeded objects already show them (see `fleet/seed.ts`), so the controllers have
 * nothing to rewrite for them at start.
 */
export function injectSeededFaults(
  model: FleetModel,
  faults: FaultRegistry,
  seed: string,
): void {
  const seededFaults = new Random(`anomalies:${seed}`);
  for (const c of model.clusters) {
    const id = `${c.management}/${c.namespace}/${c.name}`;
    switch (c.state) {
      case 'degraded':
        faults.set(id, { nodesNotReady: seededFaults.int(1, 2) });
        break;
      case 'controlPlaneDown':
        faults.set(id, { controlPlaneDown: true });
        break;
      case 'unreachable':
        faults.set(id, {
          unreachable: seededFaults.chance(0.5) ? 'refuse' : 'blackhole',
        });
        break;
      default:
        break;
    }
  }
}

/**
 * Seeds one management cluster: namespaces, its own nodes and pods, ClusterClasses, and the objects of each of its
 * workload clusters (lazily built); `workloadSeeded` is told of every cluster that is past provisioning.
 */
export function seedManagementCluster(
  mc: ManagementCluster,
  mm: SeedManagement,
  model: FleetModel,
  ctx: SeedContext,
  now: number,
  workloadSeeded: (c: FleetModel['clusters'][number]) => void,
): void {
  const api = mc.api;
  const nsType = api.type(TYPE_IDS.namespace);
  for (const ns of mm.namespaces) {
    api.create(
      nsType,
      undefined,
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: ns, creationTimestamp: ts(now - 420 * 86_400_000) },
      },
      { internal: true },
    );
  }
  seedManagementInfra(mc, mm.kubernetesVersion, now);
  const classNamespaces = new Set<string>(['fleet-shared']);
  for (const c of model.clusters)
    if (c.management === mm.name && c.className)
      classNamespaces.add(c.namespace);
  for (const ns of classNamespaces) {
    for (const cls of mm.classes) {
      for (const obj of clusterClassObjects(cls, ns, now - 400 * 86_400_000)) {
        const t = api.registry.byKind(
          String(obj.apiVersion).split('/')[0],
          String(obj.kind),
        );
        if (t) api.create(t, ns, obj, { internal: true });
      }
    }
  }
  for (const c of model.clusters) {
    if (c.management !== mm.name) continue;
    populateCluster(api.store, ctx, c);
    if (c.state !== 'provisioning') workloadSeeded(c);
  }
}

/** Nodes and controller pods of the management cluster itself. */
function seedManagementInfra(
  mc: ManagementCluster,
  version: string,
  now: number,
): void {
  const api = mc.api;
  const nodeType = api.type(TYPE_IDS.node);
  const podType = api.type(TYPE_IDS.pod);
  const created = ts(now - 420 * 86_400_000);
  const nodes = [0, 1, 2].map(i => `${mc.name}-control-plane-${i}`);
  nodes.forEach((name, i) => {
    api.create(
      nodeType,
      undefined,
      {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name,
          creationTimestamp: created,
          labels: {
            'kubernetes.io/hostname': name,
            'kubernetes.io/os': 'linux',
            'node-role.kubernetes.io/control-plane': '',
          },
        },
        spec: { providerID: `docker:////${name}` },
        status: {
          conditions: [
            {
              type: 'Ready',
              status: 'True',
              reason: 'KubeletReady',
              message: 'kubelet is posting ready status',
              lastHeartbeatTime: created,
              lastTransitionTime: created,
            },
          ],
          addresses: [
            { type: 'InternalIP', address: `172.18.0.${i + 2}` },
            { type: 'Hostname', address: name },
          ],
          nodeInfo: {
            kubeletVersion: version,
            kubeProxyVersion: version,
            osImage: 'Ubuntu 24.04.2 LTS',
            kernelVersion: '6.8.0-57-generic',
            containerRuntimeVersion: 'containerd://2.0.4',
            operatingSystem: 'linux',
            architecture: 'amd64',
          },
        },
      } as JsonObject,
      { internal: true },
    );
  });
  const pods: Array<[string, string, string]> = [
    [
      'capi-system',
      'capi-controller-manager',
      'registry.k8s.io/cluster-api/cluster-api-controller:v1.14.0',
    ],
    [
      'capi-system',
      'capi-kubeadm-bootstrap-controller-manager',
      'registry.k8s.io/cluster-api/kubeadm-bootstrap-controller:v1.14.0',
    ],
    [
      'capi-system',
      'capi-kubeadm-control-plane-controller-manager',
      'registry.k8s.io/cluster-api/kubeadm-control-plane-controller:v1.14.0',
    ],
    [
      'capi-system',
      'capd-controller-manager',
      'registry.k8s.io/cluster-api/capd-manager:v1.14.0',
    ],
    [
      'capi-system',
      'capa-controller-manager',
      'registry.k8s.io/cluster-api-aws/cluster-api-aws-controller:v2.9.0',
    ],
    [
      'capi-system',
      'capz-controller-manager',
      'registry.k8s.io/cluster-api-azure/cluster-api-azure-controller:v1.20.0',
    ],
    ['kube-system', 'coredns', 'registry.k8s.io/coredns/coredns:v1.12.0'],
  ];
  const rng = new Random(mc.name);
  pods.forEach(([ns, app, image], i) => {
    const name = `${app}-${rng.hex(10)}-${rng.suffix()}`;
    api.create(
      podType,
      ns,
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name,
          namespace: ns,
          creationTimestamp: ts(now - 30 * 86_400_000),
          labels: { 'control-plane': 'controller-manager', app },
        },
        spec: {
          nodeName: nodes[i % nodes.length],
          containers: [{ name: 'manager', image }],
        },
        status: {
          phase: 'Running',
          podIP: `192.168.${i}.${10 + i}`,
          conditions: [{ type: 'Ready', status: 'True' }],
          containerStatuses: [
            { name: 'manager', ready: true, restartCount: 0, image },
          ],
        },
      },
      { internal: true },
    );
  });
}
