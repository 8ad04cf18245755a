/** Providers by the kind of their infrastructure object, first match wins. */
const KNOWN_PROVIDERS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^AWS/, 'aws'],
  [/^ROSA/, 'aws'],
  [/^Azure/, 'azure'],
  [/^GCP/, 'gcp'],
  [/^VSphere/, 'vsphere'],
  [/^Docker/, 'docker'],
  [/^Dev(Cluster)?$/, 'docker'],
  [/^OpenStack/, 'openstack'],
  [/^Metal3/, 'metal3'],
  [/^Hetzner/, 'hetzner'],
  [/^Nutanix/, 'nutanix'],
  [/^OCI/, 'oci'],
  [/^IBM/, 'ibmcloud'],
  [/^KubevirtCluster/, 'kubevirt'],
  [/^DO(Cluster)?$/, 'digitalocean'],
  [/^Linode/, 'linode'],
  [/^Proxmox/, 'proxmox'],
  [/^CloudStack/, 'cloudstack'],
];

/** Infrastructure provider of a cluster, from the kind of its infrastructure object (`AWSCluster` → `aws`). */
export function providerOfInfrastructureKind(
  kind: string | undefined,
): string | undefined {
  if (!kind) return undefined;
  for (const [pattern, provider] of KNOWN_PROVIDERS) {
    if (pattern.test(kind)) return provider;
  }
  return kind.replace(/(Managed)?Cluster$/, '').toLowerCase() || undefined;
}

/**
 * Kubernetes distribution as far as the management cluster tells: the control plane kind, then the version suffix.
 * Probes of the workload cluster refine it.
 */
export function distributionOf(
  controlPlaneKind: string | undefined,
  version: string | undefined,
  infrastructureKind?: string,
): string | undefined {
  if (version) {
    if (version.includes('+k3s')) return 'k3s';
    if (version.includes('+rke2')) return 'rke2';
    if (version.includes('+k0s')) return 'k0s';
    if (/-eks-/.test(version)) return 'eks';
    if (/-gke\./.test(version)) return 'gke';
  }
  switch (controlPlaneKind) {
    // Kamaji runs the upstream control plane components as pods; its workers join with kubeadm
    case 'KubeadmControlPlane':
    case 'KamajiControlPlane':
      return 'kubeadm';
    case 'RKE2ControlPlane':
      return 'rke2';
    case 'KThreesControlPlane':
    case 'K3sControlPlane':
      return 'k3s';
    case 'K0sControlPlane':
    case 'K0smotronControlPlane':
      return 'k0s';
    case 'AWSManagedControlPlane':
      return 'eks';
    case 'ROSAControlPlane':
    case 'OpenshiftAssistedControlPlane':
      return 'openshift';
    case 'AzureManagedControlPlane':
    case 'AzureASOManagedControlPlane':
      return 'aks';
    case 'GCPManagedControlPlane':
      return 'gke';
    case 'MicroK8sControlPlane':
      return 'microk8s';
    case 'TalosControlPlane':
      return 'talos';
    default:
      break;
  }
  if (infrastructureKind === 'AWSManagedCluster') return 'eks';
  if (infrastructureKind === 'AzureManagedCluster') return 'aks';
  if (infrastructureKind === 'GCPManagedCluster') return 'gke';
  return undefined;
}
