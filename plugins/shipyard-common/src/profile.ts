/*
 * The `ClusterProfile` catalog kind (apiVersion `shipyard.io/v1alpha1`): a curated, versioned stack that teams
 * request clusters from. Profiles are kept as catalog YAML by platform teams or generated from ClusterClasses.
 */
import { CLUSTER_PROFILE_API_VERSION, CLUSTER_PROFILE_KIND } from './constants';

/** Any JSON value (kept local so that this package has no runtime dependency on `@backstage/types`). */
export type ProfileJsonValue =
  | string
  | number
  | boolean
  | null
  | ProfileJsonValue[]
  | { [key: string]: ProfileJsonValue };

/** One layer of the stack (OS image, Kubernetes, CNI, CSI or an add-on). */
export interface ClusterProfileLayer {
  /** Name of the component, e.g. `ubuntu`, `calico`, `aws-ebs-csi-driver`. */
  name: string;
  /** Version of the component, e.g. `24.04`, `v3.29.1`. */
  version: string;
  description?: string;
}

/** The layers of a profile. */
export interface ClusterProfileLayers {
  os?: ClusterProfileLayer;
  kubernetes: ClusterProfileLayer;
  cni?: ClusterProfileLayer;
  csi?: ClusterProfileLayer;
  addons?: ClusterProfileLayer[];
}

/** A named size teams pick when requesting a cluster. */
export interface ClusterProfileSize {
  title?: string;
  description?: string;
  /** Control plane machines; 0 for managed control planes (EKS, AKS, GKE, ROSA HCP). */
  controlPlaneReplicas: number;
  /** Worker machines (of the first MachineDeployment or MachinePool). */
  workerReplicas: number;
  /** Machine class: the MachineDeployment class of the ClusterClass, or an instance type. */
  machineClass?: string;
}

/** Reference to the ClusterClass that backs a profile. */
export interface ClusterProfileClusterClassRef {
  name: string;
  /** Namespace of the ClusterClass; when absent, the namespace the cluster is created in. */
  namespace?: string;
}

/** The providers of control planes hosted as pods, with the kind of their control plane object. */
export const HOSTED_CONTROL_PLANE_KINDS = {
  k0smotron: 'K0smotronControlPlane',
  kamaji: 'KamajiControlPlane',
} as const;

/** A provider of control planes hosted as pods (`k0smotron`, `kamaji`). */
export type HostedControlPlaneProvider =
  keyof typeof HOSTED_CONTROL_PLANE_KINDS;

/**
 * A control plane hosted as pods (k0smotron: a StatefulSet, Kamaji: a Deployment, each with a Service) in the
 * management cluster the cluster is created on: that management cluster is the host, so the profile's
 * `managementClusters` are the hosts it offers and `defaultManagementCluster` the one it chooses.
 */
export interface ClusterProfileHostedControlPlane {
  provider: HostedControlPlaneProvider;
}

/** Kubernetes versions a profile allows. */
export interface ClusterProfileKubernetes {
  /** Allowed versions (`v1.35.5`, or a minor such as `v1.35` for managed distributions). */
  versions: string[];
  /** The version preselected in the request form; one of `versions`. */
  default?: string;
}

/** ClusterClass variables: defaults applied to every request, and the request form. */
export interface ClusterProfileVariables {
  /** Values by variable name; the requester may change them. */
  defaults?: { [name: string]: ProfileJsonValue };
  /**
   * Values by variable name that every cluster of this profile version must keep: set on every request, not in the
   * request form, and a cluster whose value differs has drifted.
   */
  pinned?: { [name: string]: ProfileJsonValue };
  /**
   * JSON schema (an object schema, one property per variable) of the request form. Generated profiles take it from
   * the ClusterClass `variables`; YAML profiles may narrow it.
   */
  schema?: { [key: string]: ProfileJsonValue };
}

/**
 * An earlier version of a profile that clusters may still run: what it allowed and where it may move to. The spec
 * itself describes the current version.
 */
export interface ClusterProfilePreviousVersion {
  /** Semantic version. */
  version: string;
  kubernetes: Pick<ClusterProfileKubernetes, 'versions'>;
  /** Profile versions clusters on this version may move to (see {@link ClusterProfileSpec.upgradesTo}). */
  upgradesTo?: string[];
  /** Set when the version should no longer be requested or moved to (clusters on it keep running). */
  deprecated?: boolean;
  /** The ClusterClass of this version, when it differs from the current version's. */
  clusterClass?: ClusterProfileClusterClassRef;
  /** The layers of this version, when they differ from the current version's. */
  layers?: ClusterProfileLayers;
  /** The pinned variables of this version, when they differ from the current version's. */
  variables?: Pick<ClusterProfileVariables, 'pinned'>;
  /** The sizes of this version, when they differ from the current version's. */
  sizes?: { [name: string]: ClusterProfileSize };
}

