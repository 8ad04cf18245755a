import { Random } from '../util/random';

export type Distribution =
  | 'kubeadm'
  | 'eks'
  | 'aks'
  | 'gke'
  | 'k3s'
  | 'k0s'
  | 'rke2'
  | 'openshift';
export type Provider = 'docker' | 'aws' | 'azure' | 'gcp';

export const DISTRIBUTIONS: readonly Distribution[] = [
  'kubeadm',
  'eks',
  'aks',
  'gke',
  'k3s',
  'k0s',
  'rke2',
  'openshift',
];

export interface KindRef {
  group: string;
  version: string;
  kind: string;
}

/** The providers of control planes hosted as pods in a management cluster. */
export type HostedControlPlaneProvider = 'k0smotron' | 'kamaji';

const CP = 'controlplane.cluster.x-k8s.io';
const INFRA = 'infrastructure.cluster.x-k8s.io';
const BOOT = 'bootstrap.cluster.x-k8s.io';

/** How a distribution on a provider is assembled from Cluster API objects. */
export interface Flavor {
  distribution: Distribution;
  provider: Provider;
  infraCluster: KindRef;
  controlPlane: KindRef;
  /** The control plane runs as Machines (kubeadm, k3s, k0s, RKE2) rather than as a managed service. */
  machineControlPlane: boolean;
  /**
   * The control plane runs as pods in the management cluster (k0smotron: a StatefulSet; Kamaji: a Deployment), each
   * with a Service, in the namespace of its control plane object.
   */
  hosted?: HostedControlPlaneProvider;
  workers: 'MachineDeployment' | 'MachinePool';
  machineTemplate?: KindRef;
  bootstrapTemplate?: KindRef;
  machinePoolInfra?: KindRef;
  infraMachine?: KindRef;
}

