import crypto from 'node:crypto';
import {
  ApiRequest,
  Caller,
  OutputFormat,
  includeObjectOf,
  negotiate,
  sendObject,
  sendStatus,
  sendText,
} from '../api/http';
import {
  aggregatedDiscovery,
  apiGroupList,
  apiResourceList,
  apiVersions,
} from '../api/discovery';
import { ApiError, errors } from '../api/errors';
import {
  ResourceRegistry,
  ResourceType,
  builtinResourceTypes,
} from '../api/registry';
import {
  FieldSelector,
  LabelSelector,
  parseFieldSelector,
  parseLabelSelector,
} from '../api/selectors';
import { toTable, partialMetadata } from '../api/table';
import {
  Distribution,
  Flavor,
  distributionGroups,
  gitVersion,
  kubeVersionOf,
  kubeletVersion,
  nodeLook,
  openshiftVersion,
  zoneOf,
} from '../capi/distributions';
import { LABELS, TYPE_IDS, ts } from '../capi/kinds';
import { versionInfo } from '../server/managementCluster';
import type { ManagementCluster } from '../server/managementCluster';
import type { FaultRegistry } from '../faults/faults';
import { Endpoint } from '../server/server';
import { JsonObject, asArray, asObject, isObject } from '../util/json';
import { Random } from '../util/random';

const CNI_PODS: Partial<Record<Distribution, string>> = {
  eks: 'aws-node',
  aks: 'azure-cns',
  gke: 'anetd',
  openshift: 'ovnkube-node',
};

/**
 * Hex MD5 of `text`, for the stable ids of generated objects. The one-shot hash: creating a Hash object for each of
 * the thousands of ids a fleet's nodes and pods need costs several times more.
 */
function md5(text: string): string {
  return crypto.hash('md5', text, 'hex');
}

/** A stable object uid from `text`: its MD5 in the 8-4-4-4-12 layout of a UUID. */
function md5Uid(text: string): string {
  return md5(text).replace(
    /^(.{8})(.{4})(.{4})(.{4})(.{12})$/,
    '$1-$2-$3-$4-$5',
  );
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function workloadRegistry(distribution: Distribution): ResourceRegistry {
  const core = builtinResourceTypes().filter(
    t => t.group === '' && ['namespaces', 'nodes', 'pods'].includes(t.plural),
  );
  for (const t of core) t.verbs = ['get', 'list', 'watch'];
  if (distribution === 'openshift') {
    core.push({
      id: 'config.openshift.io/clusterversions',
      group: 'config.openshift.io',
      kind: 'ClusterVersion',
      listKind: 'ClusterVersionList',
      plural: 'clusterversions',
      singular: 'clusterversion',
      namespaced: false,
      shortNames: [],
      categories: [],
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          columns: [
            {
              name: 'Version',
              type: 'string',
              jsonPath: '.status.history[?(@.state=="Completed")].version',
            },
            {
              name: 'Available',
              type: 'string',
              jsonPath: '.status.conditions[?(@.type=="Available")].status',
            },
            {
              name: 'Progressing',
              type: 'string',
              jsonPath: '.status.conditions[?(@.type=="Progressing")].status',
            },
            {
              name: 'Since',
              type: 'date',
              jsonPath:
                '.status.conditions[?(@.type=="Progressing")].lastTransitionTime',
            },
          ],
        },
      ],
      status: true,
      custom: true,
      verbs: ['get', 'list', 'watch'],
      returnDeletedObject: true,
    });
  }
  return new ResourceRegistry(core);
}

const registries = new Map<string, ResourceRegistry>();

function registryFor(d: Distribution): ResourceRegistry {
  const key = d === 'openshift' ? 'openshift' : 'default';
  let r = registries.get(key);
  if (!r) {
    r = workloadRegistry(d);
    registries.set(key, r);
  }
  return r;
}

