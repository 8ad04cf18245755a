/**
 * The add-ons of the seeded clusters, as Cluster API's add-on objects show them on a management cluster: the CNI of a
 * cluster's profile comes from a ClusterResourceSet (one per namespace and profile, applied through the cluster's
 * ClusterResourceSetBinding), its CSI driver and other add-ons from the Cluster API add-on provider for Helm (a
 * HelmChartProxy per namespace, profile and layer, and a HelmReleaseProxy per matching cluster). Most clusters have
 * every layer of their profile installed; a few, picked by their index, have one failing, one at an older version, one
 * missing, or a CNI that was not applied, so that a demo fleet shows add-on drift.
 */
import { LABELS, clusterOwner, objectMeta, ts } from '../capi/kinds';
import { JsonObject } from '../util/json';
import { SeedCluster } from './model';
import { ClusterSeed, clusterUid, hexOf } from './seedFacts';

export const ADDONS_API_GROUP = 'addons.cluster.x-k8s.io';
export const CRS_VERSION = `${ADDONS_API_GROUP}/v1beta2`;
export const HELM_ADDON_VERSION = `${ADDONS_API_GROUP}/v1beta1`;
export const ADDON_TYPE_IDS = {
  clusterResourceSet: `${ADDONS_API_GROUP}/clusterresourcesets`,
  clusterResourceSetBinding: `${ADDONS_API_GROUP}/clusterresourcesetbindings`,
  helmChartProxy: `${ADDONS_API_GROUP}/helmchartproxies`,
  helmReleaseProxy: `${ADDONS_API_GROUP}/helmreleaseproxies`,
} as const;
export const ADDON_LABELS = {
  layer: 'shipyard.io/layer',
  helmChartProxy:
    'helmreleaseproxy.addons.cluster.x-k8s.io/helmchartproxy-name',
} as const;

/** One add-on layer: its name and the version the profile declares. */
export interface AddonLayer {
  name: string;
  version: string;
}

/** The add-on layers of a profile: its CNI (a ClusterResourceSet) and those installed with Helm. */
export interface ProfileAddons {
  cni: AddonLayer;
  helm: AddonLayer[];
}

const l = (name: string, version: string): AddonLayer => ({ name, version });

/**
 * The add-on layers of the demo catalog's profiles (their current versions; the demo catalog test checks that they
 * agree with `plugins/catalog-backend-module-shipyard/catalog/profiles`).
 */
export const DEMO_PROFILE_ADDONS: Record<string, ProfileAddons> = {
  'aks-standard': {
    cni: l('azure-cni-overlay-cilium', 'v1.17.6'),
    helm: [
      l('azuredisk-csi-driver', 'v1.33.4'),
      l('azure-workload-identity', 'v1.5.1'),
      l('keda', 'v2.17.2'),
    ],
  },
  'eks-standard': {
    cni: l('amazon-vpc-cni', 'v1.20.1'),
    helm: [
      l('aws-ebs-csi-driver', 'v1.48.0'),
      l('coredns', 'v1.12.2-eksbuild.4'),
      l('aws-load-balancer-controller', 'v2.13.4'),
      l('external-dns', 'v0.18.0'),
    ],
  },
  'k3s-edge': {
    cni: l('flannel', 'v0.27.3'),
    helm: [
      l('local-path-provisioner', 'v0.0.32'),
      l('traefik', 'v3.5.0'),
      l('fleet-agent', 'v0.13.1'),
    ],
  },
  'k0smotron-hosted': {
    cni: l('kube-router', 'v2.5.0'),
    helm: [
      l('local-path-provisioner', 'v0.0.32'),
      l('metrics-server', 'v0.8.0'),
    ],
  },
  'kamaji-hosted': {
    cni: l('calico', 'v3.30.3'),
    helm: [
      l('local-path-provisioner', 'v0.0.32'),
      l('metrics-server', 'v0.8.0'),
      l('cert-manager', 'v1.18.2'),
    ],
  },
  'kubeadm-standard': {
    cni: l('calico', 'v3.30.3'),
    helm: [
      l('local-path-provisioner', 'v0.0.32'),
      l('metrics-server', 'v0.8.0'),
      l('cert-manager', 'v1.18.2'),
    ],
  },
  'rke2-secure': {
    cni: l('cilium', 'v1.18.1'),
    helm: [
      l('aws-ebs-csi-driver', 'v1.48.0'),
      l('rke2-ingress-nginx', 'v1.12.4'),
      l('falco', 'v0.41.3'),
      l('kube-bench', 'v0.11.2'),
    ],
  },
  'rosa-hcp': {
    cni: l('ovn-kubernetes', '4.20'),
    helm: [
      l('aws-ebs-csi-driver-operator', '4.20'),
      l('openshift-gitops', '1.17.0'),
    ],
  },
};

