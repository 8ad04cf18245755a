/*
 * ClusterClasses of the fleet, as served by `GET /api/shipyard/cluster-classes` (paged like `GET /clusters`).
 * The catalog module turns each into a generated `ClusterProfile`; the scaffolder turns `variables` into a form.
 */
import type { ProfileJsonValue } from './profile';

/** One variable of a ClusterClass (`spec.variables[]`, or `status.variables[].definitions[0]`). */
export interface ClusterClassVariableSummary {
  name: string;
  required: boolean;
  /** `schema.openAPIV3Schema` of the variable. */
  schema: { [key: string]: ProfileJsonValue };
  /** From `metadata.annotations['description']` or the schema's description. */
  description?: string;
}

/** A ClusterClass on one management cluster. */
export interface ClusterClassSummary {
  managementCluster: string;
  namespace: string;
  name: string;
  uid?: string;
  /** `metadata.generation`, bumped by every spec change. */
  generation?: number;
  /** From the `description` annotation, when set. */
  description?: string;
  /** Kind of the infrastructure cluster template (`DevClusterTemplate`, `AWSClusterTemplate`, …). */
  infrastructureKind?: string;
  /** Kind of the control plane template (`KubeadmControlPlaneTemplate`, `RKE2ControlPlaneTemplate`, …). */
  controlPlaneKind?: string;
  /** Infrastructure provider derived from `infrastructureKind` (`docker`, `aws`, …). */
  provider?: string;
  /** Distribution derived from `controlPlaneKind` (`kubeadm`, `k3s`, `rke2`, …). */
  distribution?: string;
  /** Kubernetes versions the class supports (annotation `shipyard.io/kubernetes-versions`, comma separated). */
  kubernetesVersions?: string[];
  /** Classes of `spec.workers.machineDeployments[]`. */
  machineDeploymentClasses: string[];
  /** Classes of `spec.workers.machinePools[]`. */
  machinePoolClasses: string[];
  variables: ClusterClassVariableSummary[];
  labels: Record<string, string>;
  /** ISO-8601 creation time. */
  createdAt?: string;
}

/** Response of `GET /cluster-classes` (`limit`, `cursor` and `managementCluster` query parameters). */
export interface ListClusterClassesResponse {
  items: ClusterClassSummary[];
  nextCursor?: string;
  revision: number;
}