interface NodeFacts {
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

/**
 * How long the served node and pod lists of a workload cluster stay as they are while nothing they come from changes
 * (ms): kubelets report an unchanged node status this often (`nodeStatusReportFrequency`), so that is how often
 * `lastHeartbeatTime` moves.
 */
export const NODE_STATUS_REPORT_MS = 5 * 60_000;

/** A list page as served, its items serialized once. */
interface ListPage {
  items: string;
  cont?: string;
  remaining?: number;
}

/**
 * What a workload cluster serves, serialized once from the management cluster's objects and the injected faults,
 * and kept until one of them changes (or the node status is due again): thousands of clusters are probed every
 * minute, and building their nodes and pods for every request would make the simulator, not the client, what is
 * measured. Only the text is kept, not the objects (several times its size in memory); tables, selectors and
 * watches, which clients rarely ask a workload cluster for, build the objects again.
 */
interface Served {
  /** The resourceVersions and fault generation it was computed from. */
  fingerprint: string;
  expiresAt: number;
  version?: string;
  /** Plain JSON list pages, by resource, namespace, `continue` and `limit`. */
  pages: Map<string, ListPage>;
}

export interface WorkloadDeps {
  faults: FaultRegistry;
  token(id: string): string;
  serverAddress(): string;
}

/** A simulated workload cluster: read-only API computed from its management cluster's objects. */
export class WorkloadCluster implements Endpoint {
  readonly id: string;
  private readonly registry: ResourceRegistry;
  private expectedToken?: Buffer;
  private served?: Served;
  /** The control plane object's location, as of a resourceVersion of the cluster object. */
  private controlPlaneAt?: {
    clusterRv: number;
    ref?: { typeId: string; key: string };
  };

  constructor(
    readonly management: ManagementCluster,
    readonly namespace: string,
    readonly name: string,
    readonly flavor: Flavor,
    private readonly deps: WorkloadDeps,
  ) {
    this.id = `${management.name}/${namespace}/${name}`;
    this.registry = registryFor(flavor.distribution);
  }

  authenticate(token: string): Caller | undefined {
    // derived from the cluster's id, never changes: computed once rather than for every request
    this.expectedToken ??= Buffer.from(this.deps.token(this.id));
    const expected = this.expectedToken;
    const given = Buffer.from(token);
    if (
      expected.length === given.length &&
      crypto.timingSafeEqual(expected, given)
    ) {
      return { user: `${this.name}-admin`, readOnly: false };
    }
    return undefined;
  }

  private clusterObject(): JsonObject | undefined {
    return this.management.api.store
      .get(TYPE_IDS.cluster, `${this.namespace}/${this.name}`)
      ?.object();
  }

  /** Where the control plane object of the cluster is (from the cluster's `controlPlaneRef`). */
  private controlPlaneRef(
    spec: JsonObject | undefined,
  ): { typeId: string; key: string } | undefined {
    const ref = asObject(spec?.controlPlaneRef);
    if (!ref || typeof ref.kind !== 'string' || typeof ref.name !== 'string')
      return undefined;
    const t = this.management.api.registry.byKind(
      String(ref.apiGroup ?? ''),
      ref.kind,
    );
    return t
      ? { typeId: t.id, key: `${this.namespace}/${ref.name}` }
      : undefined;
  }

  /** The Kubernetes version the control plane serves. */
  kubeVersion(): string {
    const cluster = this.clusterObject();
    const spec = asObject(cluster?.spec);
    const ref = this.controlPlaneRef(spec);
    if (ref) {
      const cp = this.management.api.store.get(ref.typeId, ref.key)?.object();
      const status = asObject(cp?.status);
      const v =
        status?.version ??
        status?.currentVersion ??
        asObject(cp?.spec)?.version ??
        asObject(cp?.spec)?.controlPlaneVersion;
      if (typeof v === 'string')
        return kubeVersionOf(this.flavor.distribution, v);
    }
    const topo = asObject(spec?.topology)?.version;
    return typeof topo === 'string'
      ? kubeVersionOf(this.flavor.distribution, topo)
      : 'v1.35.5';
  }

