import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity, parseEntityRef } from '@backstage/catalog-model';
import { ConflictError, InputError, NotAllowedError } from '@backstage/errors';
import {
  ANNOTATION_CLUSTER_NAME,
  ANNOTATION_CLUSTER_NAMESPACE,
  ANNOTATION_MANAGEMENT_CLUSTER,
  ClusterKey,
  ClusterSummary,
  capiApiVersion,
  compareKubernetesVersions,
  kubernetesMinorOf,
  parseKubernetesVersion,
} from '@shipyard/plugin-shipyard-common';
import { Requester } from './access';
import {
  UpgradeClusterRequest,
  UpgradeClusterPlan,
  ClusterRequestServiceOptions,
} from './requestTypes';
import { dryRunError, clusterPath } from './requestChecks';
import { loadProfile } from './checkCreate';

/*
 * Upgrades: the cluster a request names, the checks of its target version against the profile, and the
 * server-side apply of the new version.
 */

/** Finds a cluster by entity ref (its Shipyard annotations) or by `managementCluster/namespace/name`. */
export async function resolveCluster(
  options: ClusterRequestServiceOptions,
  ref: string,
  credentials: BackstageCredentials,
): Promise<ClusterSummary> {
  let key: ClusterKey | undefined;
  const parts = ref.split('/');
  if (parts.length === 3 && !ref.includes(':')) {
    key = {
      managementCluster: parts[0],
      namespace: parts[1],
      name: parts[2],
    };
  } else {
    let entity: Entity | undefined;
    try {
      entity = await options.catalog.getEntityByRef(
        parseEntityRef(ref, {
          defaultKind: 'resource',
          defaultNamespace: 'default',
        }),
        { credentials },
      );
    } catch {
      entity = undefined;
    }
    const a = entity?.metadata.annotations ?? {};
    if (
      a[ANNOTATION_MANAGEMENT_CLUSTER] &&
      a[ANNOTATION_CLUSTER_NAMESPACE] &&
      a[ANNOTATION_CLUSTER_NAME]
    ) {
      key = {
        managementCluster: a[ANNOTATION_MANAGEMENT_CLUSTER],
        namespace: a[ANNOTATION_CLUSTER_NAMESPACE],
        name: a[ANNOTATION_CLUSTER_NAME],
      };
    } else {
      throw new InputError(
        `"${ref}" is neither a Shipyard cluster entity nor managementCluster/namespace/name`,
      );
    }
  }
  const summary = await options.backend.getCluster(key);
  if (!summary) {
    throw new InputError(
      `Cluster ${key.managementCluster}/${key.namespace}/${key.name} is not in the fleet`,
    );
  }
  return summary;
}

