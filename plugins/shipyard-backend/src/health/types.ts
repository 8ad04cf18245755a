import {
  ClusterCondition,
  HostedControlPlane,
  HealthReason,
  HealthStatus,
  MachinePhaseCounts,
  ReplicaCounters,
} from '@shipyard/plugin-shipyard-common';

/** What the health evaluation of one cluster looks at. */
export interface ClusterHealthInput {
  /** `cluster.x-k8s.io/v1beta2` or `cluster.x-k8s.io/v1beta1`. */
  apiVersion: string;
  phase: string;
  deletingSince?: string;
  conditions: ClusterCondition[];
  controlPlane: ReplicaCounters;
  workers: ReplicaCounters;
  machinesByPhase: MachinePhaseCounts;
  infrastructureProvisioned?: boolean;
  controlPlaneInitialized?: boolean;
  /** The control plane's pods, for a control plane hosted as pods. */
  hostedControlPlane?: HostedControlPlane;
  /** MachineHealthChecks of the cluster. */
  machineHealthChecks: Array<{
    name: string;
    expectedMachines?: number;
    currentHealthy?: number;
    remediationsAllowed?: number;
  }>;
}

/** Result of a health evaluation. */
export interface ClusterHealth {
  status: HealthStatus;
  reasons: HealthReason[];
}

/**
 * Computes the health of a cluster. The backend folds every cluster through one evaluator; further signals (probes
 * of the workload cluster, staleness) are layered on by wrapping or replacing it.
 */
export interface ClusterHealthEvaluator {
  evaluate(input: ClusterHealthInput): ClusterHealth;
}