  /**
   * Identifies everything the served objects are computed from: the resourceVersions of the cluster, its control
   * plane, its machines and machine pools, and the generation of its faults. Cheap: no object is read.
   */
  private fingerprint(): string {
    const store = this.management.api.store;
    const cluster = store.get(
      TYPE_IDS.cluster,
      `${this.namespace}/${this.name}`,
    );
    const clusterRv = cluster?.rv ?? -1;
    if (this.controlPlaneAt?.clusterRv !== clusterRv) {
      this.controlPlaneAt = {
        clusterRv,
        ref: cluster
          ? this.controlPlaneRef(asObject(cluster.object().spec))
          : undefined,
      };
    }
    const cp = this.controlPlaneAt.ref;
    let fp = `${this.deps.faults.generation(this.id)}:${clusterRv}:${
      cp ? store.get(cp.typeId, cp.key)?.rv ?? -1 : -1
    }`;
    for (const typeId of [TYPE_IDS.machine, TYPE_IDS.machinePool]) {
      const collection = store.collection(typeId);
      fp += '|';
      for (const key of collection.keysWithLabel(
        LABELS.clusterName,
        this.namespace,
        this.name,
      ) ?? []) {
        fp += `${collection.entries.get(key)?.rv ?? -1},`;
      }
    }
    return fp;
  }

  /** What the cluster serves now: kept while its fingerprint holds and the node status is not due. */
  private current(): Served {
    const now = Date.now();
    const fingerprint = this.fingerprint();
    let served = this.served;
    if (
      !served ||
      served.fingerprint !== fingerprint ||
      now >= served.expiresAt
    ) {
      served = {
        fingerprint,
        expiresAt: now + NODE_STATUS_REPORT_MS,
        pages: new Map(),
      };
      this.served = served;
    }
    return served;
  }

