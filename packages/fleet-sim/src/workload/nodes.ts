/** The nodes of a simulated workload cluster, from its management cluster's Machines and MachinePools. */
import {
  kubeVersionOf,
  kubeletVersion,
  nodeLook,
  zoneOf,
} from '../capi/distributions';
import { JsonObject, asArray, asObject, isObject } from '../util/json';
import { Random } from '../util/random';
import { LABELS, TYPE_IDS, ts } from '../capi/kinds';
import { md5, md5Uid } from './ids';
import type { WorkloadCluster } from './workload';

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** What a node is made from. */
export interface NodeFacts {
  name: string;
  controlPlane: boolean;
  ip: string;
  providerID?: string;
  kube: string;
  createdAt: string;
  rv: number;
  zone?: string;
  pool?: string;
  instanceType?: string;
}

export function nodeFacts(w: WorkloadCluster): NodeFacts[] {
  const store = w.management.api.store;
  const out: NodeFacts[] = [];
  const machines = store.collection(TYPE_IDS.machine);
  for (const key of machines.keysWithLabel(
    LABELS.clusterName,
    w.namespace,
    w.name,
  ) ?? []) {
    const entry = machines.entries.get(key);
    if (!entry) continue;
    const m = entry.object();
    const status = asObject(m.status) ?? {};
    const phase = status.phase;
    if (phase !== 'Running' && phase !== 'Deleting') continue;
    const nodeName = asObject(status.nodeRef)?.name;
    const addresses = asArray(status.addresses) ?? [];
    const ipAddr = addresses.find(a => isObject(a) && a.type === 'InternalIP');
    const labels = asObject(asObject(m.metadata)?.labels) ?? {};
    const spec = asObject(m.spec) ?? {};
    out.push({
      name: typeof nodeName === 'string' ? nodeName : entry.name,
      controlPlane: labels[LABELS.controlPlane] !== undefined,
      ip:
        isObject(ipAddr) && typeof ipAddr.address === 'string'
          ? ipAddr.address
          : '10.0.0.1',
      providerID:
        typeof spec.providerID === 'string' ? spec.providerID : undefined,
      kube: kubeVersionOf(
        w.flavor.distribution,
        typeof spec.version === 'string' ? spec.version : w.kubeVersion(),
      ),
      createdAt: String(
        asObject(m.metadata)?.creationTimestamp ?? ts(Date.now()),
      ),
      rv: entry.rv,
      zone: str(status.failureDomain) ?? str(spec.failureDomain),
      pool:
        typeof labels[LABELS.deploymentName] === 'string'
          ? String(labels[LABELS.deploymentName])
          : undefined,
    });
  }
  const pools = store.collection(TYPE_IDS.machinePool);
  const kube = w.kubeVersion();
  for (const key of pools.keysWithLabel(
    LABELS.clusterName,
    w.namespace,
    w.name,
  ) ?? []) {
    const entry = pools.entries.get(key);
    if (!entry) continue;
    const mp = entry.object();
    const ready = asObject(mp.status)?.readyReplicas;
    const count = typeof ready === 'number' ? ready : 0;
    const rng = new Random(`${w.id}/${entry.name}`);
    const hash = rng.int(10000000, 99999999);
    const region = regionOf(w);
    for (let i = 0; i < count; i++) {
      const ipAddr = `10.${(hash >> 8) & 255}.${i >> 8}.${(i & 255) + 4}`;
      let nodeName: string;
      switch (w.flavor.distribution) {
        case 'aks':
          nodeName = `aks-${entry.name
            .replace(/[^a-z0-9]/g, '')
            .slice(-8)}-${hash}-vmss${i.toString(36).padStart(6, '0')}`;
          break;
        case 'gke':
          nodeName = `gke-${w.name.slice(0, 14)}-${entry.name.slice(
            -8,
          )}-${hash.toString(16)}-${rng.suffix(4)}`;
          break;
        default:
          nodeName = `ip-${ipAddr.replace(
            /\./g,
            '-',
          )}.${region}.compute.internal`;
      }
      out.push({
        name: nodeName,
        controlPlane: false,
        ip: ipAddr,
        kube,
        createdAt: String(
          asObject(mp.metadata)?.creationTimestamp ?? ts(Date.now()),
        ),
        rv: entry.rv,
        zone: zoneOf(w.flavor.provider, region, i),
        pool: entry.name,
      });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

export function nodes(w: WorkloadCluster): JsonObject[] {
  const facts = nodeFacts(w);
  const workers = facts.filter(f => !f.controlPlane).map(f => f.name);
  const notReady = w.deps.faults.notReadyNodes(w.id, workers);
  const cpDown = w.deps.faults.isControlPlaneDown(w.id);
  const d = w.flavor.distribution;
  const look = nodeLook(d);
  const region = regionOf(w);
  return facts.map(f => {
    const ready = !notReady.has(f.name) && !(cpDown && f.controlPlane);
    const labels: Record<string, string> = {
      'kubernetes.io/hostname': f.name,
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/os': 'linux',
      'beta.kubernetes.io/arch': 'amd64',
    };
    if (f.controlPlane) {
      labels['node-role.kubernetes.io/control-plane'] = '';
      if (d === 'k3s' || d === 'rke2')
        labels['node-role.kubernetes.io/master'] = 'true';
      if (d === 'rke2' || d === 'k3s')
        labels['node-role.kubernetes.io/etcd'] = 'true';
    } else if (d === 'openshift') {
      labels['node-role.kubernetes.io/worker'] = '';
    }
    if (region !== 'local') {
      labels['topology.kubernetes.io/region'] = region;
      if (f.zone) labels['topology.kubernetes.io/zone'] = f.zone;
    }
    switch (d) {
      case 'eks':
        labels['eks.amazonaws.com/nodegroup'] = f.pool ?? 'default';
        labels['node.kubernetes.io/instance-type'] = 'm6i.large';
        labels['eks.amazonaws.com/capacityType'] = 'ON_DEMAND';
        break;
      case 'aks':
        labels['kubernetes.azure.com/agentpool'] = (f.pool ?? 'pool0')
          .replace(/[^a-z0-9]/g, '')
          .slice(-12);
        labels[
          'kubernetes.azure.com/cluster'
        ] = `MC_rg-${w.namespace}-${w.name}`;
        labels['node.kubernetes.io/instance-type'] = 'Standard_D4s_v5';
        break;
      case 'gke':
        labels['cloud.google.com/gke-nodepool'] = f.pool ?? 'default-pool';
        labels['cloud.google.com/gke-os-distribution'] = 'cos';
        labels['node.kubernetes.io/instance-type'] = 'e2-standard-4';
        break;
      case 'k3s':
        labels['node.kubernetes.io/instance-type'] = 'k3s';
        labels['k3s.io/hostname'] = f.name;
        break;
      case 'rke2':
        labels['node.kubernetes.io/instance-type'] = 'rke2';
        break;
      case 'k0s':
        labels['node.k0sproject.io/role'] = f.controlPlane
          ? 'controller'
          : 'worker';
        break;
      case 'openshift':
        labels['node.openshift.io/os_id'] = 'rhcos';
        labels['node.kubernetes.io/instance-type'] = 'm6i.xlarge';
        break;
      default:
        break;
    }
    const now = ts(Date.now());
    const readyCondition = ready
      ? {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status',
          lastHeartbeatTime: now,
          lastTransitionTime: f.createdAt,
        }
      : {
          type: 'Ready',
          status: 'Unknown',
          reason: 'NodeStatusUnknown',
          message: 'Kubelet stopped posting node status.',
          lastHeartbeatTime: f.createdAt,
          lastTransitionTime: now,
        };
    const pressure = (type: string, reason: string) => ({
      type,
      status: ready ? 'False' : 'Unknown',
      reason: ready ? reason : 'NodeStatusUnknown',
      message: ready
        ? `kubelet has no ${type
            .replace('Pressure', '')
            .toLowerCase()} pressure`
        : 'Kubelet stopped posting node status.',
      lastHeartbeatTime: now,
      lastTransitionTime: f.createdAt,
    });
    const node: JsonObject = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: f.name,
        uid: md5Uid(`${w.id}/${f.name}`),
        resourceVersion: String(f.rv),
        creationTimestamp: f.createdAt,
        labels,
        annotations: {
          'node.alpha.kubernetes.io/ttl': '0',
          'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
        },
      },
      spec: {
        ...(f.providerID ? { providerID: f.providerID } : {}),
        ...(f.controlPlane && d === 'kubeadm'
          ? {
              taints: [
                {
                  key: 'node-role.kubernetes.io/control-plane',
                  effect: 'NoSchedule',
                },
              ],
            }
          : {}),
        ...(!ready
          ? {
              taints: [
                {
                  key: 'node.kubernetes.io/unreachable',
                  effect: 'NoSchedule',
                  timeAdded: now,
                },
              ],
            }
          : {}),
      },
      status: {
        capacity: {
          cpu: '4',
          memory: '16329708Ki',
          pods: '110',
          'ephemeral-storage': '101430960Ki',
        },
        allocatable: {
          cpu: '3920m',
          memory: '15278060Ki',
          pods: '110',
          'ephemeral-storage': '93478772582',
        },
        conditions: [
          pressure('MemoryPressure', 'KubeletHasSufficientMemory'),
          pressure('DiskPressure', 'KubeletHasNoDiskPressure'),
          pressure('PIDPressure', 'KubeletHasSufficientPID'),
          readyCondition,
        ],
        addresses: [
          { type: 'InternalIP', address: f.ip },
          { type: 'Hostname', address: f.name },
        ],
        nodeInfo: {
          machineID: md5(f.name),
          systemUUID: md5(`uuid${f.name}`),
          bootID: md5(`boot${f.name}`),
          kernelVersion: look.kernelVersion,
          osImage: look.osImage,
          containerRuntimeVersion: look.containerRuntimeVersion,
          kubeletVersion: kubeletVersion(d, f.kube),
          kubeProxyVersion: kubeletVersion(d, f.kube),
          operatingSystem: look.operatingSystem,
          architecture: look.architecture,
        },
      },
    };
    return node;
  });
}

export function regionOf(w: WorkloadCluster): string {
  const labels = asObject(asObject(w.clusterObject()?.metadata)?.labels) ?? {};
  const r = labels[LABELS.region];
  return typeof r === 'string' ? r : 'local';
}
