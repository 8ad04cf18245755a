import {
  ANNOTATION_KUBERNETES_API_SERVER,
  ANNOTATION_KUBERNETES_AUTH_PROVIDER,
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  DEFAULT_NAMESPACE,
  Entity,
  EntityLink,
  makeValidator,
  parseEntityRef,
  stringifyEntityRef,
  stringifyLocationRef,
} from '@backstage/catalog-model';
import {
  ANNOTATION_CLUSTER_CLASS,
  ANNOTATION_CLUSTER_ORIGIN,
  ANNOTATION_CLUSTER_NAME,
  ANNOTATION_CLUSTER_NAMESPACE,
  ANNOTATION_CLUSTER_UID,
  ANNOTATION_INVENTORY_CLUSTER_MANAGER,
  ANNOTATION_MANAGEMENT_CLUSTER,
  ANNOTATION_PROFILE,
  ANNOTATION_PROCESSING_WARNINGS,
  ANNOTATION_PROFILE_VERSION,
  CLUSTER_RESOURCE_TYPE,
  ClusterKey,
  ClusterSummary,
  ManagementClusterStatus,
  SHIPYARD_LOCATION_TYPE,
  kubernetesMinorOf,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import { ClusterLinkTemplate, ShipyardCatalogConfig } from '../config';
import { clusterEntityRef as clusterEntityRefIn } from '@shipyard/plugin-shipyard-node';
import {
  clusterEntityName,
  managementClusterEntityName,
  toTag,
} from './naming';

const ANNOTATION_KUBERNETES_OIDC_TOKEN_PROVIDER =
  'kubernetes.io/oidc-token-provider';
const ANNOTATION_KUBERNETES_SKIP_METRICS_LOOKUP =
  'kubernetes.io/skip-metrics-lookup';
const ANNOTATION_KUBERNETES_DASHBOARD_URL = 'kubernetes.io/dashboard-url';

/** The fields of a cluster summary that its entity is built from (never health, phase or counters). */
export type ClusterEntityInput = Pick<
  ClusterSummary,
  | 'managementCluster'
  | 'namespace'
  | 'name'
  | 'uid'
  | 'title'
  | 'owner'
  | 'system'
  | 'lifecycle'
  | 'profile'
  | 'profileVersion'
  | 'clusterClass'
  | 'provider'
  | 'distribution'
  | 'kubernetesVersion'
  | 'kubernetesMinor'
  | 'apiServerUrl'
  | 'origin'
  | 'inventory'
  | 'managementClusterOf'
> & {
  /** The management cluster whose pods run the cluster's control plane (a hosted control plane's host). */
  hostCluster?: string;
};

/** Keeps only the entity-relevant fields of a summary (what the providers hold in memory). */
export function toClusterEntityInput(s: ClusterSummary): ClusterEntityInput {
  const input: ClusterEntityInput = {
    managementCluster: s.managementCluster,
    namespace: s.namespace,
    name: s.name,
    uid: s.uid,
    title: s.title,
    owner: s.owner,
    system: s.system,
    lifecycle: s.lifecycle,
    profile: s.profile,
    profileVersion: s.profileVersion,
    clusterClass: s.clusterClass,
    provider: s.provider,
    distribution: s.distribution,
    kubernetesVersion: s.kubernetesVersion,
    kubernetesMinor: s.kubernetesMinor,
    apiServerUrl: s.apiServerUrl,
  };
  if (s.origin === 'inventory') {
    input.origin = s.origin;
    if (s.inventory) input.inventory = s.inventory;
  }
  if (s.managementClusterOf) input.managementClusterOf = s.managementClusterOf;
  if (s.hostedControlPlane)
    input.hostCluster = s.hostedControlPlane.hostCluster;
  return input;
}

/** What the cluster entity builder needs besides the summary. */
export interface ClusterEntityContext {
  config: ShipyardCatalogConfig;
  /** The ClusterProfile entity ref a cluster depends on, when one is known. */
  resolveProfileRef(summary: ClusterEntityInput): string | undefined;
  /** Whether the catalog lacks the ClusterProfile or System a reference names (when known). */
  isMissing?(ref: string): boolean;
  /**
   * The cluster record of a management cluster that is itself a Cluster API cluster (the management chain), when
   * one is known.
   */
  clusterOfManagementCluster?(name: string): ClusterKey | undefined;
}

/** Entity ref of the management cluster Resource of a management cluster name. */
export function managementClusterEntityRef(
  config: ShipyardCatalogConfig,
  name: string,
): string {
  return `resource:${config.entityNamespace}/${managementClusterEntityName(
    name,
  )}`;
}

/** Entity ref of the Resource of a workload cluster. */
export function clusterEntityRef(
  config: ShipyardCatalogConfig,
  key: Pick<ClusterSummary, 'managementCluster' | 'namespace' | 'name'>,
): string {
  return clusterEntityRefIn(config.entityNamespace, key);
}

function location(target: string): Record<string, string> {
  const ref = stringifyLocationRef({ type: SHIPYARD_LOCATION_TYPE, target });
  return { [ANNOTATION_LOCATION]: ref, [ANNOTATION_ORIGIN_LOCATION]: ref };
}

/**
 * The URL of an API server if it is safe to publish in the catalog: http(s), no user info, no query or fragment
 * (where tokens tend to hide). Returns it normalised, without trailing slash.
 */
export function publishableApiServerUrl(
  value: string | undefined,
): string | undefined {
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username || url.password || url.search || url.hash) return undefined;
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** Expands `{{placeholder}}`s with URL-encoded values; undefined when a placeholder has no value. */
export function expandTemplate(
  template: string,
  values: Record<string, string | undefined>,
  encode: boolean,
): string | undefined {
  let missing = false;
  const out = template.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (_m, key) => {
    const value = values[key];
    if (value === undefined || value === '') {
      missing = true;
      return '';
    }
    return encode ? encodeURIComponent(value) : value;
  });
  return missing ? undefined : out;
}