const FLAVORS: Record<string, Flavor> = {
  'kubeadm/docker': {
    distribution: 'kubeadm',
    provider: 'docker',
    infraCluster: { group: INFRA, version: 'v1beta2', kind: 'DevCluster' },
    controlPlane: {
      group: CP,
      version: 'v1beta2',
      kind: 'KubeadmControlPlane',
    },
    machineControlPlane: true,
    workers: 'MachineDeployment',
    machineTemplate: {
      group: INFRA,
      version: 'v1beta2',
      kind: 'DevMachineTemplate',
    },
    bootstrapTemplate: {
      group: BOOT,
      version: 'v1beta2',
      kind: 'KubeadmConfigTemplate',
    },
    infraMachine: { group: INFRA, version: 'v1beta2', kind: 'DevMachine' },
  },
  'kubeadm/aws': {
    distribution: 'kubeadm',
    provider: 'aws',
    infraCluster: { group: INFRA, version: 'v1beta2', kind: 'AWSCluster' },
    controlPlane: {
      group: CP,
      version: 'v1beta2',
      kind: 'KubeadmControlPlane',
    },
    machineControlPlane: true,
    workers: 'MachineDeployment',
    machineTemplate: {
      group: INFRA,
      version: 'v1beta2',
      kind: 'AWSMachineTemplate',
    },
    bootstrapTemplate: {
      group: BOOT,
      version: 'v1beta2',
      kind: 'KubeadmConfigTemplate',
    },
  },
  'k3s/docker': {
    distribution: 'k3s',
    provider: 'docker',
    infraCluster: { group: INFRA, version: 'v1beta2', kind: 'DevCluster' },
    controlPlane: {
      group: CP,
      version: 'v1beta2',
      kind: 'KThreesControlPlane',
    },
    machineControlPlane: true,
    workers: 'MachineDeployment',
    machineTemplate: {
      group: INFRA,
      version: 'v1beta2',
      kind: 'DevMachineTemplate',
    },
    bootstrapTemplate: {
      group: BOOT,
      version: 'v1beta2',
      kind: 'KThreesConfigTemplate',
    },
    infraMachine: { group: INFRA, version: 'v1beta2', kind: 'DevMachine' },
  },
  'k0s/docker': {
    distribution: 'k0s',
    provider: 'docker',
    infraCluster: { group: INFRA, version: 'v1beta2', kind: 'DevCluster' },
    controlPlane: { group: CP, version: 'v1beta1', kind: 'K0sControlPlane' },
    machineControlPlane: true,
    workers: 'MachineDeployment',
    machineTemplate: {
      group: INFRA,
      version: 'v1beta2',
      kind: 'DevMachineTemplate',
    },
    bootstrapTemplate: {
      group: BOOT,
      version: 'v1beta1',
      kind: 'K0sWorkerConfigTemplate',
    },
    infraMachine: { group: INFRA, version: 'v1beta2', kind: 'DevMachine' },
  },
  'rke2/aws': {
    distribution: 'rke2',
    provider: 'aws',
    infraCluster: { group: INFRA, version: 'v1beta2', kind: 'AWSCluster' },
    controlPlane: { group: CP, version: 'v1beta2', kind: 'RKE2ControlPlane' },
    machineControlPlane: true,
    workers: 'MachineDeployment',
    machineTemplate: {
      group: INFRA,
      version: 'v1beta2',
      kind: 'AWSMachineTemplate',
    },
    bootstrapTemplate: {
      group: BOOT,
      version: 'v1beta2',
      kind: 'RKE2ConfigTemplate',
    },
  },
  'eks/aws': {
    distribution: 'eks',
    provider: 'aws',
    infraCluster: {
      group: INFRA,
      version: 'v1beta2',
      kind: 'AWSManagedCluster',
    },
    controlPlane: {
      group: CP,
      version: 'v1beta2',
      kind: 'AWSManagedControlPlane',
    },
    machineControlPlane: false,
    workers: 'MachineDeployment',
    machineTemplate: {
      group: INFRA,
      version: 'v1beta2',
      kind: 'AWSMachineTemplate',
    },
    bootstrapTemplate: {
      group: BOOT,
      version: 'v1beta2',
      kind: 'EKSConfigTemplate',
    },
  },
  'aks/azure': {
    distribution: 'aks',
    provider: 'azure',
    infraCluster: {
      group: INFRA,
      version: 'v1beta1',
      kind: 'AzureManagedCluster',
    },
    controlPlane: {
      group: INFRA,
      version: 'v1beta1',
      kind: 'AzureManagedControlPlane',
    },
    machineControlPlane: false,
    workers: 'MachinePool',
    machinePoolInfra: {
      group: INFRA,
      version: 'v1beta1',
      kind: 'AzureManagedMachinePool',
    },
  },
  'gke/gcp': {
    distribution: 'gke',
    provider: 'gcp',
    infraCluster: {
      group: INFRA,
      version: 'v1beta1',
      kind: 'GCPManagedCluster',
    },
    controlPlane: {
      group: INFRA,
      version: 'v1beta1',
      kind: 'GCPManagedControlPlane',
    },
    machineControlPlane: false,
    workers: 'MachinePool',
    machinePoolInfra: {
      group: INFRA,
      version: 'v1beta1',
      kind: 'GCPManagedMachinePool',
    },
  },
  'openshift/aws': {
    distribution: 'openshift',
    provider: 'aws',
    infraCluster: { group: INFRA, version: 'v1beta2', kind: 'ROSACluster' },
    controlPlane: { group: CP, version: 'v1beta2', kind: 'ROSAControlPlane' },
    machineControlPlane: false,
    workers: 'MachinePool',
    machinePoolInfra: {
      group: INFRA,
      version: 'v1beta2',
      kind: 'ROSAMachinePool',
    },
  },
};

/**
 * A flavor whose control plane a provider hosts as pods: the Dev-machine flavor of its distribution (the workers are
 * Dev machines) with the provider's control plane kind.
 */
function hostedOn(
  base: Flavor,
  hosted: HostedControlPlaneProvider,
  controlPlane: KindRef,
): Flavor {
  return { ...base, controlPlane, machineControlPlane: false, hosted };
}

/** Flavors whose control plane is hosted as pods, by provider. */
const HOSTED_FLAVORS: Record<HostedControlPlaneProvider, Flavor> = {
  k0smotron: hostedOn(FLAVORS['k0s/docker'], 'k0smotron', {
    group: CP,
    version: 'v1beta1',
    kind: 'K0smotronControlPlane',
  }),
  kamaji: hostedOn(FLAVORS['kubeadm/docker'], 'kamaji', {
    group: CP,
    version: 'v1alpha1',
    kind: 'KamajiControlPlane',
  }),
};

/** The flavor of clusters whose control plane a provider hosts as pods. */
export function hostedFlavor(provider: HostedControlPlaneProvider): Flavor {
  return HOSTED_FLAVORS[provider];
}

export function flavor(distribution: Distribution, provider: Provider): Flavor {
  const f = FLAVORS[`${distribution}/${provider}`];
  if (!f) throw new Error(`no flavor for ${distribution} on ${provider}`);
  return f;
}

export function allFlavors(): Flavor[] {
  return [...Object.values(FLAVORS), ...Object.values(HOSTED_FLAVORS)];
}

