import { distributionOf } from '../reconcile/providers';

/** What distribution detection looks at. */
export interface DistributionSignals {
  /** `gitVersion` of the workload cluster's `/version`. */
  gitVersion?: string;
  /** Kubelet versions of its nodes. */
  kubeletVersions?: string[];
  /** Labels of a few of its nodes. */
  nodeLabels?: Array<Record<string, string>>;
  /** API groups it serves (from `/apis`). */
  apiGroups?: string[];
  /** CAPI control plane and infrastructure kinds. */
  controlPlaneKind?: string;
  infrastructureKind?: string;
}

function fromVersion(version: string | undefined): string | undefined {
  if (!version) return undefined;
  if (version.includes('+k3s')) return 'k3s';
  if (version.includes('+rke2')) return 'rke2';
  if (version.includes('+k0s')) return 'k0s';
  if (/-eks-/.test(version)) return 'eks';
  if (/-gke\./.test(version)) return 'gke';
  return undefined;
}

const NODE_LABEL_HINTS: Array<[string, string]> = [
  ['node.openshift.io/os_id', 'openshift'],
  ['microk8s.io/cluster', 'microk8s'],
  ['kubernetes.azure.com/cluster', 'aks'],
  ['kubernetes.azure.com/agentpool', 'aks'],
  ['eks.amazonaws.com/nodegroup', 'eks'],
  ['eks.amazonaws.com/compute-type', 'eks'],
  ['cloud.google.com/gke-nodepool', 'gke'],
  ['node.k0sproject.io/role', 'k0s'],
  ['k3s.io/hostname', 'k3s'],
  ['rke2.io/hostname', 'rke2'],
];

const INSTANCE_TYPE_HINTS: Record<string, string> = {
  k3s: 'k3s',
  rke2: 'rke2',
};

const API_GROUP_HINTS: Array<[string, string]> = [
  ['config.openshift.io', 'openshift'],
  ['autopilot.k0sproject.io', 'k0s'],
  ['networking.gke.io', 'gke'],
  ['crd.k8s.amazonaws.com', 'eks'],
  ['vpcresources.k8s.aws', 'eks'],
];

/**
 * Detects the Kubernetes distribution of a workload cluster. Strongest signals first: distribution-only API groups
 * (`config.openshift.io`), the `/version` gitVersion suffix (`+k3s`, `+rke2`, `+k0s`, `-eks-`, `-gke.`), node labels
 * (AKS, EKS, GKE, OpenShift, MicroK8s, k0s, k3s), kubelet versions, then the CAPI provider kinds; a plain upstream
 * version with a kubeadm control plane is `kubeadm`.
 */
export function detectDistribution(
  signals: DistributionSignals,
): string | undefined {
  const groups = new Set(signals.apiGroups ?? []);
  if (groups.has('config.openshift.io')) return 'openshift';
  const byVersion = fromVersion(signals.gitVersion);
  if (byVersion) return byVersion;
  for (const labels of signals.nodeLabels ?? []) {
    for (const [key, distribution] of NODE_LABEL_HINTS) {
      if (key in labels) return distribution;
    }
    const instanceType = labels['node.kubernetes.io/instance-type'];
    if (instanceType && INSTANCE_TYPE_HINTS[instanceType]) {
      return INSTANCE_TYPE_HINTS[instanceType];
    }
  }
  for (const v of signals.kubeletVersions ?? []) {
    const d = fromVersion(v);
    if (d) return d;
  }
  for (const [group, distribution] of API_GROUP_HINTS) {
    if (groups.has(group)) return distribution;
  }
  return distributionOf(
    signals.controlPlaneKind,
    undefined,
    signals.infrastructureKind,
  );
}
