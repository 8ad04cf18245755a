import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import {
  ClusterProfileEntity,
  ClusterSummary,
  CORE_RESOURCES,
  resourcePath,
} from '@shipyard/plugin-shipyard-common';
import { KubeApiError } from '@shipyard/plugin-shipyard-node/kube';
import { ShipyardRequestsConfig } from '../config';
import { Requester } from './access';
import {
  ANNOTATION_REQUEST_TASK,
  ClusterRenderInput,
  renderCluster,
  renderNamespace,
} from './render';
import {
  CreateClusterRequest,
  CreateClusterPlan,
  CreateCheck,
  refusalOf,
  UpgradeClusterRequest,
  UpgradeClusterPlan,
  ClusterRequestServiceOptions,
} from './requestTypes';
import { dryRunError, clusterPath } from './requestChecks';
import { checkCreate, loadProfile } from './checkCreate';
import { resolveCluster, planUpgrade, applyUpgrade } from './upgrades';

export * from './requestTypes';

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
  loadProfile(
    ref: string,
    credentials: BackstageCredentials,
  ): Promise<{ ref: string; entity: ClusterProfileEntity }> {
    return loadProfile(this.options.catalog, ref, credentials);
  }

  /** Runs every check of a create request that needs no write (see {@link checkCreate}). */
  checkCreate(
    request: CreateClusterRequest,
    requester: Requester,
    taskId?: string,
  ): Promise<CreateCheck> {
    return checkCreate(this.options, request, requester, taskId);
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

  /** The summary of a cluster named by entity ref or `mc/ns/name`, as the requester may read it. */
  resolveCluster(
    ref: string,
    credentials: BackstageCredentials,
  ): Promise<ClusterSummary> {
    return resolveCluster(this.options, ref, credentials);
  }

  /** Checks an upgrade (see {@link planUpgrade}). */
  planUpgrade(
    request: UpgradeClusterRequest,
    requester: Requester,
  ): Promise<UpgradeClusterPlan> {
    return planUpgrade(this.options, request, requester);
  }

  /** Applies a checked upgrade (see {@link applyUpgrade}). */
  applyUpgrade(plan: UpgradeClusterPlan): Promise<void> {
    return applyUpgrade(this.options, plan);
  }
}
