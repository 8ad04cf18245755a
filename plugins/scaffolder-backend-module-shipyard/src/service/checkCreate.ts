import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { ConflictError, InputError } from '@backstage/errors';
import { JsonValue } from '@backstage/types';
import {
  CLUSTER_PROFILE_KIND,
  ClusterClassSummary,
  ClusterProfileEntity,
  ClusterProfileHostedControlPlane,
  ClusterProfileSpec,
  HOSTED_CONTROL_PLANE_KINDS,
} from '@shipyard/plugin-shipyard-common';
import { KubeClient } from '@shipyard/plugin-shipyard-node/kube';
import { quotaOf } from '../config';
import { Requester } from './access';
import { ANNOTATION_REQUEST_TASK } from './render';
import { checkQuota } from './quota';
import { resolveVariables } from './variables';
import {
  CreateClusterRequest,
  RequestProblem,
  CreateCheck,
  ClusterRequestServiceOptions,
  MAX_CLUSTER_NAME_LENGTH,
} from './requestTypes';
import {
  DNS_LABEL,
  MAX_WORKERS,
  dryRunError,
  clusterPath,
  groupRef,
  checkProfileAccess,
  namespaceFor,
  checkLabels,
  findClusterClass,
} from './requestChecks';

/*
 * The checks of a create request: the profile it names, then every check that needs no write (see checkCreate).
 */

/** Loads a ClusterProfile entity by ref (`kubeadm-standard` or `clusterprofile:default/kubeadm-standard`). */
export async function loadProfile(
  catalog: ClusterRequestServiceOptions['catalog'],
  ref: string,
  credentials: BackstageCredentials,
): Promise<{ ref: string; entity: ClusterProfileEntity }> {
  let parsed;
  try {
    parsed = parseEntityRef(ref, {
      defaultKind: CLUSTER_PROFILE_KIND,
      defaultNamespace: 'default',
    });
  } catch {
    throw new InputError(
      `profile "${ref}" is not an entity ref of a ClusterProfile`,
    );
  }
  if (
    parsed.kind.toLocaleLowerCase('en-US') !==
    CLUSTER_PROFILE_KIND.toLocaleLowerCase('en-US')
  ) {
    throw new InputError(
      `profile "${ref}" must be a ${CLUSTER_PROFILE_KIND}, not a ${parsed.kind}`,
    );
  }
  const entity = (await catalog.getEntityByRef(parsed, {
    credentials,
  })) as Entity | undefined;
  if (!entity) {
    throw new InputError(
      `Cluster profile ${stringifyEntityRef(
        parsed,
      )} does not exist in the catalog; pick one of the listed profiles`,
    );
  }
  return {
    ref: stringifyEntityRef(entity),
    entity: entity as unknown as ClusterProfileEntity,
  };
}

/**
 * A profile of a hosted control plane needs a ClusterClass whose control plane template is of its provider's kind on
 * the management cluster chosen as the host; another class there would give the cluster a different control plane.
 */
export function checkHostedClusterClass(
  profileRef: string,
  hosted: ClusterProfileHostedControlPlane,
  clusterClass: ClusterClassSummary,
): void {
  const wanted = `${HOSTED_CONTROL_PLANE_KINDS[hosted.provider]}Template`;
  if (clusterClass.controlPlaneKind !== wanted) {
    throw new InputError(
      `ClusterClass ${clusterClass.namespace}/${clusterClass.name} on ${
        clusterClass.managementCluster
      } cannot host the control plane of profile ${profileRef} as ${
        hosted.provider
      } pods: its control plane template is ${
        clusterClass.controlPlaneKind
          ? `a ${clusterClass.controlPlaneKind}`
          : 'of no known kind'
      }, not a ${wanted}; choose another management cluster or ask the profile's owners`,
    );
  }
}

/**
 * Runs every check of a create request that needs no write and no dry run, and collects all their problems (a
 * check that depends on a failed one is skipped): the name and its being free on the management cluster, the owner,
 * the profile and who may use it, the management cluster and its connection, version, size, labels, the
 * ClusterClass variables and the quota. The request form asks this before submit; `planCreate` refuses with the
 * same problems.
 */