/** Checks an upgrade: permission, allowed version, no skipped minor, no upgrade in progress, healthy; dry run. */
export async function planUpgrade(
  options: ClusterRequestServiceOptions,
  request: UpgradeClusterRequest,
  requester: Requester,
): Promise<UpgradeClusterPlan> {
  const summary = await resolveCluster(
    options,
    request.cluster,
    requester.credentials,
  );
  const key: ClusterKey = {
    managementCluster: summary.managementCluster,
    namespace: summary.namespace,
    name: summary.name,
  };
  const where = `${key.managementCluster}/${key.namespace}/${key.name}`;
  await options.access.checkUpdate(requester, summary);

  const toVersion = request.kubernetesVersion;
  const fromVersion = summary.kubernetesVersion;
  if (!fromVersion) {
    throw new InputError(
      `Cluster ${where} has no known Kubernetes version; it cannot be upgraded here`,
    );
  }
  let profileRef: string | undefined;
  if (summary.profile) {
    const profile = await loadProfile(
      options.catalog,
      summary.profile,
      requester.credentials,
    );
    profileRef = profile.ref;
    if (!profile.entity.spec.kubernetes.versions.includes(toVersion)) {
      throw new InputError(
        `Kubernetes ${toVersion} is not offered by profile ${
          profile.ref
        }; choose one of ${profile.entity.spec.kubernetes.versions.join(', ')}`,
      );
    }
  } else if (!requester.isPlatform) {
    throw new NotAllowedError(
      `Cluster ${where} was not requested from a profile, so no versions are approved for it; ask the platform team`,
    );
  }
  const from = parseKubernetesVersion(fromVersion);
  const to = parseKubernetesVersion(toVersion);
  if (!from || !to) {
    throw new InputError(
      `Cannot compare Kubernetes versions ${fromVersion} and ${toVersion}`,
    );
  }
  const plan: UpgradeClusterPlan = {
    key,
    summary,
    fromVersion,
    toVersion,
    profileRef,
    alreadyApplied: false,
  };
  if (fromVersion === toVersion) {
    return { ...plan, alreadyApplied: true };
  }
  if (compareKubernetesVersions(fromVersion, toVersion) > 0) {
    throw new InputError(
      `Cluster ${where} runs ${fromVersion}; downgrading to ${toVersion} is not supported`,
    );
  }
  if (to.major !== from.major || to.minor - from.minor > 1) {
    throw new InputError(
      `Upgrading ${where} from ${fromVersion} to ${toVersion} would skip a minor version; upgrade to ${
        from.major
      }.${from.minor + 1} first`,
    );
  }
  const observed = summary.observedKubernetesVersion;
  if (
    observed &&
    kubernetesMinorOf(observed) !== kubernetesMinorOf(fromVersion)
  ) {
    throw new ConflictError(
      `The control plane of ${where} still runs ${observed} while ${fromVersion} is desired; wait for that upgrade to finish`,
    );
  }
  const lagging = summary.machineDeployments.filter(
    md =>
      md.version &&
      kubernetesMinorOf(md.version) !== kubernetesMinorOf(fromVersion),
  );
  if (lagging.length > 0) {
    throw new ConflictError(
      `Workers of ${where} (${lagging
        .map(m => `${m.name} on ${m.version}`)
        .join(
          ', ',
        )}) have not caught up with ${fromVersion}; wait for them before the next upgrade`,
    );
  }
  if (summary.health !== 'healthy') {
    throw new ConflictError(
      `Cluster ${where} is ${summary.health}${
        summary.healthReasons[0] ? ` (${summary.healthReasons[0].message})` : ''
      }; upgrades start only from a healthy cluster`,
    );
  }
  const api = await options.managementCluster(key.managementCluster);
  if (!api) {
    throw new InputError(
      `Management cluster ${key.managementCluster} is not configured in shipyard.managementClusters of this backend`,
    );
  }
  const live = await api
    .get(clusterPath(key.namespace, key.name))
    .catch(error => {
      throw dryRunError(error, key);
    });
  const classRef = live?.spec?.topology?.classRef;
  if (!classRef) {
    throw new InputError(
      `Cluster ${where} has no spec.topology.classRef; only topology clusters are upgraded here`,
    );
  }
  plan.classRef = classRef;
  try {
    await api.apply(clusterPath(key.namespace, key.name), versionPatch(plan), {
      dryRun: true,
      fieldManager: options.config.fieldManager,
      force: true,
    });
  } catch (error) {
    throw dryRunError(error, key);
  }
  return plan;
}

/** Applies the version bump (server-side apply of `spec.topology.version` only). */
export async function applyUpgrade(
  options: ClusterRequestServiceOptions,
  plan: UpgradeClusterPlan,
): Promise<void> {
  const api = await options.managementCluster(plan.key.managementCluster);
  if (!api)
    throw new InputError(
      `Management cluster ${plan.key.managementCluster} is not configured`,
    );
  await api.apply(
    clusterPath(plan.key.namespace, plan.key.name),
    versionPatch(plan),
    {
      fieldManager: options.config.fieldManager,
      force: true,
    },
  );
}

/**
 * The apply configuration of an upgrade: the version, plus the live classRef that the topology schema requires
 * next to it (unchanged, so applying it changes nothing else).
 */
function versionPatch(plan: UpgradeClusterPlan) {
  return {
    apiVersion: capiApiVersion(),
    kind: 'Cluster',
    metadata: { name: plan.key.name, namespace: plan.key.namespace },
    spec: { topology: { classRef: plan.classRef, version: plan.toVersion } },
  };
}