/** The spec of a `ClusterProfile` entity. */
export interface ClusterProfileSpec {
  /** Entity ref of the owning group (`group:default/platform-team`). */
  owner: string;
  /** `production`, `experimental`, `deprecated`, … */
  lifecycle: string;
  /**
   * Semantic version of the profile (its newest version); clusters carry it as `shipyard.io/profile-version`. A
   * pre-release (`2.0.0-rc.1`) is not released yet: clusters on the latest released version do not drift from it.
   */
  version: string;
  /** Set when the current version should no longer be requested. */
  deprecated?: boolean;
  /** Names of the management clusters the profile can create clusters on. */
  managementClusters: string[];
  /** Where clusters go when the request names no management cluster; one of `managementClusters`. */
  defaultManagementCluster?: string;
  clusterClass?: ClusterProfileClusterClassRef;
  /**
   * Set when the control plane runs as pods on the management cluster (the host) rather than on machines or as a
   * cloud service; the ClusterClass's control plane template must be of the provider's kind.
   */
  hostedControlPlane?: ClusterProfileHostedControlPlane;
  /** Infrastructure provider: `aws`, `azure`, `gcp`, `vsphere`, `docker`, `dev`, `metal3`, … */
  provider: string;
  /** Kubernetes distribution: `kubeadm`, `eks`, `aks`, `gke`, `k3s`, `k0s`, `rke2`, `openshift`, `microk8s`, … */
  distribution: string;
  kubernetes: ClusterProfileKubernetes;
  /**
   * Profile versions that clusters on this version may move to: a version of this profile (`1.3.0`) or of another
   * profile (`eks-hardened@2.0.0`). Kubernetes moves one minor at a time, within the versions each profile version
   * allows.
   */
  upgradesTo?: string[];
  /** Earlier versions of this profile that clusters may still run, with what they allowed and where they may move. */
  previousVersions?: ClusterProfilePreviousVersion[];
  layers: ClusterProfileLayers;
  variables?: ClusterProfileVariables;
  sizes: { [name: string]: ClusterProfileSize };
  /** The size preselected in the request form; one of `sizes`. */
  defaultSize?: string;
  /** Entity refs of the groups whose members may request clusters from this profile. */
  allowedGroups: string[];
}

/** A `ClusterProfile` catalog entity. */
export interface ClusterProfileEntity {
  apiVersion: typeof CLUSTER_PROFILE_API_VERSION;
  kind: typeof CLUSTER_PROFILE_KIND;
  metadata: {
    name: string;
    namespace?: string;
    title?: string;
    description?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    tags?: string[];
    [key: string]: unknown;
  };
  spec: ClusterProfileSpec;
}

/** Semantic version 2.0.0. */
export const SEMVER_PATTERN =
  '^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?$';
/** A Kubernetes version or minor, optionally with a distribution suffix: `v1.35.5`, `v1.35`, `v1.34.7+k3s1`. */
export const KUBERNETES_VERSION_PATTERN =
  '^v?[0-9]+\\.[0-9]+(\\.[0-9]+)?([-+][0-9A-Za-z.-]+)*$';
/** A profile version to move to: a semantic version of the same profile, or `<profile name>@<semantic version>`. */
export const PROFILE_UPGRADE_TARGET_PATTERN =
  '^([a-z0-9A-Z]([-_.a-z0-9A-Z]{0,61}[a-z0-9A-Z])?@)?(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?$';
/** A DNS-1123 label (management cluster names, size names, providers, distributions). */
export const DNS_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** A DNS-1123 subdomain (ClusterClass names). */
export const DNS_SUBDOMAIN_PATTERN =
  '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';

const layerSchema = {
  type: 'object',
  required: ['name', 'version'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 128 },
    version: { type: 'string', minLength: 1, maxLength: 128 },
    description: { type: 'string' },
  },
} as const;

const kubernetesVersionsSchema = {
  type: 'array',
  minItems: 1,
  uniqueItems: true,
  items: {
    type: 'string',
    title: 'a Kubernetes version (e.g. v1.35.5)',
    pattern: KUBERNETES_VERSION_PATTERN,
  },
} as const;

const layersSchema = {
  type: 'object',
  required: ['kubernetes'],
  additionalProperties: false,
  properties: {
    os: layerSchema,
    kubernetes: layerSchema,
    cni: layerSchema,
    csi: layerSchema,
    addons: { type: 'array', items: layerSchema },
  },
} as const;

