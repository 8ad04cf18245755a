import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotAllowedError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { JsonValue } from '@backstage/types';
import {
  ClusterClassSummary,
  ClusterKey,
  ClusterProfileSpec,
  ClusterSummary,
} from '@shipyard/plugin-shipyard-common';
import { KubeClient } from '@shipyard/plugin-shipyard-node/kube';
import { ShipyardRequestsConfig } from '../config';
import { RequestAccess } from './access';
import { ShipyardBackend } from './ShipyardBackendClient';
import type { ResolvedVariables } from './variables';

/** The requests and plans of the cluster actions, and the problems a check finds. */

/**
 * Longest Cluster name: the `cluster.x-k8s.io/cluster-name` label carries it on every child object, and label values
 * have at most 63 characters.
 */
export const MAX_CLUSTER_NAME_LENGTH = 63;

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
  variables: ResolvedVariables;
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