function templateValues(
  summary: ClusterEntityInput,
): Record<string, string | undefined> {
  return {
    managementCluster: summary.managementCluster,
    namespace: summary.namespace,
    name: summary.name,
    uid: summary.uid,
    provider: summary.provider,
    distribution: summary.distribution,
    owner: summary.owner,
  };
}

function configuredLinks(
  templates: ClusterLinkTemplate[],
  summary: ClusterEntityInput,
): EntityLink[] {
  const values = templateValues(summary);
  const links: EntityLink[] = [];
  for (const t of templates) {
    const url = expandTemplate(t.url, values, true);
    const title = expandTemplate(t.title, values, false);
    if (url === undefined || title === undefined) continue;
    links.push({
      url,
      title,
      ...(t.icon ? { icon: t.icon } : {}),
      ...(t.type ? { type: t.type } : {}),
    });
  }
  return links;
}

/** The portal's page of a cluster. */
export function clusterPageUrl(
  config: ShipyardCatalogConfig,
  key: Pick<ClusterSummary, 'managementCluster' | 'namespace' | 'name'>,
): string | undefined {
  if (!config.portalBaseUrl) return undefined;
  return `${config.portalBaseUrl}/shipyard/clusters/${[
    key.managementCluster,
    key.namespace,
    key.name,
  ]
    .map(encodeURIComponent)
    .join('/')}`;
}

function unique(values: Array<string | undefined>): string[] {
  return [...new Set(values.filter((v): v is string => !!v))];
}

