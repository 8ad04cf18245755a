/** The kube-system pods, namespaces and (OpenShift) cluster versions of a simulated workload cluster. */
import { Distribution, openshiftVersion } from '../capi/distributions';
import { ts } from '../capi/kinds';
import { JsonObject, asArray, asObject, isObject } from '../util/json';
import { Random } from '../util/random';
import { md5, md5Uid } from './ids';
import { DEMO_APP } from './apps';
import type { WorkloadCluster } from './workload';

const CNI_PODS: Partial<Record<Distribution, string>> = {
  eks: 'aws-node',
  aks: 'azure-cns',
  gke: 'anetd',
  openshift: 'ovnkube-node',
};

function nodeIp(node: JsonObject): string {
  for (const a of asArray(asObject(node.status)?.addresses) ?? []) {
    if (isObject(a) && a.type === 'InternalIP' && typeof a.address === 'string')
      return a.address;
  }
  return '';
}

export function pods(w: WorkloadCluster, nodes: JsonObject[]): JsonObject[] {
  const d = w.flavor.distribution;
  const out: JsonObject[] = [];
  const rng = new Random(w.id);
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
        uid: md5Uid(`${w.id}/pod/${name}`),
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
            image: `registry.k8s.io/${app}:${w.kubeVersion()}`,
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

export function namespaces(w: WorkloadCluster): JsonObject[] {
  const names = [
    'default',
    'kube-node-lease',
    'kube-public',
    'kube-system',
    DEMO_APP.namespace,
  ];
  if (w.flavor.distribution === 'openshift')
    names.push('openshift-apiserver', 'openshift-config', 'openshift-ingress');
  if (w.flavor.distribution === 'rke2') names.push('cattle-system');
  const created = String(
    asObject(w.clusterObject()?.metadata)?.creationTimestamp ?? ts(Date.now()),
  );
  return names.sort().map(name => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      uid: md5Uid(`${w.id}/ns/${name}`),
      resourceVersion: '1',
      creationTimestamp: created,
      labels: { 'kubernetes.io/metadata.name': name },
    },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  }));
}

export function clusterVersions(w: WorkloadCluster): JsonObject[] {
  const version = openshiftVersion(w.kubeVersion());
  const created = String(
    asObject(w.clusterObject()?.metadata)?.creationTimestamp ?? ts(Date.now()),
  );
  return [
    {
      apiVersion: 'config.openshift.io/v1',
      kind: 'ClusterVersion',
      metadata: {
        name: 'version',
        uid: md5Uid(`${w.id}/cv`),
        resourceVersion: '1',
        creationTimestamp: created,
      },
      spec: {
        channel: `stable-${version.split('.').slice(0, 2).join('.')}`,
        clusterID: md5(w.id),
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