/** How a seeded cluster's add-ons deviate from its profile (by its index, so that a fleet always has some). */
export interface AddonDeviation {
  /** A Helm add-on whose release failed. */
  failed?: string;
  /** A Helm add-on at an older version. */
  older?: string;
  /** A Helm add-on with no release. */
  missing?: string;
  /** The CNI resource set was not applied. */
  cniNotApplied?: boolean;
}

export function addonDeviation(
  c: SeedCluster,
  addons: ProfileAddons,
): AddonDeviation {
  const pick = (k: number) => addons.helm[k % addons.helm.length]?.name;
  const out: AddonDeviation = {};
  if (c.index % 17 === 5) out.failed = pick(c.index);
  if (c.index % 13 === 7) out.older = pick(c.index + 1);
  if (c.index % 23 === 11) out.missing = pick(c.index + 2);
  if (c.index % 29 === 3) out.cniNotApplied = true;
  return out;
}

/** The add-ons of a seeded cluster's profile, when the demo catalog declares them and the cluster is provisioned. */
export function addonsOfCluster(c: SeedCluster): ProfileAddons | undefined {
  if (c.state === 'provisioning') return undefined;
  const profile = c.labels[LABELS.profile];
  return profile ? DEMO_PROFILE_ADDONS[profile] : undefined;
}

/** An older version of an add-on (one minor down, or one major when the minor is 0). */
export function olderVersion(version: string): string {
  const m = /^(v?)(\d+)\.(\d+)(.*)$/.exec(version);
  if (!m) return `${version}-previous`;
  const [, v, major, minor] = m;
  return Number(minor) > 0
    ? `${v}${major}.${Number(minor) - 1}.0`
    : `${v}${Math.max(0, Number(major) - 1)}.0.0`;
}

export function resourceSetName(profile: string): string {
  return `${profile}-cni`;
}

export function chartProxyName(profile: string, layer: string): string {
  return `${profile}-${layer}`.slice(0, 253);
}

export function releaseProxyName(cluster: string, layer: string): string {
  return `${cluster}-${layer}`.slice(0, 253);
}

const SELECTOR = (profile: string) => ({
  matchLabels: { [LABELS.profile]: profile },
});

/** The ClusterResourceSet of a namespace's clusters of one profile, carrying its CNI. */
export function seededResourceSet(
  namespace: string,
  profile: string,
  cni: AddonLayer,
  createdAt: number,
): JsonObject {
  return {
    apiVersion: CRS_VERSION,
    kind: 'ClusterResourceSet',
    metadata: objectMeta({
      namespace,
      name: resourceSetName(profile),
      labels: {
        [ADDON_LABELS.layer]: cni.name,
        'app.kubernetes.io/name': cni.name,
        'app.kubernetes.io/version': cni.version,
      },
      createdAt,
      generation: 1,
    }),
    spec: {
      clusterSelector: SELECTOR(profile),
      resources: [{ kind: 'ConfigMap', name: resourceSetName(profile) }],
      strategy: 'Reconcile',
    },
    status: {
      observedGeneration: 1,
      conditions: [
        {
          type: 'ResourcesApplied',
          status: 'True',
          reason: 'Applied',
          lastTransitionTime: ts(createdAt),
          observedGeneration: 1,
        },
      ],
    },
  };
}

/**
 * The HelmChartProxy of a namespace's clusters of one profile, for one Helm layer, listing the clusters it selects as
 * the provider does (`status.matchingClusters`), its releases made (`HelmReleaseProxySpecsUpToDate`).
 */
export function seededChartProxy(
  namespace: string,
  profile: string,
  layer: AddonLayer,
  createdAt: number,
  matchingClusters: readonly string[] = [],
): JsonObject {
  return {
    apiVersion: HELM_ADDON_VERSION,
    kind: 'HelmChartProxy',
    metadata: objectMeta({
      namespace,
      name: chartProxyName(profile, layer.name),
      labels: { [ADDON_LABELS.layer]: layer.name },
      createdAt,
      generation: 1,
    }),
    spec: {
      clusterSelector: SELECTOR(profile),
      chartName: layer.name,
      repoURL: `https://charts.example.com/${layer.name}`,
      releaseName: layer.name,
      namespace: 'kube-system',
      version: layer.version,
      valuesTemplate: '',
    },
    status: {
      observedGeneration: 1,
      matchingClusters: matchingClusters.map(name => ({
        apiVersion: 'cluster.x-k8s.io/v1beta2',
        kind: 'Cluster',
        name,
        namespace,
      })),
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'Ready',
          lastTransitionTime: ts(createdAt),
        },
        {
          type: 'HelmReleaseProxySpecsUpToDate',
          status: 'True',
          reason: 'HelmReleaseProxySpecsUpToDate',
          lastTransitionTime: ts(createdAt),
        },
      ],
    },
  };
}