function describe(summary: ClusterEntityInput): string {
  const minor =
    summary.kubernetesMinor ?? kubernetesMinorOf(summary.kubernetesVersion);
  const details: string[] = [];
  const stack = [
    summary.distribution,
    minor ? `Kubernetes ${minor}` : undefined,
    summary.provider ? `on ${summary.provider}` : undefined,
  ]
    .filter(Boolean)
    .join(' ');
  if (stack) details.push(stack);
  if (summary.profile) {
    details.push(
      `profile ${summary.profile}${
        summary.profileVersion ? ` ${summary.profileVersion}` : ''
      }`,
    );
  } else if (summary.clusterClass) {
    details.push(`ClusterClass ${summary.clusterClass}`);
  }
  const suffix = details.length ? ` (${details.join(', ')})` : '';
  if (summary.origin === 'inventory') {
    const inventory = summary.inventory;
    return `Kubernetes cluster ${summary.name}${
      inventory ? ` registered by ${inventory.clusterManager}` : ''
    } in the cluster inventory ${summary.managementCluster}${
      inventory
        ? ` (namespace ${summary.namespace} on ${inventory.managementCluster})`
        : ''
    }${suffix}.`;
  }
  return `Kubernetes cluster ${summary.namespace}/${summary.name} on management cluster ${summary.managementCluster}${suffix}.`;
}

/**
 * The catalog entity of a workload cluster: a `Resource` of type `kubernetes-cluster`. Only entity-relevant fields
 * are used (never health, phase or counters), so status churn yields an identical entity.
 */
export function buildClusterEntity(
  input: ClusterEntityInput,
  ctx: ClusterEntityContext,
): Entity {
  const { config } = ctx;
  const {
    summary,
    profileRef: givenProfileRef,
    warnings,
  } = checkEntityReferences(input, config);
  const minor =
    summary.kubernetesMinor ?? kubernetesMinorOf(summary.kubernetesVersion);
  const profileRef = givenProfileRef ?? ctx.resolveProfileRef(summary);
  // a reference to an entity the catalog lacks is kept (it resolves once the entity exists) and named, never silent
  if (profileRef && ctx.isMissing?.(profileRef)) {
    warnings.push(
      `profile ${profileRef} is not in the catalog (add the ClusterProfile, or fix the cluster’s shipyard.io/profile label)`,
    );
  }
  if (summary.system && ctx.isMissing?.(summary.system)) {
    warnings.push(
      `system ${summary.system} is not in the catalog (add the System, or fix the cluster’s shipyard.io/system label)`,
    );
  }
  const annotations: Record<string, string> = {
    ...location(
      `clusters/${summary.managementCluster}/${summary.namespace}/${summary.name}`,
    ),
    [ANNOTATION_MANAGEMENT_CLUSTER]: summary.managementCluster,
    [ANNOTATION_CLUSTER_NAMESPACE]: summary.namespace,
    [ANNOTATION_CLUSTER_NAME]: summary.name,
  };
  if (summary.uid) annotations[ANNOTATION_CLUSTER_UID] = summary.uid;
  if (summary.origin === 'inventory') {
    annotations[ANNOTATION_CLUSTER_ORIGIN] = summary.origin;
    if (summary.inventory) {
      annotations[ANNOTATION_INVENTORY_CLUSTER_MANAGER] =
        summary.inventory.clusterManager;
    }
  }
  if (summary.profile) annotations[ANNOTATION_PROFILE] = summary.profile;
  if (summary.profileVersion) {
    annotations[ANNOTATION_PROFILE_VERSION] = summary.profileVersion;
  }
  if (summary.clusterClass) {
    annotations[
      ANNOTATION_CLUSTER_CLASS
    ] = `${summary.namespace}/${summary.clusterClass}`;
  }
  if (warnings.length > 0) {
    annotations[ANNOTATION_PROCESSING_WARNINGS] = JSON.stringify(warnings);
  }

  const locator = config.clusters.locatorAnnotations;
  const apiServer = locator.enabled
    ? publishableApiServerUrl(summary.apiServerUrl)
    : undefined;
  if (apiServer) {
    annotations[ANNOTATION_KUBERNETES_API_SERVER] = apiServer;
    if (locator.authProvider) {
      annotations[ANNOTATION_KUBERNETES_AUTH_PROVIDER] = locator.authProvider;
    }
    if (locator.oidcTokenProvider) {
      annotations[ANNOTATION_KUBERNETES_OIDC_TOKEN_PROVIDER] =
        locator.oidcTokenProvider;
    }
    if (locator.skipMetricsLookup !== undefined) {
      annotations[ANNOTATION_KUBERNETES_SKIP_METRICS_LOOKUP] = String(
        locator.skipMetricsLookup,
      );
    }
    const dashboard = locator.dashboardUrl
      ? expandTemplate(locator.dashboardUrl, templateValues(summary), true)
      : undefined;
    if (dashboard) annotations[ANNOTATION_KUBERNETES_DASHBOARD_URL] = dashboard;
  }

  const links: EntityLink[] = [];
  const page = clusterPageUrl(config, summary);
  if (page) {
    links.push({ url: page, title: 'Cluster in Shipyard', icon: 'dashboard' });
  }
  links.push(...configuredLinks(config.clusters.links, summary));

  const tags = unique([
    summary.provider ? toTag(summary.provider) : undefined,
    summary.distribution ? toTag(summary.distribution) : undefined,
    minor ? toTag(`k8s-${minor}`) : undefined,
  ]);

  const lifecycle = summary.lifecycle ?? config.clusters.defaultLifecycle;
  // a cluster read from another cluster manager's inventory has no management cluster entity
  const dependsOn = unique([
    profileRef,
    summary.origin === 'inventory'
      ? undefined
      : managementClusterEntityRef(config, summary.managementCluster),
    ...chainDependencies(summary, ctx),
  ]);

  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: clusterEntityName(summary),
      namespace: config.entityNamespace,
      title: summary.title || summary.name,
      description: describe(summary),
      annotations,
      ...(tags.length ? { tags } : {}),
      ...(links.length ? { links } : {}),
    },
    spec: {
      type: CLUSTER_RESOURCE_TYPE,
      owner: summary.owner,
      ...(summary.system ? { system: summary.system } : {}),
      ...(lifecycle ? { lifecycle } : {}),
      dependsOn,
    },
  };
}

