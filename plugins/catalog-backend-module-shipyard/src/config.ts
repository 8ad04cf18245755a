import {
  SchedulerServiceTaskScheduleDefinition,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import { DEFAULT_NAMESPACE, parseEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  ClusterProfileSize,
  MANAGEMENT_CLUSTER_RESOURCE_TYPE,
  MAX_CLUSTER_PAGE_SIZE,
} from '@shipyard/plugin-shipyard-common';
import { readCatalogEntityNamespace } from '@shipyard/plugin-shipyard-node';

/** A configured link of cluster entities; `url` and `title` are templates. */
export interface ClusterLinkTemplate {
  title: string;
  url: string;
  icon?: string;
  type?: string;
}

/** Parsed `catalog.providers.shipyard` (see `config.d.ts`). */
export interface ShipyardCatalogConfig {
  entityNamespace: string;
  /** Without trailing slash; undefined when neither it nor `app.baseUrl` is configured. */
  portalBaseUrl?: string;
  requestTimeoutMs: number;
  /** A full sync that makes no progress (no page read, no mutation written) for this long is given up and tried again. */
  stallTimeoutMs: number;
  platformTeam: string;
  clusters: {
    schedule: SchedulerServiceTaskScheduleDefinition;
    pageSize: number;
    deltaFetchLimit: number;
    defaultLifecycle?: string;
    links: ClusterLinkTemplate[];
    locatorAnnotations: {
      enabled: boolean;
      authProvider?: string;
      oidcTokenProvider?: string;
      skipMetricsLookup?: boolean;
      dashboardUrl?: string;
    };
  };
  managementClusters: {
    type: string;
    owner: string;
    system?: string;
    lifecycle: string;
  };
  profiles: {
    schedule: SchedulerServiceTaskScheduleDefinition;
    enabled: boolean;
    owner: string;
    lifecycle: string;
    allowedGroups: string[];
    kubernetesVersions: string[];
    sizes: Record<string, ClusterProfileSize>;
  };
}

const DEFAULT_PLATFORM_TEAM = 'group:default/platform-team';

const DEFAULT_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 10 },
  timeout: { minutes: 5 },
  initialDelay: { seconds: 15 },
};

/** Kubernetes versions offered by generated profiles whose ClusterClass lists none (supported upstream minors). */
export const DEFAULT_GENERATED_KUBERNETES_VERSIONS = [
  'v1.36.2',
  'v1.35.5',
  'v1.34.7',
];

const DEFAULT_GENERATED_SIZES: Record<string, ClusterProfileSize> = {
  small: { title: 'Small', controlPlaneReplicas: 1, workerReplicas: 2 },
  medium: { title: 'Medium', controlPlaneReplicas: 3, workerReplicas: 3 },
  large: { title: 'Large', controlPlaneReplicas: 3, workerReplicas: 6 },
};

function groupRef(value: string, key: string): string {
  try {
    const ref = parseEntityRef(value, {
      defaultKind: 'group',
      defaultNamespace: DEFAULT_NAMESPACE,
    });
    return `${ref.kind.toLocaleLowerCase('en-US')}:${ref.namespace}/${
      ref.name
    }`;
  } catch (e) {
    throw new InputError(`Invalid entity ref in ${key}: ${String(e)}`);
  }
}

function schedule(
  config: Config | undefined,
): SchedulerServiceTaskScheduleDefinition {
  return config
    ? readSchedulerServiceTaskScheduleDefinitionFromConfig(config)
    : DEFAULT_SCHEDULE;
}

function intInRange(
  config: Config | undefined,
  key: string,
  fallback: number,
  min: number,
  max: number,
  prefix: string,
): number {
  const value = config?.getOptionalNumber(key) ?? fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InputError(
      `${prefix}.${key} must be an integer between ${min} and ${max}`,
    );
  }
  return value;
}

function readSizes(
  config: Config | undefined,
): Record<string, ClusterProfileSize> {
  if (!config) return DEFAULT_GENERATED_SIZES;
  const sizes: Record<string, ClusterProfileSize> = {};
  for (const name of config.keys()) {
    const c = config.getConfig(name);
    sizes[name] = {
      title: c.getOptionalString('title'),
      controlPlaneReplicas: c.getNumber('controlPlaneReplicas'),
      workerReplicas: c.getNumber('workerReplicas'),
      machineClass: c.getOptionalString('machineClass'),
    };
    for (const k of Object.keys(sizes[name]) as Array<
      keyof ClusterProfileSize
    >) {
      if (sizes[name][k] === undefined) delete sizes[name][k];
    }
  }
  return sizes;
}