/** The ClusterResourceSetBinding of a seeded cluster (named after it). */
export function seededResourceSetBinding(s: ClusterSeed): JsonObject {
  const { c } = s;
  const profile = c.labels[LABELS.profile];
  const deviation = addonDeviation(c, addonsOfCluster(c)!);
  const at = c.createdAt + 120_000;
  return {
    apiVersion: CRS_VERSION,
    kind: 'ClusterResourceSetBinding',
    metadata: objectMeta({
      namespace: c.namespace,
      name: c.name,
      labels: { [LABELS.clusterName]: c.name },
      owners: [clusterOwner(c.name, clusterUid(s), false)],
      createdAt: at,
    }),
    spec: {
      clusterName: c.name,
      bindings: [
        {
          clusterResourceSetName: resourceSetName(profile),
          resources: [
            {
              kind: 'ConfigMap',
              name: resourceSetName(profile),
              hash: `sha256:${hexOf(`${profile}/${c.name}`).slice(0, 32)}`,
              applied: !deviation.cniNotApplied,
              ...(deviation.cniNotApplied ? {} : { lastAppliedTime: ts(at) }),
            },
          ],
        },
      ],
    },
  };
}

/** The HelmReleaseProxy of a seeded cluster for one Helm layer of its profile. */
export function seededReleaseProxy(
  s: ClusterSeed,
  layerIndex: number,
): JsonObject {
  const { c } = s;
  const profile = c.labels[LABELS.profile];
  const addons = addonsOfCluster(c)!;
  const layer = addons.helm[layerIndex];
  const deviation = addonDeviation(c, addons);
  const failed = deviation.failed === layer.name;
  const version =
    deviation.older === layer.name
      ? olderVersion(layer.version)
      : layer.version;
  const at = c.createdAt + 180_000;
  return {
    apiVersion: HELM_ADDON_VERSION,
    kind: 'HelmReleaseProxy',
    metadata: objectMeta({
      namespace: c.namespace,
      name: releaseProxyName(c.name, layer.name),
      labels: {
        [LABELS.clusterName]: c.name,
        [ADDON_LABELS.helmChartProxy]: chartProxyName(profile, layer.name),
      },
      owners: [clusterOwner(c.name, clusterUid(s), false)],
      createdAt: at,
      generation: 1,
    }),
    spec: {
      clusterRef: {
        apiVersion: 'cluster.x-k8s.io/v1beta2',
        kind: 'Cluster',
        name: c.name,
        namespace: c.namespace,
      },
      chartName: layer.name,
      repoURL: `https://charts.example.com/${layer.name}`,
      releaseName: layer.name,
      namespace: 'kube-system',
      version,
      values: '',
    },
    status: failed
      ? {
          ready: false,
          status: 'failed',
          revision: 1,
          namespace: 'kube-system',
          failureReason: `installing ${layer.name} ${version}: context deadline exceeded`,
          conditions: [
            {
              type: 'Ready',
              status: 'False',
              severity: 'Error',
              reason: 'HelmInstallOrUpgradeFailed',
              lastTransitionTime: ts(at),
            },
            {
              type: 'HelmReleaseReady',
              status: 'False',
              severity: 'Error',
              reason: 'HelmInstallOrUpgradeFailed',
              message: `installing ${layer.name} ${version}: context deadline exceeded`,
              lastTransitionTime: ts(at),
            },
          ],
        }
      : {
          ready: true,
          status: 'deployed',
          revision: 1,
          namespace: 'kube-system',
          conditions: [
            { type: 'Ready', status: 'True', lastTransitionTime: ts(at) },
            {
              type: 'ClusterAvailable',
              status: 'True',
              lastTransitionTime: ts(at),
            },
            {
              type: 'HelmReleaseReady',
              status: 'True',
              lastTransitionTime: ts(at),
            },
          ],
        },
  };
}