const sizesSchema = {
  type: 'object',
  minProperties: 1,
  propertyNames: {
    title: 'a size name (DNS label)',
    pattern: DNS_LABEL_PATTERN,
    maxLength: 63,
  },
  additionalProperties: {
    type: 'object',
    required: ['controlPlaneReplicas', 'workerReplicas'],
    additionalProperties: false,
    properties: {
      title: { type: 'string' },
      description: { type: 'string' },
      controlPlaneReplicas: {
        type: 'integer',
        minimum: 0,
        maximum: 15,
      },
      workerReplicas: { type: 'integer', minimum: 0, maximum: 1000 },
      machineClass: { type: 'string', minLength: 1 },
    },
  },
} as const;

const clusterClassSchema = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: {
      type: 'string',
      title: 'a ClusterClass name (DNS subdomain)',
      pattern: DNS_SUBDOMAIN_PATTERN,
      maxLength: 253,
    },
    namespace: {
      type: 'string',
      title: 'a namespace name (DNS label)',
      pattern: DNS_LABEL_PATTERN,
      maxLength: 63,
    },
  },
} as const;

const upgradesToSchema = {
  type: 'array',
  maxItems: 100,
  uniqueItems: true,
  items: {
    type: 'string',
    title: 'a profile version (1.3.0, or other-profile@2.0.0)',
    pattern: PROFILE_UPGRADE_TARGET_PATTERN,
  },
} as const;

/**
 * JSON schema (draft-07) of a `ClusterProfile` entity. Patterns carry a `title` that names what they expect, so that
 * validators can say "must be a semantic version" instead of quoting the regular expression.
 */
export const clusterProfileEntitySchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://shipyard.io/schemas/ClusterProfile.v1alpha1.json',
  title: 'ClusterProfile',
  description:
    'A curated, versioned cluster stack (provider, distribution, Kubernetes version, layers, sizes) that teams request clusters from.',
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: CLUSTER_PROFILE_API_VERSION },
    kind: { const: CLUSTER_PROFILE_KIND },
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      required: [
        'owner',
        'lifecycle',
        'version',
        'managementClusters',
        'provider',
        'distribution',
        'kubernetes',
        'layers',
        'sizes',
        'allowedGroups',
      ],
      additionalProperties: false,
      properties: {
        owner: { type: 'string', minLength: 1 },
        lifecycle: { type: 'string', minLength: 1 },
        version: {
          type: 'string',
          title: 'a semantic version (e.g. 1.2.0)',
          pattern: SEMVER_PATTERN,
        },
        managementClusters: {
          type: 'array',
          minItems: 1,
          uniqueItems: true,
          items: {
            type: 'string',
            title: 'a management cluster name (DNS label)',
            pattern: DNS_LABEL_PATTERN,
            maxLength: 63,
          },
        },
        defaultManagementCluster: {
          type: 'string',
          title: 'a management cluster name (DNS label)',
          pattern: DNS_LABEL_PATTERN,
          maxLength: 63,
        },
        clusterClass: clusterClassSchema,
        hostedControlPlane: {
          type: 'object',
          required: ['provider'],
          additionalProperties: false,
          properties: {
            provider: {
              type: 'string',
              enum: Object.keys(HOSTED_CONTROL_PLANE_KINDS),
            },
          },
        },
        provider: {
          type: 'string',
          title: 'a provider name (lowercase DNS label, e.g. aws)',
          pattern: DNS_LABEL_PATTERN,
          maxLength: 63,
        },
        distribution: {
          type: 'string',
          title: 'a distribution name (lowercase DNS label, e.g. eks)',
          pattern: DNS_LABEL_PATTERN,
          maxLength: 63,
        },
        kubernetes: {
          type: 'object',
          required: ['versions'],
          additionalProperties: false,
          properties: {
            versions: kubernetesVersionsSchema,
            default: {
              type: 'string',
              title: 'a Kubernetes version (e.g. v1.35.5)',
              pattern: KUBERNETES_VERSION_PATTERN,
            },
          },
        },
        upgradesTo: upgradesToSchema,
        deprecated: { type: 'boolean' },
        previousVersions: {
          type: 'array',
          maxItems: 100,
          items: {
            type: 'object',
            required: ['version', 'kubernetes'],
            additionalProperties: false,
            properties: {
              version: {
                type: 'string',
                title: 'a semantic version (e.g. 1.2.0)',
                pattern: SEMVER_PATTERN,
              },
              kubernetes: {
                type: 'object',
                required: ['versions'],
                additionalProperties: false,
                properties: { versions: kubernetesVersionsSchema },
              },
              upgradesTo: upgradesToSchema,
              deprecated: { type: 'boolean' },
              clusterClass: clusterClassSchema,
              layers: layersSchema,
              variables: {
                type: 'object',
                additionalProperties: false,
                properties: { pinned: { type: 'object' } },
              },
              sizes: sizesSchema,
            },
          },
        },
        layers: layersSchema,
        variables: {
          type: 'object',
          additionalProperties: false,
          properties: {
            defaults: { type: 'object' },
            pinned: { type: 'object' },
            schema: { type: 'object' },
          },
        },
        sizes: sizesSchema,
        defaultSize: { type: 'string', minLength: 1 },
        allowedGroups: {
          type: 'array',
          minItems: 1,
          uniqueItems: true,
          items: { type: 'string', minLength: 1 },
        },
      },
    },
  },
} as const;