/** Finds the flavor of a cluster from its control plane and infrastructure kinds. */
export function flavorOfKinds(
  controlPlaneKind: string | undefined,
  infraKind: string | undefined,
): Flavor {
  const all = allFlavors();
  return (
    all.find(
      f =>
        f.controlPlane.kind === controlPlaneKind &&
        f.infraCluster.kind === infraKind,
    ) ??
    all.find(f => f.controlPlane.kind === controlPlaneKind) ??
    all.find(f => f.infraCluster.kind === infraKind) ??
    FLAVORS['kubeadm/docker']
  );
}

/** Kubernetes minors in the fleet with their weight; 1.33 and older are past upstream end of life. */
export const KUBERNETES_VERSIONS: ReadonlyArray<readonly [string, number]> = [
  ['v1.36.2', 16],
  ['v1.35.5', 24],
  ['v1.34.7', 22],
  ['v1.33.9', 14],
  ['v1.32.11', 9],
  ['v1.31.13', 6],
  ['v1.30.14', 5],
  ['v1.29.15', 4],
];

export const LATEST_PATCH: Record<string, string> = Object.fromEntries(
  KUBERNETES_VERSIONS.map(([v]) => [minorOf(v), v]),
);

export function minorOf(version: string): string {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  return m ? `${m[1]}.${m[2]}` : '';
}

function hexFrom(text: string, length: number): string {
  const r = new Random(text);
  return r.hex(length);
}

/** The version string of topologies, Machines and MachinePools (`spec.topology.version`, `spec.version`). */
export function specVersion(d: Distribution, kube: string): string {
  switch (d) {
    case 'k3s':
      return `${kube}+k3s1`;
    case 'rke2':
      return `${kube}+rke2r1`;
    case 'k0s':
      return `${kube}+k0s.0`;
    default:
      return kube;
  }
}

/** The version string of the control plane object (`spec.version`, `spec.controlPlaneVersion`). */
export function controlPlaneVersion(d: Distribution, kube: string): string {
  switch (d) {
    case 'eks':
      return `v${minorOf(kube)}`;
    case 'gke':
      return `${kube.slice(1)}-gke.${
        1000000 + new Random(kube).int(0, 999999)
      }`;
    case 'openshift':
      return openshiftVersion(kube);
    default:
      return specVersion(d, kube);
  }
}

export function openshiftVersion(kube: string): string {
  const minor = Number(minorOf(kube).split('.')[1] ?? 0);
  const patch = Number(kube.split('.')[2] ?? 0);
  return `4.${minor - 13}.${patch + 3}`;
}

/** What `/version` reports as gitVersion. */
export function gitVersion(d: Distribution, kube: string): string {
  switch (d) {
    case 'k3s':
      return `${kube}+k3s1`;
    case 'rke2':
      return `${kube}+rke2r1`;
    case 'k0s':
      return `${kube}+k0s`;
    case 'eks':
      return `${kube}-eks-${hexFrom(`eks${kube}`, 7)}`;
    case 'gke':
      return `${kube}-gke.${1000000 + new Random(kube).int(0, 999999)}`;
    case 'openshift':
      return `${kube}+${hexFrom(`ocp${kube}`, 7)}`;
    default:
      return kube;
  }
}

/** What nodes report as kubeletVersion. */
export function kubeletVersion(d: Distribution, kube: string): string {
  switch (d) {
    case 'eks':
      return `${kube}-eks-${hexFrom(`eksnode${kube}`, 7)}`;
    case 'openshift':
      return kube;
    default:
      return gitVersion(d, kube);
  }
}

/** Recovers the Kubernetes version from a Cluster API spec version of a distribution. */
export function kubeVersionOf(d: Distribution, spec: string): string {
  if (d === 'openshift') {
    const m = /^4\.(\d+)\.(\d+)/.exec(spec);
    if (m) return `v1.${Number(m[1]) + 13}.${Math.max(0, Number(m[2]) - 3)}`;
  }
  if (d === 'eks' && /^v?\d+\.\d+$/.test(spec)) {
    return LATEST_PATCH[minorOf(spec)] ?? `v${minorOf(spec)}.0`;
  }
  const m = /^v?(\d+\.\d+\.\d+)/.exec(spec);
  return m ? `v${m[1]}` : spec;
}

export const REGIONS: Record<Provider, string[]> = {
  docker: ['local'],
  aws: [
    'eu-west-1',
    'eu-central-1',
    'us-east-1',
    'us-west-2',
    'ap-southeast-1',
  ],
  azure: ['westeurope', 'northeurope', 'eastus2', 'southeastasia'],
  gcp: ['europe-west1', 'europe-west4', 'us-central1', 'asia-east1'],
};