/**
 * The relations of the management chain: the cluster of a management cluster that another one manages depends on
 * that manager's own cluster, and a cluster whose control plane runs as pods on a host depends on the host (its
 * management cluster entity and, when it is a Cluster API cluster too, its cluster).
 */
function chainDependencies(
  summary: ClusterEntityInput,
  ctx: ClusterEntityContext,
): string[] {
  const out: string[] = [];
  const self = stringifyClusterKey(summary);
  const clusterOf = (name: string) => {
    const key = ctx.clusterOfManagementCluster?.(name);
    return key && stringifyClusterKey(key) !== self
      ? clusterEntityRef(ctx.config, key)
      : undefined;
  };
  if (
    summary.managementClusterOf &&
    summary.managementClusterOf !== summary.managementCluster
  ) {
    const manager = clusterOf(summary.managementCluster);
    if (manager) out.push(manager);
  }
  if (summary.hostCluster) {
    out.push(managementClusterEntityRef(ctx.config, summary.hostCluster));
    const host = clusterOf(summary.hostCluster);
    if (host) out.push(host);
  }
  return out;
}

const entityValidator = makeValidator();

/** The entity reference `value` names (bare names get `defaultKind` and the default namespace), if it is one. */
function validRef(
  value: string,
  defaultKind: string,
  kinds: string[],
): string | undefined {
  let ref;
  try {
    ref = parseEntityRef(value, {
      defaultKind,
      defaultNamespace: DEFAULT_NAMESPACE,
    });
  } catch {
    return undefined;
  }
  const kind = ref.kind.toLocaleLowerCase('en-US');
  if (
    !kinds.includes(kind) ||
    !entityValidator.isValidNamespace(ref.namespace) ||
    !entityValidator.isValidEntityName(ref.name)
  ) {
    return undefined;
  }
  return stringifyEntityRef({ kind, namespace: ref.namespace, name: ref.name });
}

/**
 * Checks the values that become entity references (owner, system, profile) or fields (lifecycle). An invalid one
 * is not used, so that no relation points at an entity that cannot exist: the owner falls back to the platform
 * team, the system and lifecycle are left out (or defaulted), the profile is found from the ClusterClass instead;
 * each such value becomes a warning.
 */
