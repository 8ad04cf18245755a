import {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { ConflictError, InputError, NotAllowedError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { JsonValue } from '@backstage/types';
import {
  ANNOTATION_CLUSTER_NAME,
  ANNOTATION_CLUSTER_NAMESPACE,
  ANNOTATION_MANAGEMENT_CLUSTER,
  CLUSTER_PROFILE_KIND,
  ClusterClassSummary,
  ClusterKey,
  ClusterProfileEntity,
  ClusterProfileSpec,
  ClusterSummary,
  CORE_RESOURCES,
  capiApiVersion,
  capiResource,
  isCapiKey,
  compareKubernetesVersions,
  kubernetesMinorOf,
  parseKubernetesVersion,
  resourcePath,
} from '@shipyard/plugin-shipyard-common';
import { KubeApiError, KubeClient } from '@shipyard/plugin-shipyard-node/kube';
import { quotaOf, ShipyardRequestsConfig } from '../config';
import { Requester, RequestAccess } from './access';
import {
  ANNOTATION_REQUEST_TASK,
  ClusterRenderInput,
  renderCluster,
  renderNamespace,
} from './render';
import { ShipyardBackend } from './ShipyardBackendClient';
import { checkQuota } from './quota';
import { resolveVariables } from './variables';

/** A DNS-1123 label. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/**
 * Longest Cluster name: the `cluster.x-k8s.io/cluster-name` label carries it on every child object, and label values
 * have at most 63 characters.
 */
export const MAX_CLUSTER_NAME_LENGTH = 63;
const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const MAX_WORKERS = 500;

/** What `shipyard:cluster:create` asks for (validated shape of the action input). */
export interface CreateClusterRequest {
  profile: string;
  name: string;
  owner: string;
  managementCluster?: string;
  namespace?: string;
  size?: string;
  controlPlaneReplicas?: number;
  workerReplicas?: number;
  kubernetesVersion?: string;
  variables?: Record<string, JsonValue>;
  labels?: Record<string, string>;
  mode?: 'apply' | 'manifests';
}

/** A checked request, ready to apply. */
export interface CreateClusterPlan {
  key: ClusterKey;
  owner: string;
  profileRef: string;
  profileVersion: string;
  kubernetesVersion: string;
  size?: string;
  /** The namespace does not exist yet and is created with the cluster. */
  createNamespace: boolean;
  namespaceObject: Record<string, any>;
  cluster: Record<string, any>;
  /** The same task created this cluster before (a retry): nothing is checked or created again. */
  resumed: boolean;
  ignoredDefaults: string[];
}

/** One problem of a request: the field it concerns (`name`, `owner`, `profile`, …) and what to change. */
export interface RequestProblem {
  field: string;
  message: string;
  error: Error;
}

/** Everything the checks of a create request resolved, when they all passed. */
export interface ResolvedCreateRequest {
  key: ClusterKey;
  owner: string;
  profileRef: string;
  profileName: string;
  spec: ClusterProfileSpec;
  kubernetesVersion: string;
  sizeName?: string;
  controlPlaneReplicas?: number;
  workerReplicas: number;
  labels: Record<string, string>;
  api: KubeClient;
  clusterClass: ClusterClassSummary;
  workerClass: string;
  variables: ReturnType<typeof resolveVariables>;
  /** The same task created this cluster before (a retry). */
  resumed: boolean;
}

/** The result of {@link ClusterRequestService.checkCreate}. */
export interface CreateCheck {
  problems: RequestProblem[];
  resolved?: ResolvedCreateRequest;
}

/** One error for the problems of a request: the first one's kind, every message. */
export function refusalOf(problems: RequestProblem[]): Error {
  if (problems.length === 1) return problems[0].error;
  if (problems.length === 0) {
    return new InputError('The request could not be checked');
  }
  const message = `${problems.length} problems: ${problems
    .map(p => p.message)
    .join('; ')}`;
  const first = problems[0].error;
  if (first instanceof NotAllowedError) return new NotAllowedError(message);
  if (first instanceof ConflictError) return new ConflictError(message);
  return new InputError(message);
}

/** What `shipyard:cluster:upgrade` asks for. */
export interface UpgradeClusterRequest {
  cluster: string;
  kubernetesVersion: string;
}

/** A checked upgrade. */
export interface UpgradeClusterPlan {
  key: ClusterKey;
  summary: ClusterSummary;
  fromVersion: string;
  toVersion: string;
  profileRef?: string;
  /** The cluster already has the target version (a retry after the upgrade was applied). */
  alreadyApplied: boolean;
  /** The live `spec.topology.classRef`. */
  classRef?: { name: string; namespace?: string };
}

/** Options of {@link ClusterRequestService}. */
export interface ClusterRequestServiceOptions {
  config: ShipyardRequestsConfig;
  backend: ShipyardBackend;
  catalog: Pick<CatalogService, 'getEntityByRef'>;
  access: RequestAccess;
  /** The write client of a configured management cluster, or undefined when it is not configured here. */
  managementCluster(name: string): Promise<KubeClient | undefined>;
  logger: LoggerService;
}

/** Explains a failed server-side dry run in the words of the API server. */
function dryRunError(error: unknown, key: ClusterKey): Error {
  if (error instanceof KubeApiError) {
    const causes = (error.status?.details?.causes ?? [])
      .map(
        c => `${c.field ? `${c.field}: ` : ''}${c.message ?? c.reason ?? ''}`,
      )
      .filter(Boolean);
    const detail =
      causes.length > 0
        ? causes.join('; ')
        : error.status?.message ?? error.message;
    if (error.statusCode === 409) {
      return new ConflictError(
        `A cluster named ${key.name} already exists in namespace ${key.namespace} on ${key.managementCluster}; choose another name`,
      );
    }
    if (error.statusCode === 0 || error.statusCode >= 500) {
      return new ConflictError(
        `Management cluster ${key.managementCluster} could not validate the request (${detail}); try again later`,
      );
    }
    return new InputError(
      `Management cluster ${key.managementCluster} rejected the cluster in a dry run: ${detail}`,
    );
  }
  return error as Error;
}

/** The path of the CAPI Clusters of a namespace, or of one of them. */
function clusterPath(namespace: string, name?: string): string {
  return resourcePath(capiResource('Cluster'), { namespace, name });
}

/**
 * The checks and writes behind the cluster actions. Every check runs before the first write; every refusal is an
 * `InputError`, `ConflictError` or `NotAllowedError` that says what to change.
 */
export class ClusterRequestService {
  constructor(private readonly options: ClusterRequestServiceOptions) {}

  get config(): ShipyardRequestsConfig {
    return this.options.config;
  }

  requester(credentials: BackstageCredentials): Promise<Requester> {
    return this.options.access.requester(credentials);
  }

  /** Loads a ClusterProfile entity by ref (`kubeadm-standard` or `clusterprofile:default/kubeadm-standard`). */
  async loadProfile(
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
    const entity = (await this.options.catalog.getEntityByRef(parsed, {
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
   * Runs every check of a create request that needs no write and no dry run, and collects all their problems (a
   * check that depends on a failed one is skipped): the name and its being free on the management cluster, the owner,
   * the profile and who may use it, the management cluster and its connection, version, size, labels, the
   * ClusterClass variables and the quota. The request form asks this before submit; `planCreate` refuses with the
   * same problems.
   */
  async checkCreate(
    request: CreateClusterRequest,
    requester: Requester,
    taskId?: string,
  ): Promise<CreateCheck> {
    const { config, backend } = this.options;
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
    const owner = await attempt('owner', () =>
      this.groupRef(request.owner, 'owner'),
    );
    const profile = await attempt('profile', () =>
      this.loadProfile(request.profile, requester.credentials),
    );
    const spec: ClusterProfileSpec | undefined = profile?.entity.spec;
    await attempt('permission', () =>
      this.options.access.checkCreate(requester),
    );
    if (profile && spec && owner) {
      await attempt('profile', () =>
        this.checkProfileAccess(profile.ref, spec, requester, owner),
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
          const ns = request.namespace ?? this.namespaceFor(owner);
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
          if (
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
      this.checkLabels(request.labels ?? {}),
    );

    // the management cluster: configured here for writes, and connected according to the fleet backend
    let api: KubeClient | undefined;
    const managementClusters = await attempt('managementCluster', () =>
      backend.listManagementClusters(),
    );
    if (managementCluster && managementClusters) {
      api = await attempt('managementCluster', async () => {
        const client = await this.options.managementCluster(managementCluster);
        if (!client) {
          throw new InputError(
            `Management cluster ${managementCluster} is not configured in shipyard.managementClusters of this backend; ask the platform team`,
          );
        }
        const status = managementClusters.find(
          m => m.name === managementCluster,
        );
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
        this.findClusterClass(profile.ref, spec, key),
      );
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

  /** Checks a create request and renders the objects; performs the server-side dry run. Writes nothing. */
  async planCreate(
    request: CreateClusterRequest,
    requester: Requester,
    taskId: string,
  ): Promise<CreateClusterPlan> {
    const { config } = this.options;
    const check = await this.checkCreate(request, requester, taskId);
    if (check.problems.length > 0 || !check.resolved) {
      throw refusalOf(check.problems);
    }
    const {
      key,
      owner,
      profileRef,
      profileName,
      spec,
      kubernetesVersion,
      sizeName,
      controlPlaneReplicas,
      workerReplicas,
      labels,
      api,
      clusterClass,
      workerClass,
      variables,
      resumed,
    } = check.resolved;
    const { name, namespace } = key;

    const renderInput: ClusterRenderInput = {
      name,
      namespace,
      owner,
      profileName,
      profileVersion: spec.version,
      clusterClass: {
        name: clusterClass.name,
        namespace: clusterClass.namespace,
      },
      kubernetesVersion,
      controlPlaneReplicas,
      workers: { class: workerClass, name: 'md-0', replicas: workerReplicas },
      variables: variables.values,
      labels,
    };
    const cluster = renderCluster({
      ...renderInput,
      requestedBy: requester.userEntityRef,
      taskId,
    });
    const namespaceObject = renderNamespace(namespace, owner);
    const plan: CreateClusterPlan = {
      key,
      owner,
      profileRef,
      profileVersion: spec.version,
      kubernetesVersion,
      size: sizeName,
      createNamespace: false,
      namespaceObject,
      cluster,
      resumed: false,
      ignoredDefaults: variables.ignoredDefaults,
    };

    if (resumed) return { ...plan, resumed: true };

    // server-side dry run of everything that will be written
    const fieldManager = config.fieldManager;
    const namespaceExists = Boolean(
      await api
        .get(resourcePath(CORE_RESOURCES.Namespace, { name: namespace }))
        .catch(error => {
          throw dryRunError(error, key);
        }),
    );
    plan.createNamespace = !namespaceExists;
    try {
      if (namespaceExists) {
        await api.create(clusterPath(namespace), cluster, {
          dryRun: true,
          fieldManager,
        });
      } else {
        await api.create(
          resourcePath(CORE_RESOURCES.Namespace),
          namespaceObject,
          {
            dryRun: true,
            fieldManager,
          },
        );
        // a dry run cannot see a namespace that a dry run created: validate the Cluster in the ClusterClass's
        // namespace, with the class referenced explicitly
        const probe = renderCluster({
          ...renderInput,
          namespace: clusterClass.namespace,
        });
        try {
          await api.create(clusterPath(clusterClass.namespace), probe, {
            dryRun: true,
            fieldManager,
          });
        } catch (error) {
          // AlreadyExists comes after admission and validation: the object itself is valid
          if (!(error instanceof KubeApiError && error.isConflict)) throw error;
        }
      }
    } catch (error) {
      throw dryRunError(error, key);
    }
    return plan;
  }

  /** Creates the namespace (when missing) and the Cluster. Idempotent for the same task. */
  async applyCreate(
    plan: CreateClusterPlan,
    taskId: string,
  ): Promise<{ uid: string }> {
    const api = await this.options.managementCluster(
      plan.key.managementCluster,
    );
    if (!api)
      throw new InputError(
        `Management cluster ${plan.key.managementCluster} is not configured`,
      );
    const fieldManager = this.options.config.fieldManager;
    if (plan.createNamespace) {
      try {
        await api.create(
          resourcePath(CORE_RESOURCES.Namespace),
          plan.namespaceObject,
          {
            fieldManager,
          },
        );
      } catch (error) {
        if (!(error instanceof KubeApiError && error.isConflict)) throw error;
      }
    }
    try {
      const created = await api.create(
        clusterPath(plan.key.namespace),
        plan.cluster,
        { fieldManager },
      );
      return { uid: String(created?.metadata?.uid ?? '') };
    } catch (error) {
      if (error instanceof KubeApiError && error.isConflict) {
        const existing = await api.get(
          clusterPath(plan.key.namespace, plan.key.name),
        );
        if (
          existing?.metadata?.annotations?.[ANNOTATION_REQUEST_TASK] === taskId
        ) {
          return { uid: String(existing.metadata.uid ?? '') };
        }
        throw new ConflictError(
          `A cluster named ${plan.key.name} was created in namespace ${plan.key.namespace} on ${plan.key.managementCluster} by someone else meanwhile; choose another name`,
        );
      }
      throw error;
    }
  }

  /** Finds a cluster by entity ref (its Shipyard annotations) or by `managementCluster/namespace/name`. */
  async resolveCluster(
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
        entity = await this.options.catalog.getEntityByRef(
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
    const summary = await this.options.backend.getCluster(key);
    if (!summary) {
      throw new InputError(
        `Cluster ${key.managementCluster}/${key.namespace}/${key.name} is not in the fleet`,
      );
    }
    return summary;
  }

  /** Checks an upgrade: permission, allowed version, no skipped minor, no upgrade in progress, healthy; dry run. */
  async planUpgrade(
    request: UpgradeClusterRequest,
    requester: Requester,
  ): Promise<UpgradeClusterPlan> {
    const summary = await this.resolveCluster(
      request.cluster,
      requester.credentials,
    );
    const key: ClusterKey = {
      managementCluster: summary.managementCluster,
      namespace: summary.namespace,
      name: summary.name,
    };
    const where = `${key.managementCluster}/${key.namespace}/${key.name}`;
    await this.options.access.checkUpdate(requester, summary);

    const toVersion = request.kubernetesVersion;
    const fromVersion = summary.kubernetesVersion;
    if (!fromVersion) {
      throw new InputError(
        `Cluster ${where} has no known Kubernetes version; it cannot be upgraded here`,
      );
    }
    let profileRef: string | undefined;
    if (summary.profile) {
      const profile = await this.loadProfile(
        summary.profile,
        requester.credentials,
      );
      profileRef = profile.ref;
      if (!profile.entity.spec.kubernetes.versions.includes(toVersion)) {
        throw new InputError(
          `Kubernetes ${toVersion} is not offered by profile ${
            profile.ref
          }; choose one of ${profile.entity.spec.kubernetes.versions.join(
            ', ',
          )}`,
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
          summary.healthReasons[0]
            ? ` (${summary.healthReasons[0].message})`
            : ''
        }; upgrades start only from a healthy cluster`,
      );
    }
    const api = await this.options.managementCluster(key.managementCluster);
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
      await api.apply(
        clusterPath(key.namespace, key.name),
        this.versionPatch(plan),
        {
          dryRun: true,
          fieldManager: this.options.config.fieldManager,
          force: true,
        },
      );
    } catch (error) {
      throw dryRunError(error, key);
    }
    return plan;
  }

  /** Applies the version bump (server-side apply of `spec.topology.version` only). */
  async applyUpgrade(plan: UpgradeClusterPlan): Promise<void> {
    const api = await this.options.managementCluster(
      plan.key.managementCluster,
    );
    if (!api)
      throw new InputError(
        `Management cluster ${plan.key.managementCluster} is not configured`,
      );
    await api.apply(
      clusterPath(plan.key.namespace, plan.key.name),
      this.versionPatch(plan),
      {
        fieldManager: this.options.config.fieldManager,
        force: true,
      },
    );
  }

  /**
   * The apply configuration of an upgrade: the version, plus the live classRef that the topology schema requires
   * next to it (unchanged, so applying it changes nothing else).
   */
  private versionPatch(plan: UpgradeClusterPlan) {
    return {
      apiVersion: capiApiVersion(),
      kind: 'Cluster',
      metadata: { name: plan.key.name, namespace: plan.key.namespace },
      spec: { topology: { classRef: plan.classRef, version: plan.toVersion } },
    };
  }

  private groupRef(value: string, field: string): string {
    try {
      const ref = parseEntityRef(value, {
        defaultKind: 'group',
        defaultNamespace: 'default',
      });
      if (ref.kind.toLocaleLowerCase('en-US') !== 'group')
        throw new Error('not a group');
      return stringifyEntityRef(ref).toLocaleLowerCase('en-US');
    } catch {
      throw new InputError(
        `${field} "${value}" must be a group (group:default/team-a)`,
      );
    }
  }

  private checkProfileAccess(
    profileRef: string,
    spec: ClusterProfileSpec,
    requester: Requester,
    owner: string,
  ): void {
    const allowed = new Set(
      spec.allowedGroups.map(g => g.toLocaleLowerCase('en-US')),
    );
    if (!requester.isPlatform && !requester.ownershipRefs.has(owner)) {
      throw new NotAllowedError(
        `${requester.userEntityRef} is not a member of ${owner} and cannot request clusters for it; choose one of your own groups`,
      );
    }
    if (
      !requester.isPlatform &&
      ![...requester.ownershipRefs].some(r => allowed.has(r))
    ) {
      throw new NotAllowedError(
        `Profile ${profileRef} is open to ${spec.allowedGroups.join(
          ', ',
        )} only; ${
          requester.userEntityRef
        } is in none of them. Choose another profile or ask the platform team`,
      );
    }
    if (!allowed.has(owner)) {
      throw new NotAllowedError(
        `Profile ${profileRef} is open to ${spec.allowedGroups.join(
          ', ',
        )} only; ${owner} may not own clusters from it. Choose another profile or owner`,
      );
    }
  }

  private namespaceFor(owner: string): string {
    const ref = parseEntityRef(owner);
    return this.options.config.namespaceTemplate
      .replace(/\{team\}/g, ref.name)
      .replace(/\{namespace\}/g, ref.namespace)
      .toLocaleLowerCase('en-US');
  }

  private checkLabels(labels: Record<string, string>): Record<string, string> {
    for (const [k, v] of Object.entries(labels)) {
      if (!LABEL_KEY.test(k) || k.length > 316) {
        throw new InputError(
          `Label key "${k}" is not a valid Kubernetes label key`,
        );
      }
      if (k.startsWith('shipyard.io/') || isCapiKey(k)) {
        throw new InputError(
          `Label "${k}" is set by Shipyard or Cluster API and cannot be requested`,
        );
      }
      if (!LABEL_VALUE.test(v)) {
        throw new InputError(
          `Label ${k}="${v}" has an invalid value (at most 63 letters, digits, '-', '_' or '.')`,
        );
      }
    }
    return labels;
  }

  private async findClusterClass(
    profileRef: string,
    spec: ClusterProfileSpec,
    key: ClusterKey,
  ): Promise<ClusterClassSummary> {
    if (!spec.clusterClass) {
      throw new InputError(
        `Profile ${profileRef} names no ClusterClass, so clusters cannot be requested from it`,
      );
    }
    const classes = (
      await this.options.backend.listClusterClasses(key.managementCluster)
    ).filter(c => c.name === spec.clusterClass?.name);
    const wanted = spec.clusterClass.namespace;
    const found = wanted
      ? classes.find(c => c.namespace === wanted)
      : classes.find(c => c.namespace === key.namespace) ??
        (classes.length === 1 ? classes[0] : undefined) ??
        classes.sort((a, b) => a.namespace.localeCompare(b.namespace))[0];
    if (!found) {
      throw new InputError(
        `ClusterClass ${wanted ? `${wanted}/` : ''}${
          spec.clusterClass.name
        } of profile ${profileRef} does not exist on management cluster ${
          key.managementCluster
        }; choose another management cluster`,
      );
    }
    return found;
  }
}