export const INSTANCE_TYPES: Record<Provider, string[]> = {
  docker: ['dev-small', 'dev-medium'],
  aws: ['m6i.large', 'm6i.xlarge', 'c6i.2xlarge', 'r6i.xlarge'],
  azure: ['Standard_D4s_v5', 'Standard_D8s_v5', 'Standard_E4s_v5'],
  gcp: ['e2-standard-4', 'n2-standard-8', 'c3-standard-4'],
};

export function zoneOf(
  provider: Provider,
  region: string,
  index: number,
): string {
  switch (provider) {
    case 'aws':
      return `${region}${'abc'[index % 3]}`;
    case 'azure':
      return `${region}-${(index % 3) + 1}`;
    case 'gcp':
      return `${region}-${'bcd'[index % 3]}`;
    default:
      return `fd${(index % 3) + 1}`;
  }
}

export interface NodeLook {
  osImage: string;
  kernelVersion: string;
  containerRuntimeVersion: string;
  operatingSystem: string;
  architecture: string;
}

export function nodeLook(d: Distribution): NodeLook {
  switch (d) {
    case 'eks':
      return {
        osImage: 'Amazon Linux 2023.6.20250203',
        kernelVersion: '6.1.127-135.201.amzn2023.x86_64',
        containerRuntimeVersion: 'containerd://1.7.25',
        operatingSystem: 'linux',
        architecture: 'amd64',
      };
    case 'aks':
      return {
        osImage: 'Ubuntu 22.04.5 LTS',
        kernelVersion: '5.15.0-1079-azure',
        containerRuntimeVersion: 'containerd://1.7.25-1',
        operatingSystem: 'linux',
        architecture: 'amd64',
      };
    case 'gke':
      return {
        osImage: 'Container-Optimized OS from Google',
        kernelVersion: '6.6.72+',
        containerRuntimeVersion: 'containerd://1.7.24',
        operatingSystem: 'linux',
        architecture: 'amd64',
      };
    case 'openshift':
      return {
        osImage: 'Red Hat Enterprise Linux CoreOS 9.6',
        kernelVersion: '5.14.0-570.el9_6.x86_64',
        containerRuntimeVersion: 'cri-o://1.33.5-2.rhaos4.20.el9',
        operatingSystem: 'linux',
        architecture: 'amd64',
      };
    case 'k3s':
      return {
        osImage: 'Ubuntu 24.04.2 LTS',
        kernelVersion: '6.8.0-57-generic',
        containerRuntimeVersion: 'containerd://2.0.4-k3s2',
        operatingSystem: 'linux',
        architecture: 'amd64',
      };
    case 'k0s':
      return {
        osImage: 'Alpine Linux v3.21',
        kernelVersion: '6.12.13-0-lts',
        containerRuntimeVersion: 'containerd://1.7.27',
        operatingSystem: 'linux',
        architecture: 'amd64',
      };
    case 'rke2':
      return {
        osImage: 'SUSE Linux Enterprise Server 15 SP6',
        kernelVersion: '6.4.0-150600.23.38-default',
        containerRuntimeVersion: 'containerd://2.0.4-k3s2',
        operatingSystem: 'linux',
        architecture: 'amd64',
      };
    default:
      return {
        osImage: 'Ubuntu 24.04.2 LTS',
        kernelVersion: '6.8.0-57-generic',
        containerRuntimeVersion: 'containerd://2.0.4',
        operatingSystem: 'linux',
        architecture: 'amd64',
      };
  }
}

/** The API groups a workload cluster of this distribution serves beyond the core group. */
export function distributionGroups(
  d: Distribution,
): Array<{ name: string; versions: string[] }> {
  switch (d) {
    case 'openshift':
      return [
        { name: 'config.openshift.io', versions: ['v1'] },
        { name: 'route.openshift.io', versions: ['v1'] },
      ];
    case 'k3s':
    case 'rke2':
      return [{ name: 'helm.cattle.io', versions: ['v1'] }];
    case 'k0s':
      return [{ name: 'autopilot.k0sproject.io', versions: ['v1beta2'] }];
    case 'eks':
      return [{ name: 'crd.k8s.amazonaws.com', versions: ['v1alpha1'] }];
    case 'gke':
      return [{ name: 'networking.gke.io', versions: ['v1'] }];
    case 'aks':
      return [{ name: 'metrics.k8s.io', versions: ['v1beta1'] }];
    default:
      return [];
  }
}