export async function checkCreate(
  options: ClusterRequestServiceOptions,
  request: CreateClusterRequest,
  requester: Requester,
  taskId?: string,
): Promise<CreateCheck> {
  const { config, backend } = options;
  const problems: RequestProblem[] = [];
  const attempt = async <T>(
    field: string,
    fn: () => T | Promise<T>,
  ): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (error) {
      problems.push({
        field,
        message: String((error as Error).message),
        error: error as Error,
      });
      return undefined;
    }
  };
  const name = request.name;
  const nameOk = await attempt('name', () => {
    if (name.length > MAX_CLUSTER_NAME_LENGTH || !DNS_LABEL.test(name)) {
      throw new InputError(
        `Cluster name "${name}" is invalid: use at most ${MAX_CLUSTER_NAME_LENGTH} lowercase letters, digits and '-', starting and ending with a letter or digit (a DNS-1123 label)`,
      );
    }
    return true;
  });
  const owner = await attempt('owner', () => groupRef(request.owner, 'owner'));
  const profile = await attempt('profile', () =>
    loadProfile(options.catalog, request.profile, requester.credentials),
  );
  const spec: ClusterProfileSpec | undefined = profile?.entity.spec;
  if (profile && spec?.deprecated === true) {
    // requests get the current version; a deprecated one is kept for the clusters that run it
    await attempt('profile', () => {
      throw new InputError(
        `Version ${spec.version} of cluster profile ${profile.ref} is deprecated and can no longer be requested; choose another profile or ask its owners for a new version`,
      );
    });
  }
  await attempt('permission', () => options.access.checkCreate(requester));
  if (profile && spec && owner) {
    await attempt('profile', () =>
      checkProfileAccess(profile.ref, spec, requester, owner),
    );
  }

  const managementCluster = spec
    ? await attempt('managementCluster', () => {
        const mc =
          request.managementCluster ??
          spec.defaultManagementCluster ??
          spec.managementClusters[0];
        if (!spec.managementClusters.includes(mc)) {
          throw new InputError(
            `Profile ${
              profile!.ref
            } cannot create clusters on ${mc}; choose one of ${spec.managementClusters.join(
              ', ',
            )}`,
          );
        }
        return mc;
      })
    : undefined;
  const namespace = owner
    ? await attempt('namespace', () => {
        const ns = request.namespace ?? namespaceFor(options.config, owner);
        if (ns.length > 63 || !DNS_LABEL.test(ns)) {
          throw new InputError(
            `Namespace "${ns}" is not a valid namespace name (a DNS-1123 label of at most 63 characters)`,
          );
        }
        return ns;
      })
    : undefined;

  const kubernetesVersion = spec
    ? await attempt('kubernetesVersion', () => {
        const v =
          request.kubernetesVersion ??
          spec.kubernetes.default ??
          spec.kubernetes.versions[0];
        if (!spec.kubernetes.versions.includes(v)) {
          throw new InputError(
            `Kubernetes ${v} is not offered by profile ${
              profile!.ref
            }; choose one of ${spec.kubernetes.versions.join(', ')}`,
          );
        }
        return v;
      })
    : undefined;

  const sizeName = request.size ?? spec?.defaultSize;
  const sized = spec
    ? await attempt('size', () => {
        // own properties only: `__proto__` or `constructor` are not sizes
        const size =
          sizeName !== undefined && Object.hasOwn(spec.sizes, sizeName)
            ? spec.sizes[sizeName]
            : undefined;
        if (sizeName !== undefined && !size) {
          throw new InputError(
            `Size "${sizeName}" is not a size of profile ${
              profile!.ref
            }; choose one of ${Object.keys(spec.sizes).join(', ')}`,
          );
        }
        const controlPlaneReplicas =
          request.controlPlaneReplicas ?? size?.controlPlaneReplicas;
        const workerReplicas = request.workerReplicas ?? size?.workerReplicas;
        if (workerReplicas === undefined) {
          throw new InputError(
            `Choose a size (${Object.keys(spec.sizes).join(
              ', ',
            )}) or give workerReplicas`,
          );
        }
        // pods of a hosted control plane hold no etcd member (the datastore is kine, a Kamaji DataStore or etcd
        // pods of its own), so any number of them is fine
        if (spec.hostedControlPlane && controlPlaneReplicas === 0) {
          throw new InputError(
            `controlPlaneReplicas must be at least 1: profile ${
              profile!.ref
            } runs the control plane as pods on the management cluster`,
          );
        }
        if (
          !spec.hostedControlPlane &&
          controlPlaneReplicas !== undefined &&
          controlPlaneReplicas > 0 &&
          controlPlaneReplicas % 2 === 0
        ) {
          throw new InputError(
            `controlPlaneReplicas must be odd (1, 3, 5 or 7) so that etcd keeps a quorum, got ${controlPlaneReplicas}`,
          );
        }
        if (
          !Number.isInteger(workerReplicas) ||
          workerReplicas < 0 ||
          workerReplicas > MAX_WORKERS
        ) {
          throw new InputError(
            `workerReplicas must be between 0 and ${MAX_WORKERS}, got ${workerReplicas}`,
          );
        }
        return { size, controlPlaneReplicas, workerReplicas };
      })
    : undefined;
  const labels = await attempt('labels', () =>
    checkLabels(request.labels ?? {}),
  );

  // the management cluster: configured here for writes, and connected according to the fleet backend
  let api: KubeClient | undefined;
  const managementClusters = await attempt('managementCluster', () =>
    backend.listManagementClusters(),
  );
  if (managementCluster && managementClusters) {
    api = await attempt('managementCluster', async () => {
      const client = await options.managementCluster(managementCluster);
      if (!client) {
        throw new InputError(
          `Management cluster ${managementCluster} is not configured in shipyard.managementClusters of this backend; ask the platform team`,
        );
      }
      const status = managementClusters.find(m => m.name === managementCluster);
      if (!status || status.state !== 'connected') {
        throw new ConflictError(
          `Management cluster ${managementCluster} is not connected (${
            status
              ? `${status.state}${
                  status.lastError ? `: ${status.lastError}` : ''
                }`
              : 'unknown'
          }); nothing was created. Try again later or choose another management cluster`,
        );
      }
      return client;
    });
  }

  const key =
    managementCluster && namespace
      ? { managementCluster, namespace, name }
      : undefined;
  let classAndVariables:
    | {
        clusterClass: ClusterClassSummary;
        workerClass: string;
        variables: ReturnType<typeof resolveVariables>;
      }
    | undefined;
  if (api && key && profile && spec) {
    const clusterClass = await attempt('managementCluster', () =>
      findClusterClass(options.backend, profile.ref, spec, key),
    );
    const hosted = spec.hostedControlPlane;
    if (clusterClass && hosted) {
      await attempt('managementCluster', () =>
        checkHostedClusterClass(profile.ref, hosted, clusterClass),
      );
    }
    const workerClass = clusterClass
      ? await attempt('size', () => {
          const wc =
            sized?.size?.machineClass &&
            clusterClass.machineDeploymentClasses.includes(
              sized.size.machineClass,
            )
              ? sized.size.machineClass
              : clusterClass.machineDeploymentClasses[0];
          if (!wc) {
            throw new InputError(
              `ClusterClass ${clusterClass.namespace}/${clusterClass.name} has no MachineDeployment classes; the profile cannot be requested`,
            );
          }
          return wc;
        })
      : undefined;
    const variables = clusterClass
      ? await attempt('variables', () =>
          resolveVariables({
            declared: clusterClass.variables,
            defaults: (spec.variables?.defaults ?? {}) as Record<
              string,
              JsonValue
            >,
            requested: request.variables ?? {},
            clusterClass: `${clusterClass.namespace}/${clusterClass.name}`,
          }),
        )
      : undefined;
    if (clusterClass && workerClass && variables) {
      classAndVariables = { clusterClass, workerClass, variables };
    }
  }

  // the name is free on the management cluster (or taken by this very task: a retry)
  let resumed = false;
  if (api && key && nameOk) {
    await attempt('name', async () => {
      const existing = await api!
        .get(clusterPath(key.namespace, key.name))
        .catch(error => {
          throw dryRunError(error, key);
        });
      if (!existing) return;
      if (
        taskId !== undefined &&
        existing.metadata?.annotations?.[ANNOTATION_REQUEST_TASK] === taskId
      ) {
        resumed = true;
        return;
      }
      throw new ConflictError(
        `A cluster named ${name} already exists in namespace ${key.namespace} on ${key.managementCluster}; choose another name`,
      );
    });
  }

  if (owner && managementClusters && !resumed) {
    await attempt('owner', () =>
      checkQuota({
        owner,
        quota: quotaOf(config, owner),
        managementClusters,
        backend,
      }),
    );
  }

  if (
    problems.length > 0 ||
    !key ||
    !owner ||
    !profile ||
    !spec ||
    !kubernetesVersion ||
    !sized ||
    !labels ||
    !api ||
    !classAndVariables
  ) {
    return { problems };
  }
  return {
    problems,
    resolved: {
      key,
      owner,
      profileRef: profile.ref,
      profileName: profile.entity.metadata.name,
      spec,
      kubernetesVersion,
      sizeName,
      controlPlaneReplicas: sized.controlPlaneReplicas,
      workerReplicas: sized.workerReplicas,
      labels,
      api,
      ...classAndVariables,
      resumed,
    },
  };
}