  private nodeFacts(): NodeFacts[] {
    const store = this.management.api.store;
    const out: NodeFacts[] = [];
    const machines = store.collection(TYPE_IDS.machine);
    for (const key of machines.keysWithLabel(
      LABELS.clusterName,
      this.namespace,
      this.name,
    ) ?? []) {
      const entry = machines.entries.get(key);
      if (!entry) continue;
      const m = entry.object();
      const status = asObject(m.status) ?? {};
      const phase = status.phase;
      if (phase !== 'Running' && phase !== 'Deleting') continue;
      const nodeName = asObject(status.nodeRef)?.name;
      const addresses = asArray(status.addresses) ?? [];
      const ipAddr = addresses.find(
        a => isObject(a) && a.type === 'InternalIP',
      );
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
          this.flavor.distribution,
          typeof spec.version === 'string' ? spec.version : this.kubeVersion(),
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
    const kube = this.kubeVersion();
    for (const key of pools.keysWithLabel(
      LABELS.clusterName,
      this.namespace,
      this.name,
    ) ?? []) {
      const entry = pools.entries.get(key);
      if (!entry) continue;
      const mp = entry.object();
      const ready = asObject(mp.status)?.readyReplicas;
      const count = typeof ready === 'number' ? ready : 0;
      const rng = new Random(`${this.id}/${entry.name}`);
      const hash = rng.int(10000000, 99999999);
      const region = this.region();
      for (let i = 0; i < count; i++) {
        const ipAddr = `10.${(hash >> 8) & 255}.${i >> 8}.${(i & 255) + 4}`;
        let nodeName: string;
        switch (this.flavor.distribution) {
          case 'aks':
            nodeName = `aks-${entry.name
              .replace(/[^a-z0-9]/g, '')
              .slice(-8)}-${hash}-vmss${i.toString(36).padStart(6, '0')}`;
            break;
          case 'gke':
            nodeName = `gke-${this.name.slice(0, 14)}-${entry.name.slice(
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
          zone: zoneOf(this.flavor.provider, region, i),
          pool: entry.name,
        });
      }
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  private nodes(): JsonObject[] {
    const facts = this.nodeFacts();
    const workers = facts.filter(f => !f.controlPlane).map(f => f.name);
    const notReady = this.deps.faults.notReadyNodes(this.id, workers);
    const cpDown = this.deps.faults.isControlPlaneDown(this.id);
    const d = this.flavor.distribution;
    const look = nodeLook(d);
    const region = this.region();
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
          ] = `MC_rg-${this.namespace}-${this.name}`;
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
          uid: md5Uid(`${this.id}/${f.name}`),
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

  private region(): string {
    const labels =
      asObject(asObject(this.clusterObject()?.metadata)?.labels) ?? {};
    const r = labels[LABELS.region];
    return typeof r === 'string' ? r : 'local';
  }

  private pods(nodes: JsonObject[]): JsonObject[] {
    const d = this.flavor.distribution;
    const out: JsonObject[] = [];
    const rng = new Random(this.id);
    const cni = CNI_PODS[d] ?? (rng.chance(0.5) ? 'cilium' : 'calico-node');
    const pod = (
      name: string,
      node: JsonObject,
      app: string,
      ready: boolean,
      created: string,
    ): JsonObject => {
      const nodeName = String(asObject(node.metadata)?.name ?? '');
      return {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name,
          namespace: 'kube-system',
          uid: md5Uid(`${this.id}/pod/${name}`),
          resourceVersion: String(
            asObject(node.metadata)?.resourceVersion ?? '1',
          ),
          creationTimestamp: created,
          labels: { 'k8s-app': app },
        },
        spec: {
          nodeName,
          containers: [
            {
              name: app,
              image: `registry.k8s.io/${app}:${this.kubeVersion()}`,
            },
          ],
          priorityClassName: 'system-node-critical',
        },
        status: {
          phase: 'Running',
          podIP: nodeIp(node),
          conditions: [
            {
              type: 'Ready',
              status: ready ? 'True' : 'False',
              lastTransitionTime: created,
            },
          ],
          containerStatuses: [
            {
              name: app,
              ready,
              restartCount: ready ? 0 : 3,
              image: `${app}`,
              started: ready,
            },
          ],
          startTime: created,
        },
      };
    };
    for (const node of nodes) {
      const nodeMeta = asObject(node.metadata) ?? {};
      const nodeName = String(nodeMeta.name ?? '');
      const created = String(nodeMeta.creationTimestamp ?? '');
      const ready = (asArray(asObject(node.status)?.conditions) ?? []).some(
        c => isObject(c) && c.type === 'Ready' && c.status === 'True',
      );
      const suffix = new Random(nodeName).suffix();
      out.push(pod(`kube-proxy-${suffix}`, node, 'kube-proxy', ready, created));
      out.push(
        pod(
          `${cni}-${new Random(`${nodeName}cni`).suffix()}`,
          node,
          cni,
          ready,
          created,
        ),
      );
      const labels = asObject(nodeMeta.labels) ?? {};
      if (
        labels['node-role.kubernetes.io/control-plane'] !== undefined &&
        d === 'kubeadm'
      ) {
        for (const c of [
          'etcd',
          'kube-apiserver',
          'kube-controller-manager',
          'kube-scheduler',
        ]) {
          out.push(pod(`${c}-${nodeName}`, node, c, ready, created));
        }
      }
    }
    if (nodes.length) {
      const hash = rng.hex(10);
      out.push(
        pod(
          `coredns-${hash}-${rng.suffix()}`,
          nodes[0],
          'kube-dns',
          true,
          String(asObject(nodes[0].metadata)?.creationTimestamp),
        ),
      );
      out.push(
        pod(
          `coredns-${hash}-${rng.suffix()}`,
          nodes[nodes.length - 1],
          'kube-dns',
          true,
          String(asObject(nodes[0].metadata)?.creationTimestamp),
        ),
      );
      out.push(
        pod(
          `metrics-server-${rng.hex(10)}-${rng.suffix()}`,
          nodes[nodes.length - 1],
          'metrics-server',
          true,
          String(asObject(nodes[0].metadata)?.creationTimestamp),
        ),
      );
    }
    return out;
  }

  private namespaces(): JsonObject[] {
    const names = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];
    if (this.flavor.distribution === 'openshift')
      names.push(
        'openshift-apiserver',
        'openshift-config',
        'openshift-ingress',
      );
    if (this.flavor.distribution === 'rke2') names.push('cattle-system');
    const created = String(
      asObject(this.clusterObject()?.metadata)?.creationTimestamp ??
        ts(Date.now()),
    );
    return names.sort().map(name => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name,
        uid: md5Uid(`${this.id}/ns/${name}`),
        resourceVersion: '1',
        creationTimestamp: created,
        labels: { 'kubernetes.io/metadata.name': name },
      },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    }));
  }

  private clusterVersions(): JsonObject[] {
    const version = openshiftVersion(this.kubeVersion());
    const created = String(
      asObject(this.clusterObject()?.metadata)?.creationTimestamp ??
        ts(Date.now()),
    );
    return [
      {
        apiVersion: 'config.openshift.io/v1',
        kind: 'ClusterVersion',
        metadata: {
          name: 'version',
          uid: md5Uid(`${this.id}/cv`),
          resourceVersion: '1',
          creationTimestamp: created,
        },
        spec: {
          channel: `stable-${version.split('.').slice(0, 2).join('.')}`,
          clusterID: md5(this.id),
        },
        status: {
          desired: {
            version,
            image: `quay.io/openshift-release-dev/ocp-release:${version}-x86_64`,
          },
          history: [
            {
              state: 'Completed',
              version,
              startedTime: created,
              completionTime: created,
            },
          ],
          conditions: [
            { type: 'Available', status: 'True', lastTransitionTime: created },
            {
              type: 'Progressing',
              status: 'False',
              lastTransitionTime: created,
            },
          ],
        },
      },
    ];
  }

  private objects(t: ResourceType): JsonObject[] {
    switch (t.plural) {
      case 'nodes':
        return this.nodes();
      case 'pods':
        return this.pods(this.nodes());
      case 'namespaces':
        return this.namespaces();
      case 'clusterversions':
        return this.clusterVersions();
      default:
        return [];
    }
  }

  handle(r: ApiRequest): void {
    try {
      this.route(r);
    } catch (e) {
      const error =
        e instanceof ApiError
          ? e
          : errors.internal(e instanceof Error ? e.message : String(e));
      sendStatus(r.res, error);
    }
  }

  private route(r: ApiRequest): void {
    const method = r.req.method ?? 'GET';
    const segments = r.path.split('/').filter(Boolean).map(decodeURIComponent);
    const accept = r.req.headers.accept;
    const cpDown = this.deps.faults.isControlPlaneDown(this.id);
    const [root] = segments;
    if (root === 'readyz' || root === 'livez' || root === 'healthz') {
      if (cpDown) {
        sendText(
          r.res,
          500,
          `[+]ping ok\n[+]log ok\n[-]etcd failed: reason withheld\n[+]informer-sync ok\n${root} check failed\n`,
          'text/plain; charset=utf-8',
        );
      } else {
        sendText(
          r.res,
          200,
          r.query.has('verbose')
            ? `[+]ping ok\n[+]log ok\n[+]etcd ok\n[+]informer-sync ok\n${root} check passed\n`
            : 'ok',
          'text/plain; charset=utf-8',
        );
      }
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') throw errors.methodNotAllowed();
    if (root === 'version' && segments.length === 1) {
      const format = negotiate(accept, {});
      const info = () =>
        versionInfo(gitVersion(this.flavor.distribution, this.kubeVersion()));
      if (format.kind === 'json') {
        const served = this.current();
        served.version ??= JSON.stringify(info());
        sendText(r.res, 200, served.version, 'application/json');
      } else {
        sendObject(r.res, 200, info(), format);
      }
      return;
    }
    if (segments.length === 0) {
      sendObject(
        r.res,
        200,
        {
          paths: [
            '/api',
            '/api/v1',
            '/apis',
            '/healthz',
            '/livez',
            '/readyz',
            '/version',
          ],
        },
        negotiate(accept, {}),
      );
      return;
    }
    if (root === 'api') {
      if (segments.length === 1) {
        const format = negotiate(accept, { discovery: true });
        if (format.kind === 'discovery') {
          sendText(
            r.res,
            200,
            JSON.stringify(
              aggregatedDiscovery(this.registry, true, format.version),
            ),
            `application/json;g=apidiscovery.k8s.io;v=${format.version};as=APIGroupDiscoveryList`,
          );
        } else {
          sendObject(
            r.res,
            200,
            apiVersions(this.deps.serverAddress()),
            format,
          );
        }
        return;
      }
      if (segments[1] !== 'v1') throw errors.pathNotFound();
      if (segments.length === 2) {
        sendObject(
          r.res,
          200,
          apiResourceList(this.registry, '', 'v1'),
          negotiate(accept, {}),
        );
        return;
      }
      this.resource(r, '', segments.slice(2));
      return;
    }
    if (root === 'apis') {
      const extra = distributionGroups(this.flavor.distribution).filter(
        g => !this.registry.groups().some(x => x.name === g.name),
      );
      if (segments.length === 1) {
        const format = negotiate(accept, { discovery: true });
        if (format.kind === 'discovery') {
          const doc = aggregatedDiscovery(this.registry, false, format.version);
          const items = asArray(doc.items) ?? [];
          for (const g of extra) {
            items.push({
              metadata: { name: g.name, creationTimestamp: null },
              versions: g.versions.map(v => ({
                version: v,
                resources: [],
                freshness: 'Current',
              })),
            });
          }
          sendText(
            r.res,
            200,
            JSON.stringify(doc),
            `application/json;g=apidiscovery.k8s.io;v=${format.version};as=APIGroupDiscoveryList`,
          );
        } else {
          sendObject(r.res, 200, apiGroupList(this.registry, extra), format);
        }
        return;
      }
      if (segments.length >= 3) {
        const group = segments[1];
        const version = segments[2];
        const known = this.registry
          .groups()
          .find(g => g.name === group && g.versions.includes(version));
        if (known) {
          if (segments.length === 3) {
            sendObject(
              r.res,
              200,
              apiResourceList(this.registry, group, version),
              negotiate(accept, {}),
            );
            return;
          }
          this.resource(r, group, segments.slice(3));
          return;
        }
        if (
          segments.length === 3 &&
          extra.some(g => g.name === group && g.versions.includes(version))
        ) {
          sendObject(
            r.res,
            200,
            {
              kind: 'APIResourceList',
              apiVersion: 'v1',
              groupVersion: `${group}/${version}`,
              resources: [],
            },
            negotiate(accept, {}),
          );
          return;
        }
      }
      throw errors.pathNotFound();
    }
    throw errors.pathNotFound();
  }

  private resource(r: ApiRequest, group: string, rest: string[]): void {
    let segs = rest;
    let watch = false;
    if (segs[0] === 'watch') {
      watch = true;
      segs = segs.slice(1);
    }
    let namespace: string | undefined;
    if (segs[0] === 'namespaces' && segs.length >= 3) {
      namespace = segs[1];
      segs = segs.slice(2);
    }
    const [plural, name, sub] = segs;
    const t = this.registry.find(group, plural);
    if (!t || sub !== undefined) throw errors.pathNotFound();
    if (namespace !== undefined && !t.namespaced) throw errors.pathNotFound();
    const format = negotiate(r.req.headers.accept, {
      table: true,
      partial: true,
    });
    const watching =
      watch || r.query.get('watch') === 'true' || r.query.get('watch') === '1';
    // a plain JSON list page (what health probes read) is serialized once per state of the cluster
    const pageKey =
      format.kind === 'json' &&
      name === undefined &&
      !watching &&
      !r.query.has('labelSelector') &&
      !r.query.has('fieldSelector')
        ? `${t.id}\0${namespace ?? ''}\0${r.query.get('continue') ?? ''}\0${
            r.query.get('limit') ?? ''
          }`
        : undefined;
    const served = pageKey !== undefined ? this.current() : undefined;
    const cached =
      pageKey !== undefined ? served?.pages.get(pageKey) : undefined;
    if (cached) {
      this.sendPage(r, t, cached);
      return;
    }
    let objects = this.objects(t);
    if (namespace !== undefined)
      objects = objects.filter(
        o => asObject(o.metadata)?.namespace === namespace,
      );
    if (name !== undefined && !watch) {
      const found = objects.find(o => asObject(o.metadata)?.name === name);
      if (!found) throw errors.notFound(t, name);
      this.send(r, t, [found], format, false);
      return;
    }
    const labelSelector = parseLabelSelector(r.query.get('labelSelector'));
    const fieldSelector = parseFieldSelector(
      r.query.get('fieldSelector'),
      f =>
        f === 'metadata.name' ||
        f === 'metadata.namespace' ||
        Boolean(t.fields?.[f]),
    );
    objects = filter(objects, t, labelSelector, fieldSelector);
    if (watching) {
      this.watch(r, t, objects, format);
      return;
    }
    let start = 0;
    const cont = r.query.get('continue');
    if (cont) {
      const parsed = /^o(\d+)$/.exec(
        Buffer.from(cont, 'base64').toString('utf8'),
      );
      if (!parsed) throw errors.badRequest('continue key is not valid');
      start = Number(parsed[1]);
    }
    const limit = Number(r.query.get('limit') ?? 0);
    const page =
      limit > 0 ? objects.slice(start, start + limit) : objects.slice(start);
    const next =
      limit > 0 && start + limit < objects.length
        ? Buffer.from(`o${start + limit}`).toString('base64')
        : undefined;
    const remaining = next ? objects.length - start - limit : undefined;
    if (pageKey !== undefined && served) {
      const listPage: ListPage = {
        items: JSON.stringify(page),
        cont: next,
        remaining,
      };
      served.pages.set(pageKey, listPage);
      this.sendPage(r, t, listPage);
      return;
    }
    this.send(r, t, page, format, true, next, remaining);
  }

  /** The `metadata` of a list: its resourceVersion, and where a paged list continues. */
  private listMeta(cont?: string, remaining?: number): JsonObject {
    const listMeta: JsonObject = { resourceVersion: this.listRv() };
    if (cont) listMeta.continue = cont;
    if (remaining !== undefined) listMeta.remainingItemCount = remaining;
    return listMeta;
  }

  /** Sends a plain JSON list page: the same text `send` makes of it, around the items serialized before. */
  private sendPage(r: ApiRequest, t: ResourceType, page: ListPage): void {
    const listMeta = this.listMeta(page.cont, page.remaining);
    sendText(
      r.res,
      200,
      `{"kind":${JSON.stringify(t.listKind)},"apiVersion":${JSON.stringify(
        t.group ? `${t.group}/v1` : 'v1',
      )},"metadata":${JSON.stringify(listMeta)},"items":${page.items}}`,
      'application/json',
    );
  }

  private listRv(): string {
    return String(this.management.api.store.currentRv);
  }

  private send(
    r: ApiRequest,
    t: ResourceType,
    objects: JsonObject[],
    format: OutputFormat,
    list: boolean,
    cont?: string,
    remaining?: number,
  ): void {
    const listMeta = this.listMeta(cont, remaining);
    if (format.kind === 'table') {
      const table = toTable(
        t,
        'v1',
        objects,
        listMeta,
        includeObjectOf(r.query),
        true,
      );
      sendText(
        r.res,
        200,
        JSON.stringify(table),
        `application/json;as=Table;v=${format.version};g=meta.k8s.io`,
      );
      return;
    }
    if (format.kind === 'partial') {
      const body = list
        ? {
            kind: 'PartialObjectMetadataList',
            apiVersion: 'meta.k8s.io/v1',
            metadata: listMeta,
            items: objects.map(o => partialMetadata(o)),
          }
        : partialMetadata(objects[0]);
      sendObject(r.res, 200, body, { kind: 'json' });
      return;
    }
    if (!list) {
      sendObject(r.res, 200, objects[0], format);
      return;
    }
    sendObject(
      r.res,
      200,
      {
        kind: t.listKind,
        apiVersion: t.group ? `${t.group}/v1` : 'v1',
        metadata: listMeta,
        items: objects,
      },
      format,
    );
  }

  private watch(
    r: ApiRequest,
    t: ResourceType,
    objects: JsonObject[],
    format: OutputFormat,
  ): void {
    const res = r.res;
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Transfer-Encoding': 'chunked',
    });
    const rvText = r.query.get('resourceVersion') ?? '';
    if (rvText === '' || rvText === '0') {
      for (const o of objects) {
        const body =
          format.kind === 'table'
            ? toTable(t, 'v1', [o], {}, includeObjectOf(r.query), true)
            : o;
        res.write(`${JSON.stringify({ type: 'ADDED', object: body })}\n`);
      }
    }
    const timeout = Number(r.query.get('timeoutSeconds') ?? 1800);
    const bookmarks = r.query.get('allowWatchBookmarks') === 'true';
    const interval = bookmarks
      ? setInterval(() => {
          res.write(
            `${JSON.stringify({
              type: 'BOOKMARK',
              object: {
                kind: t.kind,
                apiVersion: 'v1',
                metadata: { resourceVersion: this.listRv() },
              },
            })}\n`,
          );
        }, 30_000)
      : undefined;
    interval?.unref();
    const timer = setTimeout(() => res.end(), Math.max(0, timeout) * 1000);
    timer.unref();
    res.on('close', () => {
      clearTimeout(timer);
      if (interval) clearInterval(interval);
    });
  }
}

function nodeIp(node: JsonObject): string {
  for (const a of asArray(asObject(node.status)?.addresses) ?? []) {
    if (isObject(a) && a.type === 'InternalIP' && typeof a.address === 'string')
      return a.address;
  }
  return '';
}

function filter(
  objects: JsonObject[],
  t: ResourceType,
  labels: LabelSelector,
  fields: FieldSelector,
): JsonObject[] {
  return objects.filter(o => {
    const m = asObject(o.metadata) ?? {};
    const l: Record<string, string> = {};
    for (const [k, v] of Object.entries(asObject(m.labels) ?? {}))
      if (typeof v === 'string') l[k] = v;
    if (!labels.matches(l)) return false;
    return fields.matches(f => {
      if (f === 'metadata.name') return String(m.name);
      if (f === 'metadata.namespace') return String(m.namespace ?? '');
      return t.fields?.[f]?.(o);
    });
  });
}

/** All workload clusters, by `management/namespace/name`. */
export class WorkloadRegistry {
  private readonly clusters = new Map<string, WorkloadCluster>();

  get(id: string): WorkloadCluster | undefined {
    return this.clusters.get(id);
  }

  add(w: WorkloadCluster): void {
    this.clusters.set(w.id, w);
  }

  remove(id: string): void {
    this.clusters.delete(id);
  }

  get size(): number {
    return this.clusters.size;
  }

  all(): IterableIterator<WorkloadCluster> {
    return this.clusters.values();
  }
}