/** Reads `catalog.providers.shipyard` and `shipyard.platformTeam`. */
export function readShipyardCatalogConfig(root: Config): ShipyardCatalogConfig {
  const prefix = 'catalog.providers.shipyard';
  const c = root.getOptionalConfig(prefix);
  const platformTeam = groupRef(
    root.getOptionalString('shipyard.platformTeam') ?? DEFAULT_PLATFORM_TEAM,
    'shipyard.platformTeam',
  );
  const clusters = c?.getOptionalConfig('clusters');
  const mcs = c?.getOptionalConfig('managementClusters');
  const profiles = c?.getOptionalConfig('profiles');
  const locator = clusters?.getOptionalConfig('locatorAnnotations');
  const portalBaseUrl =
    c?.getOptionalString('portalBaseUrl') ??
    root.getOptionalString('app.baseUrl');
  const profileOwner = profiles?.getOptionalString('owner')
    ? groupRef(profiles.getString('owner'), `${prefix}.profiles.owner`)
    : platformTeam;

  return {
    entityNamespace: readCatalogEntityNamespace(root),
    portalBaseUrl: portalBaseUrl?.replace(/\/+$/, ''),
    requestTimeoutMs: intInRange(
      c,
      'requestTimeoutMs',
      30_000,
      100,
      600_000,
      prefix,
    ),
    stallTimeoutMs: intInRange(
      c,
      'stallTimeoutMs',
      180_000,
      1_000,
      3_600_000,
      prefix,
    ),
    platformTeam,
    clusters: {
      schedule: schedule(clusters?.getOptionalConfig('schedule')),
      pageSize: intInRange(
        clusters,
        'pageSize',
        MAX_CLUSTER_PAGE_SIZE,
        1,
        MAX_CLUSTER_PAGE_SIZE,
        `${prefix}.clusters`,
      ),
      deltaFetchLimit: intInRange(
        clusters,
        'deltaFetchLimit',
        100,
        1,
        100_000,
        `${prefix}.clusters`,
      ),
      defaultLifecycle: clusters?.getOptionalString('defaultLifecycle'),
      links: (clusters?.getOptionalConfigArray('links') ?? []).map(l => ({
        title: l.getString('title'),
        url: l.getString('url'),
        icon: l.getOptionalString('icon'),
        type: l.getOptionalString('type'),
      })),
      locatorAnnotations: {
        enabled: locator?.getOptionalBoolean('enabled') ?? true,
        authProvider: locator?.getOptionalString('authProvider'),
        oidcTokenProvider: locator?.getOptionalString('oidcTokenProvider'),
        skipMetricsLookup: locator?.getOptionalBoolean('skipMetricsLookup'),
        dashboardUrl: locator?.getOptionalString('dashboardUrl'),
      },
    },
    managementClusters: {
      type: mcs?.getOptionalString('type') ?? MANAGEMENT_CLUSTER_RESOURCE_TYPE,
      owner: mcs?.getOptionalString('owner')
        ? groupRef(mcs.getString('owner'), `${prefix}.managementClusters.owner`)
        : platformTeam,
      system: mcs?.getOptionalString('system'),
      lifecycle: mcs?.getOptionalString('lifecycle') ?? 'production',
    },
    profiles: {
      schedule: schedule(profiles?.getOptionalConfig('schedule')),
      enabled: profiles?.getOptionalBoolean('enabled') ?? true,
      owner: profileOwner,
      lifecycle: profiles?.getOptionalString('lifecycle') ?? 'experimental',
      allowedGroups: (
        profiles?.getOptionalStringArray('allowedGroups') ?? [profileOwner]
      ).map(g => groupRef(g, `${prefix}.profiles.allowedGroups`)),
      kubernetesVersions:
        profiles?.getOptionalStringArray('kubernetesVersions') ??
        DEFAULT_GENERATED_KUBERNETES_VERSIONS,
      sizes: readSizes(profiles?.getOptionalConfig('sizes')),
    },
  };
}