export function checkEntityReferences(
  input: ClusterEntityInput,
  config: ShipyardCatalogConfig,
): {
  summary: ClusterEntityInput;
  /** The profile's entity ref when the value was a full, valid reference. */
  profileRef?: string;
  warnings: string[];
} {
  const warnings: string[] = [];
  const summary = { ...input };
  const quoted = (v: string) => JSON.stringify(v.slice(0, 200));
  const owner = validRef(input.owner, 'group', ['group', 'user']);
  if (owner) {
    summary.owner = owner;
  } else {
    summary.owner = config.platformTeam;
    warnings.push(
      `owner ${quoted(
        input.owner,
      )} is not a valid entity reference of a group or user; owned by ${
        config.platformTeam
      } instead`,
    );
  }
  if (input.system !== undefined) {
    summary.system = validRef(input.system, 'system', ['system']);
    if (!summary.system) {
      warnings.push(
        `system ${quoted(
          input.system,
        )} is not a valid entity reference of a system; left out`,
      );
    }
  }
  if (
    input.lifecycle !== undefined &&
    !entityValidator.isValidEntityName(input.lifecycle)
  ) {
    summary.lifecycle = undefined;
    warnings.push(
      `lifecycle ${quoted(
        input.lifecycle,
      )} is not a valid lifecycle (letters, digits, "-", "_" and "."); ${
        config.clusters.defaultLifecycle
          ? `${config.clusters.defaultLifecycle} used instead`
          : 'left out'
      }`,
    );
  }
  let profileRef: string | undefined;
  if (input.profile !== undefined) {
    const bare = entityValidator.isValidEntityName(input.profile);
    profileRef = bare
      ? undefined
      : validRef(input.profile, 'clusterprofile', ['clusterprofile']);
    if (!bare && !profileRef) {
      summary.profile = undefined;
      warnings.push(
        `profile ${quoted(
          input.profile,
        )} is not a valid entity reference of a ClusterProfile; the profile is found from the ClusterClass instead`,
      );
    }
  }
  return { summary, profileRef, warnings };
}

/**
 * The catalog entity of a management cluster: a `Resource` owned by the platform team. One that another management
 * cluster manages as a Cluster API cluster depends on that cluster's entity.
 */
export function buildManagementClusterEntity(
  status: Pick<
    ManagementClusterStatus,
    'name' | 'url' | 'capiVersion' | 'cluster'
  >,
  config: ShipyardCatalogConfig,
): Entity {
  const annotations: Record<string, string> = {
    ...location(`management-clusters/${status.name}`),
    [ANNOTATION_MANAGEMENT_CLUSTER]: status.name,
  };
  const apiServer = config.clusters.locatorAnnotations.enabled
    ? publishableApiServerUrl(status.url)
    : undefined;
  if (apiServer) annotations[ANNOTATION_KUBERNETES_API_SERVER] = apiServer;
  const links: EntityLink[] = config.portalBaseUrl
    ? [
        {
          url: `${
            config.portalBaseUrl
          }/shipyard?managementCluster=${encodeURIComponent(status.name)}`,
          title: 'Clusters in Shipyard',
          icon: 'dashboard',
        },
      ]
    : [];
  const mc = config.managementClusters;
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: managementClusterEntityName(status.name),
      namespace: config.entityNamespace,
      title: status.name,
      description: `Cluster API management cluster ${status.name}${
        status.capiVersion ? ` (${status.capiVersion})` : ''
      }.`,
      annotations,
      tags: ['cluster-api', 'management-cluster'],
      ...(links.length ? { links } : {}),
    },
    spec: {
      type: mc.type,
      owner: mc.owner,
      lifecycle: mc.lifecycle,
      ...(mc.system ? { system: mc.system } : {}),
      ...(status.cluster && status.cluster.managementCluster !== status.name
        ? { dependsOn: [clusterEntityRef(config, status.cluster)] }
        : {}),
    },
  };
}