/** A problem found in a profile: the dotted path of the field and what is wrong with it. */
export interface ClusterProfileProblem {
  /** `spec.sizes.small.workerReplicas` */
  path: string;
  /** `must be integer` */
  message: string;
}

/**
 * Rules that a JSON schema cannot express: defaults must name one of the allowed values. Assumes the spec passed
 * schema validation.
 */
export function checkClusterProfileSpec(
  spec: ClusterProfileSpec,
): ClusterProfileProblem[] {
  const problems: ClusterProfileProblem[] = [];
  if (
    spec.defaultManagementCluster !== undefined &&
    !spec.managementClusters.includes(spec.defaultManagementCluster)
  ) {
    problems.push({
      path: 'spec.defaultManagementCluster',
      message: `must be one of spec.managementClusters (${spec.managementClusters.join(
        ', ',
      )})`,
    });
  }
  if (
    spec.kubernetes.default !== undefined &&
    !spec.kubernetes.versions.includes(spec.kubernetes.default)
  ) {
    problems.push({
      path: 'spec.kubernetes.default',
      message: `must be one of spec.kubernetes.versions (${spec.kubernetes.versions.join(
        ', ',
      )})`,
    });
  }
  const versions = new Set([spec.version]);
  (spec.previousVersions ?? []).forEach((previous, i) => {
    if (versions.has(previous.version)) {
      problems.push({
        path: `spec.previousVersions[${i}].version`,
        message: `must differ from spec.version and the other previous versions (${previous.version})`,
      });
    }
    versions.add(previous.version);
  });
  const checkTargets = (
    from: string,
    targets: string[] | undefined,
    at: string,
  ) => {
    (targets ?? []).forEach((target, i) => {
      const [profile, version] = target.includes('@')
        ? target.split('@')
        : [undefined, target];
      if (profile !== undefined) return; // another profile: checked when a plan is made
      if (version === from) {
        problems.push({
          path: `${at}[${i}]`,
          message: 'must not name its own version',
        });
      } else if (!versions.has(version)) {
        problems.push({
          path: `${at}[${i}]`,
          message: `must name a version of this profile (${[...versions].join(
            ', ',
          )}) or another profile (name@version)`,
        });
      }
    });
  };
  checkTargets(spec.version, spec.upgradesTo, 'spec.upgradesTo');
  (spec.previousVersions ?? []).forEach((previous, i) =>
    checkTargets(
      previous.version,
      previous.upgradesTo,
      `spec.previousVersions[${i}].upgradesTo`,
    ),
  );
  if (spec.hostedControlPlane) {
    const provider = spec.hostedControlPlane.provider;
    if (!spec.clusterClass) {
      problems.push({
        path: 'spec.clusterClass',
        message: `is required with spec.hostedControlPlane: clusters with a ${provider} control plane are requested through a ClusterClass whose control plane template is a ${HOSTED_CONTROL_PLANE_KINDS[provider]}Template`,
      });
    }
    for (const [name, size] of Object.entries(spec.sizes)) {
      if (size.controlPlaneReplicas < 1) {
        problems.push({
          path: `spec.sizes.${name}.controlPlaneReplicas`,
          message: `must be at least 1: the hosted control plane runs that many pods on the management cluster`,
        });
      }
    }
  }
  if (
    spec.defaultSize !== undefined &&
    !Object.prototype.hasOwnProperty.call(spec.sizes, spec.defaultSize)
  ) {
    problems.push({
      path: 'spec.defaultSize',
      message: `must be one of spec.sizes (${Object.keys(spec.sizes).join(
        ', ',
      )})`,
    });
  }
  return problems;
}
